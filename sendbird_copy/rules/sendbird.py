"""What the helper sends to Sendbird: application ids, API tokens and other secrets that travel in
a header, the ids that become a segment of an API path, and URLs (Sendbird's API base URL)."""

from __future__ import annotations

from typing import Any

from sendbird_copy.errors import InputError, UsageError
from sendbird_copy.facts import APP_ID_ALLOWED, is_valid_app_id
from sendbird_copy.redact import has_control_characters, shorten, shown
from sendbird_copy.rules.values import _refuse

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
    if len(cleaned) > MAX_TOKEN_LENGTH:  # a pasted document, not a key: it would not fit a header
        length = len(cleaned)
        raise error(f"{name} is {length} characters long (not shown). Allowed: at most {MAX_TOKEN_LENGTH}")
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
