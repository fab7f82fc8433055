"""Pure checks of RecordingStorage's inputs. Each error names the input, the value and what is allowed.

The argument types (``components.args``) run them in ``__post_init__``, so a bad value fails at
construction, before any resource is registered: ``pulumi preview`` stops with one clear message.
The checks take plain values (duck-typed objects for retention and the upload role) and never import
the argument types. Input names in messages are relative to the arguments (``app_id``,
``retention.transition_days``); ``InputError.relocated`` moves them under a config key
(``applications[1].``) without rerunning any check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sendbird_copy.regions import RegionError, region_from_arn, resolve_region
from sendbird_copy.sendbird_facts import APP_ID_ALLOWED, is_valid_app_id


class Input(str):
    """The name of an input inside an InputError message (``retention.transition_days``)."""

    __slots__ = ()


class InputError(ValueError):
    """An input RecordingStorage cannot use; the message names the input, the value and the fix.

    Built from parts: plain text, and the input names as ``Input`` (``InputError(Input("app_id"),
    " is missing")``), so ``relocated`` can say where each input came from. ``InputError(message)``
    alone is plain text and names no relocatable input.
    """

    def __init__(self, *parts: str) -> None:
        super().__init__("".join(parts))
        self.parts = parts

    def relocated(self, label: Callable[[str], str]) -> InputError:
        """The same error with each input it names replaced by ``label(name)``."""
        return InputError(*(Input(label(p)) if isinstance(p, Input) else p for p in self.parts))


# Storage classes a lifecycle transition may target, with the minimum age S3 accepts (days).
TRANSITION_STORAGE_CLASSES: dict[str, int] = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "INTELLIGENT_TIERING": 1,
    "GLACIER_IR": 1,
    "GLACIER": 1,
    "DEEP_ARCHIVE": 1,
}
# A transition without a storage class goes here.
DEFAULT_TRANSITION_STORAGE_CLASS = "STANDARD_IA"
MAX_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
KMS_DELETION_WINDOW_RANGE = (7, 30)
MAX_TAGS = 50  # S3, KMS and IAM all allow 50 tags per resource
_RESERVED_TAGS = 3  # the tags every resource gets (components.naming.default_tags)

# S3 reserves these for its own kinds of bucket (access points, directory buckets, ...).
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
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
        raise InputError(Input(input_name), f" {value!r} is not a boolean. Allowed: true or false")
    return value


def check_str(value: Any, input_name: str, allowed: str) -> str:
    if not isinstance(value, str):
        raise InputError(Input(input_name), f" {value!r} is not a string. Allowed: {allowed}")
    return value


def check_days(value: Any, input_name: str, low: int = 1, high: int | None = None) -> int:
    allowed = f"a whole number of days from {low} to {high}" if high else f"a whole number of days >= {low}"
    if not _is_int(value):  # bool is an int in Python, but `true` is no number of days
        raise InputError(Input(input_name), f" {value!r} is not a whole number. Allowed: {allowed}")
    if value < low or (high is not None and value > high):
        raise InputError(Input(input_name), f" {value!r} is out of range. Allowed: {allowed}")
    return int(value)


def check_app_id(value: Any, input_name: str = "app_id") -> str:
    """The one application-id rule (``sendbird_copy.sendbird_facts``), shared with the API client."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(Input(input_name), " is missing. Allowed: the Sendbird application id (a UUID)")
    if not is_valid_app_id(value):
        raise InputError(
            Input(input_name), f" {value!r} is not a Sendbird application id. Allowed: {APP_ID_ALLOWED}"
        )
    return str(value)


def check_region(value: Any, input_name: str = "region") -> str:
    """The AWS region for ``value`` (an AWS region code or a Sendbird region key)."""
    if value is not None:
        check_str(value, input_name, "a Sendbird region key (ap-2) or an AWS region code (ap-northeast-2)")
    try:
        return resolve_region(value or "", input_name)
    except RegionError as exc:
        message = str(exc)  # it starts with the input name
        if message.startswith(input_name):
            raise InputError(Input(input_name), message[len(input_name) :]) from exc
        raise InputError(message) from exc


def _bucket_name_problem(value: str) -> str | None:
    if not 3 <= len(value) <= 63:
        return f"is {len(value)} characters long"
    if "." in value:
        return "contains a dot"
    if not _BUCKET_CHARS.match(value):
        return "has a character other than a-z, 0-9 or '-', or does not start and end with a letter or digit"
    if value.startswith(RESERVED_BUCKET_PREFIXES):
        return "starts with a prefix S3 reserves"
    if value.endswith(RESERVED_BUCKET_SUFFIXES):
        return "ends with a suffix S3 reserves"
    return None


def check_bucket_name(value: Any, input_name: str = "bucket_name") -> str:
    """S3's general-purpose bucket rules, minus dots.

    Dots are refused: the policy demands TLS, and S3's wildcard certificate (*.s3.<region>.amazonaws.com)
    does not match a virtual-hosted name with a dot in it, so clients would fail certificate checks.
    """
    allowed = (
        "3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter "
        "or digit; no dots (TLS certificates for virtual-hosted URLs do not cover dotted names); not "
        f"starting with {', '.join(RESERVED_BUCKET_PREFIXES)}; not ending with "
        f"{', '.join(RESERVED_BUCKET_SUFFIXES)}"
    )
    check_str(value, input_name, allowed)
    problem = _bucket_name_problem(value)
    if problem:
        raise InputError(
            Input(input_name), f" '{value}' is not a valid bucket name: it {problem}. Allowed: {allowed}"
        )
    return str(value)


