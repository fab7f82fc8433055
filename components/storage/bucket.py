"""The recordings bucket and its bucket-level settings, each pinned to the application's region."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import pulumi
import pulumi_aws as aws

from sendbird_copy.facts import (
    LEDGER_EXPIRATION_DAYS,
    LEDGER_PREFIX,
    MANIFEST_PREFIX,
    PREFLIGHT_PREFIX,
    TOOL_OBJECT_MAX_BYTES,
)
from sendbird_copy.rules import S3_ACCESS_LOG_PREFIX

from ..context import StorageContext
from ..naming import bucket_prefix, log_bucket_prefix
from . import policies

if TYPE_CHECKING:  # an annotation only: args imports the options, whose wiring uses this module
    from .args import Retention

R = TypeVar("R", bound=pulumi.CustomResource)


@dataclass(frozen=True)
class _Settings:
    """Makes the bucket-level settings of one bucket: named ``<component>-<prefix><suffix>``, in the
    bucket's region, each created after the settings it names (S3's OperationAborted races)."""

    ctx: StorageContext
    bucket: aws.s3.Bucket
    prefix: str = ""

    def __call__(
        self, resource: Callable[..., R], suffix: str, after: Sequence[pulumi.Resource], **props: Any
    ) -> R:
        return resource(
            self.ctx.child_name(self.prefix + suffix),
            bucket=self.bucket.id,
            region=self.ctx.region,
            opts=self.ctx.opts(*after),
            **props,
        )

    def after_policy(
        self, policy: aws.s3.BucketPolicy, kms_key_arn: pulumi.Input[str], retention: Retention
    ) -> tuple[
        aws.s3.BucketOwnershipControls,
        aws.s3.BucketVersioning,
        aws.s3.BucketServerSideEncryptionConfiguration,
        aws.s3.BucketLifecycleConfiguration,
    ]:
        """Ownership -> versioning -> SSE-KMS with ``kms_key_arn`` -> lifecycle, after ``policy``: the
        settings a recordings bucket and its replica share."""
        # ACLs off: the bucket owner owns every object, whoever wrote it.
        ownership = self(
            aws.s3.BucketOwnershipControls,
            "ownership-controls",
            [policy],
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        )
        status = aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled")
        versioning = self(aws.s3.BucketVersioning, "versioning", [ownership], versioning_configuration=status)
        encryption = self(
            aws.s3.BucketServerSideEncryptionConfiguration,
            "encryption",
            [versioning],
            rules=_encryption_rules(kms_key_arn),
        )
        # After versioning: noncurrent-version rules act on a versioned bucket. The day counts may be
        # Outputs: the rules are built (and the days checked) once all of them are known.
        rules = retention.resolved().apply(_lifecycle_rules)
        lifecycle = self(aws.s3.BucketLifecycleConfiguration, "lifecycle", [encryption], rules=rules)
        return ownership, versioning, encryption, lifecycle

    def public_access_block(self) -> aws.s3.BucketPublicAccessBlock:
        """All four blocks on: first of all, before any policy."""
        return self(
            aws.s3.BucketPublicAccessBlock,
            "public-access-block",
            [],
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )


# Where S3 writes the recordings bucket's access logs in the log bucket; below it, the date-partitioned
# keys ``<account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/...`` (so one log bucket can serve many buckets).
ACCESS_LOG_PREFIX = S3_ACCESS_LOG_PREFIX
# An EventBridge rule pattern that matches "a recording arrived" and nothing this project writes
# itself: both of its prefixes (_preflight/ probes, the _sendbird-sync/ ledger) start with "_", so one
# anything-but prefix leaves them out. Shown in README ("Recording-arrived events"); add
# ``"detail": {"bucket": {"name": [<bucket>]}}`` to narrow it to one bucket.
RECORDING_EVENT_PATTERN: dict[str, Any] = {
    "source": ["aws.s3"],
    "detail-type": ["Object Created"],
    "detail": {"object": {"key": [{"anything-but": {"prefix": "_"}}]}},
}
# The child names of the log bucket and its settings start with this (``<name>-access-logs-...``).
ACCESS_LOG_CHILD = "access-logs"


def create_bucket(
    ctx: StorageContext, *, bucket_name: pulumi.Input[str] | None, force_destroy: bool, protect: bool
) -> aws.s3.Bucket:
    return aws.s3.Bucket(
        ctx.child_name("bucket"),
        # A fixed name when given (an Output too: checked when it resolves); else S3-unique from the
        # prefix (never Pulumi's autoname, which may exceed 63 characters or keep uppercase from the
        # component name).
        bucket=bucket_name,
        bucket_prefix=None if bucket_name is not None else bucket_prefix(ctx.name),
        force_destroy=force_destroy,
        region=ctx.region,
        tags=ctx.tags,
        opts=ctx.opts(protect=protect),
    )


def _rule(
    rule_id: str, *, prefix: str | None = None, larger_than: int | None = None, **actions: Any
) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    """An enabled lifecycle rule for every object (an empty filter), for those under ``prefix``, or
    for those of more than ``larger_than`` bytes."""
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule_id,
        status="Enabled",
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(
            prefix=prefix, object_size_greater_than=larger_than
        ),
        **actions,
    )


def _retention_rule(retention: Retention) -> aws.s3.BucketLifecycleConfigurationRuleArgs | None:
    """Every object above TOOL_OBJECT_MAX_BYTES: the key Sendbird gives a copied recording is
    undocumented (no prefix to pick recordings by), and a lifecycle filter cannot leave a prefix out,
    so size keeps the tool's own objects (ledger, state, lease: all refused above the cap when
    written) out of the recordings' transition and expiration. A recording that small (an empty
    one) stays in STANDARD and is not expired; S3 does not transition objects under 128 KiB anyway.
    ``retention`` holds known values (``Retention.resolved``)."""
    if retention.transition_days is None and retention.expiration_days is None:
        return None
    transitions = None
    if retention.transition_days is not None:
        transitions = [
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                days=retention.transition_days, storage_class=retention.effective_transition_storage_class
            )
        ]
    expiration = None
    if retention.expiration_days is not None:
        expiration = aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=retention.expiration_days)
    return _rule(
        "recordings-retention",
        larger_than=TOOL_OBJECT_MAX_BYTES,
        transitions=transitions,
        expiration=expiration,
    )


def _lifecycle_rules(retention: Retention) -> list[aws.s3.BucketLifecycleConfigurationRuleArgs]:
    """The rules for a retention with known values (``Retention.resolved``)."""
    rules = [
        _rule(
            "abort-incomplete-multipart-uploads",
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=retention.abort_incomplete_multipart_days,
            ),
        ),
        _rule(
            "expire-noncurrent-versions",
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=retention.noncurrent_expiration_days,
            ),
            # Once the last noncurrent version is gone, a lone delete marker is left: clean it up too.
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                expired_object_delete_marker=True
            ),
        ),
        _rule(
            "expire-preflight-probes",
            prefix=PREFLIGHT_PREFIX,
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=1),
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=1,
            ),
        ),
        # The sync's ledger matters only while Sendbird still has the recording (two weeks after its
        # upload); each entry expires LEDGER_EXPIRATION_DAYS after it was last written.
        _rule(
            "expire-sync-ledger",
            prefix=LEDGER_PREFIX,
            expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=LEDGER_EXPIRATION_DAYS),
            noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=1,
            ),
        ),
    ]
    recordings = _retention_rule(retention)
    manifests = _manifest_rule(retention)
    return [*rules, *(r for r in (recordings, manifests) if r is not None)]


def _manifest_rule(retention: Retention) -> aws.s3.BucketLifecycleConfigurationRuleArgs | None:
    """Manifests live as long as the recordings they describe: expired after the recordings'
    ``expiration_days`` (never the ledger's), kept when recordings are kept. No transition: a
    manifest is about 1 KB, and S3 moves no object under 128 KiB by default (a transition request
    would cost more than the storage it saves)."""
    if retention.expiration_days is None:
        return None
    return _rule(
        "expire-manifests-with-recordings",
        prefix=MANIFEST_PREFIX,
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=retention.expiration_days),
    )


BLOCKED_SSE_C = "SSE-C"


def _encryption_rules(
    kms_key_arn: pulumi.Input[str],
) -> list[aws.s3.BucketServerSideEncryptionConfigurationRuleArgs]:
    return [
        aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
            ),
            # One KMS request per object (bucket key) instead of one per 5 MB part.
            bucket_key_enabled=True,
            # No object with a key of the writer's own (SSE-C): every object is SSE-KMS with this key,
            # which the scheduled sync relies on when it verifies a copy by listing. S3 blocks SSE-C
            # on buckets made since March 2026; saying so covers older ones too.
            blocked_encryption_types=[BLOCKED_SSE_C],
        )
    ]


@dataclass(frozen=True)
class BucketSettings:
    """The bucket-level settings, in the order they are created."""

    public_access_block: aws.s3.BucketPublicAccessBlock
    bucket_policy: aws.s3.BucketPolicy
    ownership_controls: aws.s3.BucketOwnershipControls
    versioning: aws.s3.BucketVersioning
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    lifecycle: aws.s3.BucketLifecycleConfiguration


@dataclass(frozen=True)
class AccessLogTarget:
    """Where the recordings bucket's server access logs go: a bucket name, and what to wait for
    (the created log bucket's policy, which must admit the logging service before S3 accepts it)."""

    bucket: pulumi.Input[str]
    after: Sequence[pulumi.Resource] = ()


@dataclass(frozen=True)
class LogBucket:
    """The access-log bucket the component creates, and its settings (in creation order)."""

    bucket: aws.s3.Bucket
    public_access_block: aws.s3.BucketPublicAccessBlock
    bucket_policy: aws.s3.BucketPolicy
    ownership_controls: aws.s3.BucketOwnershipControls
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    lifecycle: aws.s3.BucketLifecycleConfiguration

    @property
    def target(self) -> AccessLogTarget:
        return AccessLogTarget(self.bucket.bucket, [self.bucket_policy])


def create_log_bucket(
    ctx: StorageContext,
    *,
    source_bucket: aws.s3.Bucket,
    expiration_days: int,
    force_destroy: bool,
    inventory_prefix: str | None = None,
) -> LogBucket:
    """A bucket for the recordings bucket's S3 server access logs, in the same region (S3 delivers
    logs only within a region): SSE-S3 (log delivery supports no SSE-KMS), all four public-access
    blocks, ACLs disabled (the policy grants the logging service), logs expire after
    ``expiration_days``. Settings one at a time, in the recordings bucket's order. With
    ``inventory_prefix``, its policy also admits the recordings bucket's S3 Inventory there."""

    bucket = aws.s3.Bucket(
        ctx.child_name(f"{ACCESS_LOG_CHILD}-bucket"),
        bucket_prefix=log_bucket_prefix(ctx.name),
        force_destroy=force_destroy,
        region=ctx.region,
        tags=ctx.tags,
        opts=ctx.opts(),
    )

    setting = _Settings(ctx, bucket, prefix=f"{ACCESS_LOG_CHILD}-")
    public_access = setting.public_access_block()
    policy_json = pulumi.Output.all(bucket.arn, source_bucket.arn, ctx.account_id).apply(
        lambda v: json.dumps(
            policies.access_log_bucket_policy(
                log_bucket_arn=v[0],
                prefix=ACCESS_LOG_PREFIX,
                source_bucket_arn=v[1],
                account_id=v[2],
                inventory_prefix=inventory_prefix,
            )
        )
    )
    policy = setting(aws.s3.BucketPolicy, "bucket-policy", [public_access], policy=policy_json)
    ownership = setting(
        aws.s3.BucketOwnershipControls,
        "ownership-controls",
        [policy],
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
    )
    encryption = setting(
        aws.s3.BucketServerSideEncryptionConfiguration,
        "encryption",
        [ownership],
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm="AES256"
                ),
            )
        ],
    )
    lifecycle = setting(
        aws.s3.BucketLifecycleConfiguration,
        "lifecycle",
        [encryption],
        rules=[
            _rule(
                "expire-access-logs",
                expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expiration_days),
            ),
            _rule(
                "abort-incomplete-multipart-uploads",
                abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                    days_after_initiation=1,
                ),
            ),
        ],
    )
    return LogBucket(bucket, public_access, policy, ownership, encryption, lifecycle)


