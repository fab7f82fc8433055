"""Pure checks of RecordingStorage's inputs. Each error names the input, the value and what is allowed.

They run before any resource is registered, so bad input fails ``pulumi preview`` with one clear
message. ``prefix`` names where the value came from (``applications[1].`` for stack config, empty for
a direct ``RecordingStorage(...)``) so the message points at the exact input.
"""

from __future__ import annotations

import re
from typing import Any

from sendbird_copy.regions import RegionError, region_from_arn, resolve_region

from .args import MAX_ABORT_INCOMPLETE_MULTIPART_DAYS, RecordingStorageArgs, Retention, UploadRole


class InputError(ValueError):
    """An input RecordingStorage cannot use; the message names the input, the value and the fix."""


# Storage classes a lifecycle transition may target, with the minimum age S3 accepts (days).
TRANSITION_STORAGE_CLASSES: dict[str, int] = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "INTELLIGENT_TIERING": 1,
    "GLACIER_IR": 1,
    "GLACIER": 1,
    "DEEP_ARCHIVE": 1,
}
KMS_DELETION_WINDOW_RANGE = (7, 30)
MAX_TAGS = 50  # S3, KMS and IAM all allow 50 tags per resource
_RESERVED_TAGS = 3  # the tags every resource gets (components.naming.default_tags)

# The app id becomes part of a host name (api-{app_id}.calls.sendbird.com): one DNS label.
_APP_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,57}[A-Za-z0-9])?$")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(?:root|(?:user|role|assumed-role)/\S+)$"
)
# STS: 2-1224 characters from this set.
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# Config arrives as YAML/JSON, so any value may have any type: check the type before using the value
# (a list where a string belongs would otherwise fail deep inside as "unhashable type").


def check_bool(value: Any, input_name: str) -> bool:
    if not isinstance(value, bool):
        raise InputError(f"{input_name} {value!r} is not a boolean. Allowed: true or false")
    return value


