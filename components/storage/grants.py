"""An identity's one grant: a pure identity-policy builder rendered for this bucket and key, attached
inline to an IAM user (the copy identity) or role (the direct-upload role)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import NamedTuple, overload

import pulumi
import pulumi_aws as aws

from ..context import StorageContext
from . import policies

Arn = pulumi.Input[str]


class IdentityPolicy(NamedTuple):
    """An identity's inline policy: its name in IAM, and the pure builder of its document (called
    with ``bucket_arn``, ``kms_key_arn``, ``region`` and ``dns_suffix``)."""

    name: str
    builder: Callable[..., policies.Policy]


# The policy resource follows the identity: a user gets a UserPolicy, a role a RolePolicy.
@overload
def grant(
    ctx: StorageContext, identity: aws.iam.User, policy: IdentityPolicy, bucket_arn: Arn, kms_key_arn: Arn
) -> aws.iam.UserPolicy: ...
@overload
def grant(
    ctx: StorageContext, identity: aws.iam.Role, policy: IdentityPolicy, bucket_arn: Arn, kms_key_arn: Arn
) -> aws.iam.RolePolicy: ...


def grant(
    ctx: StorageContext,
    identity: aws.iam.User | aws.iam.Role,
    policy: IdentityPolicy,
    bucket_arn: Arn,
    kms_key_arn: Arn,
) -> aws.iam.UserPolicy | aws.iam.RolePolicy:
    """The inline policy ``<identity's resource name>-policy``: the identity's only grant (the bucket
    and key policies delegate to it)."""
    region = ctx.region
    document = pulumi.Output.all(bucket_arn, kms_key_arn, ctx.dns_suffix).apply(
        lambda v: json.dumps(
            policy.builder(bucket_arn=v[0], kms_key_arn=v[1], region=region, dns_suffix=v[2])
        )
    )
    name, opts = f"{identity.pulumi_resource_name}-policy", ctx.opts()
    if isinstance(identity, aws.iam.User):
        return aws.iam.UserPolicy(name, user=identity.name, name=policy.name, policy=document, opts=opts)
    return aws.iam.RolePolicy(name, role=identity.id, name=policy.name, policy=document, opts=opts)
