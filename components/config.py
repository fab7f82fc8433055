"""Pure parsing of the stack config (namespace ``sendbird-recordings``) into RecordingStorageArgs.

Stack-wide settings apply to every application; an application may override any of them
(``retention`` and ``tags`` merge key by key, everything else replaces). Unknown keys are errors, so a
typo such as ``expiraton_days`` fails preview instead of silently keeping a default. Every error names
the config key it came from (``applications[1].bucket_name``, ``retention.transition_days``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .args import (
    DEFAULT_KMS_DELETION_WINDOW_DAYS,
    RecordingStorageArgs,
    Retention,
    UploadRole,
)
from .validation import (
    KMS_DELETION_WINDOW_RANGE,
    InputError,
    check_app_id,
    check_bool,
    check_bucket_name,
    check_days,
    check_kms_key_arn,
    check_region,
    check_retention,
    check_tags,
    check_upload_role,
    validate_args,
)

NAMESPACE = "sendbird-recordings"

# Settings allowed stack-wide and per application.
SHARED_KEYS = (
    "force_destroy",
    "protect",
    "retention",
    "kms_deletion_window_days",
    "kms_key_arn",
    "tags",
    "upload_role",
)
STACK_KEYS = ("applications", *SHARED_KEYS)
APPLICATION_KEYS = ("app_id", "region", "bucket_name", *SHARED_KEYS)
RETENTION_KEYS = tuple(Retention.__dataclass_fields__)
UPLOAD_ROLE_KEYS = tuple(UploadRole.__dataclass_fields__)


def resource_name(app_id: str) -> str:
    """The RecordingStorage name ``__main__`` gives an application: its id, lowercased (a UUID is 36
    characters, so the generated bucket prefix and IAM names stay within AWS's length limits)."""
    return app_id.lower()


def _check_keys(obj: Any, allowed: tuple[str, ...], input_name: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise InputError(f"{input_name} {obj!r} is not an object. Allowed keys: {', '.join(allowed)}")
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        raise InputError(
            f"{input_name} has unknown key(s) {', '.join(unknown)}. Allowed keys: {', '.join(allowed)}"
        )
    return obj


def _retention_fields(value: Any, prefix: str) -> dict[str, Any]:
    fields = dict(_check_keys(value, RETENTION_KEYS, prefix.rstrip(".")))
    if "transition_storage_class" in fields and fields.get("transition_days") is None:
        raise InputError(
            f"{prefix}transition_storage_class {fields['transition_storage_class']!r} is set without "
            f"{prefix}transition_days. Allowed: set transition_days too, or drop the storage class"
        )
    return fields


def _upload_role(value: Any, prefix: str) -> UploadRole:
    fields = _check_keys(value, UPLOAD_ROLE_KEYS, prefix.rstrip("."))
    missing = [k for k in UPLOAD_ROLE_KEYS if not fields.get(k)]
    if missing:
        raise InputError(
            f"{prefix}{missing[0]} is missing: sendbird_principal and external_id are required together "
            f"(Sendbird's AWS account id or principal ARN, and the external id it sends)"
        )
    return check_upload_role(UploadRole(**fields), prefix)


class _Stack:
    """The stack-wide values, each checked once under its own config key."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.force_destroy = check_bool(raw.get("force_destroy", False), "force_destroy")
        self.protect = check_bool(raw.get("protect", False), "protect")
        self.retention = _retention_fields(raw.get("retention", {}), "retention.")
        check_retention(Retention(**self.retention), "retention.")
        self.kms_deletion_window_days = check_days(
            raw.get("kms_deletion_window_days", DEFAULT_KMS_DELETION_WINDOW_DAYS),
            "kms_deletion_window_days",
            *KMS_DELETION_WINDOW_RANGE,
        )
        self.kms_key_arn: str | None = raw.get("kms_key_arn")
        self.tags = check_tags(raw.get("tags", {}), "tags")
        upload = raw.get("upload_role")
        self.upload_role = None if upload is None else _upload_role(upload, "upload_role.")


def _application(raw: Any, index: int, stack: _Stack) -> RecordingStorageArgs:
    where = f"applications[{index}]."
    app = _check_keys(raw, APPLICATION_KEYS, where.rstrip("."))
    app_id = check_app_id(app.get("app_id"), f"{where}app_id")
    aws_region = check_region(app.get("region"), f"{where}region")
    bucket_name = app.get("bucket_name")
    if bucket_name is not None:
        check_bucket_name(bucket_name, f"{where}bucket_name")

    retention_prefix = f"{where}retention." if "retention" in app else "retention."
    retention = Retention(
        **{**stack.retention, **_retention_fields(app.get("retention", {}), retention_prefix)}
    )
    check_retention(retention, retention_prefix)

    if "kms_key_arn" in app:
        kms_key_arn, key_input = app["kms_key_arn"], f"{where}kms_key_arn"
    else:
        kms_key_arn, key_input = (
            stack.kms_key_arn,
            f"kms_key_arn (stack-wide, used by {where}app_id {app_id})",
        )
    if kms_key_arn is not None:
        check_kms_key_arn(kms_key_arn, aws_region, key_input)

    upload_role = stack.upload_role
    if "upload_role" in app:
        upload_role = (
            None if app["upload_role"] is None else _upload_role(app["upload_role"], f"{where}upload_role.")
        )

    args = RecordingStorageArgs(
        app_id=app_id,
        region=app["region"],
        bucket_name=bucket_name,
        retention=retention,
        force_destroy=check_bool(app.get("force_destroy", stack.force_destroy), f"{where}force_destroy"),
        protect=check_bool(app.get("protect", stack.protect), f"{where}protect"),
        kms_deletion_window_days=check_days(
            app.get("kms_deletion_window_days", stack.kms_deletion_window_days),
            f"{where}kms_deletion_window_days",
            *KMS_DELETION_WINDOW_RANGE,
        ),
        kms_key_arn=kms_key_arn,
        tags={**stack.tags, **check_tags(app.get("tags", {}), f"{where}tags")},
        upload_role=upload_role,
    )
    validate_args(args, where)  # the component's own checks, for anything not covered above
    return args


def parse_stack_config(raw: Mapping[str, Any]) -> list[RecordingStorageArgs]:
    """All applications of a stack, fully validated, or InputError naming the offending key."""
    _check_keys(raw, STACK_KEYS, f"config namespace '{NAMESPACE}'")
    applications = raw.get("applications")
    if not isinstance(applications, list) or not applications:
        raise InputError(
            f"applications is missing or empty (got {applications!r}). Allowed: a list of objects, each "
            f"with app_id and region, e.g. [{{app_id: <Sendbird app id>, region: ap-2}}]"
        )
    stack = _Stack(raw)
    parsed = [_application(app, i, stack) for i, app in enumerate(applications)]

    seen_ids: dict[str, int] = {}
    seen_buckets: dict[str, int] = {}
    for i, args in enumerate(parsed):
        # Case-insensitive: the id is a host name, and the resource names derive from it lowercased.
        first = seen_ids.setdefault(args.app_id.lower(), i)
        if first != i:
            raise InputError(
                f"applications[{i}].app_id '{args.app_id}' duplicates applications[{first}].app_id. "
                f"Allowed: each Sendbird application once per stack"
            )
        if args.bucket_name is not None:
            first = seen_buckets.setdefault(args.bucket_name, i)
            if first != i:
                raise InputError(
                    f"applications[{i}].bucket_name '{args.bucket_name}' is also applications[{first}]"
                    f".bucket_name. Allowed: one bucket per application (bucket names are global)"
                )
    return parsed
