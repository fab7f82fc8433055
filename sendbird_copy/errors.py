"""Typed errors of the helper; every message is safe to print (no tokens, no secret keys)."""

from __future__ import annotations


class SendbirdCopyError(Exception):
    """Base class of every error this package raises on purpose."""


class SendbirdApiError(SendbirdCopyError):
    """Sendbird answered with a non-2xx status; carries its documented ``code``/``type``/``message``."""

    def __init__(self, status: int, code: int | None, type: str | None, message: str) -> None:
        self.status = status
        self.code = code
        self.type = type
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        label = " ".join(part for part in (str(self.status), self.type) if part)
        code = f" ({self.code})" if self.code is not None else ""
        return f"Sendbird API {label}{code}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[int, int | None, str | None, str]]:
        # Keeps the error picklable (multiprocessing, pytest-xdist) despite the custom __init__.
        return (type(self), (self.status, self.code, self.type, self.message))


class RateLimitedError(SendbirdApiError):
    """HTTP 429 (429100 RATE_LIMIT_EXCEEDED) that outlasted every retry."""


class SendbirdConnectionError(SendbirdCopyError):
    """The base URL could not be reached, even after the retries; the message names the host."""


class SendbirdTimeoutError(SendbirdCopyError):
    """Sendbird did not connect or answer within the timeout; the message says how many seconds."""
