"""One request's whole exchange with Sendbird within a total deadline: status line, headers and body.

A per-read timeout alone never ends an answer trickled a byte at a time, in its headers as well as its
body, and urllib3 offers no total deadline that works the same in 1.26 (some Lambda runtimes) and 2.x.
So the exchange runs in a daemon thread and the caller stops waiting at the deadline; a watchdog then
shuts the connection's socket, so that the thread's blocked read ends at once instead of at the next
byte (the connection is never reused: urllib3 drops a connection whose read failed).

A rate limiter's slot (``gate``) is held by that thread, around the sending alone: the request is
prepared before, so that once the slot opens the bytes leave at once, and the slot is left when the
status line and headers are in, before the body is read and before the caller's thread wakes. Every
millisecond spent inside a slot delays every later request by as much (``sync/limiter.py``).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ReadTimeoutError
from urllib3.util.retry import Retry

from sendbird_copy.errors import AnswerLostError, SendbirdTimeoutError

log = logging.getLogger(__name__)

_CHUNK_BYTES = 64 * 1024
RETRY_WAIT_WORTH_A_LINE = 5.0  # seconds; a shorter wait between retries passes without a line


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    content_type: str
    data: bytes


@dataclass
class _Exchange:
    """One request in its thread: the connection it is using (for the watchdog) and how it ended."""

    # Told when an attempt begins and when the exchange ends: the caller waits on it, never polls
    # (a poll while a request waits for its slot would take the interpreter from those that send).
    changed: threading.Condition = field(default_factory=threading.Condition)
    done: bool = False
    cancelled: threading.Event = field(default_factory=threading.Event)
    connection: Any = None
    attempt_started: float = field(default_factory=time.monotonic)
    # Between attempts (waiting for a rate limiter's slot, or to retry): no attempt's deadline runs.
    between_attempts: bool = False
    answer: Answer | None = None
    error: BaseException | None = None

    def end(self) -> None:
        with self.changed:
            self.done = True
            self.changed.notify_all()

    def wait(self, deadline: float) -> bool:
        """True once the exchange ended; False when an attempt ran ``deadline`` seconds."""
        with self.changed:
            while not self.done:
                if self.between_attempts:
                    self.changed.wait()  # until the next attempt begins (``_tell``) or the end
                    continue
                left = self.attempt_started + deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
            return True

    def shut(self) -> None:
        """The watchdog: end the thread's blocked read (best effort; the thread is a daemon anyway)."""
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


# The exchange of the request running in this thread, so that the connection can tell it its socket.
_current = threading.local()


def _tell(connection: Any) -> None:
    """An attempt begins on ``connection``: its deadline counts from now."""
    exchange = getattr(_current, "exchange", None)
    if exchange is not None:
        with exchange.changed:
            exchange.connection = connection
            exchange.attempt_started = time.monotonic()
            exchange.between_attempts = False
            exchange.changed.notify_all()


class CappedRetry(Retry):
    """urllib3 Retry that honours ``Retry-After`` but never sleeps longer than a CI job can wait; its
    waits between attempts do not count against an attempt's deadline."""

    MAX_RETRY_AFTER = 60.0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.MAX_RETRY_AFTER)

    def sleep_for_retry(self, response: Any = None) -> bool:
        # A long Retry-After would otherwise be a silent pause: say it (stderr, through the
        # Reporter's logging handler), off a terminal too.
        wait = self.get_retry_after(response) if response is not None else None
        if wait is not None and wait >= RETRY_WAIT_WORTH_A_LINE:
            log.warning(
                "Sendbird answered HTTP %s; retrying in %.0f s, as its Retry-After says",
                response.status,
                wait,
            )
        return bool(super().sleep_for_retry(response))

    def sleep(self, response: Any = None) -> None:
        exchange = getattr(_current, "exchange", None)
        if exchange is not None:
            exchange.between_attempts = True  # the next attempt's request() starts its deadline
        super().sleep(response)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        # A copy POST is not idempotent: after a 5xx it may have been accepted (a gateway's 504 in
        # front of an accepted copy), so only a 429 (nothing was accepted) is repeated.
        if method == "POST" and status_code != 429:
            return False
        return bool(super().is_retry(method, status_code, has_retry_after))


class _WatchedHTTPConnection(HTTPConnection):
    # ``request`` is called once per exchange in urllib3 1.26 and 2.x alike, on a new or reused
    # connection; the same signature is not, hence *args.
    def request(self, *args: Any, **kwargs: Any) -> Any:
        _tell(self)
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> Any:
        _tell(self)
        return super().request(*args, **kwargs)


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose connections tell their exchange which socket to shut at the deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedHTTPSPool}


