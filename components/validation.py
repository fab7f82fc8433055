"""Pure checks of RecordingStorage's inputs. Each error names the input, the value and what is allowed.

The argument types (``components.args``) run them in ``__post_init__``, so a bad value fails at
construction, before any resource is registered: ``pulumi preview`` stops with one clear message.
The checks take plain values (duck-typed objects for retention and the upload role) and never import
the argument types or Pulumi. A value that is not known yet (a pulumi Output) reaches them as
``PENDING``: every check that needs it is skipped, and ``components.args`` runs the same checks again
on the resolved value. Input names in messages are relative to the arguments (``app_id``,
``retention.transition_days``); ``InputError.relocated`` moves them under a config key
(``applications[1].``) without rerunning any check.

Messages show a value as written (``shown``: a string, number, list or mapping of those) and any
other object only by its type, never by an object repr.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
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

    def redacted(self, value: Any) -> InputError:
        """The same error with ``value`` (as ``shown`` shows it) replaced by ``[secret]``."""
        text = shown(value)
        return InputError(*(p if isinstance(p, Input) else p.replace(text, "[secret]") for p in self.parts))


class _Pending:
    """A value not known yet (a pulumi Output); the checks that need it wait until it resolves."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Any = _Pending()
# Appended to "Allowed: ..." for the arguments that also take a pulumi Output.
STRING_OR_OUTPUT = " (a string, or a pulumi Output of one)"
NUMBER_OR_OUTPUT = " (a whole number, or a pulumi Output of one)"
_SHOWN_MAX = 120


