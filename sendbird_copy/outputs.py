"""The contract between the Pulumi program and the post-deploy helper: the stack outputs.

``__main__.py`` exports exactly two stack outputs and the helper reads exactly these:

``applications`` (plain)::

    {"<app_id>": {"app_id", "region", "bucket_name", "bucket_arn", "kms_key_arn", "kms_alias",
                  "copy_user_name", "copy_access_key_id", "upload_role_arn" (optional),
                  "replica_bucket_name", "replica_region" (optional, with ``replication``),
                  "recording_event_rule_arn" (optional),
                  "object_lock_mode", "object_lock_period" (optional, together)}}

``copy_secret_access_keys`` (a Pulumi secret, so ``applications`` stays readable without
``--show-secrets``)::

    {"<app_id>": "<secret access key of that application's copy user>"}
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from sendbird_copy.errors import InputError, OutputsError
from sendbird_copy.rules import (
    check_app_id,
    check_copy_secret,
    check_object_lock_mode,
    check_object_lock_period,
    has_control_characters,
    shorten,
    type_name,
)
from sendbird_copy.rules.regions import SENDBIRD_AWS_REGIONS, SENDBIRD_REGIONS, is_aws_region

APPLICATIONS = "applications"
SECRET_KEYS = "copy_secret_access_keys"
# Per application with a scheduled sync (components.RecordingSync.public_outputs): its function,
# schedule, log group, role and the ARNs of its two secrets. Not read by the helper.
SCHEDULED_SYNC = "scheduled_sync"


@dataclass(frozen=True)
class AppOutputs:
    """Everything the helper needs about one Sendbird application's storage.

    THE definition of the per-application stack output: the field order is the order reports show;
    a field with ``metadata={"secret": True}`` travels in ``copy_secret_access_keys`` instead of
    ``applications``; one with a default may be absent. The component's ``public_outputs``, the
    parser below and the tests all iterate over these fields.
    """

    app_id: str
    region: str
    bucket_name: str
    bucket_arn: str
    kms_key_arn: str
    kms_alias: str
    copy_user_name: str
    copy_access_key_id: str
    # repr=False: a dataclass repr in a log or traceback must never show the secret.
    copy_secret_access_key: str = field(repr=False, metadata={"secret": True})
    upload_role_arn: str | None = None
    # With the ``replication`` option: the replica bucket and its AWS region (the smoke test and
    # ``status`` look there for each copied recording).
    replica_bucket_name: str | None = None
    replica_region: str | None = None
    # The EventBridge rule that delivers recording-arrived events (recording_event_target_arn): the
    # aws:SourceArn its target's resource policy names. Not read by the helper.
    recording_event_rule_arn: str | None = None
    # Object Lock (components/storage/options/object_lock.py): the sync retains each copied recording version
    # in this mode for this period (P<days>D or P<years>Y). Both or neither.
    object_lock_mode: str | None = None
    object_lock_period: str | None = None

    def public_dict(self) -> dict[str, Any]:
        """The non-secret fields, for reports and ``--json`` output."""
        data = {name: getattr(self, name) for name in PUBLIC_FIELDS}
        return {k: v for k, v in data.items() if v is not None}


# Derived from AppOutputs, never written out by hand.
PUBLIC_FIELDS = tuple(f.name for f in fields(AppOutputs) if not f.metadata.get("secret"))
SECRET_FIELDS = tuple(f.name for f in fields(AppOutputs) if f.metadata.get("secret"))
OPTIONAL_FIELDS = tuple(f.name for f in fields(AppOutputs) if f.name in PUBLIC_FIELDS and f.default is None)
REQUIRED_FIELDS = tuple(name for name in PUBLIC_FIELDS if name not in OPTIONAL_FIELDS)


def parse_stack_outputs(data: Any, source: str = "stack outputs") -> dict[str, AppOutputs]:
    """Validate decoded stack-output JSON and return the applications keyed by app id."""
    if not isinstance(data, dict):
        raise OutputsError(f"{source}: expected a JSON object with '{APPLICATIONS}', got {type_name(data)}")
    apps = data.get(APPLICATIONS)
    if apps is not None and not isinstance(apps, dict):
        raise OutputsError(
            f"{source}: output '{APPLICATIONS}' is {type_name(apps)}; expected an object keyed by "
            "Sendbird application id"
        )
    if not apps:
        raise OutputsError(
            f"{source}: output '{APPLICATIONS}' is missing or empty; expected an object keyed by "
            f"Sendbird application id (was the stack deployed with this package's program?)"
        )
    secrets = data.get(SECRET_KEYS)
    if secrets is not None and not isinstance(secrets, dict):
        raise OutputsError(
            f"{source}: output '{SECRET_KEYS}' is {type_name(secrets)}; expected an object keyed by "
            "application id, as 'pulumi stack output --json --show-secrets' prints it"
        )
    if secrets is None:
        raise OutputsError(
            f"{source}: output '{SECRET_KEYS}' is missing; read the outputs with "
            f"'pulumi stack output --json --show-secrets' so the copy user's secret key is included"
        )
    return {app_id: _parse_app(app_id, entry, secrets.get(app_id), source) for app_id, entry in apps.items()}


def _parse_app(app_id: str, entry: Any, secret: Any, source: str) -> AppOutputs:
    """One application's entry of ``applications`` and its secret key, field by field."""
    where = f"{source}: {APPLICATIONS}.{shorten(app_id)}"
    if not isinstance(entry, dict):
        raise OutputsError(f"{where}: expected an object, got {type_name(entry)}")
    values: dict[str, Any] = {}
    for name in PUBLIC_FIELDS:
        values[name] = _field(entry, name, f"{where}.{name}", required=name in REQUIRED_FIELDS)
    secret_where = f"{source}: {SECRET_KEYS}.{shorten(app_id)}"
    if secret is not None and not isinstance(secret, str):
        raise OutputsError(f"{secret_where} is {type_name(secret)}; expected the secret key as a string")
    if isinstance(secret, str) and secret.strip():
        # Trimmed like every public field (the key id among them): rules.check_copy_secret says why.
        secret = check_copy_secret(secret_where, secret)
    if not secret or secret == "[secret]":
        raise OutputsError(
            f"{secret_where} is missing or masked; read the outputs with "
            f"'pulumi stack output --json --show-secrets'"
        )
    if has_control_characters(secret) or not secret.isascii():
        # Never shown: it is a secret. It goes into a SigV4 signature and into Sendbird's copy call.
        raise OutputsError(f"{secret_where} holds characters no AWS secret key has; it is not shown here")
    _require_aws_region(values["region"], f"{where}.region")
    if values["replica_region"] is not None:
        _require_aws_region(values["replica_region"], f"{where}.replica_region", replica=True)
    if values["app_id"] != app_id:
        raise OutputsError(
            f"{where}.app_id is '{shorten(values['app_id'])}', expected the key '{shorten(app_id)}'"
        )
    # The one application-id rule, for every command that reads the outputs (check-region and
    # preflight too, which never build a Sendbird client): 'app/../x' or a Cyrillic lookalike is bad
    # input (exit 2), never "not found".
    check_app_id(f"{where}.app_id", app_id)
    _check_object_lock(values, where)
    return AppOutputs(copy_secret_access_key=secret, **values)


