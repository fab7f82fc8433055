"""The arguments of RecordingSync; they validate themselves when constructed, like RecordingStorageArgs.

``app_id``, ``region`` and the settings that shape the resources (``schedule``, ``warn_days``,
``log_retention_days``, ``sendbird_api_base_url``) are plain values, checked at once. What another
resource provides (the storage's bucket, key and copy key pair, an existing secret's or topic's ARN,
the API token from ``Config().require_secret``) takes a pulumi Input and is checked when it resolves,
naming the input. The API token and the copy secret key are kept secret whatever form they come in.
"""

# No ``from __future__ import annotations``: Pulumi's component analyzer (provider/) reads these
# annotations at runtime and takes each field's docstring as the schema's description.
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pulumi

from sendbird_copy.input_rules import check_secret, check_url
from sendbird_copy.regions import resolve_region

from .args import (
    _APP_ID_PLAIN,
    _PLAIN_SETTING,
    _REGION_PLAIN,
    _checked_tags,
    _require_plain,
    _when_resolved,
    is_deferred,
)
from .schedule_rules import check_schedule
from .sync_validation import (
    DEFAULT_LOG_RETENTION_DAYS,
    DEFAULT_SCHEDULE,
    DEFAULT_WARN_DAYS,
    check_bucket_arn,
    check_log_retention_days,
    check_secret_arn,
    check_topic_arn,
    check_warn_days,
)
from .validation import (
    Input,
    InputError,
    check_app_id,
    check_bucket_name,
    check_kms_key_arn,
    check_region,
    shown,
)

# Settings that shape the resources: plain values only (stack config gives exactly these, plus the
# ARNs below).
PLAIN_SETTINGS = ("schedule", "warn_days", "log_retention_days", "sendbird_api_base_url")
TOKEN_CHOICE = "exactly one of api_token (a Pulumi secret; the component stores it) and api_token_secret_arn"


@dataclass(frozen=True)
class RecordingSyncArgs:
    """Everything RecordingSync needs: one application's storage (the outputs of its
    RecordingStorage), the Sendbird API token, and how often and how loudly to run."""

    app_id: str
    """The Sendbird application id (plain: it names and tags the resources)."""
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
    copy_secret_access_key: pulumi.Input[str]
    """The copy identity's secret access key (RecordingStorage.copy_secret_access_key; kept secret)."""
    api_token: pulumi.Input[str] | None = None
    """The application's Sendbird API token, as a Pulumi secret: stored in a Secrets Manager secret."""
    api_token_secret_arn: pulumi.Input[str] | None = None
    """Or an existing Secrets Manager secret (in the application's region) holding the token."""
    schedule: str = DEFAULT_SCHEDULE
    """EventBridge Scheduler expression: rate(...) of at least 15 minutes, or cron(...)."""
    warn_days: float = DEFAULT_WARN_DAYS
    """A recording not yet copied this many days before Sendbird deletes it is "at risk" (alarm)."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """An SNS topic (same region) every alarm notifies, on alarm and on recovery."""
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    """Days the function's logs are kept (a period CloudWatch Logs offers)."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Tags on every taggable resource (keys plain; values may be Outputs)."""
    sendbird_api_base_url: str | None = None
    """Sendbird's API base URL, for a test double (the local emulator); default: Sendbird's own."""
    dashboard: bool = True
    """A CloudWatch dashboard of the sync (runs, function, dead letters, alarms, problems); false: none."""

    def __post_init__(self) -> None:
        _require_plain(self.app_id, "app_id", "the Sendbird application id as a string", _APP_ID_PLAIN)
        check_app_id(self.app_id, "app_id")
        _require_plain(self.region, "region", "a Sendbird region key or AWS region code", _REGION_PLAIN)
        region = check_region(self.region, "region")
        self._check_plain_settings()
        self._check_storage(region)
        self._check_token(region)
        if self.alarm_topic_arn is not None:
            self._defer("alarm_topic_arn", functools.partial(check_topic_arn, region=region))
        object.__setattr__(self, "tags", _checked_tags(self.tags))
        if not isinstance(self.dashboard, bool):
            raise InputError(
                Input("dashboard"), f" {shown(self.dashboard)} is not a boolean. Allowed: true or false"
            )

    def _check_plain_settings(self) -> None:
        for name in PLAIN_SETTINGS:
            _require_plain(getattr(self, name), name, "a plain value", _PLAIN_SETTING)
        checked = check_settings({name: getattr(self, name) for name in PLAIN_SETTINGS})
        for name, value in checked.items():
            object.__setattr__(self, name, value)

    def _check_storage(self, region: str) -> None:
        for name in (
            "bucket_name",
            "bucket_arn",
            "kms_key_arn",
            "copy_access_key_id",
            "copy_secret_access_key",
        ):
            if getattr(self, name) is None:
                raise InputError(
                    Input(name), " is missing. Allowed: the output of the same name of RecordingStorage"
                )
        self._defer("bucket_name", check_bucket_name)
        self._defer("bucket_arn", functools.partial(check_bucket_arn, bucket_name=self.bucket_name))
        self._defer("kms_key_arn", functools.partial(check_kms_key_arn, aws_region=region))
        self._defer("copy_access_key_id", _check_access_key_id)
        secret_key = self.copy_secret_access_key
        if not is_deferred(secret_key):
            check_copy_secret(secret_key)
        checked = _when_resolved(secret_key, check_copy_secret)
        object.__setattr__(self, "copy_secret_access_key", pulumi.Output.secret(checked))

    def _check_token(self, region: str) -> None:
        if (self.api_token is None) == (self.api_token_secret_arn is None):
            given = "both are set" if self.api_token is not None else "neither is set"
            raise InputError(Input("api_token"), f": {given}. Allowed: {TOKEN_CHOICE}")
        if self.api_token_secret_arn is not None:
            self._defer("api_token_secret_arn", functools.partial(check_secret_arn, region=region))
        else:
            token = self.api_token
            if isinstance(token, str) and not token.strip():
                raise InputError(Input("api_token"), f" is empty. Allowed: {TOKEN_CHOICE}")
            checked = _when_resolved(token, functools.partial(check_api_token, input_name="api_token"))
            if not is_deferred(token):
                check_api_token(token, "api_token")
            object.__setattr__(self, "api_token", pulumi.Output.secret(checked))

    def _defer(self, name: str, check: Any) -> None:
        """Check ``name`` now when plain; else when it resolves (``args._when_resolved``)."""
        value = getattr(self, name)
        checked = functools.partial(check, input_name=name)
        if not is_deferred(value):
            checked(value)
        object.__setattr__(self, name, _when_resolved(value, checked))

    @property
    def aws_region(self) -> str:
        """The AWS region every regional resource goes to (``region`` may be a Sendbird key)."""
        return resolve_region(self.region)


