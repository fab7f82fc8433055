"""THE rules every value from outside must pass, whatever its entry point: a component argument, the
stack config, a CLI flag, the scheduled function's environment, the stack outputs.

One function per rule, each called ``check_<what>(name, value, ...)``: ``name`` is how the entry point
calls the input (``warn_days``, ``--warn-days``, ``environment variable SYNC_WARN_DAYS``,
``applications[0].sync.warn_days``), ``value`` what it was given. Each returns the value checked (and
normalised: a number from text, a float for warn days, the AWS region for a Sendbird key) or raises
``sendbird_copy.errors.InputError`` naming the input, the value (shortened, never a secret) and what
is allowed, so every entry point refuses a value with the same words after the name
(``InputError.problem``). Defaults and bounds are the named constants below; nothing else states one.
Adding a rule is one constant block and one function here, then one call in each entry point.

Pure and cheap to import: no Pulumi, no click, no requests (the Lambda function's archive and the fast
CLI import it). A value that is not known yet (a pulumi Output) reaches the component rules as
``PENDING``: the rules that need it skip it, and the component checks the resolved value later.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sendbird_copy.errors import Input, InputError, RegionError, UsageError
from sendbird_copy.scheduled_facts import TIMEOUT_SECONDS
from sendbird_copy.sendbird_facts import APP_ID_ALLOWED, RECORDING_RETENTION, is_valid_app_id
from sendbird_copy.shown import SHOWN_CHARACTERS as SHOWN_CHARACTERS  # re-exported with the rules
from sendbird_copy.shown import SHOWN_PATH_CHARACTERS as SHOWN_PATH_CHARACTERS
from sendbird_copy.shown import has_control_characters, shorten, shown


def type_name(value: object) -> str:
    """How a JSON/YAML user would name the type of ``value``."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    return names.get(type(value), type(value).__name__)


