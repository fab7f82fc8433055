"""RecordingStorage: everything Sendbird's copy API needs in one AWS region, secure by default.

No ``from __future__ import annotations``: the component package's analyzer (``provider/``) reads the
``args`` annotation of ``__init__`` and the output annotations below at runtime.
"""

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumiverse_time as pulumi_time

from sendbird_copy.outputs import OPTIONAL_FIELDS, PUBLIC_FIELDS, SECRET_FIELDS

from ..context import StorageContext
from ..type_tokens import RECORDING_STORAGE
from ..validation import check_component_call
from .args import RecordingStorageArgs
from .bucket import (
    AccessLogTarget,
    BucketSettings,
    LogBucket,
    configure_bucket,
    create_bucket,
    create_log_bucket,
    observe_bucket,
)
from .copy_identity import COPY_POLICY, create_copy_user
from .grants import grant
from .key import create_key
from .options.events import RecordingEventDelivery, deliver_recording_events
from .options.inventory import create_inventory
from .options.object_lock import enable_object_lock
from .options.replica import ReplicaResources, ReplicationSource, create_replica
from .options.tiering import create_archive_tiers
from .upload_role import UPLOAD_POLICY, create_upload_role


@dataclass(frozen=True)
class StorageResources(BucketSettings):
    """Every child resource of one RecordingStorage (each with the component as its parent): the
    bucket settings (``public_access_block``, ``bucket_policy``, ``ownership_controls``,
    ``versioning``, ``encryption``, ``lifecycle``) and the fields below.

    ``key`` and ``alias`` are None with ``kms_key_arn`` (an existing key); ``upload_role`` and
    ``upload_role_policy`` are None without ``upload_role``; ``notification`` is None with
    ``recording_events`` off, ``logging`` with ``access_logs`` off, and ``log_bucket`` (the created
    access-log bucket and its settings) also with ``access_log_bucket`` (an existing one).
    ``intelligent_tiering`` is None without an archive tier in ``retention``, ``inventory`` without
    ``inventory``, and ``recording_event_delivery`` without ``recording_event_target_arn``.
    """

    bucket: aws.s3.Bucket
    key: aws.kms.Key | None
    alias: aws.kms.Alias | None
    user: aws.iam.User
    access_key: aws.iam.AccessKey
    user_policy: aws.iam.UserPolicy
    upload_role: aws.iam.Role | None
    upload_role_policy: aws.iam.RolePolicy | None
    notification: aws.s3.BucketNotification | None
    logging: aws.s3.BucketLogging | None
    log_bucket: LogBucket | None
    # The copy key's rotation period (``time.Rotating``); None without ``copy_key_rotation_days``.
    copy_key_rotation: pulumi_time.Rotating | None
    # The replica in a second region and what replicates to it; None without ``replication``.
    replica: ReplicaResources | None
    intelligent_tiering: aws.s3.BucketIntelligentTieringConfiguration | None = None
    inventory: aws.s3.Inventory | None = None
    recording_event_delivery: RecordingEventDelivery | None = None
    # Object Lock enabled on the bucket (no default retention); None without ``object_lock``.
    object_lock: aws.s3.BucketObjectLockConfiguration | None = None


