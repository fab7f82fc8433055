"""The arguments of RecordingStorage; each type validates itself when constructed.

Plain values are checked in ``__post_init__`` (with the pure checks of ``components.validation``),
before any child resource exists, so a bad value fails ``pulumi preview`` with a message instead of a
half-made stack, whether it came from stack config or from a Python caller. Errors are
``components.InputError`` naming the field relative to the arguments (``app_id``,
``retention.transition_days``, ``upload_role.external_id``), the value and what is allowed. Defaults
here are the secure, cheap ones the README explains.

Pulumi values (``pulumi.Input``: an Output of another resource, ``Config().require_secret(...)``) are
accepted where they cannot change which resources exist or what they are called: ``bucket_name``,
``kms_key_arn``, tag values, ``upload_role.sendbird_principal`` and ``upload_role.external_id``, and
the retention day counts. What can be checked without them is checked at once; the field is then
replaced by an Output that runs the same checks when the value resolves (``_when_resolved``), and
raises the same ``InputError`` from there, so a bad value fails the deployment naming the input
(a secret value is shown as ``[secret]``). Secret inputs stay secret (``apply`` keeps secrecy).

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
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, TypeVar

import pulumi

from sendbird_copy.regions import resolve_region

from .validation import (
    DEFAULT_TRANSITION_STORAGE_CLASS,
    KMS_DELETION_WINDOW_RANGE,
    PENDING,
    TRANSITION_STORAGE_CLASSES,
    Input,
    InputError,
    check_app_id,
    check_bool,
    check_bucket_name,
    check_days,
    check_external_id,
    check_kms_key_arn,
    check_region,
    check_retention,
    check_sendbird_principal,
    check_tag_value,
    check_tags,
    check_upload_role,
    shown,
)

T = TypeVar("T")

DEFAULT_NONCURRENT_EXPIRATION_DAYS = 30
# Sendbird writes in 5 MB parts; a failed copy leaves parts that are billed until aborted.
DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
DEFAULT_KMS_DELETION_WINDOW_DAYS = 30
# How long S3 server access logs are kept in the log bucket the component creates.
DEFAULT_ACCESS_LOG_DAYS = 90
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
_PLAIN_SETTING = "a setting of the component itself, not a value another resource provides"


def is_deferred(value: Any) -> bool:
    """Whether ``value`` is known only later: a pulumi Output, or another awaitable ``pulumi.Input``."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def _known_now(value: Any) -> Any:
    """``value`` for the checks that run at once: ``PENDING`` when it is known only later."""
    return PENDING if is_deferred(value) else value


def _require_plain(value: Any, input_name: str, allowed: str, why: str) -> None:
    if is_deferred(value):
        raise InputError(
            Input(input_name), f" is {shown(value)}, not a plain value: {why}. Allowed: {allowed}"
        )


def _when_resolved(value: Any, check: Callable[[Any], T]) -> Any:
    """``value`` itself when plain (checked already); else an Output of it that runs ``check`` when it
    resolves and raises its InputError then, with a secret value shown as ``[secret]``. Secrecy and
    dependencies carry over, and an unknown value (a preview) is checked when it becomes known."""
    if not is_deferred(value):
        return value
    output = pulumi.Output.from_input(value)

    async def checked(resolved: Any) -> T:
        try:
            return check(resolved)
        except InputError as err:
            raise (err.redacted(resolved) if await output.is_secret() else err) from None

    return output.apply(checked)


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
    """Delete recordings after this many days (>= 1, greater than ``transition_days``). None: keep."""
    noncurrent_expiration_days: pulumi.Input[int] = DEFAULT_NONCURRENT_EXPIRATION_DAYS
    """Delete overwritten or deleted versions after this many days (>= 1; default 30)."""
    abort_incomplete_multipart_days: pulumi.Input[int] = DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS
    """Abort unfinished multipart uploads (failed copies) after this many days (1 to 7; default 7)."""

    def __post_init__(self) -> None:
        classes = ", ".join(TRANSITION_STORAGE_CLASSES)
        _require_plain(
            self.transition_storage_class, "retention.transition_storage_class", classes, _PLAIN_SETTING
        )
        values = _fields(self)
        deferred = [name for name in RETENTION_DAYS if is_deferred(values[name])]
        check_retention(SimpleNamespace(**{**values, **dict.fromkeys(deferred, PENDING)}), "retention.")
        if not deferred:
            return
        # Every check again, on all values once known; each deferred field is read from the result,
        # so using any of them runs the checks across fields too.
        checked = _when_resolved(
            pulumi.Output.all(**{name: values[name] for name in RETENTION_DAYS}),
            lambda days: check_retention(SimpleNamespace(**{**values, **days}), "retention."),
        )
        for name in deferred:
            object.__setattr__(self, name, checked.apply(lambda r, name=name: getattr(r, name)))

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
            SimpleNamespace(sendbird_principal=_known_now(principal), external_id=_known_now(external_id)),
            "upload_role.",
        )
        object.__setattr__(self, "sendbird_principal", _when_resolved(principal, check_sendbird_principal))
        object.__setattr__(self, "external_id", _when_resolved(external_id, check_external_id))


