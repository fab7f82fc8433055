"""Optional: the cross-account role Sendbird assumes for direct upload (Live), guarded by an external id."""

from __future__ import annotations

import json

import pulumi_aws as aws

from sendbird_copy.project import PROJECT_NAME

from . import policies
from .args import UploadRole
from .context import StorageContext
from .copy_identity import IAM_PATH
from .grants import IdentityPolicy

UPLOAD_POLICY = IdentityPolicy(f"{PROJECT_NAME}-direct-upload", policies.upload_role_policy)


def create_upload_role(ctx: StorageContext, upload: UploadRole) -> aws.iam.Role:
    trust = ctx.partition.apply(
        lambda p: json.dumps(
            policies.upload_role_trust_policy(
                sendbird_principal=upload.sendbird_principal, external_id=upload.external_id, partition=p
            )
        )
    )
    return aws.iam.Role(
        ctx.child_name("upload-role"),
        path=IAM_PATH,
        description=f"Sendbird direct upload of recordings for application {ctx.app_id}",
        assume_role_policy=trust,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