def _create_children(
    ctx: StorageContext, args: RecordingStorageArgs
) -> tuple[StorageResources, pulumi.Output[str]]:
    """Every child, and the ARN of the key that encrypts the bucket (ours, or ``kms_key_arn``)."""
    bucket = create_bucket(
        ctx, bucket_name=args.bucket_name, force_destroy=args.force_destroy, protect=args.protect
    )
    user, access_key, key_rotation = create_copy_user(ctx, key_rotation_days=args.copy_key_rotation_days)
    role = create_upload_role(ctx, args.upload_role) if args.upload_role is not None else None
    key: aws.kms.Key | None = None
    alias: aws.kms.Alias | None = None
    if args.kms_key_arn is not None:
        # An existing key: its policy is the owner's (it must let IAM policies grant use, i.e. keep
        # the account-root statement).
        kms_key_arn = pulumi.Output.from_input(args.kms_key_arn)
    else:
        key, alias = create_key(
            ctx,
            deletion_window_days=args.kms_deletion_window_days,
            protect=args.protect,
            copy_identity_arn=user.arn,
            upload_role_arn=role.arn if role is not None else None,
        )
        kms_key_arn = key.arn
    log_bucket: LogBucket | None = None
    log_target: AccessLogTarget | None = None
    inventory = args.inventory
    if args.access_logs and args.access_log_bucket is not None:
        log_target = AccessLogTarget(args.access_log_bucket)  # an existing bucket: nothing created
    elif args.access_logs:
        log_bucket = create_log_bucket(
            ctx,
            source_bucket=bucket,
            expiration_days=args.access_log_days,
            force_destroy=args.force_destroy,
            # The inventory goes to this bucket unless it names one of the user's.
            inventory_prefix=inventory.prefix if inventory and inventory.destination_bucket is None else None,
        )
        log_target = log_bucket.target
    user_policy = grant(ctx, user, COPY_POLICY, bucket.arn, kms_key_arn)
    role_policy = grant(ctx, role, UPLOAD_POLICY, bucket.arn, kms_key_arn) if role is not None else None
    settings = configure_bucket(
        ctx,
        bucket=bucket,
        kms_key_arn=kms_key_arn,
        copy_identity_arn=user.arn,
        retention=args.retention,
        policy_after=[user_policy, access_key, *(r for r in (key, alias) if r is not None)],
    )
    # After the last bucket-level setting (itself after versioning, which Object Lock needs).
    lock = enable_object_lock(ctx, bucket=bucket, after=settings.lifecycle) if args.object_lock else None
    notification, logging = observe_bucket(
        ctx,
        bucket=bucket,
        after=lock or settings.lifecycle,
        recording_events=args.recording_events,
        access_logs=log_target,
    )
    # Each later bucket-level setting waits for the one before (S3's OperationAborted races).
    last: pulumi.Resource = logging or notification or lock or settings.lifecycle
    replica = None
    if args.replication is not None:
        replica = create_replica(ctx, args, ReplicationSource(bucket, settings.versioning, kms_key_arn, last))
        last = replica.configuration
    audit = _audit_children(ctx, args, bucket, log_bucket, [last])
    if args.recording_event_target_arn is not None and notification is not None:
        audit["recording_event_delivery"] = deliver_recording_events(
            ctx, bucket=bucket, target_arn=args.recording_event_target_arn, after=notification
        )
    resources = StorageResources(
        **vars(settings),
        **audit,
        bucket=bucket,
        key=key,
        alias=alias,
        user=user,
        access_key=access_key,
        user_policy=user_policy,
        upload_role=role,
        upload_role_policy=role_policy,
        notification=notification,
        logging=logging,
        log_bucket=log_bucket,
        copy_key_rotation=key_rotation,
        replica=replica,
        object_lock=lock,
    )
    return resources, kms_key_arn


def _audit_children(
    ctx: StorageContext,
    args: RecordingStorageArgs,
    bucket: aws.s3.Bucket,
    log_bucket: LogBucket | None,
    after: list[pulumi.Resource],
) -> dict[str, Any]:
    """The archive tiers and the inventory (each None when off), one bucket-level setting at a time
    after ``after``; the inventory also after the log bucket's policy that admits its delivery."""
    tiering = create_archive_tiers(ctx, bucket=bucket, retention=args.retention, after=after)
    inventory = None
    if args.inventory is not None:
        inventory = create_inventory(
            ctx,
            bucket=bucket,
            inventory=args.inventory,
            log_bucket=log_bucket.bucket if log_bucket is not None else None,
            after=[tiering or after[0], *([log_bucket.bucket_policy] if log_bucket is not None else [])],
        )
    return {"intelligent_tiering": tiering, "inventory": inventory}