class _Pending:
    """A value not known yet (a pulumi Output); the rules that need it wait until it resolves."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Any = _Pending()
# Appended to "Allowed: ..." for the component arguments that also take a pulumi Output.
STRING_OR_OUTPUT = " (a string, or a pulumi Output of one)"
NUMBER_OR_OUTPUT = " (a whole number, or a pulumi Output of one)"


def _refuse(name: str, problem: str) -> InputError:
    return InputError(Input(name), problem)


# -- plain types -----------------------------------------------------------------------------------
# Config arrives as YAML/JSON, so any value may have any type: check the type before using the value.


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _refuse(name, f" {shown(value)} is not a boolean. Allowed: true or false")
    return value


def check_str(name: str, value: Any, allowed: str, outputs: bool = False) -> str:
    """``value`` if it is a string; ``outputs``: the argument also takes a pulumi Output (say so)."""
    if not isinstance(value, str):
        also = STRING_OR_OUTPUT if outputs else ""
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {allowed}{also}")
    return value


def check_days(name: str, value: Any, low: int = 1, high: int | None = None, outputs: bool = False) -> int:
    """A whole number of days in [low, high] (no upper bound when ``high`` is None)."""
    allowed = f"a whole number of days from {low} to {high}" if high else f"a whole number of days >= {low}"
    if not _is_int(value):  # bool is an int in Python, but `true` is no number of days
        also = NUMBER_OR_OUTPUT if outputs else ""
        raise _refuse(name, f" {shown(value)} is not a whole number. Allowed: {allowed}{also}")
    if value < low or (high is not None and value > high):
        raise _refuse(name, f" {value!r} is out of range. Allowed: {allowed}")
    return int(value)


def check_whole_number(name: str, value: Any, low: int, high: int) -> int:
    """A whole number in [low, high], from a number or from text (a flag); a refused value is shown
    shortened, so a pasted 20,000-digit value is never echoed back whole."""
    allowed = f"a whole number from {low} to {high}"
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
            raise _refuse(name, f" {shown(text)} is not {allowed}")
        value = int(text)
    if not _is_int(value):
        raise _refuse(name, f" {shown(value)} is not {allowed}")
    if not low <= value <= high:
        raise _refuse(name, f" {value} is out of range. Allowed: {allowed}")
    return int(value)


def _number(name: str, value: Any, allowed: str) -> float:
    """A number from a number or from text (a flag, an environment variable); finite."""
    number: float
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _refuse(name, f" {shown(value)} is not a number. Allowed: {allowed}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _refuse(name, f" {shown(value)} is not a number. Allowed: {allowed}")
    if not math.isfinite(number):  # nan or inf: a wait must end, a window must be a window
        raise _refuse(name, f" {number} is not a finite number. Allowed: {allowed}")
    return number


def check_finite(name: str, value: Any, low: float, high: float) -> float:
    """A finite number within [low, high] (a number of seconds)."""
    allowed = f"{low:g} to {high:g}"
    number = _number(name, value, allowed)
    if not low <= number <= high:
        raise _refuse(name, f" {number:g} is out of range. Allowed: {allowed}")
    return number


# -- the helper's waits and limits (CLI flags) ----------------------------------------------------
WAIT_TIMEOUT_DEFAULT, WAIT_TIMEOUT_BOUNDS = 300.0, (0.0, 86_400.0)
POLL_INTERVAL_DEFAULT, POLL_INTERVAL_BOUNDS = 5.0, (0.1, 3_600.0)
VERIFY_TIMEOUT_DEFAULT, VERIFY_TIMEOUT_BOUNDS = 600.0, (0.0, 86_400.0)
WORKERS_DEFAULT, WORKERS_BOUNDS = 4, (1, 16)
MAX_COPIES_BOUNDS = (1, 1_000_000)
SINCE_MAX_DAYS = 3650


def check_wait_timeout(name: str, value: Any) -> float:
    """Seconds to wait for a copied object (smoke test)."""
    return check_finite(name, value, *WAIT_TIMEOUT_BOUNDS)


def check_poll_interval(name: str, value: Any) -> float:
    """Longest wait in seconds between two listings while waiting."""
    return check_finite(name, value, *POLL_INTERVAL_BOUNDS)


def check_verify_timeout(name: str, value: Any) -> float:
    """Seconds the sync waits for copied objects."""
    return check_finite(name, value, *VERIFY_TIMEOUT_BOUNDS)


def check_workers(name: str, value: Any) -> int:
    """Worker threads per application."""
    return check_whole_number(name, value, *WORKERS_BOUNDS)


def check_max_copies(name: str, value: Any) -> int:
    """At most this many copies requested in one run."""
    return check_whole_number(name, value, *MAX_COPIES_BOUNDS)


def check_since(name: str, value: str, now: datetime) -> datetime:
    """A number of days back from ``now`` (``7``) or a UTC date (``2026-11-01``) -> an aware datetime."""
    cleaned = value.strip()
    allowed = f"a number of days (0 to {SINCE_MAX_DAYS}) or a date YYYY-MM-DD (UTC)"
    if cleaned.isascii() and cleaned.isdigit():
        # Length first: int() refuses (ValueError) a string of more than 4300 digits.
        if len(cleaned) > len(str(SINCE_MAX_DAYS)) or int(cleaned) > SINCE_MAX_DAYS:
            raise _refuse(name, f" {shorten(cleaned)} is out of range. Allowed: {allowed}")
        return now - timedelta(days=int(cleaned))
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise _refuse(
            name, f" '{shorten(value)}' is not a date or a number of days. Allowed: {allowed}"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# -- warn days: the at-risk window -----------------------------------------------------------------
WARN_DAYS_DEFAULT = 3.0
# 0: no early warning (only a passed deadline counts). Below Sendbird's retention: a window as long as
# the retention would call every recording not yet copied "at risk" the moment it appears.
WARN_DAYS_MIN = 0.0
WARN_DAYS_LIMIT = RECORDING_RETENTION.total_seconds() / 86_400  # exclusive
WARN_DAYS_ALLOWED = (
    f"a number of days from {WARN_DAYS_MIN:g} up to, not including, {WARN_DAYS_LIMIT:g} (Sendbird keeps a "
    f"recording {WARN_DAYS_LIMIT:g} days; default {WARN_DAYS_DEFAULT:g})"
)


# How far past the two weeks a bounded sync lists ended live events (sendbird_copy/horizon.py): events
# up to this long are found by the listing alone, longer ones through the parents the sync watches.
EVENT_MARGIN_HOURS_DEFAULT = 24.0
EVENT_MARGIN_HOURS_BOUNDS = (0.0, RECORDING_RETENTION.total_seconds() / 3600)


def check_event_margin_hours(name: str, value: Any) -> float:
    """Hours past Sendbird's two weeks that a bounded sync still lists ended live events for."""
    return check_finite(name, value, *EVENT_MARGIN_HOURS_BOUNDS)


