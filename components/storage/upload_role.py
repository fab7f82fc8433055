"""Optional: the cross-account role Sendbird assumes for direct upload (Live), guarded by an external id."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from sendbird_copy.facts import PROJECT_NAME

from ..context import StorageContext
from ..naming import upload_role_name_prefix
from . import policies
from .args import UploadRole
from .copy_identity import IAM_PATH
from .grants import IdentityPolicy

UPLOAD_POLICY = IdentityPolicy(f"{PROJECT_NAME}-direct-upload", policies.upload_role_policy)


def create_upload_role(ctx: StorageContext, upload: UploadRole) -> aws.iam.Role:
    # Principal and external id may be Outputs (checked when they resolve); a secret external id
    # (Config().require_secret) keeps the trust policy secret.
    trust = pulumi.Output.all(ctx.partition, upload.sendbird_principal, upload.external_id).apply(
        lambda v: json.dumps(
            policies.upload_role_trust_policy(sendbird_principal=v[1], external_id=v[2], partition=v[0])
        )
    )
    return aws.iam.Role(
        ctx.child_name("upload-role"),
        # Autonamed (<name>-upload-role-<7 hex>) while that fits IAM's 64 characters; else a
        # shortened prefix with a hash, to which the provider appends a unique suffix.
        name_prefix=upload_role_name_prefix(ctx.name),
        path=IAM_PATH,
        description=f"Sendbird direct upload of recordings for application {ctx.app_id}",
        assume_role_policy=trust,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