def _check_access_key_id(value: Any, input_name: str = "copy_access_key_id") -> str:
    if not isinstance(value, str) or not value.isalnum() or not 16 <= len(value) <= 128:
        raise InputError(
            Input(input_name),
            f" {shown(value)} is not an AWS access key id. Allowed: RecordingStorage.copy_access_key_id",
        )
    return value


def check_settings(values: Mapping[str, Any]) -> dict[str, Any]:
    """The plain settings among ``values`` checked (and normalised: warn_days as a float); the stack
    config checks its ``sync`` blocks with this before any resource exists, as the args do."""
    checks: dict[str, Any] = {
        "schedule": check_schedule,
        "warn_days": check_warn_days,
        "log_retention_days": check_log_retention_days,
        "sendbird_api_base_url": _check_base_url,
    }
    # Only the base URL may be None (Sendbird's own); a null elsewhere is refused by its check.
    return {
        name: checks[name](value, name)
        for name, value in values.items()
        if name in checks and not (name == "sendbird_api_base_url" and value is None)
    }


def check_arns(values: Mapping[str, Any], region: str) -> None:
    """The ARNs among ``values`` that are plain (config gives plain values), checked at once."""
    checks = {"api_token_secret_arn": check_secret_arn, "alarm_topic_arn": check_topic_arn}
    for name, value in values.items():
        if name in checks and value is not None and not is_deferred(value):
            checks[name](value, region, name)


BASE_URL_ALLOWED = "an https URL without a user or password, or http to a loopback host (a local test double)"
MAX_BASE_URL_LENGTH = 2048
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _check_base_url(value: Any, input_name: str) -> str:
    """The URL lands in the function's environment (names, never a secret) and carries the API
    token: no credentials in it, and no cleartext http beyond this machine."""
    if not isinstance(value, str):
        raise InputError(Input(input_name), f" {shown(value)} is not a string. Allowed: {BASE_URL_ALLOWED}")
    if len(value) > MAX_BASE_URL_LENGTH:  # Lambda's whole environment is at most 4 KB
        raise InputError(
            Input(input_name), f" is {len(value)} characters long. Allowed: at most {MAX_BASE_URL_LENGTH}"
        )
    try:
        password = check_url(input_name, value)
    except ValueError as exc:
        raise InputError(
            Input(input_name), str(exc).removeprefix(input_name) + f". Allowed: {BASE_URL_ALLOWED}"
        ) from None
    split = urlsplit(value)
    if password is not None or split.username is not None:
        raise InputError(
            Input(input_name), f" has a user or password in it (not shown). Allowed: {BASE_URL_ALLOWED}"
        )
    if split.scheme == "http" and split.hostname not in _LOOPBACK_HOSTS:
        shown_url = f"{split.scheme}://{split.hostname}"
        raise InputError(
            Input(input_name),
            f" {shown_url!r} is plain http to another host: the API token would travel in cleartext. "
            f"Allowed: {BASE_URL_ALLOWED}",
        )
    return value


# Sendbird's tokens are 40 hex characters; Secrets Manager holds at most 64 KiB.
MAX_TOKEN_LENGTH = 4096


def check_api_token(value: Any, input_name: str = "api_token") -> str:
    """A token that goes into an HTTP header (the client's rule); the message never shows it."""
    if not isinstance(value, str):
        raise InputError(
            Input(input_name), f" is {type(value).__name__}, not a string. Allowed: {TOKEN_CHOICE}"
        )
    if len(value) > MAX_TOKEN_LENGTH:
        raise InputError(
            Input(input_name),
            f" is {len(value)} characters long (not shown). Allowed: at most {MAX_TOKEN_LENGTH}",
        )
    try:
        return check_secret(input_name, value)
    except ValueError as exc:
        raise InputError(Input(input_name), str(exc).removeprefix(input_name)) from None


def check_copy_secret(value: Any, input_name: str = "copy_secret_access_key") -> str:
    """The copy identity's secret key: a non-empty string (the function hands it to Sendbird)."""
    if not isinstance(value, str) or not value.strip():
        problem = "is empty" if isinstance(value, str) else f"is not a string ({type(value).__name__})"
        raise InputError(
            Input(input_name), f" {problem} (not shown). Allowed: RecordingStorage.copy_secret_access_key"
        )
    return value
