"""A Sendbird Calls/Live + Organization API emulator: a real HTTP server on 127.0.0.1.

It follows Sendbird's documented API: ``Api-Token`` auth, validation, documented error bodies and codes, the
per-application rate limits, the region rule, listings with ``limit``/``next`` and recordings that
expire two weeks after they stopped, and the copy itself (a 5 MB-part multipart upload into S3 with
the keys the caller handed over, optionally held to a transfer rate). Faults (5xx bursts, 429s,
latency, copies that never land) can be switched on at runtime. Every answered request is kept as a
``RequestEvent`` with its time, so tests can count copies and measure request rates. Dev/test only;
it needs boto3 but not moto.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from localdev.sendbird_emulator.catalog import Catalog
from localdev.sendbird_emulator.copier import Pacer, S3Copier, S3Refused, describe
from localdev.sendbird_emulator.filters import parse_filter
from localdev.sendbird_emulator.media import DAMAGES
from localdev.sendbird_emulator.state import (
    ApiFault,
    Application,
    CopyRecord,
    Parent,
    Recording,
    RequestEvent,
    SlidingWindowLimiter,
    decode_page_token,
    documented_error,
    encode_page_token,
    invalid,
    max_in_window,
    missing,
    not_authorized,
    not_found,
    rate_limited,
    server_error,
)
from sendbird_copy.facts import GET_REQUESTS_PER_SECOND, MAX_PAGE_LIMIT, WRITE_REQUESTS_PER_SECOND

log = logging.getLogger(__name__)

# Per application and endpoint, per second (documented); ``rate_limits=`` overrides them.
RATE_LIMITS = {
    "GET": GET_REQUESTS_PER_SECOND,
    "POST": WRITE_REQUESTS_PER_SECOND,
    "PUT": WRITE_REQUESTS_PER_SECOND,
    "DELETE": WRITE_REQUESTS_PER_SECOND,
}
METHODS = tuple(RATE_LIMITS)
COPY_FIELDS = ("access_key", "secret_key", "bucket", "region")
DEFAULT_PAGE_LIMIT = 10
MAX_COPY_MBPS = 100_000.0  # 100 Gbit/s: any larger number means "no limit", so pass None
BYTES_PER_MEGABIT = 1_000_000 / 8


def _copy_path_id(path: str) -> str | None:
    """The recording id of a copy path (``[/api-<app id>]/v1/cloud-recordings/{id}/copy``), else None."""
    segments = path.strip("/").split("/")
    if segments and segments[0].startswith("api-"):  # an application's own base URL
        segments = segments[1:]
    if len(segments) == 4 and segments[:2] == ["v1", "cloud-recordings"] and segments[3] == "copy":
        return unquote(segments[2])
    return None


def checked_rate_limits(limits: Mapping[str, int]) -> dict[str, int]:
    """The documented limits with ``limits`` applied; ValueError for an unknown method or a limit
    that is not a positive integer."""
    merged = dict(RATE_LIMITS)
    for method, limit in limits.items():
        if method not in RATE_LIMITS:
            raise ValueError(f"rate_limits: method '{method}' is not one of {', '.join(METHODS)}")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"rate_limits['{method}'] must be an integer >= 1, got {limit!r}")
        merged[method] = limit
    return merged


def checked_copy_mbps(value: float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"copy_mbps must be a finite number or None, got {value!r}")
    if not 0 < value <= MAX_COPY_MBPS:
        raise ValueError(f"copy_mbps must be > 0 and <= {MAX_COPY_MBPS:g} (None: no limit), got {value}")
    return float(value)


@dataclass
class _Exchange:
    """One request while it is handled: what the request log keeps of it."""

    method: str
    path: str
    time: float  # rate clock, at arrival
    at: float  # emulator clock, at arrival
    app_id: str | None = None
    query: str = ""


class SendbirdEmulator:
    """Seed applications and recordings, ``start()``, point a client at ``base_url``.

    ``clock`` (epoch seconds, default ``time.time``; the ``clock`` attribute may be replaced at any
    time, e.g. ``emulator.clock = lambda: now + 13 * 86400``) decides recording times and expiry.
    ``rate_clock`` (default ``time.monotonic``) drives the rate limiter and ``RequestEvent.time``.
    ``rate_limits`` overrides the documented per-second limits per method (``{"GET": 1000,
    "POST": 1000}`` for fast tests). ``copy_mbps`` (megabits per second per copy, None: as fast as
    S3 takes it) paces the background upload; also a settable attribute.
    """

    def __init__(  # noqa: PLR0913 - each keyword is one independent knob of the emulator
        self,
        s3_endpoint_url: str | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        rate_clock: Callable[[], float] = time.monotonic,
        rate_limits: Mapping[str, int] | None = None,
        copy_mbps: float | None = None,
    ) -> None:
        self.s3_endpoint_url = s3_endpoint_url
        self.clock = clock
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._copies_changed = threading.Condition(self._lock)
        self._catalog = Catalog()
        self._copies: list[CopyRecord] = []
        self._log: list[tuple[str, str, int]] = []
        self._events: list[RequestEvent] = []
        self._rate_clock = rate_clock
        self._limiter = SlidingWindowLimiter(rate_clock)
        self._rate_limits = checked_rate_limits(rate_limits or {})
        self._copy_mbps = checked_copy_mbps(copy_mbps)
        self._copier = S3Copier(s3_endpoint_url)
        self._rng = random.Random(seed)  # noqa: S311 - fault injection, not crypto; seeded for replay
        self._fail: tuple[int, Callable[[], ApiFault]] = (0, lambda: server_error(503))
        self._throttle: tuple[int, int, str | None] = (0, 1, None)
        self._drop = 0
        self._gateway: tuple[int, int, str | None] = (0, 504, None)  # see gateway_answer_next
        self._drop_of: dict[str, int] = {}  # recording id -> copies of it still to drop
        self._damage: list[tuple[str | None, str]] = []  # (recording id or None: any, how), in order
        self._error_rate = 0.0
        self.latency = 0.0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []

    # ----- seeding -------------------------------------------------------------------------------
    def add_application(
        self,
        app_id: str,
        api_token: str,
        region_key: str,
        org_api_key: str | None = None,
        app_name: str | None = None,
        *,
        aws_region: str | None = None,
    ) -> Application:
        """Register an application; ``aws_region`` is needed only for a key missing from the table."""
        return self._catalog.add_application(
            app_id, api_token, region_key, org_api_key, app_name, aws_region=aws_region
        )

    def add_parent(
        self, app_id: str, kind: str, parent_id: str, *, created_at: float | None = None
    ) -> Parent:
        """Register a live event (``kind="live"``) or a room (``kind="room"``) before its recordings,
        e.g. one without any; ``created_at`` in epoch seconds (default: the clock). Listings show
        parents newest first by ``created_at``. Adding one that exists returns it unchanged."""
        created = self.clock() if created_at is None else created_at
        return self._catalog.add_parent(app_id, kind, parent_id, created)

    def add_recording(  # noqa: PLR0913 - the documented fields of a recording
        self,
        app_id: str,
        recording_id: str,
        status: str = "completed",
        byte_size: int = 1024 * 1024,
        kind: str = "live",
        parent_id: str | None = None,
        *,
        stopped_at: float | None = None,
        duration_s: float | None = None,
    ) -> Recording:
        """Register a recording of ``app_id`` inside a live event or room (``parent_id``, created on
        first use a minute before the recording; default: one parent per recording).

        ``status``: a Live status for ``kind="live"`` (ready, recording, paused, uploading,
        completed, failed), a Calls status for ``kind="room"`` (recording, uploading, completed,
        failed). ``stopped_at`` (epoch seconds; default an hour before the clock) and
        ``duration_s`` (default: from ``byte_size`` at ~2.5 Mbit/s) give ``started_at = stopped_at
        - duration_s``. A recording not stopped yet (ready, recording, paused) shows no
        ``stopped_at``: it started ``duration_s`` before the clock (or before ``stopped_at``, if
        given, read as "seen running until then"), and never expires. One that stopped more than
        RECORDING_RETENTION (14 days) before the clock has expired: gone from listings and details,
        and its copy answers 400/400200. Adding an existing id replaces it (same parent by default).
        """
        return self._catalog.add_recording(
            app_id,
            recording_id,
            now=self.clock(),
            status=status,
            byte_size=byte_size,
            kind=kind,
            parent_id=parent_id,
            stopped_at=stopped_at,
            duration_s=duration_s,
        )

    def set_parent_state(
        self, app_id: str, kind: str, parent_id: str, state: str, *, started_at: float | None = None
    ) -> Parent:
        """Set a live event's state (created, ready, ongoing, ended) and start (epoch seconds), or a
        room's (open, deleted); unset, a live event's state follows its recordings."""
        return self._catalog.set_parent_state(app_id, kind, parent_id, state, started_at=started_at)

    def add_history(self, app_id: str, kind: str, entries: list[tuple[str, str, float, float, int]]) -> None:
        """Bulk-add ended parents with one completed recording each (see ``Catalog.add_history``)."""
        self._catalog.add_history(app_id, kind, entries)

    def set_recording_status(self, app_id: str, recording_id: str, status: str) -> Recording:
        """Move a recording on (``uploading`` -> ``completed``, ...); one that stops now gets the
        clock as its ``stopped_at``, one that stopped earlier keeps its own."""
        return self._catalog.set_status(app_id, recording_id, status, now=self.clock())

    def recordings(self, app_id: str | None = None) -> list[Recording]:
        """Every recording registered (expired ones too; see ``Recording.expired(now)``)."""
        return self._catalog.recordings(app_id)

    # ----- faults --------------------------------------------------------------------------------
    def fail_next(
        self,
        n: int,
        status: int | None = None,
        code: int | None = None,
        type: str | None = None,
        message: str | None = None,
    ) -> None:
        """The next ``n`` requests (any path) answer a documented error.

        ``fail_next(3)`` is three 503s with 500999; ``fail_next(1, code=400200)`` one 400 NOT_FOUND.
        ``code`` picks the documented status and type (see ``documented_error``); ``type`` and
        ``message`` override the body's. A 429 injected this way has no ``Retry-After`` header.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        documented_error(code, status, type, message)  # validates now, not at the next request
        with self._lock:
            self._fail = (n, lambda: documented_error(code, status, type, message))

    def rate_limit_next(self, n: int, retry_after: int = 1, method: str | None = None) -> None:
        """The next ``n`` requests (only ``method``'s, e.g. "GET" or "POST", when given) answer
        429/429100 with ``Retry-After: retry_after``; other requests pass untouched."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        if isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0:
            raise ValueError(f"retry_after must be an integer >= 0, got {retry_after!r}")
        if method is not None and method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)} or None, got {method!r}")
        with self._lock:
            self._throttle = (n, retry_after, method)

    def gateway_answer_next(self, n: int, status: int = 504, method: str | None = None) -> None:
        """The next ``n`` requests (only ``method``'s when given) are handled as usual (a copy is
        accepted and runs), then answered ``status`` with a gateway's HTML page instead of the
        answer: an acceptance hidden behind a gateway's error, as a proxy in front of Sendbird
        gives when the API is slow."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        if not 500 <= status <= 599:
            raise ValueError(f"status must be a 5xx, got {status!r}")
        if method is not None and method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)} or None, got {method!r}")
        with self._lock:
            self._gateway = (n, status, method)

    def gateway_answers(self, method: str) -> int | None:
        """The status a gateway answers in place of this request's answer, or None (counted down)."""
        with self._lock:
            count, status, only = self._gateway
            if count <= 0 or only not in (None, method):
                return None
            self._gateway = (count - 1, status, only)
            return status

    def drop_next_copies(self, n: int) -> None:
        """The next ``n`` accepted copies answer 200 as usual but never write the object (their
        multipart upload is started and left unfinished): a copy that never lands."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        with self._lock:
            self._drop = n

    def drop_copies_of(self, recording_id: str, n: int = 1_000_000) -> None:
        """The next ``n`` accepted copies of ``recording_id`` (default: all of them) never land."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        with self._lock:
            self._drop_of[recording_id] = n

    def damage_next_copies(self, how: str, n: int = 1, recording_id: str | None = None) -> None:
        """The next ``n`` copies (of ``recording_id`` only, when given) are written damaged but of
        the recording's byte size: ``how`` is one of ``media.DAMAGES`` (truncated, no-moov, not-mp4)."""
        if how not in DAMAGES:
            raise ValueError(f"how must be one of {', '.join(DAMAGES)}, got {how!r}")
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an integer >= 0, got {n!r}")
        with self._lock:
            self._damage.extend([(recording_id, how)] * n)

    def _take_damage(self, recording_id: str) -> str | None:
        for index, (only, how) in enumerate(self._damage):
            if only in (None, recording_id):
                del self._damage[index]
                return how
        return None

    @property
    def error_rate(self) -> float:
        return self._error_rate

    @error_rate.setter
    def error_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"error_rate must be between 0 and 1, got {value}")
        self._error_rate = value

    @property
    def rate_limits(self) -> dict[str, int]:
        """Requests per second per application and endpoint, by method (a copy)."""
        with self._lock:
            return dict(self._rate_limits)

    @rate_limits.setter
    def rate_limits(self, limits: Mapping[str, int]) -> None:
        merged = checked_rate_limits(limits)
        with self._lock:
            self._rate_limits = merged

    @property
    def copy_mbps(self) -> float | None:
        """Megabits per second each copy's upload is held to; None: as fast as S3 takes it."""
        return self._copy_mbps

    @copy_mbps.setter
    def copy_mbps(self, value: float | None) -> None:
        self._copy_mbps = checked_copy_mbps(value)  # running copies pick it up within 0.1 s

    def _copy_bytes_per_second(self) -> float | None:
        mbps = self._copy_mbps
        return None if mbps is None else mbps * BYTES_PER_MEGABIT

    # ----- observation ---------------------------------------------------------------------------
    @property
    def requests_log(self) -> list[tuple[str, str, int]]:
        """(method, path without query, status) of every answered request; never bodies or headers."""
        with self._lock:
            return list(self._log)

    @property
    def request_events(self) -> list[RequestEvent]:
        """Every answered request with its times and application, in the order answered."""
        with self._lock:
            return list(self._events)

    def copy_posts(self, app_id: str | None = None, *, accepted_only: bool = True) -> dict[str, int]:
        """Copy POSTs per recording id, of ``app_id`` or of every application: the accepted ones
        (status 200) by default, every attempt whatever its answer with ``accepted_only=False``."""
        counts: Counter[str] = Counter()
        for event in self.request_events:
            recording_id = _copy_path_id(event.path) if event.method == "POST" else None
            if recording_id is None or app_id not in (None, event.app_id):
                continue
            if event.status == 200 or not accepted_only:
                counts[recording_id] += 1
        return dict(counts)

    def max_posts_in_any_window(self, app_id: str, seconds: float = 1.0) -> int:
        """The most POSTs ``app_id`` sent (whatever the answer) within any ``seconds`` window, by
        arrival on the rate clock: at most 5 per 1.0 s for a client that keeps Sendbird's limit."""
        times = [e.time for e in self.request_events if e.method == "POST" and e.app_id == app_id]
        return max_in_window(times, seconds)

    @property
    def copies(self) -> list[CopyRecord]:
        with self._lock:
            return list(self._copies)

    def wait_for_copies(self, timeout: float = 30.0) -> list[CopyRecord]:
        """Block until no copy is in progress; raises TimeoutError otherwise."""
        with self._copies_changed:
            done = self._copies_changed.wait_for(
                lambda: all(c.status != "in_progress" for c in self._copies), timeout
            )
            if not done:
                raise TimeoutError(f"copies still in progress after {timeout} s: {self._copies}")
            return list(self._copies)

    # ----- lifecycle -----------------------------------------------------------------------------
    def start(self) -> SendbirdEmulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already started")
        self._server = _Server((self._host, self._port), _Handler, self)
        thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes injected latency, cancels copies between parts and in pacing
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=10)

    def __enter__(self) -> SendbirdEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return int(self._server.server_address[1])

    @property
    def org_base_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        # One URL for every application, the token alone picking the application: for a client of
        # one application. Real Sendbird puts the app id in the host name; ``base_url_template``
        # does the same in the path, and there a token of another application is refused.
        return f"{self.org_base_url}/v1"

    @property
    def base_url_template(self) -> str:
        """Each application at its own base URL, as Sendbird's ``api-{application_id}`` host names
        give it (the id in the path here: no name resolution needed), for ``--api-base-url``. A
        request there with another application's token is refused (401, 401121), as Sendbird does;
        so is one whose ``Host`` header names ``api-<id>.`` and another application's token."""
        return f"{self.org_base_url}/api-{{application_id}}/v1"

    # ----- request handling (called by _Handler) -------------------------------------------------
    def arrived(self, method: str, raw_path: str) -> _Exchange:
        split = urlsplit(raw_path)
        return _Exchange(method, split.path, self._rate_clock(), self.clock(), query=split.query)

    def handle(
        self, exchange: _Exchange, raw_path: str, headers: Any, body: bytes
    ) -> tuple[int, dict[str, Any]]:
        app = self._catalog.app_for_token(headers.get("Api-Token"))
        split = urlsplit(raw_path)
        segments = [unquote(s) for s in split.path.strip("/").split("/")]
        hosted = _hosted_app(headers.get("Host") or "", segments)
        if hosted is not None:
            segments = segments[1:] if segments[0] == f"api-{hosted}" else segments
            if app is not None and app.app_id != hosted:
                # Sendbird's tokens are per application: another application's token is no token here.
                app = None
        exchange.app_id = app.app_id if app else None  # faults and 429s are counted per app too
        if self.latency > 0:
            self._stopping.wait(self.latency)
        method = exchange.method
        self._inject_faults(method)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        now = self.clock()
        match (method, segments):
            case ("GET", ["api", "v2", "applications", app_id]):
                return 200, self._org_application(headers, app_id)
            case ("POST", ["v1", "cloud-recordings", recording_id, "copy"]):
                app = self._authorize(app, exchange, "copy")
                return 200, self._copy(app, recording_id, body, now)
            case ("GET", ["v1", "live-events" | "rooms" as kind]):
                app = self._authorize(app, exchange, kind)
                return 200, self._list(app, "live" if kind == "live-events" else "room", query, now)
            case ("GET", ["v1", "live-events" | "rooms" as kind, parent_id]):
                app = self._authorize(app, exchange, kind + "/{id}")
                return 200, self._detail(app, "live" if kind == "live-events" else "room", parent_id, now)
        raise not_found(f"No endpoint {method} {split.path}", status=404)

    def record(self, exchange: _Exchange, status: int) -> None:
        event = RequestEvent(
            exchange.time,
            exchange.method,
            exchange.path,
            status,
            exchange.app_id,
            exchange.at,
            exchange.query,
        )
        with self._lock:
            self._log.append((exchange.method, exchange.path, status))
            self._events.append(event)

    def _inject_faults(self, method: str) -> None:
        with self._lock:
            count, fault = self._fail
            if count > 0:
                self._fail = (count - 1, fault)
                raise fault()  # a fresh exception per answer
            count, retry_after, only = self._throttle
            if count > 0 and only in (None, method):
                self._throttle = (count - 1, retry_after, only)
                raise rate_limited(retry_after)
            if self._error_rate and self._rng.random() < self._error_rate:
                raise server_error(self._rng.choice((500, 502, 503)))

    def _authorize(self, app: Application | None, exchange: _Exchange, endpoint: str) -> Application:
        if app is None:
            raise not_authorized("Invalid or missing Api-Token header.")
        # Limited by arrival time: the same instant RequestEvent.time records, so the limit and
        # max_posts_in_any_window measure one and the same thing.
        method = exchange.method
        key = (app.app_id, method, endpoint)
        if not self._limiter.allow(key, self._rate_limits[method], now=exchange.time):
            raise rate_limited(1)
        return app

    def _recording(self, app: Application, recording_id: str, now: float) -> Recording:
        recording = self._catalog.recording(app.app_id, recording_id, now)
        if recording is None:  # unknown, another app's, or expired: Sendbird no longer has it
            raise not_found(f"Recording '{recording_id}' not found.")
        return recording

    def _copy(self, app: Application, recording_id: str, body: bytes, now: float) -> dict[str, Any]:
        params = _copy_params(body)
        recording = self._recording(app, recording_id, now)
        if recording.status != "completed":
            raise invalid(
                f"Recording '{recording_id}' is '{recording.status}': "
                "only completed recordings can be copied."
            )
        if params["region"] != app.aws_region:
            raise invalid(
                f"region '{params['region']}' must equal the application's region "
                f"'{app.aws_region}' (Sendbird region {app.region_key})."
            )
        bucket, region, key = params["bucket"], params["region"], f"{recording_id}.mp4"
        try:
            s3 = self._copier.client(region, params["access_key"], params["secret_key"])
            upload_id = self._copier.start_upload(s3, bucket, key)
        except S3Refused as exc:
            raise invalid(f"S3 refused the copy into bucket '{bucket}': {exc}") from exc
        with self._lock:
            dropped = self._drop > 0
            self._drop -= dropped
            if not dropped and self._drop_of.get(recording_id, 0) > 0:
                self._drop_of[recording_id] -= 1
                dropped = True
            damage = None if dropped else self._take_damage(recording_id)
            self._copies.append(CopyRecord(recording_id, app.app_id, bucket, region, key, damage=damage))
            index = len(self._copies) - 1
            if dropped:  # accepted, then nothing: the upload stays unfinished, no object appears
                self._copies[index] = replace(self._copies[index], status="dropped")
            else:
                thread = threading.Thread(
                    target=self._run_copy, args=(index, s3, upload_id, recording), daemon=True
                )
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
                thread.start()
        return {"recording_id": recording_id, "bucket": bucket, "region": region, "status": "copying"}

    def _run_copy(self, index: int, s3: Any, upload_id: str, recording: Recording) -> None:
        def update(**changes: Any) -> None:
            with self._copies_changed:
                self._copies[index] = replace(self._copies[index], **changes)
                self._copies_changed.notify_all()

        with self._lock:
            record = self._copies[index]
        try:
            S3Copier.upload_parts(
                s3,
                record,
                upload_id,
                recording,
                on_part=lambda n: update(parts=n),
                pacer=Pacer(self._stopping, self._copy_bytes_per_second),
            )
        except Exception as exc:
            log.info("copy of %s failed: %s", recording.recording_id, describe(exc))
            update(status="failed", error=describe(exc))
        else:
            update(status="completed")

    def _list(self, app: Application, kind: str, query: dict[str, str], now: float) -> dict[str, Any]:
        try:
            limit = int(query.get("limit", DEFAULT_PAGE_LIMIT))
        except ValueError:
            raise invalid(f"limit '{query['limit']}' is not an integer.") from None
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise invalid(f"limit must be between 1 and {MAX_PAGE_LIMIT}.")
        before = decode_page_token(query["next"]) if query.get("next") else None
        where = parse_filter(kind, query)
        items, last = self._catalog.page(app.app_id, kind, limit, before, now, where)
        key = "live_events" if kind == "live" else "rooms"
        return {key: items, "next": encode_page_token(last) if last is not None else None}

    def _detail(self, app: Application, kind: str, parent_id: str, now: float) -> dict[str, Any]:
        shown = self._catalog.parent(app.app_id, kind, parent_id, now)
        if shown is None:
            raise not_found(f"{'Live event' if kind == 'live' else 'Room'} '{parent_id}' not found.")
        return {"live_event" if kind == "live" else "room": shown}

    def _org_application(self, headers: Any, app_id: str) -> dict[str, Any]:
        org_apps = self._catalog.apps_of_org(headers.get("SENDBIRDORGANIZATIONAPITOKEN"))
        if not org_apps:
            raise not_authorized("Invalid or missing SENDBIRDORGANIZATIONAPITOKEN header.")
        app = next((a for a in org_apps if a.app_id == app_id), None)
        if app is None:  # an app of another organization looks exactly like an unknown one
            raise not_found(f"Application '{app_id}' not found.")
        # The real answer also carries the app's API token; the emulator leaves secrets out.
        return {
            "app_id": app.app_id,
            "app_name": app.app_name,
            "region": {"region_key": app.region_key, "region_name": app.region_name},
            "created_at": 1_600_000_000,
        }


