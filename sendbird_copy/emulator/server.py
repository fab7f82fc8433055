"""A Sendbird Calls/Live + Organization API emulator: a real HTTP server on 127.0.0.1.

It follows SENDBIRD_API.md: ``Api-Token`` auth, validation, documented error bodies and codes, the
per-application rate limits, the region rule, and the copy itself (a 5 MB-part multipart upload
into S3 with the keys the caller handed over). Faults (5xx bursts, 429s, latency) can be switched on
at runtime. Dev/test only; it needs boto3 but not moto.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sendbird_copy.emulator.copier import S3Copier, S3Refused, describe
from sendbird_copy.emulator.state import (
    KINDS,
    LIVE_STATUSES,
    ApiFault,
    Application,
    CopyRecord,
    Recording,
    SlidingWindowLimiter,
    decode_page_token,
    documented_error,
    encode_page_token,
    invalid,
    missing,
    not_authorized,
    not_found,
    rate_limited,
    server_error,
)
from sendbird_copy.input_rules import shorten
from sendbird_copy.regions import SENDBIRD_REGIONS
from sendbird_copy.sendbird_facts import (
    APP_ID_ALLOWED,
    GET_REQUESTS_PER_SECOND,
    MAX_PAGE_LIMIT,
    WRITE_REQUESTS_PER_SECOND,
    is_valid_app_id,
)

log = logging.getLogger(__name__)

# Per application and endpoint, per second (documented).
RATE_LIMITS = {
    "GET": GET_REQUESTS_PER_SECOND,
    "POST": WRITE_REQUESTS_PER_SECOND,
    "PUT": WRITE_REQUESTS_PER_SECOND,
    "DELETE": WRITE_REQUESTS_PER_SECOND,
}
COPY_FIELDS = ("access_key", "secret_key", "bucket", "region")
DEFAULT_PAGE_LIMIT = 10


class SendbirdEmulator:
    """Seed applications and recordings, ``start()``, point a client at ``base_url``."""

    def __init__(
        self,
        s3_endpoint_url: str | None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.s3_endpoint_url = s3_endpoint_url
        self._host, self._port = host, port
        self._lock = threading.RLock()
        self._copies_changed = threading.Condition(self._lock)
        self._apps: dict[str, Application] = {}
        self._recordings: dict[tuple[str, str], Recording] = {}
        self._copies: list[CopyRecord] = []
        self._log: list[tuple[str, str, int]] = []
        self._limiter = SlidingWindowLimiter(clock)
        self._copier = S3Copier(s3_endpoint_url)
        self._rng = random.Random(seed)  # noqa: S311 - fault injection, not crypto; seeded for replay
        self._fail: tuple[int, Callable[[], ApiFault]] = (0, lambda: server_error(503))
        self._throttle = (0, 1)
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
        if not app_id or not api_token:
            raise ValueError("app_id and api_token are required")
        if not is_valid_app_id(app_id):
            # The same rule as the client and the component (sendbird_facts): the id is a host label.
            raise ValueError(f"app_id '{shorten(app_id)}' is invalid. Allowed: {APP_ID_ALLOWED}")
        known = SENDBIRD_REGIONS.get(region_key)
        if known is None and aws_region is None:
            raise ValueError(
                f"region_key '{region_key}' is not in SENDBIRD_REGIONS; pass aws_region= explicitly"
            )
        with self._lock:
            if any(a.api_token == api_token for a in self._apps.values() if a.app_id != app_id):
                raise ValueError(f"api_token of '{app_id}' is already used by another application")
            app = Application(
                app_id=app_id,
                api_token=api_token,
                region_key=region_key,
                region_name=known.name if known else region_key,
                aws_region=aws_region or (known.aws_region if known else ""),
                app_name=app_name or f"Emulated {app_id}",
                org_api_key=org_api_key,
            )
            self._apps[app_id] = app
            return app

    def add_recording(
        self,
        app_id: str,
        recording_id: str,
        status: str = "completed",
        byte_size: int = 1024 * 1024,
        kind: str = "live",
        parent_id: str | None = None,
    ) -> Recording:
        """Register a recording of ``app_id`` inside a live event or room (one per recording by default)."""
        if app_id not in self._apps:
            raise ValueError(f"unknown application '{app_id}': add_application first")
        if not recording_id:
            raise ValueError("recording_id is required")
        if status not in LIVE_STATUSES:
            raise ValueError(f"status '{status}' is not one of {sorted(LIVE_STATUSES)}")
        if kind not in KINDS:
            raise ValueError(f"kind '{kind}' is not one of {KINDS}")
        if byte_size < 0:
            raise ValueError("byte_size must be >= 0")
        with self._lock:
            recording = Recording(
                app_id=app_id,
                recording_id=recording_id,
                status=status,
                byte_size=byte_size,
                kind=kind,
                parent_id=parent_id or f"{kind}-{recording_id}",
                seq=len(self._recordings),
            )
            self._recordings[(app_id, recording_id)] = recording
            return recording

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

    def rate_limit_next(self, n: int, retry_after: int = 1) -> None:
        """The next ``n`` requests answer 429/429100 with ``Retry-After: retry_after``."""
        with self._lock:
            self._throttle = (n, retry_after)

    @property
    def error_rate(self) -> float:
        return self._error_rate

    @error_rate.setter
    def error_rate(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"error_rate must be between 0 and 1, got {value}")
        self._error_rate = value

    # ----- observation ---------------------------------------------------------------------------
    @property
    def requests_log(self) -> list[tuple[str, str, int]]:
        """(method, path without query, status) of every answered request; never bodies or headers."""
        with self._lock:
            return list(self._log)

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
        self._stopping.set()  # wakes injected latency, cancels copies between parts
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in list(self._threads):
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
        # One URL for every application: real Sendbird puts the app id in the host name, but its
        # tokens are per application, so the token alone identifies the app here. A client with a
        # base_url override (no {application_id}) therefore reaches the right app.
        return f"{self.org_base_url}/v1"

    # ----- request handling (called by _Handler) -------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: Any, body: bytes) -> tuple[int, dict[str, Any]]:
        if self.latency > 0:
            self._stopping.wait(self.latency)
        self._inject_faults()
        split = urlsplit(raw_path)
        segments = [unquote(s) for s in split.path.strip("/").split("/")]
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        match (method, segments):
            case ("GET", ["api", "v2", "applications", app_id]):
                return 200, self._org_application(headers, app_id)
            case ("POST", ["v1", "cloud-recordings", recording_id, "copy"]):
                app = self._authorize(headers, method, "copy")
                return 200, self._copy(app, recording_id, body)
            case ("GET", ["v1", "live-events" | "rooms" as kind]):
                app = self._authorize(headers, method, kind)
                return 200, self._list(app, "live" if kind == "live-events" else "room", query)
            case ("GET", ["v1", "live-events" | "rooms" as kind, parent_id]):
                app = self._authorize(headers, method, kind + "/{id}")
                return 200, self._detail(app, "live" if kind == "live-events" else "room", parent_id)
        raise not_found(f"No endpoint {method} {split.path}", status=404)

    def record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self._log.append((method, path, status))

    def _inject_faults(self) -> None:
        with self._lock:
            count, fault = self._fail
            if count > 0:
                self._fail = (count - 1, fault)
                raise fault()  # a fresh exception per answer
            count, retry_after = self._throttle
            if count > 0:
                self._throttle = (count - 1, retry_after)
                raise rate_limited(retry_after)
            if self._error_rate and self._rng.random() < self._error_rate:
                raise server_error(self._rng.choice((500, 502, 503)))

    def _authorize(self, headers: Any, method: str, endpoint: str) -> Application:
        token = headers.get("Api-Token")
        with self._lock:
            app = next((a for a in self._apps.values() if token and a.api_token == token), None)
        if app is None:
            raise not_authorized("Invalid or missing Api-Token header.")
        if not self._limiter.allow((app.app_id, method, endpoint), RATE_LIMITS[method]):
            raise rate_limited(1)
        return app

    def _recording(self, app: Application, recording_id: str) -> Recording:
        with self._lock:
            recording = self._recordings.get((app.app_id, recording_id))
        if recording is None:
            raise not_found(f"Recording '{recording_id}' not found.")
        return recording

    def _copy(self, app: Application, recording_id: str, body: bytes) -> dict[str, Any]:
        params = _copy_params(body)
        recording = self._recording(app, recording_id)
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
        record = CopyRecord(recording_id, app.app_id, bucket, region, key)
        with self._lock:
            self._copies.append(record)
            index = len(self._copies) - 1
        thread = threading.Thread(target=self._run_copy, args=(index, s3, upload_id, recording), daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()
        return {"recording_id": recording_id, "bucket": bucket, "region": region, "status": "copying"}

    def _run_copy(self, index: int, s3: Any, upload_id: str, recording: Recording) -> None:
        def update(**changes: Any) -> None:
            with self._copies_changed:
                self._copies[index] = replace(self._copies[index], **changes)
                self._copies_changed.notify_all()

        record = self._copies[index]
        try:
            S3Copier.upload_parts(
                s3,
                record,
                upload_id,
                recording,
                on_part=lambda n: update(parts=n),
                cancelled=self._stopping,
            )
        except Exception as exc:
            log.info("copy of %s failed: %s", recording.recording_id, describe(exc))
            update(status="failed", error=describe(exc))
        else:
            update(status="completed")

    def _parents(self, app: Application, kind: str) -> dict[str, list[Recording]]:
        parents: dict[str, list[Recording]] = {}
        with self._lock:
            for rec in self._recordings.values():
                if rec.app_id == app.app_id and rec.kind == kind:
                    parents.setdefault(rec.parent_id, []).append(rec)
        return parents

    @staticmethod
    def _parent_dict(kind: str, parent_id: str, recordings: list[Recording]) -> dict[str, Any]:
        created = min(r.public_dict()["started_at"] for r in recordings) - 60_000
        shown = [r.public_dict() for r in recordings]
        if kind == "live":
            head = {"live_event_id": parent_id, "state": "ended"}
        else:
            head = {"room_id": parent_id, "room_type": "small_room_for_video", "state": "open"}
        return {**head, "created_at": created, "cloud_recordings": shown}

    def _list(self, app: Application, kind: str, query: dict[str, str]) -> dict[str, Any]:
        try:
            limit = int(query.get("limit", DEFAULT_PAGE_LIMIT))
        except ValueError:
            raise invalid(f"limit '{query['limit']}' is not an integer.") from None
        if not 1 <= limit <= MAX_PAGE_LIMIT:
            raise invalid(f"limit must be between 1 and {MAX_PAGE_LIMIT}.")
        offset = decode_page_token(query["next"]) if query.get("next") else 0
        items = [self._parent_dict(kind, pid, recs) for pid, recs in self._parents(app, kind).items()]
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        key = "live_events" if kind == "live" else "rooms"
        return {key: page, "next": encode_page_token(offset + limit) if more else None}

    def _detail(self, app: Application, kind: str, parent_id: str) -> dict[str, Any]:
        recordings = self._parents(app, kind).get(parent_id)
        label = "Live event" if kind == "live" else "Room"
        if not recordings:
            raise not_found(f"{label} '{parent_id}' not found.")
        return {"live_event" if kind == "live" else "room": self._parent_dict(kind, parent_id, recordings)}

    def _org_application(self, headers: Any, app_id: str) -> dict[str, Any]:
        key = headers.get("SENDBIRDORGANIZATIONAPITOKEN")
        with self._lock:
            org_apps = [a for a in self._apps.values() if key and a.org_api_key == key]
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
        try:
            status, payload = self.server.emulator.handle(self.command, self.path, self.headers, body)
        except ApiFault as fault:
            status, payload, headers = fault.status, fault.body(), fault.headers
        except Exception:
            log.exception("emulator: unexpected error")
            status, payload = 500, server_error(500).body()
        data = json.dumps(payload).encode()
        # Logged before writing: a test that just got its answer sees the entry, and a client that
        # already hung up (timeout tests) is still counted.
        self.server.emulator.record(self.command, urlsplit(self.path).path, status)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf8")
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
