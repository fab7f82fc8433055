"""RecordingStorage's arguments: the bucket's retention (lifecycle), the KMS key's deletion window,
the tags, and the upload role Sendbird may assume; the component's defaults for them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sendbird_copy.errors import Input, InputError
from sendbird_copy.facts import RECORDING_RETENTION
from sendbird_copy.redact import shown
from sendbird_copy.rules.values import PENDING, STRING_OR_OUTPUT, _is_int, _refuse, check_days, check_str

# -- RecordingStorage: retention, key window, tags, the upload role -------------------------------
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
DEFAULT_NONCURRENT_EXPIRATION_DAYS = 30
# Intelligent-Tiering's opt-in archive tiers (BucketIntelligentTieringConfiguration): the days without
# access before an object moves there, as S3 bounds them.
INTELLIGENT_TIERING = "INTELLIGENT_TIERING"
ARCHIVE_ACCESS_DAYS = (90, 730)
DEEP_ARCHIVE_ACCESS_DAYS = (180, 730)
# Sendbird writes in 5 MB parts; a failed copy leaves parts that are billed until aborted.
DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
MAX_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
DEFAULT_KMS_DELETION_WINDOW_DAYS = 30
KMS_DELETION_WINDOW_RANGE = (7, 30)
# The shortest expiration the bucket may apply: Sendbird's own two weeks (a copy is made after the
# recording's upload, so at 14 days after the copy Sendbird no longer holds it). A transition needs no
# floor: the sync only lists recordings and reads their metadata (HeadObject), which work in every
# storage class, and the tool's own objects are never under the recordings' rules (TOOL_OBJECT_MAX_BYTES).
MIN_EXPIRATION_DAYS = RECORDING_RETENTION.days
# S3's lifecycle Days is a 32-bit integer: a larger value would pass here and fail at deploy time.
MAX_LIFECYCLE_DAYS = 2**31 - 1
# How long S3 server access logs are kept in the log bucket the component creates.
DEFAULT_ACCESS_LOG_DAYS = 90
MAX_TAGS = 50  # S3, KMS and IAM all allow 50 tags per resource
MAX_TAG_VALUE = 256
# The tags RecordingStorage puts on every taggable resource (components.naming.default_tags); a
# caller's tag may not use these keys, in any case.
COMPONENT_TAG_KEYS = ("ManagedBy", "Component", "SendbirdAppId")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_IAM_PRINCIPAL_ARN = re.compile(
    r"^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(?:root|(?:user|role|assumed-role)/\S+)$"
)
# STS: 2-1224 characters from this set.
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")


def check_kms_deletion_window_days(name: str, value: Any) -> int:
    return check_days(name, value, *KMS_DELETION_WINDOW_RANGE)


def _check_storage_class(prefix: str, retention: Any) -> str:
    """The storage class a transition moves to (the default when none is set)."""
    storage_class = retention.transition_storage_class
    if storage_class is None:
        return DEFAULT_TRANSITION_STORAGE_CLASS
    allowed = ", ".join(TRANSITION_STORAGE_CLASSES)
    check_str(f"{prefix}transition_storage_class", storage_class, allowed)
    if storage_class not in TRANSITION_STORAGE_CLASSES:
        raise _refuse(
            f"{prefix}transition_storage_class",
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


def _check_transition_days(prefix: str, transition: Any, storage_class: str) -> None:
    minimum = TRANSITION_STORAGE_CLASSES[storage_class]
    if _is_int(transition) and 1 <= transition < minimum:
        raise _refuse(
            f"{prefix}transition_days",
            f" {transition} is too early for {storage_class}: S3 moves objects there only after "
            f"{minimum} days. Allowed: {minimum} or more, or another transition_storage_class",
        )
    check_days(f"{prefix}transition_days", transition, outputs=True)


def _check_expiration_outlasts_sendbird(prefix: str, expiration: int) -> None:
    if expiration < MIN_EXPIRATION_DAYS:
        raise _refuse(
            f"{prefix}expiration_days",
            f" {expiration} is shorter than Sendbird's own {MIN_EXPIRATION_DAYS} days: the bucket would "
            "delete copied recordings while Sendbird still holds them, and the sync would copy those "
            f"expired recordings again. Allowed: {MIN_EXPIRATION_DAYS} or more, or no expiration_days "
            "(keep recordings)",
        )


def _known(*values: Any) -> bool:
    """Whether every value is known: given (not None) and not ``PENDING``."""
    return all(v is not None and v is not PENDING for v in values)


def check_retention(prefix: str, retention: Any) -> Any:
    """A Retention (anything with its attributes); ``prefix`` names it (``retention.``).

    A ``PENDING`` day count skips the checks that need it: its own, and the ones across fields
    (expiration after transition; the storage class's minimum transition age). A pending
    ``transition_days`` still counts as set for the storage class.
    """
    abort = retention.abort_incomplete_multipart_days
    if abort is not PENDING:
        check_days(
            f"{prefix}abort_incomplete_multipart_days", abort, 1, MAX_ABORT_INCOMPLETE_MULTIPART_DAYS, True
        )
    if retention.noncurrent_expiration_days is not PENDING:
        check_days(f"{prefix}noncurrent_expiration_days", retention.noncurrent_expiration_days, outputs=True)
    storage_class = _check_storage_class(prefix, retention)
    transition, expiration = retention.transition_days, retention.expiration_days
    if _known(transition):
        _check_transition_days(prefix, transition, storage_class)
    if _known(expiration):
        # The floor is Sendbird's two weeks, whatever is wrong (0, -1): say so, not ">= 1".
        if _is_int(expiration):
            _check_expiration_outlasts_sendbird(prefix, expiration)
        check_days(f"{prefix}expiration_days", expiration, MIN_EXPIRATION_DAYS, MAX_LIFECYCLE_DAYS, True)
    if _known(transition, expiration) and expiration <= transition:
        raise InputError(
            Input(f"{prefix}expiration_days"),
            f" {expiration} contradicts ",
            Input(f"{prefix}transition_days"),
            f" {transition}: recordings would expire before they move. Allowed: expiration_days greater "
            f"than transition_days, or no transition",
        )
    _check_archive_tiers(prefix, retention, storage_class)
    return retention


def _check_archive_tiers(prefix: str, retention: Any, storage_class: str) -> None:
    """The Intelligent-Tiering archive tiers: plain day counts in S3's bounds, only with a transition
    to INTELLIGENT_TIERING (they act on objects of that class only), deep archive after archive."""
    archive = getattr(retention, "intelligent_tiering_archive_days", None)
    deep = getattr(retention, "intelligent_tiering_deep_archive_days", None)
    for name, days, bounds in (
        ("intelligent_tiering_archive_days", archive, ARCHIVE_ACCESS_DAYS),
        ("intelligent_tiering_deep_archive_days", deep, DEEP_ARCHIVE_ACCESS_DAYS),
    ):
        if days is None:
            continue
        check_days(f"{prefix}{name}", days, *bounds)
        if retention.transition_days is None or storage_class != INTELLIGENT_TIERING:
            now = "do not move" if retention.transition_days is None else f"move to {storage_class}"
            raise InputError(
                Input(f"{prefix}{name}"),
                f" {days} is set, but recordings {now}: archive tiers act on {INTELLIGENT_TIERING} "
                "objects only. Allowed: transition_days with ",
                Input(f"{prefix}transition_storage_class"),
                f" {INTELLIGENT_TIERING}, or drop {name}",
            )
    if archive is not None and deep is not None and deep <= archive:
        raise InputError(
            Input(f"{prefix}intelligent_tiering_deep_archive_days"),
            f" {deep} is not after ",
            Input(f"{prefix}intelligent_tiering_archive_days"),
            f" {archive}: S3 moves an object to Deep Archive Access only after Archive Access. Allowed: "
            "a greater number of days, or only one of the two",
        )


# S3, KMS and IAM accept these characters in tag keys and values (moto accepts more, so only this
# rule stops a '#' or '|' before `pulumi up` fails on AWS).
TAG_SYMBOLS = "_.:/=+-@"
TAG_CHARACTERS_ALLOWED = f"Unicode letters, digits, spaces and {' '.join(TAG_SYMBOLS)}"
MAX_TAG_KEY = 128


def _tag_text_ok(text: str) -> bool:
    """AWS's ``[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*``: letters, separators (spaces), numbers, symbols."""
    from unicodedata import category

    return all(ch.isalnum() or ch in TAG_SYMBOLS or category(ch).startswith("Z") for ch in text)


def _check_tag_key(name: str, key: Any) -> None:
    allowed = f"a string of 1-{MAX_TAG_KEY} characters of {TAG_CHARACTERS_ALLOWED}, not starting with 'aws:'"
    if (
        not isinstance(key, str)
        or not 1 <= len(key) <= MAX_TAG_KEY
        or key.lower().startswith("aws:")
        or not _tag_text_ok(key)
    ):
        raise _refuse(name, f" key {shown(key)} is invalid. Allowed: {allowed}")
    ours = next((k for k in COMPONENT_TAG_KEYS if k.lower() == key.lower()), None)
    if ours is not None:
        raise _refuse(
            f"{name}.{key}",
            f" uses the key of the component's own tag {ours} (tag keys are compared ignoring case, as "
            f"IAM does for users and roles). Allowed: any other key; the component sets "
            f"{', '.join(COMPONENT_TAG_KEYS)} on every resource itself",
        )


def check_tag_value(name: str, key: str, value: Any) -> str:
    """One tag's value (the key checked already); named ``<name>.<key>``."""
    if not isinstance(value, str) or len(value) > MAX_TAG_VALUE or not _tag_text_ok(value):
        problem = (
            "is not a string"
            if not isinstance(value, str)
            else "is too long"
            if len(value) > MAX_TAG_VALUE
            else "has a character AWS refuses in tags"
        )
        raise _refuse(
            f"{name}.{key}",
            f" {shown(value)} is invalid: it {problem}. Allowed: a string of at most {MAX_TAG_VALUE} "
            f"characters of {TAG_CHARACTERS_ALLOWED}, or a pulumi Output of one (quote numbers and "
            "booleans in YAML)",
        )
    return value


def check_tags(name: str, tags: Any) -> Mapping[str, Any]:
    """Keys and count now; each value unless it is ``PENDING`` (``check_tag_value`` checks it later).

    Keys are compared ignoring case, both with the component's own keys and with each other: IAM
    keeps one tag per key regardless of case on users and roles, so a second spelling would replace
    the first there (and split it in two on S3 and KMS).
    """
    if not isinstance(tags, Mapping):
        raise _refuse(
            name,
            f" {shown(tags)} is not a mapping. Allowed: string keys to string values (or pulumi Outputs)",
        )
    limit = MAX_TAGS - len(COMPONENT_TAG_KEYS)
    if len(tags) > limit:
        raise _refuse(name, f" has {len(tags)} tags. Allowed: at most {limit}")
    seen: dict[str, str] = {}
    for key, value in tags.items():
        _check_tag_key(name, key)
        first = seen.setdefault(key.lower(), key)
        if first != key:
            raise InputError(
                Input(f"{name}.{key}"),
                " and ",
                Input(f"{name}.{first}"),
                " differ only in case. Allowed: one of them (IAM would keep only one)",
            )
        if value is not PENDING:
            check_tag_value(name, key, value)
    return tags


def check_sendbird_principal(name: str, value: Any) -> str:
    allowed = (
        "Sendbird's 12-digit AWS account id or an IAM principal ARN "
        f"(arn:aws:iam::<account>:root|role/...){STRING_OR_OUTPUT}"
    )
    if not isinstance(value, str) or not (
        _ACCOUNT_ID.fullmatch(value) or _IAM_PRINCIPAL_ARN.fullmatch(value)
    ):
        raise _refuse(name, f" {shown(value)} is not an AWS principal. Allowed: {allowed}")
    return value


def check_external_id(name: str, value: Any) -> str:
    allowed = (
        "2-1224 characters from letters, digits and +=,.@:/-_ (the value Sendbird sends with AssumeRole)"
    )
    external_id = check_str(name, value, allowed, outputs=True)
    if not _EXTERNAL_ID.fullmatch(external_id):
        raise _refuse(name, f" {shown(external_id)} is invalid. Allowed: {allowed}")
    return external_id


def check_upload_role(prefix: str, role: Any) -> Any:
    """An UploadRole (anything with its attributes); ``prefix`` names it (``upload_role.``).
    A ``PENDING`` field is skipped (checked when it resolves)."""
    if role.sendbird_principal is not PENDING:
        check_sendbird_principal(f"{prefix}sendbird_principal", role.sendbird_principal)
    if role.external_id is not PENDING:
        check_external_id(f"{prefix}external_id", role.external_id)
    return role


# -- RecordingStorage: replication to a second region ----------------------------------------------
# The replication-latency alarm fires when S3's ReplicationLatency (the oldest object still waiting,
# in seconds) passes this. With replication time control S3 promises 99.99% within 15 minutes, so
# the SLA itself is the threshold; without it S3 promises nothing, and most objects arrive within
# minutes: an hour is late enough not to page for a slow but healthy backlog.
REPLICATION_RTC_SLA_SECONDS = 15 * 60
DEFAULT_REPLICATION_LATENCY_ALARM_SECONDS = 60 * 60
# A minute (S3 publishes replication metrics per minute) to a day.
REPLICATION_LATENCY_ALARM_RANGE = (60, 24 * 60 * 60)
# The alarms' period: S3's replication metrics are per minute, but a few minutes smooth out one
# slow object.
REPLICATION_ALARM_PERIOD_SECONDS = 300


def default_replication_latency_alarm_seconds(replication_time_control: bool) -> int:
    """The latency alarm's threshold when none is given: RTC's SLA with it, an hour without."""
    return (
        REPLICATION_RTC_SLA_SECONDS if replication_time_control else DEFAULT_REPLICATION_LATENCY_ALARM_SECONDS
    )


def check_replica_region(name: str, value: Any, source_region: str) -> str:
    """The replica's AWS region: a Sendbird region key (its AWS region) or any AWS region code
    botocore knows (a replica is only read by the owner, so Sendbird need not run there); never the
    source bucket's own region."""
    from sendbird_copy.rules.aws import check_aws_region
    from sendbird_copy.rules.regions import SENDBIRD_REGIONS

    allowed = "a Sendbird region key (ap-2) or an AWS region code (eu-west-1), other than the bucket's"
    text = check_str(name, value, allowed).strip()
    region = SENDBIRD_REGIONS[text].aws_region if text in SENDBIRD_REGIONS else text
    if text not in SENDBIRD_REGIONS:
        check_aws_region(name, region)
    if region == source_region:
        raise _refuse(
            name,
            f" {shown(value)} is the recordings bucket's own region ({source_region}): a replica there "
            f"survives no regional outage. Allowed: {allowed}",
        )
    return region


def check_replication_latency_alarm_seconds(name: str, value: Any) -> int:
    low, high = REPLICATION_LATENCY_ALARM_RANGE
    if not _is_int(value) or not low <= value <= high:
        raise _refuse(
            name, f" {shown(value)} is invalid. Allowed: a whole number of seconds from {low} to {high}"
        )
    return int(value)


# -- Object Lock (components/storage/options/object_lock.py; the sync applies it per recording version) ---
# Write-once retention of each copied recording. The bucket gets Object Lock enabled and NO default
# retention: the tool's own objects (ledger, state, lease, manifests) change and are deleted, and a
# default would also make S3 demand a Content-MD5 or checksum header on every upload, Sendbird's
# included. The sync applies the retention to each verified recording version (sync/retention.py).
OBJECT_LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
# S3's ceilings for an Object Lock retention period (its DefaultRetention allows at most 36,500
# days or 100 years); the same bounds for the per-version retention the sync applies.
MAX_OBJECT_LOCK_DAYS = 36_500
MAX_OBJECT_LOCK_YEARS = 100
OBJECT_LOCK_ALLOWED = (
    f"mode {' or '.join(OBJECT_LOCK_MODES)} and exactly one of days (1 to {MAX_OBJECT_LOCK_DAYS}) "
    f"or years (1 to {MAX_OBJECT_LOCK_YEARS})"
)
# How a period travels in the stack outputs and the function's environment: ISO 8601, P<n>D or P<n>Y.
_LOCK_PERIOD = re.compile(r"^P([1-9][0-9]{0,5})([DY])$")


def check_object_lock_mode(name: str, value: Any) -> str:
    allowed = " or ".join(OBJECT_LOCK_MODES)
    if value is None:
        raise _refuse(name, f" is missing. Allowed: {allowed}")
    check_str(name, value, allowed)
    if value not in OBJECT_LOCK_MODES:
        raise _refuse(name, f" {shown(value)} is not an Object Lock mode. Allowed: {allowed}")
    return str(value)


def check_object_lock(prefix: str, lock: Any) -> Any:
    """An ObjectLock (anything with ``mode``, ``days``, ``years``); ``prefix`` names it
    (``object_lock.``). Exactly one of days and years: S3's own retention rule takes one unit."""
    check_object_lock_mode(f"{prefix}mode", lock.mode)
    if (lock.days is None) == (lock.years is None):
        given = "both" if lock.days is not None else "neither"
        raise InputError(
            Input(f"{prefix}days"),
            " and ",
            Input(f"{prefix}years"),
            f": {given} given. Allowed: exactly one of them (days 1 to {MAX_OBJECT_LOCK_DAYS}, or years "
            f"1 to {MAX_OBJECT_LOCK_YEARS})",
        )
    if lock.days is not None:
        check_days(f"{prefix}days", lock.days, 1, MAX_OBJECT_LOCK_DAYS)
    elif not _is_int(lock.years) or not 1 <= lock.years <= MAX_OBJECT_LOCK_YEARS:
        raise _refuse(
            f"{prefix}years",
            f" {shown(lock.years)} is not allowed. Allowed: a whole number of years from 1 to "
            f"{MAX_OBJECT_LOCK_YEARS}",
        )
    return lock


def object_lock_period(days: int | None, years: int | None) -> str:
    """The period as the outputs carry it: ``P30D`` or ``P7Y`` (ISO 8601)."""
    return f"P{days}D" if days is not None else f"P{years}Y"


def check_object_lock_period(name: str, value: Any) -> tuple[int, str]:
    """A period as the outputs carry it (``P30D``, ``P7Y``): (count, "D" or "Y"), within S3's bounds."""
    allowed = f"P<days>D (1 to {MAX_OBJECT_LOCK_DAYS}) or P<years>Y (1 to {MAX_OBJECT_LOCK_YEARS})"
    found = _LOCK_PERIOD.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise _refuse(name, f" {shown(value)} is not an Object Lock period. Allowed: {allowed}")
    count, unit = int(found.group(1)), found.group(2)
    if count > (MAX_OBJECT_LOCK_DAYS if unit == "D" else MAX_OBJECT_LOCK_YEARS):
        raise _refuse(name, f" {shown(value)} is out of range. Allowed: {allowed}")
    return count, unit
