"""The arguments of RecordingStorage; each type validates itself when constructed.

Plain values are checked in ``__post_init__`` (with the rules of ``sendbird_copy.rules``),
before any child resource exists, so a bad value fails ``pulumi preview`` with a message instead of a
half-made stack, whether it came from stack config or from a Python caller. Errors are
``InputError`` (``sendbird_copy.errors``) naming the field relative to the arguments (``app_id``,
``retention.transition_days``, ``upload_role.external_id``), the value and what is allowed. Defaults
here are the secure, cheap ones the README explains.

Pulumi values (``pulumi.Input``: an Output of another resource, ``Config().require_secret(...)``) are
accepted where they cannot change which resources exist or what they are called: ``bucket_name``,
``kms_key_arn``, tag values, ``upload_role.sendbird_principal`` and ``upload_role.external_id``, and
the retention day counts. What can be checked without them is checked at once. The args keep what the
caller passed; the component uses ``checked()``, a copy whose Pulumi values run the same checks when
they resolve (``_when_resolved``) and raise the same ``InputError`` from there, so a bad value fails
the deployment naming the input (a secret value is shown as ``[secret]``). Secret inputs stay secret
(``apply`` keeps secrecy). The rules themselves are ``sendbird_copy.rules``.

``app_id`` and ``region`` stay plain, and so do the settings that are plain by nature (booleans,
``kms_deletion_window_days``, ``transition_storage_class``): they decide the resource graph. The
region pins every regional resource and picks the region of the key, of the key policy's
``kms:ViaService`` and of ``kms_key_arn``'s check; the app id names the resources and tags them. Pulumi
registers resources before any Output resolves, so an Output there could not be checked first.

The same classes define the component package's schema (``provider/``): Pulumi's analyzer reads the
annotations at runtime (so no ``from __future__ import annotations`` here) and takes each field's
docstring as the property's description.
"""

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pulumi

from sendbird_copy.errors import Input, InputError
from sendbird_copy.rules import (
    DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS,
    DEFAULT_ACCESS_LOG_DAYS,
    DEFAULT_KMS_DELETION_WINDOW_DAYS,
    DEFAULT_NONCURRENT_EXPIRATION_DAYS,
    DEFAULT_TRANSITION_STORAGE_CLASS,
    KMS_DELETION_WINDOW_RANGE,
    PENDING,
    TRANSITION_STORAGE_CLASSES,
    check_app_id,
    check_bool,
    check_bucket_name,
    check_days,
    check_event_target_arn,
    check_external_id,
    check_kms_deletion_window_days,
    check_kms_key_arn,
    check_region,
    check_retention,
    check_sendbird_principal,
    check_tag_value,
    check_tags,
    check_upload_role,
    shown,
)
from sendbird_copy.rules.regions import resolve_region

from .deferred import _PLAIN_SETTING, _known_now, _require_plain, _when_resolved, is_deferred
from .options.inventory import Inventory
from .options.object_lock import ObjectLock, check_object_lock_arg
from .options.replication import Replication

# The Retention fields that take a pulumi Input.
RETENTION_DAYS = (
    "transition_days",
    "expiration_days",
    "noncurrent_expiration_days",
    "abort_incomplete_multipart_days",
)
# Why app_id and region take no Output (the messages refusing one say so).
_APP_ID_PLAIN = (
    "it names and tags the component's resources, and Pulumi registers them before any Output "
    "resolves, so an Output could not be checked first"
)
_REGION_PLAIN = (
    "it pins every regional resource and decides the region of the KMS key, of its policy and of "
    "kms_key_arn's check, all before any Output resolves"
)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