def _hosted_app(host: str, segments: list[str]) -> str | None:
    """The application a request is addressed to: ``api-<id>`` as the first path segment (the
    emulator's per-application base URL) or as the host name's first label (Sendbird's); None
    for the shared base URL, where the token alone picks the application."""
    if segments and segments[0].startswith("api-") and len(segments[0]) > 4:
        return segments[0][4:]
    label = host.split(".")[0] if "." in host else ""
    return label[4:] if label.startswith("api-") and len(label) > 4 else None


def _copy_params(body: bytes) -> dict[str, str]:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise invalid("The request body is not valid JSON.") from None
    if not isinstance(data, dict):
        raise invalid("The request body must be a JSON object.")
    absent = [name for name in COPY_FIELDS if data.get(name) in (None, "")]
    if absent:
        raise missing(f"Missing required parameter(s): {', '.join(absent)}.")
    wrong = [name for name in COPY_FIELDS if not isinstance(data[name], str)]
    if wrong:
        raise invalid(f"Parameter(s) must be strings: {', '.join(wrong)}.")
    return {name: data[name] for name in COPY_FIELDS}


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a slow (latency-injected) request never blocks shutdown

    def __init__(self, address: tuple[str, int], handler: type, emulator: SendbirdEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that timed out and hung up is expected here (fault tests); stay quiet.
        log.debug("emulator: connection from %s ended abruptly", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real API; every answer has Content-Length
    server: _Server

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""  # always drain: keeps the connection usable
        headers: dict[str, str] = {}
        emulator = self.server.emulator
        exchange = emulator.arrived(self.command, self.path)
        try:
            status, payload = emulator.handle(exchange, self.path, self.headers, body)
        except ApiFault as fault:
            status, payload, headers = fault.status, fault.body(), fault.headers
        except Exception:
            log.exception("emulator: unexpected error")
            status, payload = 500, server_error(500).body()
        data = json.dumps(payload).encode()
        content_type = "application/json; charset=utf8"
        gateway = emulator.gateway_answers(self.command)
        if gateway is not None:  # handled all the same; the answer is lost behind a gateway
            status, content_type, headers = gateway, "text/html; charset=utf-8", {}
            data = b"<html><head><title>%d Gateway Error</title></head><body>gateway</body></html>" % gateway
        # Logged before writing: a test that just got its answer sees the entry, and a client that
        # already hung up (timeout tests) is still counted.
        emulator.record(exchange, status)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("emulator: " + format, *args)


@contextmanager
def running_emulator(
    s3_endpoint_url: str | None, host: str = "127.0.0.1", port: int = 0, **kwargs: Any
) -> Iterator[SendbirdEmulator]:
    """A started emulator, stopped on exit."""
    emulator = SendbirdEmulator(s3_endpoint_url, host, port, **kwargs)
    with emulator:
        yield emulator