class RecordingStorage(pulumi.ComponentResource):
    """A KMS-encrypted bucket in the Sendbird application's region, the key, and the copy identity.

    Outputs: one attribute per field of ``sendbird_copy.outputs.AppOutputs`` (``bucket_name``,
    ``kms_key_arn``, ``copy_access_key_id``, ...; ``copy_secret_access_key`` is a secret,
    ``upload_role_arn`` is None without ``upload_role``); ``public_outputs()`` gives the non-secret ones
    in the shape of the ``applications`` stack output. With ``kms_key_arn`` (an existing key),
    ``kms_alias`` carries the key ARN, a valid KMS key id.

    ``resources`` (a ``StorageResources``) holds every child resource, so a consumer can attach to
    them, as pulumi-awsx components expose theirs: ``depends_on=[storage.resources.bucket_policy]``,
    an EventBridge rule on ``storage.resources.notification``'s events (with ``recording_events``
    off, a bucket notification of one's own on ``storage.resources.bucket``: S3 keeps one notification
    configuration per bucket), an extra statement's ARN from ``storage.resources.user``.
    """

    # The outputs, declared for the component package's schema (each docstring is its description).
    app_id: pulumi.Output[str]
    """The Sendbird application id."""
    region: pulumi.Output[str]
    """The AWS region of the bucket and key (also when ``region`` was a Sendbird key)."""
    bucket_name: pulumi.Output[str]
    """The recordings bucket's name: the bucket to give Sendbird's copy API."""
    bucket_arn: pulumi.Output[str]
    """The recordings bucket's ARN."""
    kms_key_arn: pulumi.Output[str]
    """The ARN of the KMS key that encrypts the bucket (the created one, or ``kms_key_arn``)."""
    kms_alias: pulumi.Output[str]
    """The created key's alias; with ``kms_key_arn``, the key ARN (a valid KMS key id too)."""
    copy_user_name: pulumi.Output[str]
    """The IAM user Sendbird copies as."""
    copy_access_key_id: pulumi.Output[str]
    """The copy user's access key id, to give Sendbird's copy API."""
    copy_secret_access_key: pulumi.Output[str]
    """The copy user's secret access key (a secret), to give Sendbird's copy API."""
    upload_role_arn: pulumi.Output[str] | None
    """The direct-upload role's ARN; absent without ``upload_role``."""
    access_log_bucket: pulumi.Output[str] | None
    """The bucket the S3 access logs go to; absent with ``access_logs`` off."""
    replica_bucket_name: pulumi.Output[str] | None
    """The replica bucket's name; absent without ``replication``."""
    replica_region: pulumi.Output[str] | None
    """The replica's AWS region; absent without ``replication``."""
    recording_event_rule_arn: pulumi.Output[str] | None
    """The EventBridge rule delivering recording-arrived events (the ``aws:SourceArn`` a target's
    resource policy names); absent without ``recording_event_target_arn``."""
    object_lock_mode: pulumi.Output[str] | None
    """The Object Lock mode the sync retains each copied recording in; absent without ``object_lock``."""
    object_lock_period: pulumi.Output[str] | None
    """How long the sync retains each copied recording (P<days>D or P<years>Y); absent without
    ``object_lock``."""

    def __init__(
        self, name: str, args: RecordingStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # The args validated themselves when constructed; check what they cannot: before registering
        # anything, so bad input fails preview with no resource created.
        check_component_call("RecordingStorage", name, args, RecordingStorageArgs)
        super().__init__(RECORDING_STORAGE, name, None, opts)
        args = args.checked()  # the caller's args stay as passed; these run the deferred checks

        ctx = StorageContext.of(self, name, args)
        # Plain facts (name, app id, AWS region) for what builds on this storage (RecordingSync).
        self.context = ctx
        children, self.kms_key_arn = _create_children(ctx, args)
        self.resources = children

        self.app_id = pulumi.Output.from_input(args.app_id)
        self.region = pulumi.Output.from_input(ctx.region)
        self.bucket_name = children.bucket.bucket
        self.bucket_arn = children.bucket.arn
        self.kms_alias = children.alias.name if children.alias is not None else self.kms_key_arn
        self.copy_user_name = children.user.name
        self.copy_access_key_id = children.access_key.id
        self.copy_secret_access_key = pulumi.Output.secret(children.access_key.secret)
        self.upload_role_arn = children.upload_role.arn if children.upload_role is not None else None
        # Not a stack output: the bucket the access logs go to (None with access_logs off).
        self.access_log_bucket = children.logging.target_bucket if children.logging is not None else None
        replica = children.replica
        self.replica_bucket_name = replica.bucket.bucket if replica is not None else None
        self.replica_region = (
            pulumi.Output.from_input(args.replication.aws_region) if args.replication is not None else None
        )
        delivery = children.recording_event_delivery
        self.recording_event_rule_arn = delivery.rule.arn if delivery is not None else None
        # Plain, for RecordingSync (its function's environment and role); and as outputs, for the
        # CLI's sync. Known only once the lock resource exists, so a failed enable never has the sync
        # retain into a bucket without Object Lock.
        self.object_lock = args.object_lock
        self.object_lock_mode = self.object_lock_period = None
        if args.object_lock is not None and children.object_lock is not None:
            setting, enabled = args.object_lock, children.object_lock.id
            self.object_lock_mode = enabled.apply(lambda _: setting.mode)
            self.object_lock_period = enabled.apply(lambda _: setting.period)

        secret = {field: getattr(self, field) for field in SECRET_FIELDS}
        self.register_outputs({**self.public_outputs(), **secret})

    def public_outputs(self) -> dict[str, pulumi.Output[str]]:
        """Every non-secret output, in the shape of one entry of the ``applications`` stack output
        (the fields of ``AppOutputs``; an optional one only when it has a value)."""
        public = {field: getattr(self, field) for field in PUBLIC_FIELDS}
        return {k: v for k, v in public.items() if v is not None or k not in OPTIONAL_FIELDS}
