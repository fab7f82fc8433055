"""Optional: the cross-account role Sendbird assumes for direct upload (Live), guarded by an external id."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from . import policies
from .args import UploadRole
from .copy_identity import IAM_PATH, identity_policy_json


def create_upload_role(
    name: str,
    *,
    app_id: str,
    upload: UploadRole,
    partition: pulumi.Input[str],
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.iam.Role:
    trust = pulumi.Output.from_input(partition).apply(
        lambda p: json.dumps(
            policies.upload_role_trust_policy(
                sendbird_principal=upload.sendbird_principal, external_id=upload.external_id, partition=p
            )
        )
    )
    return aws.iam.Role(
        f"{name}-upload-role",
        path=IAM_PATH,
        description=f"Sendbird direct upload of recordings for application {app_id}",
        assume_role_policy=trust,
        tags=tags,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def grant_upload_role(
    name: str,
    *,
    role: aws.iam.Role,
    region: str,
    bucket_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.iam.RolePolicy:
    return aws.iam.RolePolicy(
        f"{name}-upload-role-policy",
        role=role.id,
        name="sendbird-recordings-direct-upload",
        policy=identity_policy_json(
            policies.upload_role_policy,
            region=region,
            bucket_arn=bucket_arn,
            kms_key_arn=kms_key_arn,
            dns_suffix=dns_suffix,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