def _check_object_lock(values: dict[str, Any], where: str) -> None:
    """Both Object Lock fields or neither, each by its rule: a half-told lock would have the sync
    retain nothing (or in the wrong mode) without a word."""
    mode, period = values.get("object_lock_mode"), values.get("object_lock_period")
    if mode is None and period is None:
        return
    try:
        check_object_lock_mode(f"{where}.object_lock_mode", mode)
        if period is None:
            raise InputError(
                f"{where}.object_lock_period is missing (object_lock_mode is set). Allowed: P<days>D or "
                "P<years>Y beside the mode, or neither field"
            )
        check_object_lock_period(f"{where}.object_lock_period", period)
    except InputError as err:
        raise OutputsError(str(err)) from None


def _field(entry: dict[str, Any], name: str, where: str, required: bool) -> str | None:
    """One public field: a non-empty string of printable characters (None when optional and absent)."""
    value = entry.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise OutputsError(f"{where} is missing or empty")
        return None
    if not isinstance(value, str):
        raise OutputsError(f"{where} is {type_name(value)}, not a string")
    if has_control_characters(value):
        raise OutputsError(f"{where} '{shorten(value)}' contains control characters")
    return value.strip()


def _require_aws_region(value: str, where: str, replica: bool = False) -> None:
    """The region is sent to Sendbird's copy API (and S3) as-is: an AWS region code, never a key. A
    replica's may be any AWS region (only the owner reads it), so its message names no Sendbird list."""
    if is_aws_region(value):
        return
    sendbird = SENDBIRD_REGIONS.get(value)
    key_hint = f" ('{value}' is the Sendbird key of {sendbird.aws_region})" if sendbird else ""
    regions = ", ".join(sorted(SENDBIRD_AWS_REGIONS))
    which = "the replica bucket (any AWS region)" if replica else f"the bucket (Sendbird runs in {regions})"
    raise OutputsError(
        f"{where} is '{shorten(value)}', not an AWS region code known to botocore: use the AWS region of "
        f"{which}, not a Sendbird region key{key_hint}"
    )
