"""The IAM user Sendbird's copy API writes with, and its access key (handed to Sendbird per call)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from sendbird_copy.project import PROJECT_NAME

from . import policies
from .context import StorageContext
from .grants import IdentityPolicy
from .naming import copy_user_name

IAM_PATH = "/sendbird/"
# Exactly what Sendbird's copy needs (see policies.copy_identity_policy).
COPY_POLICY = IdentityPolicy(f"{PROJECT_NAME}-copy", policies.copy_identity_policy)


def create_copy_user(ctx: StorageContext) -> tuple[aws.iam.User, aws.iam.AccessKey]:
    # Autonamed (<name>-copy-user-<7 hex>) while that fits IAM's 64 characters; a longer component
    # name gets a shortened name with a hash (naming.copy_user_name). IAM renames a user in place.
    user = aws.iam.User(
        ctx.child_name("copy-user"),
        name=copy_user_name(ctx.name, pulumi.get_project(), pulumi.get_stack()),
        path=IAM_PATH,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    access_key = aws.iam.AccessKey(
        ctx.child_name("copy-access-key"),
        user=user.name,
        # The provider marks these secret already; saying so here keeps it true if that ever changes.
        opts=ctx.opts(additional_secret_outputs=["secret", "sesSmtpPasswordV4"]),
    )
    return user, access_key