@dataclass(frozen=True)
class Retention:
    """Lifecycle of the recordings in the bucket. Nothing moves or expires unless asked.

    ``transition_storage_class`` needs ``transition_days``; with a transition and no class, recordings
    move to STANDARD_IA (``effective_transition_storage_class``). The four day counts take a pulumi
    Input; the checks across them (expiration after transition, the class's minimum transition age)
    run when every value involved is known.
    """

    transition_days: pulumi.Input[int] | None = None
    """Move recordings to ``transition_storage_class`` after this many days (>= 1; >= 30 for
    STANDARD_IA and ONEZONE_IA). None: recordings stay in STANDARD."""
    transition_storage_class: str | None = None
    """Where a transition moves recordings: STANDARD_IA (the default), ONEZONE_IA,
    INTELLIGENT_TIERING, GLACIER_IR, GLACIER or DEEP_ARCHIVE. Needs ``transition_days``."""
    expiration_days: pulumi.Input[int] | None = None
    """Delete recordings after this many days (>= 14, Sendbird's own two weeks; greater than
    ``transition_days``). None: keep."""
    noncurrent_expiration_days: pulumi.Input[int] = DEFAULT_NONCURRENT_EXPIRATION_DAYS
    """Delete overwritten or deleted versions after this many days (>= 1; default 30)."""
    abort_incomplete_multipart_days: pulumi.Input[int] = DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS
    """Abort unfinished multipart uploads (failed copies) after this many days (1 to 7; default 7)."""
    intelligent_tiering_archive_days: int | None = None
    """With INTELLIGENT_TIERING: move recordings unread for this many days to Archive Access (90 to
    730). Archived recordings need a restore (3-5 hours) before any download. None: no archive tier."""
    intelligent_tiering_deep_archive_days: int | None = None
    """With INTELLIGENT_TIERING: move recordings unread for this many days to Deep Archive Access (180
    to 730; after the archive days). A restore takes up to 12 hours. None: no deep archive tier."""

    def __post_init__(self) -> None:
        classes = ", ".join(TRANSITION_STORAGE_CLASSES)
        _require_plain(
            self.transition_storage_class, "retention.transition_storage_class", classes, _PLAIN_SETTING
        )
        for name in ("intelligent_tiering_archive_days", "intelligent_tiering_deep_archive_days"):
            _require_plain(getattr(self, name), f"retention.{name}", "a whole number of days", _PLAIN_SETTING)
        values = _fields(self)
        deferred = [name for name in RETENTION_DAYS if is_deferred(values[name])]
        check_retention("retention.", SimpleNamespace(**{**values, **dict.fromkeys(deferred, PENDING)}))

    def checked(self) -> "Retention":
        """This retention with each day count that is a Pulumi value replaced by one that runs every
        check again when all are known (so using any of them runs the checks across fields too)."""
        values = _fields(self)
        deferred = [name for name in RETENTION_DAYS if is_deferred(values[name])]
        if not deferred:
            return self
        checked = _when_resolved(
            pulumi.Output.all(**{name: values[name] for name in RETENTION_DAYS}),
            lambda days: check_retention("retention.", SimpleNamespace(**{**values, **days})),
        )
        return dataclasses.replace(
            self, **{name: checked.apply(lambda r, name=name: getattr(r, name)) for name in deferred}
        )

    @property
    def effective_transition_storage_class(self) -> str:
        """The storage class a transition moves recordings to."""
        return self.transition_storage_class or DEFAULT_TRANSITION_STORAGE_CLASS

    def resolved(self) -> "pulumi.Output[Retention]":
        """This retention with every day count known (checked): for the lifecycle rules."""
        days = {name: getattr(self, name) for name in RETENTION_DAYS}
        return pulumi.Output.all(**days).apply(lambda v: dataclasses.replace(self, **v))


@dataclass(frozen=True)
class UploadRole:
    """Sendbird's direct-upload mode: a role in this account that Sendbird's account assumes.

    ``sendbird_principal`` is Sendbird's 12-digit AWS account id or an IAM principal ARN (Sendbird
    does not publish it: ask them). ``external_id`` is the value Sendbird sends with AssumeRole; pass
    ``Config().require_secret(...)`` and it stays a secret, in the role's trust policy too.
    """

    sendbird_principal: pulumi.Input[str]
    """Sendbird's 12-digit AWS account id or an IAM principal ARN (ask Sendbird)."""
    external_id: pulumi.Input[str]
    """The external ID Sendbird sends with AssumeRole; pass it as a secret and it stays one."""

    def __post_init__(self) -> None:
        principal, external_id = self.sendbird_principal, self.external_id
        check_upload_role(
            "upload_role.",
            SimpleNamespace(sendbird_principal=_known_now(principal), external_id=_known_now(external_id)),
        )

    def checked(self) -> "UploadRole":
        """This role with each Pulumi value replaced by one that is checked when it resolves."""
        return UploadRole(
            _when_resolved(
                self.sendbird_principal,
                functools.partial(check_sendbird_principal, "upload_role.sendbird_principal"),
            ),
            _when_resolved(self.external_id, functools.partial(check_external_id, "upload_role.external_id")),
        )


def check_tags_now(tags: Any) -> None:
    """The tags' keys and every value known now (``checked_tags`` checks the others later)."""
    known = {k: _known_now(v) for k, v in tags.items()} if isinstance(tags, Mapping) else tags
    check_tags("tags", known)


