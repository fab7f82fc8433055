"""The emulator's data: applications, recordings, copies, request events, the rate limiter and the
recording bytes.

Plain data and pure helpers only; the catalog (``catalog.py``), the HTTP server (``server.py``) and
the S3 copy (``copier.py``) build on them. Field names follow Sendbird's documentation. Times are epoch
seconds inside the emulator and Unix milliseconds on the wire (documented).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sendbird_copy.facts import COPY_PART_SIZE, RECORDING_RETENTION

PART_SIZE = COPY_PART_SIZE  # Sendbird writes in 5 MB parts (sendbird_facts)
# Documented statuses: Live recordings (live events) and Calls recordings (rooms).
LIVE_STATUSES = frozenset({"ready", "recording", "paused", "uploading", "completed", "failed"})
CALLS_STATUSES = frozenset({"recording", "uploading", "completed", "failed"})
KINDS = ("live", "room")
STATUSES_BY_KIND = {"live": LIVE_STATUSES, "room": CALLS_STATUSES}
# Stopped recordings have a stopped_at (and so a deadline); the others are still going or waiting.
STOPPED_STATUSES = frozenset({"uploading", "completed", "failed"})
RETENTION_SECONDS = RECORDING_RETENTION.total_seconds()
BYTES_PER_SECOND = 2_500_000 / 8  # ~2.5 Mbit/s: a plausible duration for a recording's size


def default_duration_s(byte_size: int) -> float:
    """A plausible duration (seconds, at least one) for a recording of ``byte_size`` bytes."""
    return max(1.0, byte_size / BYTES_PER_SECOND)


def epoch_ms(seconds: float) -> int:
    return round(seconds * 1000)


# Every documented error code (Sendbird's "Errors" section): code -> (HTTP status, type).
DOCUMENTED_ERRORS: dict[int, tuple[int, str]] = {
    400100: (400, "INVALID_PARAMS"),
    400111: (400, "MISSING_PARAMS"),
    400200: (400, "NOT_FOUND"),
    400201: (400, "UNIQUE_CONSTRAINT"),
    400800: (400, "FREE_PLAN_ENDED"),
    401120: (401, "NOT_ALLOWED"),
    401121: (401, "NOT_AUTHORIZED"),
    429100: (429, "RATE_LIMIT_EXCEEDED"),
    500999: (500, "UNKNOWN_ERROR"),
}
UNKNOWN_ERROR = 500999


class ApiFault(Exception):
    """An error answer in Sendbird's documented body shape."""

    def __init__(
        self, status: int, code: int, type: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.type, self.message = status, code, type, message
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "type": self.type, "message": self.message}
        # The docs' 429 example has no "error" field; every other documented error has it.
        return body if self.status == 429 else {"error": True, **body}


def invalid(message: str) -> ApiFault:
    return ApiFault(400, 400100, "INVALID_PARAMS", message)


def missing(message: str) -> ApiFault:
    return ApiFault(400, 400111, "MISSING_PARAMS", message)


def not_found(message: str, status: int = 400) -> ApiFault:
    # An unknown id is a 400 (documented); an unknown path is our 404 with the same code.
    return ApiFault(status, 400200, "NOT_FOUND", message)


def not_authorized(message: str) -> ApiFault:
    return ApiFault(401, 401121, "NOT_AUTHORIZED", message)


def rate_limited(retry_after: int) -> ApiFault:
    return ApiFault(
        429,
        429100,
        "RATE_LIMIT_EXCEEDED",
        "Too many requests: the rate limit for this application and endpoint was exceeded.",
        {"Retry-After": str(retry_after)},
    )


def server_error(status: int) -> ApiFault:
    return ApiFault(status, 500999, "UNKNOWN_ERROR", "Unknown error (injected by the emulator).")


def documented_error(
    code: int | None = None,
    status: int | None = None,
    type: str | None = None,
    message: str | None = None,
) -> ApiFault:
    """A documented error answer: ``code`` picks status and type (500999 may use any 5xx status).

    Without ``code``, ``status`` must be a 5xx and the body is 500999 UNKNOWN_ERROR. Raises
    ValueError for an undocumented code or a status the code is not documented with.
    """
    if code is None:
        status = 503 if status is None else status
        if not 500 <= status <= 599:
            raise ValueError(f"status must be a 5xx without a code, got {status}")
        code = UNKNOWN_ERROR
    if code not in DOCUMENTED_ERRORS:
        raise ValueError(f"code {code} is not documented; one of {sorted(DOCUMENTED_ERRORS)}")
    documented_status, documented_type = DOCUMENTED_ERRORS[code]
    status = documented_status if status is None else status
    if status != documented_status and not (code == UNKNOWN_ERROR and 500 <= status <= 599):
        raise ValueError(f"code {code} is documented with HTTP {documented_status}, not {status}")
    kind = type or documented_type
    return ApiFault(status, code, kind, message or f"{kind} (injected by the emulator).")


