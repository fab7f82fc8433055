"""Keep secrets (API tokens, AWS secret keys) out of text, exceptions and log records."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "***"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each non-empty secret replaced by ``***``."""
    # Longest first, so a secret that contains another one is masked whole.
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks the given secrets in a record's message and traceback.

    Attach it to a handler (filters on a logger do not see records from child loggers).
    """

    def __init__(self, secrets: Iterable[str | None] = (), name: str = "") -> None:
        super().__init__(name)
        self._secrets: set[str] = {s for s in secrets if s}

    def add(self, secret: str | None) -> None:
        """Mask one more secret from now on (for example a key read after logging was set up)."""
        if secret:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
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
