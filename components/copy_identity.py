"""The IAM user Sendbird's copy API writes with, and its access key (handed to Sendbird per call)."""

from __future__ import annotations

import json
from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from . import policies

IAM_PATH = "/sendbird/"


def create_copy_user(
    name: str, *, tags: dict[str, str], parent: pulumi.Resource
) -> tuple[aws.iam.User, aws.iam.AccessKey]:
    # Autonamed: a replacement user gets a new name, so create-before-delete never collides.
    user = aws.iam.User(
        f"{name}-copy-user", path=IAM_PATH, tags=tags, opts=pulumi.ResourceOptions(parent=parent)
    )
    access_key = aws.iam.AccessKey(
        f"{name}-copy-access-key",
        user=user.name,
        # The provider marks these secret already; saying so here keeps it true if that ever changes.
        opts=pulumi.ResourceOptions(parent=parent, additional_secret_outputs=["secret", "sesSmtpPasswordV4"]),
    )
    return user, access_key


def identity_policy_json(
    builder: Callable[..., policies.Policy],
    *,
    region: str,
    bucket_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
) -> pulumi.Output[str]:
    """Render a pure identity-policy builder (copy user, upload role) once its inputs are known."""
    return pulumi.Output.all(bucket_arn, kms_key_arn, dns_suffix).apply(
        lambda v: json.dumps(builder(bucket_arn=v[0], kms_key_arn=v[1], region=region, dns_suffix=v[2]))
    )


def grant_copy_user(
    name: str,
    *,
    user: aws.iam.User,
    region: str,
    bucket_arn: pulumi.Input[str],
    kms_key_arn: pulumi.Input[str],
    dns_suffix: pulumi.Input[str],
    parent: pulumi.Resource,
) -> aws.iam.UserPolicy:
    """The inline policy: the user's only grant (the resource policies delegate to it)."""
    return aws.iam.UserPolicy(
        f"{name}-copy-user-policy",
        user=user.name,
        name="sendbird-recordings-copy",
        policy=identity_policy_json(
            policies.copy_identity_policy,
            region=region,
            bucket_arn=bucket_arn,
            kms_key_arn=kms_key_arn,
            dns_suffix=dns_suffix,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