def check_warn_days(name: str, value: Any) -> float:
    """Days before Sendbird's deletion at which a recording not yet copied counts as at risk."""
    days = _number(name, value, WARN_DAYS_ALLOWED)
    if not WARN_DAYS_MIN <= days < WARN_DAYS_LIMIT:
        raise _refuse(name, f" {days:g} is out of range. Allowed: {WARN_DAYS_ALLOWED}")
    return days


# -- Sendbird: application ids, tokens, identifiers ----------------------------------------------
# Longest id the helper accepts for an identifier it sends to Sendbird (a recording id is a
# UUID-like string; this bounds a pasted document, not a real id).
MAX_IDENTIFIER_LENGTH = 256
# A secret travels in an HTTP header: printable ASCII only (tokens and keys are hex/base64).
_HEADER_SAFE = frozenset(chr(code) for code in range(0x21, 0x7F))
# Sendbird's tokens are 40 hex characters; Secrets Manager holds at most 64 KiB.
MAX_TOKEN_LENGTH = 4096


def check_app_id(name: str, value: Any) -> str:
    """The one application-id rule (``sendbird_facts``), shared with the API client."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _refuse(name, " is missing. Allowed: the Sendbird application id (a UUID)")
    if not is_valid_app_id(value):
        raise _refuse(name, f" {shown(value)} is not a Sendbird application id. Allowed: {APP_ID_ALLOWED}")
    return str(value)


def check_secret(name: str, value: str, error: type[UsageError] = InputError) -> str:
    """A token or key that goes into an HTTP header; the message never shows any of it."""
    cleaned = value.strip()
    if not cleaned:
        raise error(f"{name} is empty")
    if has_control_characters(cleaned):
        raise error(f"{name} contains control characters (a pasted line break?); it is not shown here")
    if not set(cleaned) <= _HEADER_SAFE:
        raise error(
            f"{name} contains characters an HTTP header cannot carry (spaces, or non-ASCII such as emoji "
            "or CJK); it is not shown here. Allowed: printable ASCII, as Sendbird issues it"
        )
    return cleaned


TOKEN_ALLOWED = "printable ASCII, as Sendbird issues it"


def check_api_token(name: str, value: Any) -> str:
    """The Sendbird API token (any source: a component argument, the config, a secret's value)."""
    if not isinstance(value, str):
        raise _refuse(name, f" is {type(value).__name__}, not a string (not shown). Allowed: {TOKEN_ALLOWED}")
    if len(value) > MAX_TOKEN_LENGTH:
        raise _refuse(
            name, f" is {len(value)} characters long (not shown). Allowed: at most {MAX_TOKEN_LENGTH}"
        )
    try:
        return check_secret(name, value)
    except InputError as exc:
        raise _refuse(name, str(exc).removeprefix(name)) from None


def check_identifier(name: str, value: str, max_length: int = MAX_IDENTIFIER_LENGTH) -> str:
    """An id the helper sends to Sendbird (a recording id): printable, not blank, not huge."""
    cleaned = value.strip()
    if not cleaned:
        raise InputError(f"{name} is empty")
    if has_control_characters(cleaned):
        raise InputError(f"{name} '{shorten(cleaned)}' contains control characters. Allowed: printable text")
    if len(cleaned) > max_length:
        raise InputError(f"{name} '{shorten(cleaned)}' is too long. Allowed: at most {max_length} characters")
    return cleaned


# A path segment that is only dots is a "dot segment": HTTP clients (requests/urllib3) and servers
# remove it with the segment before it, so ``POST /cloud-recordings/../copy`` arrives as ``POST /copy``
# (with the copy key in its body). A slash or backslash, even percent-encoded, is decoded by some
# proxies into a path separator. Sendbird's ids are UUID-like and have none of these.
DOT_SEGMENTS = frozenset({".", ".."})
PATH_SEPARATORS = frozenset("/\\")
SENDBIRD_ID_ALLOWED = (
    "the id as Sendbird lists it (printable text without '/' or '\\', and not '.' or '..': the id "
    "becomes one segment of the API path)"
)


def check_sendbird_id(name: str, value: str) -> str:
    """An id that becomes one segment of a Sendbird API path (a recording, live event or room id):
    ``check_identifier``, and nothing that would move the request to another path."""
    cleaned = check_identifier(name, value)
    if cleaned in DOT_SEGMENTS:
        raise InputError(
            f"{name} '{cleaned}' would change the API path (a dot segment). Allowed: {SENDBIRD_ID_ALLOWED}"
        )
    if PATH_SEPARATORS & set(cleaned):
        raise InputError(
            f"{name} '{shorten(cleaned)}' has a path separator ('/' or '\\'). Allowed: {SENDBIRD_ID_ALLOWED}"
        )
    return cleaned


# -- URLs ------------------------------------------------------------------------------------------
def check_url(name: str, url: str) -> str | None:
    """InputError unless ``url`` is an http(s) URL with a host; returns its password, if any.

    The message shows the URL without its userinfo, query and fragment (a password may hide there).
    """
    from urllib.parse import urlsplit

    from sendbird_copy.redact import display_url

    problem = f"{name} '{shorten(display_url(url))}' is not an http(s) URL with a host"
    if has_control_characters(url) or any(ch.isspace() for ch in url):
        raise InputError(f"{problem} (it contains spaces or control characters)")
    try:
        split = urlsplit(url)
        split.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise InputError(problem) from None
    if split.scheme not in ("http", "https") or not split.hostname:
        raise InputError(problem)
    return split.password


BASE_URL_ALLOWED = (
    "an https URL without a user or password, query or fragment, or http to a loopback host (a local "
    "test double); {application_id} in it stands for the application id"
)
MAX_BASE_URL_LENGTH = 2048  # Lambda's whole environment is at most 4 KB
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_base_url(name: str, value: Any) -> str:
    """Sendbird's API base URL as the scheduled sync takes it (an override for a test double): it
    carries the API token, so no credentials in it and no cleartext http beyond this machine."""
    from urllib.parse import urlsplit

    if not isinstance(value, str):
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {BASE_URL_ALLOWED}")
    if len(value) > MAX_BASE_URL_LENGTH:
        raise _refuse(name, f" is {len(value)} characters long. Allowed: at most {MAX_BASE_URL_LENGTH}")
    concrete = value.replace("{application_id}", "x")  # the template's placeholder, as the client fills it
    try:
        password = check_url(name, concrete)
    except InputError as exc:
        raise _refuse(name, str(exc).removeprefix(name) + f". Allowed: {BASE_URL_ALLOWED}") from None
    split = urlsplit(concrete)
    if password is not None or split.username is not None:
        raise _refuse(name, f" has a user or password in it (not shown). Allowed: {BASE_URL_ALLOWED}")
    if split.query or split.fragment or "?" in concrete or "#" in concrete:
        # The client appends paths to the base URL: after a query or fragment they would go to the
        # wrong place (every answer then blames the recording). Not shown: a query may hold a secret.
        raise _refuse(name, f" has a query or fragment ('?' or '#', not shown). Allowed: {BASE_URL_ALLOWED}")
    if split.scheme == "http" and split.hostname not in LOOPBACK_HOSTS:
        raise _refuse(
            name,
            f" '{split.scheme}://{split.hostname}' is plain http to another host: the API token would "
            f"travel in cleartext. Allowed: {BASE_URL_ALLOWED}",
        )
    return value


# -- regions ---------------------------------------------------------------------------------------
def check_region(name: str, value: Any) -> str:
    """The AWS region for ``value`` (an AWS region code or a Sendbird region key) where Sendbird runs."""
    from sendbird_copy.regions import resolve_region

    if value is not None:
        check_str(name, value, "a Sendbird region key (ap-2) or an AWS region code (ap-northeast-2)")
    try:
        return resolve_region(value or "", name)
    except RegionError as exc:
        message = str(exc)  # it starts with the input name
        if message.startswith(name):
            raise _refuse(name, message[len(name) :]) from exc
        raise InputError(message) from exc


def check_aws_region(name: str, value: Any) -> str:
    """An AWS region code botocore knows (a Lambda function's own AWS_REGION; never a Sendbird key)."""
    from sendbird_copy.regions import is_aws_region

    if not is_aws_region(value):
        raise _refuse(
            name,
            f" {shown(value)} is not an AWS region known to botocore. Allowed: an AWS region code such "
            "as ap-northeast-1",
        )
    return value


# -- S3 bucket names -------------------------------------------------------------------------------
# S3 reserves these for its own kinds of bucket (access points, directory buckets, ...).
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
BUCKET_NAME_ALLOWED = (
    "3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter "
    "or digit; no dots (TLS certificates for virtual-hosted URLs do not cover dotted names); not "
    f"starting with {', '.join(RESERVED_BUCKET_PREFIXES)}; not ending with "
    f"{', '.join(RESERVED_BUCKET_SUFFIXES)}"
)


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


def check_bucket_name(name: str, value: Any) -> str:
    """S3's general-purpose bucket rules, minus dots.

    Dots are refused: the policy demands TLS, and S3's wildcard certificate (*.s3.<region>.amazonaws.com)
    does not match a virtual-hosted name with a dot in it, so clients would fail certificate checks.
    """
    check_str(name, value, BUCKET_NAME_ALLOWED, outputs=True)
    problem = _bucket_name_problem(value)
    if problem:
        raise _refuse(
            name, f" {shown(value)} is not a valid bucket name: it {problem}. Allowed: {BUCKET_NAME_ALLOWED}"
        )
    return str(value)


# -- ARNs ------------------------------------------------------------------------------------------
_ACCOUNT = r"\d{12}"
_KMS_KEY_ARN = re.compile(rf"arn:aws[a-z-]*:kms:[a-z0-9-]+:{_ACCOUNT}:key/[A-Za-z0-9-]+")
# A complete secret ARN ends in "-" and the six characters Secrets Manager appends: the role's grant
# names it exactly, and a partial ARN in an IAM policy matches no secret.
_SECRET_ARN = re.compile(
    rf"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:{_ACCOUNT}:secret:[\w/+=.@-]{{1,505}}-[A-Za-z0-9]{{6}}"
)
# Standard topics only: CloudWatch alarm actions cannot notify a FIFO topic.
_TOPIC_ARN = re.compile(rf"arn:aws[a-z-]*:sns:[a-z0-9-]+:{_ACCOUNT}:[\w-]{{1,256}}")
# Bucket names as check_bucket_name allows them (no dots).
_BUCKET_ARN = re.compile(r"arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9-]{1,61}[a-z0-9])")
_SAME_REGION = "every regional resource of the sync stays in that region"


def check_regional_arn(
    name: str, value: Any, pattern: re.Pattern[str], what: str, region: str, why: str
) -> str:
    """``value`` if it is an ARN matching ``pattern`` (``what`` it should be) in ``region``; ``why``
    says why the region must match."""
    from sendbird_copy.regions import region_from_arn

    allowed = f"{what} in the application's region {region}"
    if not isinstance(value, str):
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {allowed}{STRING_OR_OUTPUT}")
    if not pattern.fullmatch(value):  # fullmatch: "$" would let a trailing line break through
        raise _refuse(name, f" {shown(value)} is not {what}. Allowed: {allowed}")
    arn_region = region_from_arn(value)
    if arn_region != region:
        raise _refuse(
            name,
            f" {shown(value)} is in {arn_region}, but the application's region is {region}: {why}. "
            f"Allowed: {allowed}",
        )
    return value


def check_kms_key_arn(name: str, value: Any, region: str) -> str:
    what = f"a KMS key ARN (arn:aws:kms:{region}:<account>:key/<key id>)"
    why = "S3 can only use a KMS key from the bucket's own region"
    return check_regional_arn(name, value, _KMS_KEY_ARN, what, region, why)


def check_secret_arn(name: str, value: Any, region: str) -> str:
    what = "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
    return check_regional_arn(name, value, _SECRET_ARN, what, region, _SAME_REGION)


def check_topic_arn(name: str, value: Any, region: str) -> str:
    """CloudWatch alarms notify only SNS topics in their own region."""
    what = "an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)"
    return check_regional_arn(
        name, value, _TOPIC_ARN, what, region, "CloudWatch alarms notify only topics in their own region"
    )


def check_bucket_arn(name: str, value: Any, bucket_name: Any) -> str:
    """An S3 bucket ARN, naming ``bucket_name`` when that is known (a string)."""
    allowed = "an S3 bucket ARN (arn:aws:s3:::<bucket>) of the bucket named by bucket_name"
    if not isinstance(value, str):
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {allowed}{STRING_OR_OUTPUT}")
    match = _BUCKET_ARN.fullmatch(value)
    if not match:
        raise _refuse(name, f" {shown(value)} is not an S3 bucket ARN. Allowed: {allowed}")
    if isinstance(bucket_name, str) and match.group(1) != bucket_name:
        raise _refuse(
            name,
            f" {shown(value)} names bucket {match.group(1)!r}, but bucket_name is {bucket_name!r}. "
            f"Allowed: {allowed}",
        )
    return value


# -- the copy identity's key pair ------------------------------------------------------------------
def check_access_key_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.isalnum() or not 16 <= len(value) <= 128:
        raise _refuse(
            name, f" {shown(value)} is not an AWS access key id. Allowed: RecordingStorage.copy_access_key_id"
        )
    return value


def check_copy_secret(name: str, value: Any) -> str:
    """The copy identity's secret key: a non-empty string (the function hands it to Sendbird), trimmed.

    Trimmed, not refused, like the key id beside it: AWS issues secret keys of 40 base64 characters,
    never with whitespace, so a space around one is only a paste or an edit; keeping it made Sendbird
    answer "the key is not valid" while the id, trimmed, looked right.
    """
    if not isinstance(value, str) or not value.strip():
        problem = "is empty" if isinstance(value, str) else f"is not a string ({type(value).__name__})"
        raise _refuse(name, f" {problem} (not shown). Allowed: RecordingStorage.copy_secret_access_key")
    return value.strip()


# -- the scheduled sync: schedule, log retention, metrics namespace ---------------------------------
SCHEDULE_DEFAULT = "rate(1 hour)"
# A run may take the function's whole timeout and runs never overlap; the at-risk alarm needs fresh
# counts, so at least daily.
MIN_INTERVAL_MINUTES = TIMEOUT_SECONDS // 60
MAX_INTERVAL_MINUTES = 24 * 60
SCHEDULE_ALLOWED = (
    f"rate(N minutes|hours|days) from {MIN_INTERVAL_MINUTES} minutes to 1 day (rate(1 hour), "
    "rate(6 hours)), or a daily cron(minutes hours * * ? *) that fires at most every "
    f"{MIN_INTERVAL_MINUTES} minutes (cron(0 * * * ? *): every hour on the hour), in UTC"
)
_RATE = re.compile(r"rate\((\d{1,7}) (minute|minutes|hour|hours|day|days)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_CRON_ITEM = re.compile(r"(\*|\d{1,2}(?:-\d{1,2})?)(?:/(\d{1,2}))?")


@dataclass(frozen=True)
class Schedule:
    expression: str
    # The longest time between two runs.
    max_gap_minutes: int


def _schedule_error(name: str, value: Any, problem: str) -> InputError:
    return _refuse(name, f" {shown(value)} {problem}. Allowed: {SCHEDULE_ALLOWED}")


def _expand(field: str, limit: int) -> set[int] | None:
    """The values (0..limit-1) a cron minutes or hours field names; None when it is not one."""
    values: set[int] = set()
    for item in field.split(","):
        match = _CRON_ITEM.fullmatch(item)
        if match is None:
            return None
        span, step = match.group(1), int(match.group(2) or 1)
        low, _, high = span.partition("-")
        first, last = (0, limit - 1) if span == "*" else (int(low), int(high or low))
        if not 1 <= step < limit or not 0 <= first <= last < limit:
            return None
        if match.group(2) and span != "*" and not high:
            last = limit - 1  # "5/15": from 5, every 15
        values.update(range(first, last + 1, step))
    return values


def _cron_gaps(name: str, value: str, fields: tuple[str, ...]) -> tuple[int, int]:
    minutes_field, hours_field, day_of_month, month, day_of_week, year = fields
    if month != "*" or year != "*" or {day_of_month, day_of_week} != {"*", "?"}:
        raise _schedule_error(name, value, "does not fire every day (day-of-month, month, day-of-week, year)")
    minutes, hours = _expand(minutes_field, 60), _expand(hours_field, 24)
    if minutes is None or hours is None:
        raise _schedule_error(name, value, "has minutes or hours EventBridge Scheduler would not read")
    times = sorted(h * 60 + m for h in hours for m in minutes)
    gaps = [(b - a) for a, b in zip(times, [*times[1:], times[0] + MAX_INTERVAL_MINUTES], strict=True)]
    return min(gaps), max(gaps)


def parse_schedule(name: str, value: Any) -> Schedule:
    """An EventBridge Scheduler expression checked, with its longest gap between two runs."""
    if not isinstance(value, str):
        raise _schedule_error(name, value, "is not a string")
    rate, cron = _RATE.fullmatch(value), _CRON.fullmatch(value)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        singular = unit.rstrip("s")
        if count == 0 or (count == 1) != (unit == singular):  # Scheduler wants "1 hour" but "2 hours"
            raise _schedule_error(name, value, "is not a valid rate (1 takes a singular unit, more a plural)")
        shortest = longest = count * _UNIT_MINUTES[singular]
    elif cron:
        shortest, longest = _cron_gaps(name, value, cron.groups())
    else:
        raise _schedule_error(name, value, "is not a schedule expression")
    if shortest < MIN_INTERVAL_MINUTES:
        raise _schedule_error(
            name,
            value,
            f"fires more often than every {MIN_INTERVAL_MINUTES} minutes (a run may take the function's "
            "whole timeout, and runs never overlap)",
        )
    if longest > MAX_INTERVAL_MINUTES:
        raise _schedule_error(name, value, "runs less often than daily")
    return Schedule(value, longest)


def check_schedule(name: str, value: Any) -> str:
    return parse_schedule(name, value).expression


LOG_RETENTION_DAYS_DEFAULT = 30
# CloudWatch Logs accepts exactly these retention periods (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def check_log_retention_days(name: str, value: Any) -> int:
    if isinstance(value, bool) or value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise _refuse(
            name,
            f" {shown(value)} is not a retention period CloudWatch Logs offers. Allowed: one of {allowed}",
        )
    return int(value)


MAX_METRICS_NAMESPACE = 255


def check_metrics_namespace(name: str, value: Any) -> str:
    if (
        not isinstance(value, str)
        or len(value) > MAX_METRICS_NAMESPACE
        or value.startswith(":")
        or not value.isascii()
    ):
        raise _refuse(
            name,
            f" {shown(value)} is not a CloudWatch namespace. Allowed: up to {MAX_METRICS_NAMESPACE} ASCII "
            "characters, not starting with ':'",
        )
    return value


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
# Sendbird writes in 5 MB parts; a failed copy leaves parts that are billed until aborted.
DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
MAX_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
DEFAULT_KMS_DELETION_WINDOW_DAYS = 30
KMS_DELETION_WINDOW_RANGE = (7, 30)
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
        check_days(f"{prefix}expiration_days", expiration, outputs=True)
    if _known(transition, expiration) and expiration <= transition:
        raise InputError(
            Input(f"{prefix}expiration_days"),
            f" {expiration} contradicts ",
            Input(f"{prefix}transition_days"),
            f" {transition}: recordings would expire before they move. Allowed: expiration_days greater "
            f"than transition_days, or no transition",
        )
    return retention


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
    if not isinstance(value, str) or not (
        _ACCOUNT_ID.fullmatch(value) or _IAM_PRINCIPAL_ARN.fullmatch(value)
    ):
        raise _refuse(
            name,
            f" {shown(value)} is not an AWS principal. Allowed: Sendbird's 12-digit AWS account id or an "
            f"IAM principal ARN (arn:aws:iam::<account>:root|role/...){STRING_OR_OUTPUT}",
        )
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