def configure_bucket(
    ctx: StorageContext,
    *,
    bucket: aws.s3.Bucket,
    kms_key_arn: pulumi.Input[str],
    copy_identity_arn: pulumi.Input[str],
    retention: Retention,
    policy_after: Sequence[pulumi.Resource],
) -> BucketSettings:
    """Public-access block -> bucket policy -> ownership -> versioning -> encryption -> lifecycle.

    One at a time: concurrent bucket-level writes can fail with S3's OperationAborted, and the
    public-access block must exist before any policy. The policy also waits for ``policy_after``
    (the copy identity's policy and key), so the identity is complete when the bucket admits it.
    """
    setting = _Settings(ctx, bucket)
    public_access = setting.public_access_block()
    policy_json = pulumi.Output.all(
        bucket.arn, kms_key_arn, copy_identity_arn, ctx.account_id, ctx.partition
    ).apply(
        lambda v: json.dumps(
            policies.bucket_policy(
                bucket_arn=v[0], kms_key_arn=v[1], copy_identity_arn=v[2], account_id=v[3], partition=v[4]
            )
        )
    )
    bucket_policy = setting(
        aws.s3.BucketPolicy, "bucket-policy", [public_access, *policy_after], policy=policy_json
    )
    return BucketSettings(
        public_access, bucket_policy, *setting.after_policy(bucket_policy, kms_key_arn, retention)
    )


