"""The arguments of RecordingSync: the storage it syncs, the Sendbird API token, how often and how
loudly to run. They check themselves when constructed, like RecordingStorageArgs, and keep what the
caller passed; the component works from ``checked()``, a ``ResolvedSync``.

The storage is a ``RecordingStorage`` (the usual case: RecordingSync takes the application id, region,
bucket, key and copy key pair from it, already checked there) or a ``StorageOutputs`` (the same values
given one by one: another stack's storage through a StackReference, or the component package for other
languages, whose analyzer cannot take a component of its own package as an argument). The settings that
shape the resources (``schedule``, ``warn_days``, ``log_retention_days``, ``sendbird_api_base_url``) are
plain values, checked at once; what another resource provides (a storage value, an existing secret's or
topic's ARN, the API token from ``Config().require_secret``) takes a pulumi Input and is checked when it
resolves, naming the input. The API token and the copy secret key stay secret whatever form they come
in. Every rule is ``sendbird_copy.rules``.
"""

# No ``from __future__ import annotations``: Pulumi's component analyzer (provider/) reads annotations
# at runtime and takes each field's docstring as the schema's description.
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import pulumi

from sendbird_copy.errors import Input, InputError
from sendbird_copy.rules import (
    EVENT_MARGIN_HOURS_DEFAULT,
    LOG_RETENTION_DAYS_DEFAULT,
    SCHEDULE_DEFAULT,
    WARN_DAYS_DEFAULT,
    check_access_key_id,
    check_api_token,
    check_app_id,
    check_base_url,
    check_bool,
    check_bucket_arn,
    check_bucket_name,
    check_copy_secret,
    check_event_margin_hours,
    check_kms_key_arn,
    check_log_retention_days,
    check_object_lock_mode,
    check_object_lock_period,
    check_region,
    check_schedule,
    check_secret_arn,
    check_topic_arn,
    check_warn_days,
    shown,
)

from ..storage.args import (
    _APP_ID_PLAIN,
    _PLAIN_SETTING,
    _REGION_PLAIN,
    _require_plain,
    _when_resolved,
    check_tags_now,
    checked_tags,
    is_deferred,
)
from ..storage.recording_storage import RecordingStorage

# Settings that shape the resources: plain values only (stack config gives exactly these, plus the
# ARNs below).
PLAIN_SETTINGS = (
    "schedule",
    "warn_days",
    "event_margin_hours",
    "log_retention_days",
    "sendbird_api_base_url",
    "dashboard",
)
TOKEN_CHOICE = "exactly one of api_token (a Pulumi secret; the component stores it) and api_token_secret_arn"
# What RecordingSync takes from the storage, by the names of RecordingStorage's outputs.
STORAGE_FIELDS = ("bucket_name", "bucket_arn", "kms_key_arn", "copy_access_key_id", "copy_secret_access_key")
# Optional storage values: Object Lock (plain; both or neither).
LOCK_FIELDS = ("object_lock_mode", "object_lock_period")


@dataclass(frozen=True)
class StorageOutputs:
    """A storage given by its values instead of a RecordingStorage (another stack's, say): the same
    names as RecordingStorage's outputs, each checked (when it resolves, for a Pulumi value)."""

    app_id: str
    """The Sendbird application id (RecordingStorage's app_id; plain: it names and tags the resources)."""
    region: str
    """An AWS region code or Sendbird region key: the region of the application and of its storage."""
    bucket_name: pulumi.Input[str]
    """The recordings bucket's name (RecordingStorage.bucket_name)."""
    bucket_arn: pulumi.Input[str]
    """The recordings bucket's ARN (RecordingStorage.bucket_arn)."""
    kms_key_arn: pulumi.Input[str]
    """The key that encrypts the bucket (RecordingStorage.kms_key_arn); it encrypts both secrets too."""
    copy_access_key_id: pulumi.Input[str]
    """The copy identity's access key id (RecordingStorage.copy_access_key_id): stored with the secret
    key in a secret the function reads and hands to Sendbird with each copy request."""
    copy_secret_access_key: pulumi.Input[str] = field(repr=False)
    """The copy identity's secret access key (RecordingStorage.copy_secret_access_key; kept secret)."""
    object_lock_mode: str | None = None
    """The storage's Object Lock mode (RecordingStorage.object_lock_mode): the function retains each
    copied recording version in it. Plain, with object_lock_period; None: no retention."""
    object_lock_period: str | None = None
    """How long (RecordingStorage.object_lock_period: P<days>D or P<years>Y). Plain, with
    object_lock_mode."""

    def __post_init__(self) -> None:
        _require_plain(self.app_id, "app_id", "the Sendbird application id as a string", _APP_ID_PLAIN)
        check_app_id("app_id", self.app_id)
        _require_plain(self.region, "region", "a Sendbird region key or AWS region code", _REGION_PLAIN)
        region = check_region("region", self.region)
        for name in STORAGE_FIELDS:
            if getattr(self, name) is None:
                raise InputError(
                    Input(name), " is missing. Allowed: the output of the same name of RecordingStorage"
                )
        for name, rule in self._rules(region).items():
            value = getattr(self, name)
            if not is_deferred(value):
                rule(value)
        self._check_object_lock()

    def _check_object_lock(self) -> None:
        """Plain (they decide the function role's grant), both or neither, each by its rule."""
        mode, period = self.object_lock_mode, self.object_lock_period
        for name, value in (("object_lock_mode", mode), ("object_lock_period", period)):
            _require_plain(value, name, "RecordingStorage's output of the same name, plain", _PLAIN_SETTING)
        if (mode is None) != (period is None):
            missing = "object_lock_period" if period is None else "object_lock_mode"
            raise InputError(
                Input(missing),
                " is missing. Allowed: object_lock_mode and object_lock_period together, or neither",
            )
        if mode is not None:
            check_object_lock_mode("object_lock_mode", mode)
            check_object_lock_period("object_lock_period", period)

    def _rules(self, region: str) -> dict[str, Any]:
        """Each storage value's rule, taking the value alone (named as the field)."""
        bucket_name = self.bucket_name
        return {
            "bucket_name": functools.partial(check_bucket_name, "bucket_name"),
            "bucket_arn": lambda value: check_bucket_arn("bucket_arn", value, bucket_name),
            "kms_key_arn": lambda value: check_kms_key_arn("kms_key_arn", value, region),
            "copy_access_key_id": functools.partial(check_access_key_id, "copy_access_key_id"),
            "copy_secret_access_key": functools.partial(check_copy_secret, "copy_secret_access_key"),
        }

    def checked(self) -> "StorageOutputs":
        """These values with each Pulumi value replaced by one checked when it resolves."""
        rules = self._rules(check_region("region", self.region))
        return StorageOutputs(
            self.app_id,
            self.region,
            **{name: _when_resolved(getattr(self, name), rules[name]) for name in rules},
            object_lock_mode=self.object_lock_mode,
            object_lock_period=self.object_lock_period,
        )