@dataclass(frozen=True)
class Application:
    app_id: str
    api_token: str = field(repr=False)
    region_key: str
    region_name: str
    aws_region: str
    app_name: str
    org_api_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Recording:
    """One cloud recording. ``started_at``/``stopped_at`` are epoch seconds; ``stopped_at`` is None
    while it has not stopped (``ready``, ``recording``, ``paused``)."""

    app_id: str
    recording_id: str
    status: str
    byte_size: int
    kind: str  # live | room
    parent_id: str
    started_at: float
    stopped_at: float | None
    seq: int  # order of registration in the emulator

    @property
    def stopped(self) -> bool:
        return self.stopped_at is not None

    @property
    def duration_s(self) -> float | None:
        return None if self.stopped_at is None else self.stopped_at - self.started_at

    @property
    def expires_at(self) -> float | None:
        """Epoch seconds after which Sendbird no longer has it (RECORDING_RETENTION after the stop)."""
        return None if self.stopped_at is None else self.stopped_at + RETENTION_SECONDS

    def expired(self, now: float) -> bool:
        expires_at = self.expires_at
        return expires_at is not None and now > expires_at

    def public_dict(self) -> dict[str, Any]:
        """The documented recording fields, as the listing endpoints show them (times in Unix ms).

        Live recordings carry ``byte_size`` and ``media_type``; Calls (room) recordings have only
        the documented Calls fields. A ``ready`` recording has not started: no ``started_at``.
        """
        started = epoch_ms(self.started_at)
        stopped = None if self.stopped_at is None else epoch_ms(self.stopped_at)
        data: dict[str, Any] = {
            "recording_id": self.recording_id,
            "target_event_type": "live" if self.kind == "live" else "room_video",
            "status": self.status,
            "started_at": None if self.status == "ready" else started,
            "stopped_at": stopped,
            "duration": None if stopped is None else stopped - started,  # exactly the two apart
        }
        if self.kind == "live":
            data.update(byte_size=self.byte_size, media_type="video", live_event_id=self.parent_id)
        else:
            data["room_id"] = self.parent_id
        return data


# Documented parent states: a live event's (GET /live-events ``state``) and a room's (GET /rooms).
LIVE_EVENT_STATES = ("created", "ready", "ongoing", "ended")
ROOM_STATES = ("open", "deleted")
STATES_BY_KIND = {"live": LIVE_EVENT_STATES, "room": ROOM_STATES}


@dataclass(frozen=True)
class Parent:
    """A live event or a room: recordings are listed only inside one (``cloud_recordings``).

    ``state`` and ``started_at`` are what a test set explicitly (``set_parent_state``); when unset a
    live event's state follows its recordings (ongoing while one records, ready while one waits,
    else ended) and it started when its first recording did; a room is open.
    """

    app_id: str
    kind: str
    parent_id: str
    created_at: float  # epoch seconds
    seq: int
    state: str | None = None
    started_at: float | None = None

    @property
    def sort_key(self) -> tuple[int, int]:
        """Listings show parents newest first: descending by this key."""
        return (epoch_ms(self.created_at), self.seq)

    def shown_state(self, recordings: list[Recording]) -> str:
        if self.state is not None:
            return self.state
        if self.kind == "room":
            return "open"
        statuses = {r.status for r in recordings}
        if statuses & {"recording", "paused"}:
            return "ongoing"
        return "ready" if "ready" in statuses else "ended"

    def shown_started_at(self, recordings: list[Recording]) -> float | None:
        """Epoch seconds the live event started (None: it has not); rooms have no start."""
        if self.kind == "room":
            return None
        if self.started_at is not None:
            return self.started_at
        started = [r.started_at for r in recordings if r.status != "ready"]
        return min(started) if started else None

    def public_dict(self, recordings: list[Recording], everything: list[Recording]) -> dict[str, Any]:
        """``recordings``: the ones Sendbird still has (shown); ``everything``: every one it ever
        had (the state and start follow those)."""
        shown = [r.public_dict() for r in recordings]
        state = self.shown_state(everything)
        if self.kind == "live":
            started = self.shown_started_at(everything)
            head: dict[str, Any] = {
                "live_event_id": self.parent_id,
                "title": f"Live event {self.parent_id}",
                "host_type": "single_host",
                "user_ids_for_host": [f"host-of-{self.parent_id}"],
                "state": state,
                "started_at": None if started is None else epoch_ms(started),
            }
        else:
            head = {"room_id": self.parent_id, "room_type": "small_room_for_video", "state": state}
        return {**head, "created_at": epoch_ms(self.created_at), "cloud_recordings": shown}


