"""The ``replication`` option's resources: a replica bucket in a second region with its own KMS key,
the role S3 Replication assumes, the replication configuration, and two alarms.

The replica bucket gets the recordings bucket's guard rails, made the same way (``bucket._Settings``:
each setting after the one before, S3's OperationAborted races): all four public-access blocks, a
policy denying requests without TLS or with TLS older than 1.2, ACLs off, versioning (replication
needs it on both sides), SSE-KMS with its own key and bucket keys, and the same lifecycle rules (the
tool's own objects are replicated too, so the ledger's and the probes' expiries apply there as well).

Every resource of the replica is pinned to the replica's region; the replication configuration and
the alarms belong to the source bucket and live in its region; the role is IAM (global).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from sendbird_copy.facts import PROJECT_NAME
from sendbird_copy.rules.storage import REPLICATION_ALARM_PERIOD_SECONDS

from ...context import StorageContext
from ...naming import replica_bucket_prefix, replication_role_name_prefix
from ..bucket import _Settings
from ..copy_identity import IAM_PATH
from ..key import create_key
from . import replica_policies
from .object_lock import enable_object_lock

if TYPE_CHECKING:
    from ..args import RecordingStorageArgs, Retention
    from .replication import Replication

# The one replication rule's id (also a dimension of the replication metrics the alarms watch).
REPLICATION_RULE_ID = "recordings-to-replica"
REPLICATION_ROLE_POLICY_NAME = f"{PROJECT_NAME}-replication"
# S3 Replication Time Control's only threshold (minutes), also the metrics' event threshold.
RTC_MINUTES = 15
# The two alarms, by the suffix of their names.
ALARM_FAILED = "replication-failed"
ALARM_LATENCY = "replication-latency"


@dataclass(frozen=True)
class ReplicaResources:
    """The ``replication`` option's children: the replica bucket and its settings (in creation
    order), its key and alias, the replication role and its policy, the configuration and the
    alarms (by the suffix of their names: ``replication-failed``, ``replication-latency``)."""

    bucket: aws.s3.Bucket
    key: aws.kms.Key
    alias: aws.kms.Alias
    public_access_block: aws.s3.BucketPublicAccessBlock
    bucket_policy: aws.s3.BucketPolicy
    ownership_controls: aws.s3.BucketOwnershipControls
    versioning: aws.s3.BucketVersioning
    encryption: aws.s3.BucketServerSideEncryptionConfiguration
    lifecycle: aws.s3.BucketLifecycleConfiguration
    role: aws.iam.Role
    role_policy: aws.iam.RolePolicy
    configuration: aws.s3.BucketReplicationConfig
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    # Object Lock on the replica too, with ``object_lock``: S3 replicates a version that carries a
    # retention only into a bucket with Object Lock enabled (and the role reads the retention).
    object_lock: aws.s3.BucketObjectLockConfiguration | None = None


@dataclass(frozen=True)
class ReplicationSource:
    """What the replication needs of the recordings bucket: the bucket, its versioning (on before
    any replication configuration), the key that encrypts it, and its last bucket-level setting
    (the configuration comes after it: S3's OperationAborted races)."""

    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning
    kms_key_arn: pulumi.Input[str]
    last_setting: pulumi.Resource


def _replica_settings(
    ctx: StorageContext, bucket: aws.s3.Bucket, key_arn: pulumi.Input[str], retention: Retention
) -> tuple[
    aws.s3.BucketPublicAccessBlock,
    aws.s3.BucketPolicy,
    aws.s3.BucketOwnershipControls,
    aws.s3.BucketVersioning,
    aws.s3.BucketServerSideEncryptionConfiguration,
    aws.s3.BucketLifecycleConfiguration,
]:
    """Public-access block -> policy -> ownership -> versioning -> encryption -> lifecycle, as the
    recordings bucket's (``bucket.configure_bucket``), with a policy of TLS rules only."""
    setting = _Settings(ctx, bucket, prefix="replica-")
    public_access = setting.public_access_block()
    policy_json = bucket.arn.apply(
        lambda arn: json.dumps(replica_policies.replica_bucket_policy(bucket_arn=arn))
    )
    policy = setting(aws.s3.BucketPolicy, "bucket-policy", [public_access], policy=policy_json)
    return public_access, policy, *setting.after_policy(policy, key_arn, retention)


def _role(
    ctx: StorageContext,
    source: ReplicationSource,
    replica: aws.s3.Bucket,
    replica_key: aws.kms.Key,
    region: str,
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    """The role S3 assumes to replicate (trusted by S3 on behalf of this account only) and its one
    inline policy (``replica_policies.replication_role_policy``)."""
    trust = ctx.account_id.apply(
        lambda account: json.dumps(replica_policies.replication_trust_policy(account_id=account))
    )
    role = aws.iam.Role(
        ctx.child_name("replication-role"),
        name_prefix=replication_role_name_prefix(ctx.name),
        path=IAM_PATH,
        description=f"S3 Replication of Sendbird recordings of application {ctx.app_id} to {region}",
        assume_role_policy=trust,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    source_region = ctx.region
    document = pulumi.Output.all(
        source.bucket.arn, replica.arn, source.kms_key_arn, replica_key.arn, ctx.dns_suffix
    ).apply(
        lambda v: json.dumps(
            replica_policies.replication_role_policy(
                source=replica_policies.ReplicationEnd(v[0], v[2], source_region),
                replica=replica_policies.ReplicationEnd(v[1], v[3], region),
                dns_suffix=v[4],
            )
        )
    )
    policy = aws.iam.RolePolicy(
        ctx.child_name("replication-role-policy"),
        role=role.id,
        name=REPLICATION_ROLE_POLICY_NAME,
        policy=document,
        opts=ctx.opts(),
    )
    return role, policy


def _rule(
    replica_arn: pulumi.Input[str], replica_key_arn: pulumi.Input[str], time_control: bool
) -> aws.s3.BucketReplicationConfigRuleArgs:
    """One rule for the whole bucket: every SSE-KMS object (all of them: the bucket's default and
    its policy admit no other encryption), re-encrypted with the replica's key; no delete markers;
    metrics on (the alarms read them); replication time control when asked."""
    minutes = aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(minutes=RTC_MINUTES)
    return aws.s3.BucketReplicationConfigRuleArgs(
        id=REPLICATION_RULE_ID,
        status="Enabled",
        filter=aws.s3.BucketReplicationConfigRuleFilterArgs(),  # every object (a V2 rule)
        delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
            status="Disabled"
        ),
        source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
            sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                status="Enabled"
            )
        ),
        destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
            bucket=replica_arn,
            encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                replica_kms_key_id=replica_key_arn
            ),
            metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                status="Enabled",
                event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                    minutes=RTC_MINUTES
                ),
            ),
            replication_time=(
                aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                    status="Enabled", time=minutes
                )
                if time_control
                else None
            ),
        ),
    )