def storage_outputs(storage: RecordingStorage) -> StorageOutputs:
    """What RecordingSync takes from a RecordingStorage (checked there already)."""
    return StorageOutputs(
        storage.context.app_id,
        storage.context.region,
        bucket_name=storage.bucket_name,
        bucket_arn=storage.bucket_arn,
        kms_key_arn=storage.kms_key_arn,
        copy_access_key_id=storage.copy_access_key_id,
        copy_secret_access_key=storage.copy_secret_access_key,
        object_lock_mode=storage.object_lock.mode if storage.object_lock else None,
        object_lock_period=storage.object_lock.period if storage.object_lock else None,
    )


@dataclass(frozen=True)
class ResolvedSync:
    """What RecordingSync builds from: the storage's values and the settings, every one checked (a
    Pulumi value: when it resolves), the two secrets as secret Outputs."""

    storage: StorageOutputs  # checked; its copy secret key a secret Output
    aws_region: str
    api_token: pulumi.Output[str] | None
    api_token_secret_arn: pulumi.Input[str] | None
    schedule: str
    warn_days: float
    event_margin_hours: float
    alarm_topic_arn: pulumi.Input[str] | None
    log_retention_days: int
    tags: Mapping[str, pulumi.Input[str]]
    sendbird_api_base_url: str | None
    dashboard: bool

    @property
    def app_id(self) -> str:  # what a component's context needs (components/context.py)
        return self.storage.app_id