def _check_storage_class(retention: Any, prefix: str) -> str:
    """The storage class a transition moves to (the default when none is set)."""
    storage_class = retention.transition_storage_class
    if storage_class is None:
        return DEFAULT_TRANSITION_STORAGE_CLASS
    allowed = ", ".join(TRANSITION_STORAGE_CLASSES)
    check_str(storage_class, f"{prefix}transition_storage_class", allowed)
    if storage_class not in TRANSITION_STORAGE_CLASSES:
        raise InputError(
            Input(f"{prefix}transition_storage_class"),
            f" {storage_class!r} is not a transition target. Allowed: {allowed}",
        )
    if retention.transition_days is None:
        raise InputError(
            Input(f"{prefix}transition_storage_class"),
            f" {storage_class!r} is set without ",
            Input(f"{prefix}transition_days"),
            ". Allowed: set transition_days too, or drop the storage class",
        )
    return str(storage_class)


def _check_transition_days(transition: Any, storage_class: str, prefix: str) -> None:
    minimum = TRANSITION_STORAGE_CLASSES[storage_class]
    if _is_int(transition) and 1 <= transition < minimum:
        raise InputError(
            Input(f"{prefix}transition_days"),
            f" {transition} is too early for {storage_class}: S3 moves objects there only after "
            f"{minimum} days. Allowed: {minimum} or more, or another transition_storage_class",
        )
    check_days(transition, f"{prefix}transition_days")


def check_retention(retention: Any, prefix: str = "retention.") -> Any:
    """Check a Retention (anything with its attributes); ``prefix`` names it (``retention.``)."""
    check_days(
        retention.abort_incomplete_multipart_days,
        f"{prefix}abort_incomplete_multipart_days",
        1,
        MAX_ABORT_INCOMPLETE_MULTIPART_DAYS,
    )
    check_days(retention.noncurrent_expiration_days, f"{prefix}noncurrent_expiration_days")
    storage_class = _check_storage_class(retention, prefix)
    transition, expiration = retention.transition_days, retention.expiration_days
    if transition is not None:
        _check_transition_days(transition, storage_class, prefix)
    if expiration is not None:
        check_days(expiration, f"{prefix}expiration_days")
    if transition is not None and expiration is not None and expiration <= transition:
        raise InputError(
            Input(f"{prefix}expiration_days"),
            f" {expiration} contradicts ",
            Input(f"{prefix}transition_days"),
            f" {transition}: recordings would expire before they move. Allowed: expiration_days greater "
            f"than transition_days, or no transition",
        )
    return retention


def check_kms_key_arn(value: Any, aws_region: str, input_name: str = "kms_key_arn") -> str:
    allowed = f"a KMS key ARN (arn:aws:kms:{aws_region}:<account>:key/<key id>) in the application's region"
    if not isinstance(value, str) or not _KMS_KEY_ARN.match(value):
        raise InputError(Input(input_name), f" {value!r} is not a KMS key ARN. Allowed: {allowed}")
    key_region = region_from_arn(value)
    if key_region != aws_region:
        raise InputError(
            Input(input_name),
            f" '{value}' is in {key_region}, but the application's region is {aws_region}: S3 can only "
            f"use a KMS key from the bucket's own region. Allowed: {allowed}",
        )
    return value


def _check_tag(key: Any, value: Any, input_name: str) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
        raise InputError(
            Input(input_name),
            f" key {key!r} is invalid. Allowed: a string of 1-128 characters, not starting with 'aws:'",
        )
    if not isinstance(value, str) or len(value) > 256:
        problem = "is not a string" if not isinstance(value, str) else "is too long"
        raise InputError(
            Input(f"{input_name}.{key}"),
            f" {value!r} is invalid: it {problem}. Allowed: a string of at most 256 characters (quote "
            f"numbers and booleans in YAML)",
        )


def check_tags(tags: Any, input_name: str = "tags") -> dict[str, str]:
    if not isinstance(tags, dict):
        raise InputError(
            Input(input_name), f" {tags!r} is not a mapping. Allowed: string keys to string values"
        )
    limit = MAX_TAGS - _RESERVED_TAGS
    if len(tags) > limit:
        raise InputError(Input(input_name), f" has {len(tags)} tags. Allowed: at most {limit}")
    for key, value in tags.items():
        _check_tag(key, value, input_name)
    return tags


def check_upload_role(role: Any, prefix: str = "upload_role.") -> Any:
    """Check an UploadRole (anything with its attributes); ``prefix`` names it (``upload_role.``)."""
    principal = role.sendbird_principal
    if not isinstance(principal, str) or not (
        _ACCOUNT_ID.match(principal) or _IAM_PRINCIPAL_ARN.match(principal)
    ):
        raise InputError(
            Input(f"{prefix}sendbird_principal"),
            f" {principal!r} is not an AWS principal. Allowed: Sendbird's 12-digit AWS account id or an "
            f"IAM principal ARN (arn:aws:iam::<account>:root|role/...)",
        )
    allowed = (
        "2-1224 characters from letters, digits and +=,.@:/-_ (the value Sendbird sends with AssumeRole)"
    )
    external_id = check_str(role.external_id, f"{prefix}external_id", allowed)
    if not _EXTERNAL_ID.match(external_id):
        raise InputError(Input(f"{prefix}external_id"), f" {external_id!r} is invalid. Allowed: {allowed}")
    return role