def observe_bucket(
    ctx: StorageContext,
    *,
    bucket: aws.s3.Bucket,
    after: pulumi.Resource,
    recording_events: bool,
    access_logs: AccessLogTarget | None,
) -> tuple[aws.s3.BucketNotification | None, aws.s3.BucketLogging | None]:
    """EventBridge notifications (``recording_events``), then server access logging to
    ``access_logs`` (None: off), each after the previous bucket-level setting (``after``)."""
    notification = None
    if recording_events:
        # Every event of the bucket goes to the region's default EventBridge bus; rules pick the
        # recordings (README: "Recording-arrived events"). This resource owns the bucket's whole
        # notification configuration.
        notification = aws.s3.BucketNotification(
            ctx.child_name("notification"),
            bucket=bucket.id,
            eventbridge=True,
            region=ctx.region,
            opts=ctx.opts(after),
        )
        after = notification
    logging = None
    if access_logs is not None:
        logging = aws.s3.BucketLogging(
            ctx.child_name("access-logging"),
            bucket=bucket.id,
            target_bucket=access_logs.bucket,
            target_prefix=ACCESS_LOG_PREFIX,
            # <prefix><account>/<region>/<bucket>/<yyyy>/<mm>/<dd>/..., dated by the logged event.
            target_object_key_format=aws.s3.BucketLoggingTargetObjectKeyFormatArgs(
                partitioned_prefix=aws.s3.BucketLoggingTargetObjectKeyFormatPartitionedPrefixArgs(
                    partition_date_source="EventTime"
                )
            ),
            region=ctx.region,
            opts=ctx.opts(after, *access_logs.after),
        )
    return notification, logging