@dataclass(frozen=True)
class RecordingSyncArgs:
    """Everything RecordingSync needs: the storage it syncs (a RecordingStorage), the Sendbird API
    token, and how often and how loudly to run."""

    storage: RecordingStorage | StorageOutputs
    """The application's RecordingStorage: its application id, region, bucket, key and copy key pair
    (or a StorageOutputs with the same values)."""
    api_token: pulumi.Input[str] | None = field(default=None, repr=False)
    """The application's Sendbird API token, as a Pulumi secret: stored in a Secrets Manager secret."""
    api_token_secret_arn: pulumi.Input[str] | None = None
    """Or an existing Secrets Manager secret (in the application's region) holding the token."""
    schedule: str = SCHEDULE_DEFAULT
    """EventBridge Scheduler expression: rate(...) of at least 15 minutes, or cron(...)."""
    warn_days: float = WARN_DAYS_DEFAULT
    """A recording not yet copied this many days before Sendbird deletes it is "at risk" (alarm)."""
    event_margin_hours: float = EVENT_MARGIN_HOURS_DEFAULT
    """Hours past Sendbird's two weeks that a run still lists ended live events for (an event's
    length); longer events are found through the parents the sync watches (sendbird_copy/sync/horizon.py)."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """An SNS topic (same region) every alarm notifies, on alarm and on recovery."""
    log_retention_days: int = LOG_RETENTION_DAYS_DEFAULT
    """Days the function's logs are kept (a period CloudWatch Logs offers)."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Tags on every taggable resource (keys plain; values may be Outputs)."""
    sendbird_api_base_url: str | None = None
    """Sendbird's API base URL, for a test double (the local emulator); default: Sendbird's own."""
    dashboard: bool = True
    """A CloudWatch dashboard of the sync (runs, function, dead letters, alarms, problems); false: none."""

    def __post_init__(self) -> None:
        if not isinstance(self.storage, RecordingStorage | StorageOutputs):
            raise InputError(
                Input("storage"),
                f" {shown(self.storage)} is not a RecordingStorage. Allowed: the RecordingStorage of the "
                "application (or a StorageOutputs)",
            )
        region = self.aws_region
        for name in PLAIN_SETTINGS:
            _require_plain(getattr(self, name), name, "a plain value", _PLAIN_SETTING)
        check_settings({name: getattr(self, name) for name in PLAIN_SETTINGS})
        self._check_token(region)
        if self.alarm_topic_arn is not None and not is_deferred(self.alarm_topic_arn):
            check_topic_arn("alarm_topic_arn", self.alarm_topic_arn, region)
        check_tags_now(self.tags)

    def _check_token(self, region: str) -> None:
        if (self.api_token is None) == (self.api_token_secret_arn is None):
            given = "both are set" if self.api_token is not None else "neither is set"
            raise InputError(Input("api_token"), f": {given}. Allowed: {TOKEN_CHOICE}")
        arn, token = self.api_token_secret_arn, self.api_token
        if arn is not None and not is_deferred(arn):
            check_secret_arn("api_token_secret_arn", arn, region)
        if isinstance(token, str) and not token.strip():
            raise InputError(Input("api_token"), f" is empty. Allowed: {TOKEN_CHOICE}")
        if token is not None and not is_deferred(token):
            check_api_token("api_token", token)

    @property
    def _storage(self) -> StorageOutputs:
        storage = self.storage
        return storage_outputs(storage) if isinstance(storage, RecordingStorage) else storage

    @property
    def app_id(self) -> str:
        """The application id, from the storage."""
        return self._storage.app_id

    @property
    def aws_region(self) -> str:
        """The AWS region every regional resource goes to: the storage's."""
        return check_region("region", self._storage.region)

    def checked(self) -> ResolvedSync:
        """What the component builds from (the args keep what the caller passed)."""
        region = self.aws_region
        storage = self.storage
        # A RecordingStorage's values come from its own resources, checked when it was given them.
        values = storage_outputs(storage) if isinstance(storage, RecordingStorage) else storage.checked()
        settings = check_settings({name: getattr(self, name) for name in PLAIN_SETTINGS})
        token = self.api_token
        return ResolvedSync(
            storage=replace(
                values, copy_secret_access_key=pulumi.Output.secret(values.copy_secret_access_key)
            ),
            aws_region=region,
            api_token=None
            if token is None
            else pulumi.Output.secret(_when_resolved(token, functools.partial(check_api_token, "api_token"))),
            api_token_secret_arn=_when_resolved(
                self.api_token_secret_arn, lambda arn: check_secret_arn("api_token_secret_arn", arn, region)
            ),
            schedule=settings["schedule"],
            warn_days=settings["warn_days"],
            event_margin_hours=settings["event_margin_hours"],
            alarm_topic_arn=_when_resolved(
                self.alarm_topic_arn, lambda arn: check_topic_arn("alarm_topic_arn", arn, region)
            ),
            log_retention_days=settings["log_retention_days"],
            tags=checked_tags(self.tags),
            sendbird_api_base_url=settings.get("sendbird_api_base_url"),
            dashboard=settings["dashboard"],
        )


def check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The plain settings among ``values`` checked (and normalised: warn_days as a float); the stack
    config checks its ``sync`` blocks with this before any resource exists, as the args do."""
    rules: dict[str, Any] = {
        "schedule": check_schedule,
        "warn_days": check_warn_days,
        "event_margin_hours": check_event_margin_hours,
        "log_retention_days": check_log_retention_days,
        "sendbird_api_base_url": check_base_url,
        "dashboard": check_bool,
    }
    # Only the base URL may be None (Sendbird's own); a null elsewhere is refused by its rule.
    return {
        name: rules[name](name, value)
        for name, value in values.items()
        if name in rules and not (name == "sendbird_api_base_url" and value is None)
    }


def check_arns(values: Mapping[str, Any], region: str) -> None:
    """The ARNs among ``values`` that are plain (config gives plain values), checked at once."""
    rules = {"api_token_secret_arn": check_secret_arn, "alarm_topic_arn": check_topic_arn}
    for name, value in values.items():
        if name in rules and value is not None and not is_deferred(value):
            rules[name](name, value, region)


def sync_args_with_storage_values(values: Mapping[str, Any]) -> RecordingSyncArgs:
    """RecordingSyncArgs from one flat mapping: the storage's values (``app_id``, ``region`` and
    ``STORAGE_FIELDS``) and the settings, as the component package and a stack config give them."""
    settings = dict(values)
    storage = {name: settings.pop(name, None) for name in ("app_id", "region", *STORAGE_FIELDS, *LOCK_FIELDS)}
    return RecordingSyncArgs(storage=StorageOutputs(**storage), **settings)
