"""The customer-managed KMS key that encrypts the recordings, and its alias."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from . import policies


def create_key(
    name: str,
    *,
    app_id: str,
    region: str,
    alias_name: str,
    deletion_window_days: int,
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
    copy_identity_arn: pulumi.Input[str],
    upload_role_arn: pulumi.Input[str] | None,
    protect: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> tuple[aws.kms.Key, aws.kms.Alias]:
    key_policy = pulumi.Output.all(
        account_id, partition, dns_suffix, copy_identity_arn, upload_role_arn
    ).apply(
        lambda v: json.dumps(
            policies.key_policy(
                account_id=v[0],
                partition=v[1],
                dns_suffix=v[2],
                region=region,
                copy_identity_arn=v[3],
                upload_role_arn=v[4],
            )
        )
    )
    key = aws.kms.Key(
        f"{name}-key",
        description=f"Sendbird recordings of application {app_id} ({region})",
        enable_key_rotation=True,
        deletion_window_in_days=deletion_window_days,
        policy=key_policy,
        region=region,
        tags=tags,
        # None rather than False: a protect=True the caller set on the component still applies.
        opts=pulumi.ResourceOptions(parent=parent, protect=True if protect else None),
    )
    alias = aws.kms.Alias(
        f"{name}-key-alias",
        name=alias_name,
        target_key_id=key.key_id,
        region=region,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return key, alias
