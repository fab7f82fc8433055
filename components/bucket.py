"""The recordings bucket and its bucket-level settings, each pinned to the application's region."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from . import policies
from .args import Retention

PREFLIGHT_PREFIX = "_preflight/"  # the smoke test's probe objects


def create_bucket(
    name: str,
    *,
    region: str,
    bucket_name: str | None,
    bucket_prefix: str,
    force_destroy: bool,
    protect: bool,
    tags: dict[str, str],
    parent: pulumi.Resource,
) -> aws.s3.Bucket:
    return aws.s3.Bucket(
        f"{name}-bucket",
        # A fixed name when given; else S3-unique from the prefix (never Pulumi's autoname, which
        # may exceed 63 characters or keep uppercase from the component name).
        bucket=bucket_name,
        bucket_prefix=None if bucket_name else bucket_prefix,
        force_destroy=force_destroy,
        region=region,
        tags=tags,
        # None rather than False: a protect=True the caller set on the component still applies.
        opts=pulumi.ResourceOptions(parent=parent, protect=True if protect else None),
    )


def _lifecycle_rules(retention: Retention) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    whole_bucket = aws.s3.BucketLifecycleConfigurationRuleFilterArgs()  # empty filter: every object
    rules = [
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="abort-incomplete-multipart-uploads",
            status="Enabled",
            filter=whole_bucket,
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=retention.abort_incomplete_multipart_days,
            ),
        ),
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-noncurrent-versions",
            status="Enabled",
            filter=whole_bucket,
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=retention.noncurrent_expiration_days,
            ),
            # Once the last noncurrent version is gone, a lone delete marker is left: clean it up too.
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                expired_object_delete_marker=True
            ),
        ),
        aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-preflight-probes",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=PREFLIGHT_PREFIX),
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=1),
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=1,
            ),
        ),
    ]
    if retention.transition_days is not None or retention.expiration_days is not None:
        # Whole bucket: the key Sendbird gives a copied recording is undocumented, so no prefix.
        transitions = None
        if retention.transition_days is not None:
            transitions = [
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=retention.transition_days, storage_class=retention.transition_storage_class
                )
            ]
        expiration = None
        if retention.expiration_days is not None:
            expiration = aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=retention.expiration_days)
        rules.append(
            aws.s3.BucketLifecycleConfigurationRuleArgs(
                id="recordings-retention",
                status="Enabled",
                filter=whole_bucket,
                transitions=transitions,
                expiration=expiration,
            )
        )
    return rules


def configure_bucket(
    name: str,
    *,
    bucket: aws.s3.Bucket,
    region: str,
    kms_key_arn: pulumi.Input[str],
    copy_identity_arn: pulumi.Input[str],
    account_id: pulumi.Input[str],
    partition: pulumi.Input[str],
    retention: Retention,
    policy_after: Sequence[pulumi.Resource],
    parent: pulumi.Resource,
) -> aws.s3.BucketPolicy:
    """Public-access block -> bucket policy -> ownership -> versioning -> encryption -> lifecycle.

    One at a time: concurrent bucket-level writes can fail with S3's OperationAborted, and the
    public-access block must exist before any policy. The policy also waits for ``policy_after``
    (the copy identity's policy and key), so the identity is complete when the bucket admits it.
    """

    def opts(*after: pulumi.Resource) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=parent, depends_on=list(after))

    public_access = aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access-block",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        region=region,
        opts=opts(),
    )
    policy_json = pulumi.Output.all(bucket.arn, kms_key_arn, copy_identity_arn, account_id, partition).apply(
        lambda v: json.dumps(
            policies.bucket_policy(
                bucket_arn=v[0], kms_key_arn=v[1], copy_identity_arn=v[2], account_id=v[3], partition=v[4]
            )
        )
    )
    bucket_policy = aws.s3.BucketPolicy(
        f"{name}-bucket-policy",
        bucket=bucket.id,
        policy=policy_json,
        region=region,
        opts=opts(public_access, *policy_after),
    )
    ownership = aws.s3.BucketOwnershipControls(
        f"{name}-ownership-controls",
        bucket=bucket.id,
        # ACLs off: the bucket owner owns every object, whoever wrote it.
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        region=region,
        opts=opts(bucket_policy),
    )
    versioning = aws.s3.BucketVersioning(
        f"{name}-versioning",
        bucket=bucket.id,
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
        region=region,
        opts=opts(ownership),
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption",
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
                ),
                # One KMS request per object (bucket key) instead of one per 5 MB part.
                bucket_key_enabled=True,
            )
        ],
        region=region,
        opts=opts(versioning),
    )
    # After versioning: noncurrent-version rules act on a versioned bucket.
    aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=_lifecycle_rules(retention),
        region=region,
        opts=opts(encryption),
    )
    return bucket_policy