def _checked_tags(tags: Any) -> dict[str, Any]:
    """The tags checked (values that are Outputs: when they resolve), as a new dict."""
    known = {k: _known_now(v) for k, v in tags.items()} if isinstance(tags, Mapping) else tags
    check_tags(known, "tags")
    return {key: _when_resolved(v, functools.partial(check_tag_value, key)) for key, v in tags.items()}


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

    def __post_init__(self) -> None:
        _require_plain(self.app_id, "app_id", "the Sendbird application id as a string", _APP_ID_PLAIN)
        check_app_id(self.app_id, "app_id")
        _require_plain(self.region, "region", "a Sendbird region key or AWS region code", _REGION_PLAIN)
        aws_region = check_region(self.region, "region")
        self._check_bucket_name()
        if not isinstance(self.retention, Retention):
            raise InputError(Input("retention"), f" {shown(self.retention)} is not a Retention")
        for name in ("force_destroy", "protect", "recording_events", "access_logs"):
            _require_plain(getattr(self, name), name, "true or false", _PLAIN_SETTING)
            check_bool(getattr(self, name), name)
        low, high = KMS_DELETION_WINDOW_RANGE
        window = f"a whole number of days from {low} to {high}"
        _require_plain(self.kms_deletion_window_days, "kms_deletion_window_days", window, _PLAIN_SETTING)
        check_days(self.kms_deletion_window_days, "kms_deletion_window_days", *KMS_DELETION_WINDOW_RANGE)
        if self.kms_key_arn is not None:
            arn = self.kms_key_arn
            if not is_deferred(arn):
                check_kms_key_arn(arn, aws_region, "kms_key_arn")
            check: Callable[[Any], str] = functools.partial(check_kms_key_arn, aws_region=aws_region)
            object.__setattr__(self, "kms_key_arn", _when_resolved(arn, check))
        object.__setattr__(self, "tags", _checked_tags(self.tags))
        self._check_access_logs()
        if self.upload_role is not None and not isinstance(self.upload_role, UploadRole):
            raise InputError(Input("upload_role"), f" {shown(self.upload_role)} is not an UploadRole")

    def _check_bucket_name(self) -> None:
        name = self.bucket_name
        if name is None:
            return
        if not is_deferred(name):
            check_bucket_name(name, "bucket_name")
        object.__setattr__(self, "bucket_name", _when_resolved(name, check_bucket_name))

    def _check_access_logs(self) -> None:
        days = "a whole number of days >= 1"
        _require_plain(self.access_log_days, "access_log_days", days, _PLAIN_SETTING)
        check_days(self.access_log_days, "access_log_days")
        if self.copy_key_rotation_days is not None:
            _require_plain(self.copy_key_rotation_days, "copy_key_rotation_days", days, _PLAIN_SETTING)
            check_days(self.copy_key_rotation_days, "copy_key_rotation_days")
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
            check_bucket_name(name, "access_log_bucket")
            if name == self.bucket_name:
                raise InputError(
                    Input("access_log_bucket"),
                    f" {shown(name)} is the recordings bucket itself. Allowed: another bucket (S3 "
                    "would log its own log deliveries, without end)",
                )
        check: Callable[[Any], str] = functools.partial(check_bucket_name, input_name="access_log_bucket")
        object.__setattr__(self, "access_log_bucket", _when_resolved(name, check))

    @property
    def aws_region(self) -> str:
        """The AWS region every regional resource goes to (``region`` may be a Sendbird key)."""
        return resolve_region(self.region)