def check_str(value: Any, input_name: str, allowed: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{input_name} {value!r} is not a string. Allowed: {allowed}")
    return value


def check_days(value: Any, input_name: str, low: int = 1, high: int | None = None) -> int:
    allowed = f"a whole number of days from {low} to {high}" if high else f"a whole number of days >= {low}"
    if not _is_int(value):  # bool is an int in Python, but `true` is no number of days
        raise InputError(f"{input_name} {value!r} is not a whole number. Allowed: {allowed}")
    if value < low or (high is not None and value > high):
        raise InputError(f"{input_name} {value!r} is out of range. Allowed: {allowed}")
    return int(value)


def check_app_id(value: Any, input_name: str = "app_id") -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(f"{input_name} is missing. Allowed: the Sendbird application id (a UUID)")
    if not isinstance(value, str) or not _APP_ID.match(value):
        raise InputError(
            f"{input_name} {value!r} is not a Sendbird application id. Allowed: letters, digits and "
            f"hyphens, at most 59 characters (it becomes part of the API host name)"
        )
    return value


def check_region(value: Any, input_name: str = "region") -> str:
    """The AWS region for ``value`` (an AWS region code or a Sendbird region key)."""
    if value is not None:
        check_str(value, input_name, "a Sendbird region key (ap-2) or an AWS region code (ap-northeast-2)")
    try:
        return resolve_region(value or "", input_name)
    except RegionError as exc:
        raise InputError(str(exc)) from exc


def check_bucket_name(value: Any, input_name: str = "bucket_name") -> str:
    """S3's general-purpose bucket rules, minus dots.

    Dots are refused: the policy demands TLS, and S3's wildcard certificate (*.s3.<region>.amazonaws.com)
    does not match a virtual-hosted name with a dot in it, so clients would fail certificate checks.
    """
    allowed = (
        "3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter "
        "or digit; no dots (TLS certificates for virtual-hosted URLs do not cover dotted names); not "
        f"starting with {', '.join(_RESERVED_BUCKET_PREFIXES)}; not ending with "
        f"{', '.join(_RESERVED_BUCKET_SUFFIXES)}"
    )
    if not isinstance(value, str):
        raise InputError(f"{input_name} {value!r} is not a string. Allowed: {allowed}")
    problem = None
    if not 3 <= len(value) <= 63:
        problem = f"is {len(value)} characters long"
    elif "." in value:
        problem = "contains a dot"
    elif not _BUCKET_CHARS.match(value):
        problem = (
            "has a character other than a-z, 0-9 or '-', or does not start and end with a letter or digit"
        )
    elif value.startswith(_RESERVED_BUCKET_PREFIXES):
        problem = "starts with a prefix S3 reserves"
    elif value.endswith(_RESERVED_BUCKET_SUFFIXES):
        problem = "ends with a suffix S3 reserves"
    if problem:
        raise InputError(
            f"{input_name} '{value}' is not a valid bucket name: it {problem}. Allowed: {allowed}"
        )
    return value


def check_retention(retention: Any, prefix: str = "retention.") -> Retention:
    if not isinstance(retention, Retention):
        raise InputError(f"{prefix.rstrip('.')} {retention!r} is not a Retention")
    check_days(
        retention.abort_incomplete_multipart_days,
        f"{prefix}abort_incomplete_multipart_days",
        1,
        MAX_ABORT_INCOMPLETE_MULTIPART_DAYS,
    )
    check_days(retention.noncurrent_expiration_days, f"{prefix}noncurrent_expiration_days")
    storage_class = check_str(
        retention.transition_storage_class,
        f"{prefix}transition_storage_class",
        ", ".join(TRANSITION_STORAGE_CLASSES),
    )
    if storage_class not in TRANSITION_STORAGE_CLASSES:
        raise InputError(
            f"{prefix}transition_storage_class {storage_class!r} is not a transition target. "
            f"Allowed: {', '.join(TRANSITION_STORAGE_CLASSES)}"
        )
    transition = retention.transition_days
    expiration = retention.expiration_days
    if transition is not None:
        minimum = TRANSITION_STORAGE_CLASSES[storage_class]
        if _is_int(transition) and 1 <= transition < minimum:
            raise InputError(
                f"{prefix}transition_days {transition} is too early for {storage_class}: S3 moves "
                f"objects there only after {minimum} days. Allowed: {minimum} or more, or another "
                f"transition_storage_class"
            )
        check_days(transition, f"{prefix}transition_days")
    if expiration is not None:
        check_days(expiration, f"{prefix}expiration_days")
    if transition is not None and expiration is not None and expiration <= transition:
        raise InputError(
            f"{prefix}expiration_days {expiration} contradicts {prefix}transition_days {transition}: "
            f"recordings would expire before they move. Allowed: expiration_days greater than "
            f"transition_days, or no transition"
        )
    return retention


def check_kms_key_arn(value: Any, aws_region: str, input_name: str = "kms_key_arn") -> str:
    allowed = f"a KMS key ARN (arn:aws:kms:{aws_region}:<account>:key/<key id>) in the application's region"
    if not isinstance(value, str) or not _KMS_KEY_ARN.match(value):
        raise InputError(f"{input_name} {value!r} is not a KMS key ARN. Allowed: {allowed}")
    key_region = region_from_arn(value)
    if key_region != aws_region:
        raise InputError(
            f"{input_name} '{value}' is in {key_region}, but the application's region is {aws_region}: "
            f"S3 can only use a KMS key from the bucket's own region. Allowed: {allowed}"
        )
    return value


def check_tags(tags: Any, input_name: str = "tags") -> dict[str, str]:
    if not isinstance(tags, dict):
        raise InputError(f"{input_name} {tags!r} is not a mapping. Allowed: string keys to string values")
    limit = MAX_TAGS - _RESERVED_TAGS
    if len(tags) > limit:
        raise InputError(f"{input_name} has {len(tags)} tags. Allowed: at most {limit}")
    for key, value in tags.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            raise InputError(
                f"{input_name} key {key!r} is invalid. Allowed: a string of 1-128 characters, not starting "
                f"with 'aws:'"
            )
        problem = "is not a string" if not isinstance(value, str) else "is too long"
        if not isinstance(value, str) or len(value) > 256:
            raise InputError(
                f"{input_name}.{key} {value!r} is invalid: it {problem}. Allowed: a string of at most 256 "
                f"characters (quote numbers and booleans in YAML)"
            )
    return tags


def check_upload_role(role: Any, prefix: str = "upload_role.") -> UploadRole:
    if not isinstance(role, UploadRole):
        raise InputError(f"{prefix.rstrip('.')} {role!r} is not an UploadRole")
    principal = role.sendbird_principal
    if not isinstance(principal, str) or not (
        _ACCOUNT_ID.match(principal) or _IAM_PRINCIPAL_ARN.match(principal)
    ):
        raise InputError(
            f"{prefix}sendbird_principal {principal!r} is not an AWS principal. Allowed: Sendbird's "
            f"12-digit AWS account id or an IAM principal ARN (arn:aws:iam::<account>:root|role/...)"
        )
    allowed = (
        "2-1224 characters from letters, digits and +=,.@:/-_ (the value Sendbird sends with AssumeRole)"
    )
    check_str(role.external_id, f"{prefix}external_id", allowed)
    if not _EXTERNAL_ID.match(role.external_id):
        raise InputError(f"{prefix}external_id {role.external_id!r} is invalid. Allowed: {allowed}")
    return role


def validate_args(args: Any, prefix: str = "") -> str:
    """Check every argument; return the AWS region the resources go to."""
    if not isinstance(args, RecordingStorageArgs):
        raise InputError(f"{prefix or 'args'} must be a RecordingStorageArgs, got {type(args).__name__}")
    check_app_id(args.app_id, f"{prefix}app_id")
    aws_region = check_region(args.region, f"{prefix}region")
    if args.bucket_name is not None:
        check_bucket_name(args.bucket_name, f"{prefix}bucket_name")
    check_retention(args.retention, f"{prefix}retention.")
    check_bool(args.force_destroy, f"{prefix}force_destroy")
    check_bool(args.protect, f"{prefix}protect")
    check_days(args.kms_deletion_window_days, f"{prefix}kms_deletion_window_days", *KMS_DELETION_WINDOW_RANGE)
    if args.kms_key_arn is not None:
        check_kms_key_arn(args.kms_key_arn, aws_region, f"{prefix}kms_key_arn")
    check_tags(args.tags, f"{prefix}tags")
    if args.upload_role is not None:
        check_upload_role(args.upload_role, f"{prefix}upload_role.")
    return aws_region