def checked_tags(tags: Mapping[str, Any]) -> dict[str, Any]:
    """The tags as a new dict, each value that is an Output checked when it resolves."""
    return {
        key: _when_resolved(v, functools.partial(check_tag_value, "tags", key)) for key, v in tags.items()
    }


@dataclass(frozen=True)
class RecordingStorageArgs:
    """Everything RecordingStorage needs; only ``app_id`` and ``region`` are required.

    ``app_id`` and ``region`` are plain strings (see the module doc: they decide the resource graph);
    ``bucket_name``, ``kms_key_arn``, tag values and the upload role's fields also take a pulumi Input.
    """

    app_id: str
    """The Sendbird application id (letters, digits, ``-``). Plain only: it names and tags the
    resources, which Pulumi registers before any Output resolves."""
    region: str
    """An AWS region code (ap-northeast-2) or a Sendbird region key (ap-2) where Sendbird runs. Plain
    only: it pins every regional resource."""
    bucket_name: pulumi.Input[str] | None = None
    """The recordings bucket's name. None: a unique name is generated from the component name."""
    retention: Retention = field(default_factory=Retention)
    """Lifecycle of the recordings; nothing moves or expires unless asked."""
    force_destroy: bool = False
    """Let ``pulumi destroy`` delete a bucket that still holds recordings."""
    protect: bool = False
    """Protect the data-bearing resources only (bucket, KMS key), so the access key can still rotate."""
    kms_deletion_window_days: int = DEFAULT_KMS_DELETION_WINDOW_DAYS
    """Days before a deleted KMS key is gone (7 to 30; default 30)."""
    kms_key_arn: pulumi.Input[str] | None = None
    """An existing customer-managed key (a ``key/...`` ARN) in the same region: no key or alias is
    created, and its key policy must keep the account-root statement."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Tags for every taggable resource. Keys are plain (checked at once); values may be Outputs."""
    upload_role: UploadRole | None = None
    """Sendbird's direct-upload mode: a role Sendbird's account assumes. None: no role."""
    recording_events: bool = True
    """S3 event notifications to EventBridge (every "Object Created" and other event of the bucket)."""
    access_logs: bool = True
    """S3 server access logging: to a log bucket the component creates, or to ``access_log_bucket``."""
    access_log_bucket: pulumi.Input[str] | None = None
    """An existing log bucket (same region; its policy must admit logging.s3.amazonaws.com): then no
    log bucket is created. Needs ``access_logs``."""
    access_log_days: int = DEFAULT_ACCESS_LOG_DAYS
    """Days until the created log bucket expires a log object (unused with ``access_log_bucket``)."""
    copy_key_rotation_days: int | None = None
    """Replace the copy identity's access key (create-before-delete) on the first refreshing
    ``pulumi up`` after this many days. None: the key is kept until replaced by hand."""
    replication: Replication | None = None
    """A replica of the bucket in a second region (S3 Replication), with its own key and alarms.
    None: no replica."""
    recording_event_target_arn: pulumi.Input[str] | None = None
    """Deliver recording-arrived events (a rule on the default bus for this bucket) to this SQS
    queue, SNS topic or Lambda function (same region; its policy must admit events.amazonaws.com), or
    event bus (a plain ARN: a role is created). Needs ``recording_events``. None: no rule."""
    inventory: Inventory | None = None
    """S3 Inventory of the recordings (daily, Parquet, to the created log bucket by default). None: off."""
    object_lock: ObjectLock | None = None
    """S3 Object Lock: each copied recording version retained (GOVERNANCE or COMPLIANCE, days or
    years) by the sync; the bucket gets no default retention. Once on, never off for the bucket.
    None: off."""

    def __post_init__(self) -> None:
        _require_plain(self.app_id, "app_id", "the Sendbird application id as a string", _APP_ID_PLAIN)
        check_app_id("app_id", self.app_id)
        _require_plain(self.region, "region", "a Sendbird region key or AWS region code", _REGION_PLAIN)
        aws_region = check_region("region", self.region)
        if self.bucket_name is not None and not is_deferred(self.bucket_name):
            check_bucket_name("bucket_name", self.bucket_name)
        if not isinstance(self.retention, Retention):
            raise InputError(Input("retention"), f" {shown(self.retention)} is not a Retention")
        for name in ("force_destroy", "protect", "recording_events", "access_logs"):
            _require_plain(getattr(self, name), name, "true or false", _PLAIN_SETTING)
            check_bool(name, getattr(self, name))
        low, high = KMS_DELETION_WINDOW_RANGE
        window = f"a whole number of days from {low} to {high}"
        _require_plain(self.kms_deletion_window_days, "kms_deletion_window_days", window, _PLAIN_SETTING)
        check_kms_deletion_window_days("kms_deletion_window_days", self.kms_deletion_window_days)
        if self.kms_key_arn is not None and not is_deferred(self.kms_key_arn):
            check_kms_key_arn("kms_key_arn", self.kms_key_arn, aws_region)
        check_tags_now(self.tags)
        self._check_access_logs()
        self._check_audit(aws_region)
        if self.upload_role is not None and not isinstance(self.upload_role, UploadRole):
            raise InputError(Input("upload_role"), f" {shown(self.upload_role)} is not an UploadRole")
        if self.replication is not None and not isinstance(self.replication, Replication):
            raise InputError(Input("replication"), f" {shown(self.replication)} is not a Replication")
        if self.replication is not None:
            self.replication.check_source(aws_region, self.bucket_name)
        check_object_lock_arg(self.object_lock)

    def checked(self) -> "RecordingStorageArgs":
        """What the component uses: these args with each Pulumi value replaced by one that runs its
        checks when it resolves (and raises their InputError then). The args themselves keep what
        the caller passed."""
        region = self.aws_region
        return dataclasses.replace(
            self,
            bucket_name=_when_resolved(self.bucket_name, functools.partial(check_bucket_name, "bucket_name")),
            kms_key_arn=_when_resolved(
                self.kms_key_arn, lambda arn: check_kms_key_arn("kms_key_arn", arn, region)
            ),
            access_log_bucket=_when_resolved(
                self.access_log_bucket, functools.partial(check_bucket_name, "access_log_bucket")
            ),
            tags=checked_tags(self.tags),
            retention=self.retention.checked(),
            upload_role=self.upload_role.checked() if self.upload_role is not None else None,
            replication=(
                self.replication.checked(region, _when_resolved) if self.replication is not None else None
            ),
            recording_event_target_arn=_when_resolved(
                self.recording_event_target_arn,
                lambda arn: check_event_target_arn(
                    "recording_event_target_arn", arn, region, bus_allowed=False
                ),
            ),
            inventory=self.inventory.checked(region) if self.inventory is not None else None,
        )

    def _check_audit(self, region: str) -> None:
        """The recording-event target and the inventory, against the settings they need."""
        target = self.recording_event_target_arn
        if target is not None and not self.recording_events:
            raise InputError(
                Input("recording_event_target_arn"),
                f" {shown(target)} is set but ",
                Input("recording_events"),
                " is false: the bucket sends no events to deliver. Allowed: drop recording_event_target_arn, "
                "or set recording_events to true",
            )
        if target is not None and not is_deferred(target):
            check_event_target_arn("recording_event_target_arn", target, region)
        if self.inventory is None:
            return
        if not isinstance(self.inventory, Inventory):
            raise InputError(Input("inventory"), f" {shown(self.inventory)} is not an Inventory")
        self.inventory.check_in(
            region=region,
            access_logs=self.access_logs,
            access_log_bucket=self.access_log_bucket,
            bucket_name=self.bucket_name,
        )

    def _check_access_logs(self) -> None:
        days = "a whole number of days >= 1"
        _require_plain(self.access_log_days, "access_log_days", days, _PLAIN_SETTING)
        check_days("access_log_days", self.access_log_days)
        if self.copy_key_rotation_days is not None:
            _require_plain(self.copy_key_rotation_days, "copy_key_rotation_days", days, _PLAIN_SETTING)
            check_days("copy_key_rotation_days", self.copy_key_rotation_days)
        name = self.access_log_bucket
        if name is None:
            return
        if not self.access_logs:
            raise InputError(
                Input("access_log_bucket"),
                f" {shown(name)} is set but ",
                Input("access_logs"),
                " is false. Allowed: drop access_log_bucket, or set access_logs to true",
            )
        if not is_deferred(name):
            check_bucket_name("access_log_bucket", name)
            if name == self.bucket_name:
                raise InputError(
                    Input("access_log_bucket"),
                    f" {shown(name)} is the recordings bucket itself. Allowed: another bucket (S3 "
                    "would log its own log deliveries, without end)",
                )

    @property
    def aws_region(self) -> str:
        """The AWS region every regional resource goes to (``region`` may be a Sendbird key)."""
        return resolve_region(self.region)
