"""The IAM user Sendbird's copy API writes with, and its access key (handed to Sendbird per call)."""

from __future__ import annotations

import pulumi_aws as aws

from sendbird_copy.project import PROJECT_NAME

from . import policies
from .context import StorageContext
from .grants import IdentityPolicy

IAM_PATH = "/sendbird/"
# Exactly what Sendbird's copy needs (see policies.copy_identity_policy).
COPY_POLICY = IdentityPolicy(f"{PROJECT_NAME}-copy", policies.copy_identity_policy)


def create_copy_user(ctx: StorageContext) -> tuple[aws.iam.User, aws.iam.AccessKey]:
    # Autonamed: a replacement user gets a new name, so create-before-delete never collides.
    user = aws.iam.User(ctx.child_name("copy-user"), path=IAM_PATH, tags=ctx.tags, opts=ctx.opts())
    access_key = aws.iam.AccessKey(
        ctx.child_name("copy-access-key"),
        user=user.name,
        # The provider marks these secret already; saying so here keeps it true if that ever changes.
        opts=ctx.opts(additional_secret_outputs=["secret", "sesSmtpPasswordV4"]),
    )
    return user, access_key