@dataclass(frozen=True)
class CopyRecord:
    """One accepted copy as the emulator performs it; replaced (not mutated) as it progresses."""

    recording_id: str
    app_id: str
    bucket: str
    region: str
    key: str
    status: str = "in_progress"  # in_progress | completed | failed | dropped (accepted, never written)
    error: str | None = None
    parts: int = 0  # parts uploaded so far
    damage: str | None = None  # how the emulator damages this copy (media.DAMAGES), None: whole


@dataclass(frozen=True)
class RequestEvent:
    """One answered request: ``time`` on the rate clock (``time.monotonic`` unless injected), ``at``
    on the emulator's clock (epoch seconds); ``app_id`` from the Api-Token, None if it named none."""

    time: float
    method: str
    path: str  # without the query, as sent (percent-encoded)
    status: int
    app_id: str | None
    at: float = 0.0
    query: str = ""  # the query string as sent (listing filters; never a body or a header)


class SlidingWindowLimiter:
    """At most ``limit`` accepted events per key in any one-second window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window: float = 1.0) -> None:
        self._clock = clock
        self._window = window
        self._events: dict[Any, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: Any, limit: int, now: float | None = None) -> bool:
        """Count one event at ``now`` (default: the clock) unless ``limit`` are already in the window."""
        with self._lock:
            now = self._clock() if now is None else now
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self._window:
                events.popleft()
            if len(events) >= limit:
                return False  # rejected requests do not count against the window
            events.append(now)
            return True


def max_in_window(times: Iterable[float], seconds: float = 1.0) -> int:
    """The most of ``times`` inside any half-open window ``[t, t + seconds)``."""
    ordered = sorted(times)
    best = 0
    for index, start in enumerate(ordered):
        best = max(best, bisect.bisect_left(ordered, start + seconds, lo=index) - index)
    return best


def parts_count(byte_size: int, part_size: int = PART_SIZE) -> int:
    """S3 needs at least one part, even for an empty file."""
    return max(1, math.ceil(byte_size / part_size))


def _pattern(recording_id: str) -> bytes:
    return hashlib.sha256(recording_id.encode()).digest() * 2048  # 64 KiB, distinct per recording


def recording_bytes(recording_id: str, offset: int, length: int) -> bytes:
    """Bytes ``offset`` to ``offset + length`` of the recording's deterministic content."""
    pattern = _pattern(recording_id)
    start = offset % len(pattern)
    repeats = (start + length) // len(pattern) + 1
    return (pattern * repeats)[start : start + length]


def iter_parts(recording_id: str, byte_size: int, part_size: int = PART_SIZE) -> Iterator[bytes]:
    """The recording as upload parts, one at a time, so no more than a part is ever in memory."""
    for index in range(parts_count(byte_size, part_size)):
        offset = index * part_size
        yield recording_bytes(recording_id, offset, min(part_size, byte_size - offset))


def encode_page_token(key: tuple[int, int]) -> str:
    """An opaque ``next`` token: the sort key of the last item shown (so pages never repeat or skip
    an item, even when parents are added between pages)."""
    created_ms, seq = key
    return base64.urlsafe_b64encode(f"before:{created_ms}:{seq}".encode()).decode().rstrip("=")


def decode_page_token(token: str) -> tuple[int, int]:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, created_ms, seq = text.split(":")
        key = (int(created_ms), int(seq))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(f"'next' token '{token}' is not valid") from exc
    if prefix != "before" or key[1] < 0:
        raise invalid(f"'next' token '{token}' is not valid")
    return key