class _Call(NamedTuple):
    """One request as the exchange's thread sends it."""

    method: str
    url: str
    params: Mapping[str, Any] | None
    json_body: Mapping[str, Any] | None
    timeout: tuple[float, float]
    host: str


def exchange(  # noqa: PLR0913 - the request's parts, the two limits and the slot
    session: requests.Session,
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None,
    json_body: Mapping[str, Any] | None,
    timeout: tuple[float, float],
    deadline: float,
    host: str,
    gate: AbstractContextManager[Any] | None = None,
) -> Answer:
    """The whole answer (status line, headers, body) within ``deadline`` seconds of its attempt's
    start, or ``SendbirdTimeoutError``; the waits for ``gate`` (a rate limiter's slot, entered just
    before sending and left once the status line and headers are in) and between retries
    (``CappedRetry``) do not count. The thread's own errors (``requests``' and the typed ones) are
    raised here, as they were."""
    job = _Exchange()
    call = _Call(method, url, params, json_body, timeout, host)

    def run() -> None:
        _current.exchange = job
        try:
            job.answer = _send(session, call, job, gate or contextlib.nullcontext())
        except BaseException as exc:
            job.error = exc
        finally:
            job.end()

    threading.Thread(target=run, name="sendbird-request", daemon=True).start()
    if not job.wait(deadline):
        job.cancelled.set()
        job.shut()
        raise SendbirdTimeoutError(
            f"The Sendbird API at {host} did not send its whole answer within {deadline:g} s "
            "(each request's total deadline); the request may still have been processed"
        )
    if job.error is not None:
        error, job.error = job.error, None
        raise error
    assert job.answer is not None
    return job.answer


def _send(
    session: requests.Session, call: _Call, job: _Exchange, gate: AbstractContextManager[Any]
) -> Answer:
    method, url, params, json_body, timeout, host = call
    # What ``session.request`` does, the preparing first: none of it waits in the slot.
    prepared = session.prepare_request(
        requests.Request(method=method.upper(), url=url, params=params or {}, json=json_body, data={})
    )
    settings = session.merge_environment_settings(prepared.url, {}, True, None, None)  # stream=True
    job.between_attempts = True  # waiting for the slot: the attempt's deadline starts when it is sent
    with gate:
        if job.cancelled.is_set():
            raise AnswerLostError(f"The request to the Sendbird API at {host} was not sent: nobody waited")
        # The body is read below, as it comes, outside the slot: the request arrived before its
        # status line came back. A redirect would carry the token header to whatever host it names.
        response = session.send(prepared, timeout=timeout, allow_redirects=False, **settings)
    try:
        data = _body(response, timeout[1], host, job.cancelled.is_set)
    finally:
        response.close()
    content_type = response.headers.get("Content-Type", "")
    return Answer(response.status_code, response.reason or "", content_type, data)


def _read_some(response: requests.Response) -> Callable[[int], bytes]:
    """What has arrived of the body, at most ``n`` bytes, without waiting for ``n``: urllib3 2's
    ``read1``; with urllib3 1.26 (some Lambda runtimes), http.client's own ``read1`` beneath it."""
    raw = response.raw
    if hasattr(raw, "read1"):
        return lambda n: bytes(raw.read1(n, decode_content=True))
    fp: Any = raw._fp  # urllib3 1.26: the http.client response it wraps
    return lambda n: bytes(fp.read1(n))


def _body(response: requests.Response, read_s: float, host: str, cancelled: Callable[[], bool]) -> bytes:
    """The whole body, read as it comes, until it ends or the caller stopped waiting."""
    chunks: list[bytes] = []
    read_some = _read_some(response)
    while not cancelled():
        try:
            chunk = read_some(_CHUNK_BYTES)
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            # Raised without the urllib3 exception: it may quote the request (a header).
            if isinstance(exc, ReadTimeoutError):
                raise SendbirdTimeoutError(
                    f"The Sendbird API at {host} stopped sending its answer for {read_s:g} s "
                    "(read timeout); the request may still have been processed"
                ) from None
            raise AnswerLostError(
                f"The connection to the Sendbird API at {host} dropped during the answer "
                f"({type(exc).__name__}); the request may still have been processed"
            ) from None
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
    return b""  # nobody waits for it any more
