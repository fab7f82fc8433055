"""The rules every value from outside must pass, whatever its source (flag, environment variable,
stack outputs, emulator flag), checked early and refused with one message that names the input.

A refusal never echoes a secret, and shows any other value shortened (``shorten``), so a pasted
20,000-character value does not come back at the user. Pure functions; cheap to import.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

from sendbird_copy.errors import OptionError, UsageError

SHOWN_CHARACTERS = 80
SHOWN_PATH_CHARACTERS = 240  # file paths are long but never secret
# Longest value the helper accepts for an identifier it sends to Sendbird (a recording id is a
# UUID-like string; this bounds a pasted document, not a real id).
MAX_IDENTIFIER_LENGTH = 256
# A secret travels in an HTTP header: printable ASCII only (tokens and keys are hex/base64).
_HEADER_SAFE = frozenset(chr(code) for code in range(0x21, 0x7F))


def shorten(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """``value`` as text for a message: control characters escaped, cut to ``limit`` characters."""
    text = value if isinstance(value, str) else repr(value)
    shown = text.encode("unicode_escape").decode("ascii") if has_control_characters(text) else text
    if len(shown) <= limit:
        return shown
    return f"{shown[:limit]}… ({len(text)} characters)"


def has_control_characters(text: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def type_name(value: object) -> str:
    """How a JSON/YAML user would name the type of ``value``."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    return names.get(type(value), type(value).__name__)


def check_secret(name: str, value: str, error: type[UsageError] = OptionError) -> str:
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


def check_identifier(name: str, value: str, max_length: int = MAX_IDENTIFIER_LENGTH) -> str:
    """An id the helper sends to Sendbird (a recording id): printable, not blank, not huge."""
    cleaned = value.strip()
    if not cleaned:
        raise OptionError(f"{name} is empty")
    if has_control_characters(cleaned):
        raise OptionError(f"{name} '{shorten(cleaned)}' contains control characters. Allowed: printable text")
    if len(cleaned) > max_length:
        raise OptionError(
            f"{name} '{shorten(cleaned)}' is too long. Allowed: at most {max_length} characters"
        )
    return cleaned


def check_url(name: str, url: str) -> str | None:
    """OptionError unless ``url`` is an http(s) URL with a host; returns its password, if any.

    The message shows the URL without its userinfo, query and fragment (a password may hide there).
    """
    from urllib.parse import urlsplit

    from sendbird_copy.redact import display_url

    problem = f"{name} '{shorten(display_url(url))}' is not an http(s) URL with a host"
    if has_control_characters(url) or any(ch.isspace() for ch in url):
        raise OptionError(f"{problem} (it contains spaces or control characters)")
    try:
        split = urlsplit(url)
        split.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise OptionError(problem) from None
    if split.scheme not in ("http", "https") or not split.hostname:
        raise OptionError(problem)
    return split.password


def check_finite(name: str, value: float, low: float, high: float) -> float:
    """A number of seconds: finite (no nan, no inf: a wait must end) and within [low, high]."""
    if math.isnan(value) or math.isinf(value):
        raise OptionError(f"{name} {value} is not a finite number. Allowed: {low:g} to {high:g}")
    if not low <= value <= high:
        raise OptionError(f"{name} {value:g} is out of range. Allowed: {low:g} to {high:g}")
    return value


def check_since(name: str, value: str, now: datetime) -> datetime:
    """A number of days back from ``now`` (``7``) or a UTC date (``2026-11-01``) -> an aware datetime."""
    cleaned = value.strip()
    allowed = "a number of days (0 to 3650) or a date YYYY-MM-DD (UTC)"
    if cleaned.isascii() and cleaned.isdigit():
        # Length first: int() refuses (ValueError) a string of more than 4300 digits.
        if len(cleaned) > 4 or int(cleaned) > 3650:
            raise OptionError(f"{name} {shorten(cleaned)} is out of range. Allowed: {allowed}")
        return now - timedelta(days=int(cleaned))
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise OptionError(
            f"{name} '{shorten(value)}' is not a date or a number of days. Allowed: {allowed}"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