def _is_plain(value: Any) -> bool:
    """A value as config or a literal gives it: str, number, bool, None, or a list/mapping of those."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def shown(value: Any) -> str:
    """``value`` for an error message: as written when plain (shortened), else only its type."""
    if not _is_plain(value):
        kind = type(value).__name__
        return f"(a{'n' if kind[:1].lower() in 'aeiou' else ''} {kind})"
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 3] + "..."


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
MAX_TAG_VALUE = 256
# The tags RecordingStorage puts on every taggable resource (components.naming.default_tags); a
# caller's tag may not use these keys, in any case.
COMPONENT_TAG_KEYS = ("ManagedBy", "Component", "SendbirdAppId")

# S3 reserves these for its own kinds of bucket (access points, directory buckets, ...).
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
_KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+")
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
        raise InputError(Input(input_name), f" {shown(value)} is not a boolean. Allowed: true or false")
    return value


def check_str(value: Any, input_name: str, allowed: str, outputs: bool = False) -> str:
    """``value`` if it is a string; ``outputs``: the argument also takes a pulumi Output (say so)."""
    if not isinstance(value, str):
        also = STRING_OR_OUTPUT if outputs else ""
        raise InputError(Input(input_name), f" {shown(value)} is not a string. Allowed: {allowed}{also}")
    return value


def check_days(
    value: Any, input_name: str, low: int = 1, high: int | None = None, outputs: bool = False
) -> int:
    allowed = f"a whole number of days from {low} to {high}" if high else f"a whole number of days >= {low}"
    if not _is_int(value):  # bool is an int in Python, but `true` is no number of days
        also = NUMBER_OR_OUTPUT if outputs else ""
        raise InputError(
            Input(input_name), f" {shown(value)} is not a whole number. Allowed: {allowed}{also}"
        )
    if value < low or (high is not None and value > high):
        raise InputError(Input(input_name), f" {value!r} is out of range. Allowed: {allowed}")
    return int(value)


def check_app_id(value: Any, input_name: str = "app_id") -> str:
    """The one application-id rule (``sendbird_copy.sendbird_facts``), shared with the API client."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InputError(Input(input_name), " is missing. Allowed: the Sendbird application id (a UUID)")
    if not is_valid_app_id(value):
        raise InputError(
            Input(input_name), f" {shown(value)} is not a Sendbird application id. Allowed: {APP_ID_ALLOWED}"
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
    if not _BUCKET_CHARS.fullmatch(value):
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
    check_str(value, input_name, allowed, outputs=True)
    problem = _bucket_name_problem(value)
    if problem:
        raise InputError(
            Input(input_name), f" {shown(value)} is not a valid bucket name: it {problem}. Allowed: {allowed}"
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
            f" {shown(storage_class)} is not a transition target. Allowed: {allowed}",
        )
    if retention.transition_days is None:
        raise InputError(
            Input(f"{prefix}transition_storage_class"),
            f" {shown(storage_class)} is set without ",
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
    check_days(transition, f"{prefix}transition_days", outputs=True)


def _known(*values: Any) -> bool:
    """Whether every value is known: given (not None) and not ``PENDING``."""
    return all(v is not None and v is not PENDING for v in values)


def check_retention(retention: Any, prefix: str = "retention.") -> Any:
    """Check a Retention (anything with its attributes); ``prefix`` names it (``retention.``).

    A ``PENDING`` day count skips the checks that need it: its own, and the ones across fields
    (expiration after transition; the storage class's minimum transition age). A pending
    ``transition_days`` still counts as set for the storage class.
    """
    abort = retention.abort_incomplete_multipart_days
    if abort is not PENDING:
        check_days(
            abort, f"{prefix}abort_incomplete_multipart_days", 1, MAX_ABORT_INCOMPLETE_MULTIPART_DAYS, True
        )
    if retention.noncurrent_expiration_days is not PENDING:
        check_days(retention.noncurrent_expiration_days, f"{prefix}noncurrent_expiration_days", outputs=True)
    storage_class = _check_storage_class(retention, prefix)
    transition, expiration = retention.transition_days, retention.expiration_days
    if _known(transition):
        _check_transition_days(transition, storage_class, prefix)
    if _known(expiration):
        check_days(expiration, f"{prefix}expiration_days", outputs=True)
    if _known(transition, expiration) and expiration <= transition:
        raise InputError(
            Input(f"{prefix}expiration_days"),
            f" {expiration} contradicts ",
            Input(f"{prefix}transition_days"),
            f" {transition}: recordings would expire before they move. Allowed: expiration_days greater "
            f"than transition_days, or no transition",
        )
    return retention


def check_regional_arn(
    value: Any, input_name: str, pattern: re.Pattern[str], what: str, region: str, why: str
) -> str:
    """``value`` if it is an ARN matching ``pattern`` (``what`` it should be) in ``region``; ``why``
    says why the region must match."""
    allowed = f"{what} in the application's region {region}"
    if not isinstance(value, str):
        raise InputError(
            Input(input_name), f" {shown(value)} is not a string. Allowed: {allowed}{STRING_OR_OUTPUT}"
        )
    if not pattern.fullmatch(value):  # fullmatch: "$" would let a trailing line break through
        raise InputError(Input(input_name), f" {shown(value)} is not {what}. Allowed: {allowed}")
    arn_region = region_from_arn(value)
    if arn_region != region:
        raise InputError(
            Input(input_name),
            f" {shown(value)} is in {arn_region}, but the application's region is {region}: {why}. "
            f"Allowed: {allowed}",
        )
    return value


def check_kms_key_arn(value: Any, aws_region: str, input_name: str = "kms_key_arn") -> str:
    what = f"a KMS key ARN (arn:aws:kms:{aws_region}:<account>:key/<key id>)"
    why = "S3 can only use a KMS key from the bucket's own region"
    return check_regional_arn(value, input_name, _KMS_KEY_ARN, what, aws_region, why)


def _check_tag_key(key: Any, input_name: str) -> None:
    if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
        raise InputError(
            Input(input_name),
            f" key {shown(key)} is invalid. Allowed: a string of 1-128 characters, not starting with 'aws:'",
        )
    ours = next((k for k in COMPONENT_TAG_KEYS if k.lower() == key.lower()), None)
    if ours is not None:
        raise InputError(
            Input(f"{input_name}.{key}"),
            f" uses the key of the component's own tag {ours} (tag keys are compared ignoring case, as "
            f"IAM does for users and roles). Allowed: any other key; the component sets "
            f"{', '.join(COMPONENT_TAG_KEYS)} on every resource itself",
        )


def check_tag_value(key: str, value: Any, input_name: str = "tags") -> str:
    """One tag's value (the key checked already); named ``<input_name>.<key>``."""
    if not isinstance(value, str) or len(value) > MAX_TAG_VALUE:
        problem = "is not a string" if not isinstance(value, str) else "is too long"
        raise InputError(
            Input(f"{input_name}.{key}"),
            f" {shown(value)} is invalid: it {problem}. Allowed: a string of at most {MAX_TAG_VALUE} "
            f"characters, or a pulumi Output of one (quote numbers and booleans in YAML)",
        )
    return value


def check_tags(tags: Any, input_name: str = "tags") -> Mapping[str, Any]:
    """Keys and count now; each value unless it is ``PENDING`` (``check_tag_value`` checks it later).

    Keys are compared ignoring case, both with the component's own keys and with each other: IAM
    keeps one tag per key regardless of case on users and roles, so a second spelling would replace
    the first there (and split it in two on S3 and KMS).
    """
    if not isinstance(tags, Mapping):
        raise InputError(
            Input(input_name),
            f" {shown(tags)} is not a mapping. Allowed: string keys to string values (or pulumi Outputs)",
        )
    limit = MAX_TAGS - len(COMPONENT_TAG_KEYS)
    if len(tags) > limit:
        raise InputError(Input(input_name), f" has {len(tags)} tags. Allowed: at most {limit}")
    seen: dict[str, str] = {}
    for key, value in tags.items():
        _check_tag_key(key, input_name)
        first = seen.setdefault(key.lower(), key)
        if first != key:
            raise InputError(
                Input(f"{input_name}.{key}"),
                " and ",
                Input(f"{input_name}.{first}"),
                " differ only in case. Allowed: one of them (IAM would keep only one)",
            )
        if value is not PENDING:
            check_tag_value(key, value, input_name)
    return tags


def check_sendbird_principal(value: Any, input_name: str = "upload_role.sendbird_principal") -> str:
    if not isinstance(value, str) or not (
        _ACCOUNT_ID.fullmatch(value) or _IAM_PRINCIPAL_ARN.fullmatch(value)
    ):
        raise InputError(
            Input(input_name),
            f" {shown(value)} is not an AWS principal. Allowed: Sendbird's 12-digit AWS account id or an "
            f"IAM principal ARN (arn:aws:iam::<account>:root|role/...){STRING_OR_OUTPUT}",
        )
    return value


def check_external_id(value: Any, input_name: str = "upload_role.external_id") -> str:
    allowed = (
        "2-1224 characters from letters, digits and +=,.@:/-_ (the value Sendbird sends with AssumeRole)"
    )
    external_id = check_str(value, input_name, allowed, outputs=True)
    if not _EXTERNAL_ID.fullmatch(external_id):
        raise InputError(Input(input_name), f" {shown(external_id)} is invalid. Allowed: {allowed}")
    return external_id


def check_upload_role(role: Any, prefix: str = "upload_role.") -> Any:
    """Check an UploadRole (anything with its attributes); ``prefix`` names it (``upload_role.``).
    A ``PENDING`` field is skipped (checked when it resolves)."""
    if role.sendbird_principal is not PENDING:
        check_sendbird_principal(role.sendbird_principal, f"{prefix}sendbird_principal")
    if role.external_id is not PENDING:
        check_external_id(role.external_id, f"{prefix}external_id")
    return role


def check_component_call(component: str, name: Any, args: Any, args_type: type) -> None:
    """A component's name and args, before it registers anything (what the args cannot check)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{component} name {name!r} is empty. Allowed: a non-empty string")
    if not isinstance(args, args_type):
        raise InputError(
            f"{component} '{name}': args must be a {args_type.__name__}, got {type(args).__name__}"
        )