def _alarms(
    ctx: StorageContext,
    replication: Replication,
    source: aws.s3.Bucket,
    replica: aws.s3.Bucket,
    after: pulumi.Resource,
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """Failed replication (any in a period) and latency above the threshold, in the source's region
    (S3 publishes replication metrics there), notifying ``alarm_topic_arn`` on alarm and recovery.
    No data is no traffic: not breaching."""
    topic = replication.alarm_topic_arn
    actions = [topic] if topic is not None else []
    dimensions: dict[str, pulumi.Input[str]] = {
        "SourceBucket": source.bucket,
        "DestinationBucket": replica.bucket,
        "RuleId": REPLICATION_RULE_ID,
    }
    threshold = replication.effective_latency_alarm_seconds
    watched = {
        ALARM_FAILED: (
            "OperationsFailedReplication",
            "Sum",
            0,
            f"S3 could not replicate an object of application {ctx.app_id}'s recordings bucket to its "
            "replica (the role's rights, a key, or the replica bucket): that object has no second copy.",
        ),
        ALARM_LATENCY: (
            "ReplicationLatency",
            "Maximum",
            threshold,
            f"Objects of application {ctx.app_id}'s recordings bucket have waited more than {threshold} "
            "seconds to reach the replica.",
        ),
    }
    return {
        suffix: aws.cloudwatch.MetricAlarm(
            ctx.child_name(suffix),
            alarm_description=description,
            namespace="AWS/S3",
            metric_name=metric,
            dimensions=dimensions,
            statistic=statistic,
            period=REPLICATION_ALARM_PERIOD_SECONDS,
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=limit,
            treat_missing_data="notBreaching",
            alarm_actions=actions,
            ok_actions=actions,
            tags=ctx.tags,
            **ctx.regional(after),
        )
        for suffix, (metric, statistic, limit, description) in watched.items()
    }


def create_replica(
    ctx: StorageContext, args: RecordingStorageArgs, source: ReplicationSource
) -> ReplicaResources:
    """Every resource of ``args.replication`` (``ctx`` is the recordings bucket's): the replica's
    bucket and key take the recordings bucket's ``force_destroy``, ``protect``, key deletion window
    and retention."""
    replication = args.replication
    assert replication is not None
    region = replication.aws_region
    there = dataclasses.replace(ctx, region=region)  # the replica's children: pinned to its region
    name = replication.bucket_name
    bucket = aws.s3.Bucket(
        ctx.child_name("replica-bucket"),
        bucket=name,
        bucket_prefix=None if name is not None else replica_bucket_prefix(ctx.name),
        force_destroy=args.force_destroy,
        region=region,
        tags=ctx.tags,
        opts=ctx.opts(protect=args.protect),
    )
    key, alias = create_key(
        there,
        deletion_window_days=args.kms_deletion_window_days,
        protect=args.protect,
        copy_identity_arn=None,
        upload_role_arn=None,
        replica=True,
    )
    public_access, policy, ownership, versioning, encryption, lifecycle = _replica_settings(
        there, bucket, key.arn, args.retention
    )
    role, role_policy = _role(ctx, source, bucket, key, region)
    lock = None
    if args.object_lock is not None:
        lock = enable_object_lock(there, bucket=bucket, after=lifecycle, child="replica-object-lock")
    configuration = aws.s3.BucketReplicationConfig(
        ctx.child_name("replication"),
        bucket=source.bucket.id,
        role=role.arn,
        rules=[_rule(bucket.arn, key.arn, replication.replication_time_control)],
        # S3 refuses a configuration before both buckets are versioned, and replication fails until
        # the role may act.
        **ctx.regional(
            source.versioning, versioning, role_policy, source.last_setting, *([lock] if lock else [])
        ),
    )
    alarms = _alarms(ctx, replication, source.bucket, bucket, configuration)
    return ReplicaResources(
        bucket=bucket,
        key=key,
        alias=alias,
        public_access_block=public_access,
        bucket_policy=policy,
        ownership_controls=ownership,
        versioning=versioning,
        encryption=encryption,
        lifecycle=lifecycle,
        role=role,
        role_policy=role_policy,
        configuration=configuration,
        alarms=alarms,
        object_lock=lock,
    )
