"""The IAM user Sendbird's copy API writes with, and its access key (handed to Sendbird per call)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumiverse_time as pulumi_time

from sendbird_copy.facts import PROJECT_NAME

from ..context import StorageContext
from ..naming import copy_user_name
from . import policies
from .grants import IdentityPolicy

IAM_PATH = "/sendbird/"
# Exactly what Sendbird's copy needs (see policies.copy_identity_policy).
COPY_POLICY = IdentityPolicy(f"{PROJECT_NAME}-copy", policies.copy_identity_policy)


def create_copy_user(
    ctx: StorageContext, *, key_rotation_days: int | None = None
) -> tuple[aws.iam.User, aws.iam.AccessKey, pulumi_time.Rotating | None]:
    """The user, its access key and, with ``key_rotation_days``, the rotation that replaces the key.

    Rotation is Pulumi's own ``replacement_trigger`` on the key, fed by a ``time.Rotating`` (the
    pulumiverse time provider): once the period has passed, a refreshing ``pulumi up`` finds the
    Rotating gone (the provider drops it on read), creates a new one with a new id, and the changed
    trigger replaces the access key. Pulumi replaces create-before-delete by default (never
    ``delete_before_replace`` here), so the user holds at most two keys, IAM's limit.
    """
    # Autonamed (<name>-copy-user-<7 hex>) while that fits IAM's 64 characters; a longer component
    # name gets a shortened name with a hash (naming.copy_user_name). IAM renames a user in place.
    user = aws.iam.User(
        ctx.child_name("copy-user"),
        name=copy_user_name(ctx.name, pulumi.get_project(), pulumi.get_stack()),
        path=IAM_PATH,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    rotation = None
    if key_rotation_days is not None:
        rotation = pulumi_time.Rotating(
            ctx.child_name("copy-key-rotation"), rotation_days=key_rotation_days, opts=ctx.opts()
        )
    access_key = aws.iam.AccessKey(
        ctx.child_name("copy-access-key"),
        user=user.name,
        # The provider marks these secret already; saying so here keeps it true if that ever changes.
        opts=ctx.opts(
            additional_secret_outputs=["secret", "sesSmtpPasswordV4"],
            replacement_trigger=rotation.id if rotation is not None else None,
        ),
    )
    return user, access_key, rotation
