"""The customer-managed KMS key that encrypts the recordings, and its alias."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..context import StorageContext
from ..naming import kms_alias_name
from . import policies


def create_key(
    ctx: StorageContext,
    *,
    deletion_window_days: int,
    protect: bool,
    copy_identity_arn: pulumi.Input[str] | None,
    upload_role_arn: pulumi.Input[str] | None,
    replica: bool = False,
) -> tuple[aws.kms.Key, aws.kms.Alias]:
    """The key (``<name>-key``) and its alias, in ``ctx``'s region. The replica's key (``replica``:
    ``<name>-replica-key``, in the replica's region) names no copy identity and has an alias of its
    own name."""
    region = ctx.region
    child = "replica-key" if replica else "key"
    description = "Replica of the Sendbird recordings" if replica else "Sendbird recordings"
    key_policy = pulumi.Output.all(
        ctx.account_id, ctx.partition, ctx.dns_suffix, copy_identity_arn, upload_role_arn
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
        ctx.child_name(child),
        description=f"{description} of application {ctx.app_id} ({region})",
        enable_key_rotation=True,
        deletion_window_in_days=deletion_window_days,
        policy=key_policy,
        region=region,
        tags=ctx.tags,
        opts=ctx.opts(protect=protect),
    )
    alias = aws.kms.Alias(
        ctx.child_name(f"{child}-alias"),
        name=kms_alias_name(pulumi.get_stack(), f"{ctx.name}-{child}" if replica else ctx.name),
        target_key_id=key.key_id,
        region=region,
        opts=ctx.opts(),
    )
    return key, alias
