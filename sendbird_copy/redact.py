"""What an outside value may show: secrets masked (as whole values) and any other value
shortened, its control characters escaped (``inert``: every text output), an object only by its
type. Used by the rules, the error tree and every output; imports nothing of the package."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

# -- from shown ------------------------------------------------------------
SHOWN_CHARACTERS = 120  # an ARN is shown whole
SHOWN_PATH_CHARACTERS = 240  # file paths are long but never secret


def has_control_characters(text: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text)


_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1: what has_control_characters finds


def inert(text: str, keep: str = "") -> str:
    """``text`` for a terminal: each control character (but those in ``keep``) shown as its escape
    (ESC as ``\\x1b``), so a string from outside (a Sendbird id, an AWS message) can never move the
    cursor, retitle the window or clear the screen. Text output only: JSON escapes them itself."""
    return _CONTROLS.sub(lambda m: m[0] if m[0] in keep else m[0].encode("unicode_escape").decode(), text)


def shorten(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """``value`` as text for a message: control characters escaped, cut to ``limit`` characters, so
    a pasted 20,000-character value does not come back at the user."""
    text = value if isinstance(value, str) else repr(value)
    escaped = text.encode("unicode_escape").decode("ascii") if has_control_characters(text) else text
    if len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}… ({len(text)} characters)"


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
    """``value`` for an error message: a string quoted and shortened, another plain value as written
    (shortened), any other object only by its type (never an object's repr)."""
    if isinstance(value, str):
        return f"'{shorten(value)}'"
    if not _is_plain(value):
        kind = type(value).__name__
        return f"(a{'n' if kind[:1].lower() in 'aeiou' else ''} {kind})"
    return shorten(repr(value))


# -- from redact ------------------------------------------------------------
MASK = "***"


# A short secret is masked where it stands as a whole value: not run on into a letter, digit or '_'
# on either side. A one-letter token, or ``test``, never turns "exit_code" into "e***it_code". A
# secret this long is masked wherever it appears: no word holds one by chance, and one glued to
# other text (a cut body, a concatenation) is a leak all the same.
_WORD = "A-Za-z0-9_"
ANYWHERE_LENGTH = 12
# ... and never as a JSON object's key ("secret": ...): the keys of our documents are our words.
_JSON_KEY_AFTER = re.compile(r'"\s*:')


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with each non-empty secret replaced by ``***``: a short one where it stands as a
    whole value (not inside a longer word), a long one anywhere; never a JSON object's key."""
    # Longest first, so a secret that contains another one is masked whole.
    unique = sorted({s for s in secrets if s}, key=len, reverse=True)
    if not unique or not any(secret in text for secret in unique):
        return text
    alternatives = "|".join(
        re.escape(secret)
        if len(secret) >= ANYWHERE_LENGTH
        else rf"(?<![{_WORD}]){re.escape(secret)}(?![{_WORD}])"
        for secret in unique
    )
    pattern = re.compile(alternatives)

    def mask(match: re.Match[str]) -> str:
        start, end = match.span()
        if start > 0 and text[start - 1] == '"' and _JSON_KEY_AFTER.match(text, end):
            return match.group()
        return MASK

    return pattern.sub(mask, text)


class RedactingFilter(logging.Filter):
    """THE logging filter that masks secrets in a record's message and traceback: the given ones, and
    with ``live`` whatever it returns at each record (secrets a run learns after logging was set up,
    as the CLI's Reporter and the scheduled function do).

    Attach it to a handler (filters on a logger do not see records from child loggers).
    """

    def __init__(
        self,
        secrets: Iterable[str | None] = (),
        name: str = "",
        live: Callable[[], Iterable[str | None]] | None = None,
    ) -> None:
        super().__init__(name)
        self._secrets: set[str] = {s for s in secrets if s}
        self._live = live

    def add(self, secret: str | None) -> None:
        """Mask one more secret from now on (for example a key read after logging was set up)."""
        if secret:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        if self._live is not None:
            for secret in self._live():
                self.add(secret)
        if not self._secrets:
            return True
        # Format once, then drop the args: a secret may sit in the template or in any argument.
        record.msg = redact(record.getMessage(), self._secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self._secrets)
        return True


def display_host(url: str) -> str:
    """The ``host[:port]`` of ``url`` without any ``user:password@``; never raises.

    Parsed by hand after RFC 3986 (the authority ends at the first ``/``, ``?`` or ``#``; userinfo
    ends at its last ``@``) because ``urlsplit(...).port`` raises on a malformed port, and an error
    message about a bad URL is exactly where a password must not slip through.
    """
    _, sep, rest = url.partition("://")
    authority = re.split(r"[/?#]", rest if sep else url, maxsplit=1)[0]
    return authority.rpartition("@")[2]


def display_url(url: str) -> str:
    """``url`` as safe to show: ``scheme://host[:port]/path``, without userinfo, query or fragment."""
    scheme, sep, rest = url.partition("://")
    if not sep:  # not scheme://...; "user:pw@host" must still lose its userinfo
        scheme, rest = "", url
    path = re.split(r"[?#]", rest, maxsplit=1)[0]
    slash = path.find("/")
    path = path[slash:] if slash >= 0 else ""
    return f"{scheme}{sep}{display_host(url)}{path}"
