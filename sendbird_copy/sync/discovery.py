"""The cloud recordings of one application, read from the listings that hold them.

The Calls/Live APIs list recordings only inside their parents (``cloud_recordings`` of a live event
or a room), so discovery pages through listings (``limit`` + ``next``) and reads them leniently.
Which listings, with which documented filters, is the horizon's choice (``horizon.py``): a full scan
pages every parent; a bounded run asks for the parents not ended (every one of them) and the ended
ones recent enough to matter, then fetches by id the *watched* parents (seen open by an earlier run)
that neither listing showed. Each recording's deadline is two weeks after it stopped: the earliest
moment Sendbird could delete it (it keeps a file two weeks after its upload completed, which is at or
after the stop).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sendbird_copy.errors import SendbirdApiError
from sendbird_copy.facts import RECORDING_RETENTION

COMPLETED = "completed"
# Parent kinds as the report names them.
LIVE_EVENT, ROOM = "live event", "room"
# Per kind: the listing field that holds the parent's id, and the state that means "over".
ID_FIELDS = {LIVE_EVENT: "live_event_id", ROOM: "room_id"}
LISTING_PATHS = {LIVE_EVENT: "live-events", ROOM: "rooms"}
ENDED_STATES = {LIVE_EVENT: "ended", ROOM: "deleted"}
NOT_FOUND_CODE = 400200  # documented: an unknown id is a 400 with this code


class ListingClient(Protocol):
    def list_page(
        self, kind: str, filters: Mapping[str, str], token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]: ...
    def get_live_event(self, live_event_id: str) -> dict[str, Any]: ...
    def get_room(self, room_id: str) -> dict[str, Any]: ...


@dataclass(frozen=True)
class FoundRecording:
    """One recording as Sendbird lists it, with the parent it was found in."""

    recording_id: str
    status: str
    parent_kind: str
    parent_id: str
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    byte_size: int | None = None

    @property
    def where(self) -> str:
        return f"{self.parent_kind} {self.parent_id}"

    @property
    def deadline(self) -> datetime | None:
        """The earliest time Sendbird may delete it; None while it has not stopped."""
        return None if self.stopped_at is None else self.stopped_at + RECORDING_RETENTION

    @property
    def completed(self) -> bool:
        return self.status == COMPLETED


ParentKey = tuple[str, str]  # (kind, parent id)


@dataclass(frozen=True)
class SeenParent:
    """A live event or room as this run saw it: over or not, and the recordings it listed."""

    kind: str
    parent_id: str
    ended: bool
    recording_ids: tuple[str, ...]

    @property
    def key(self) -> ParentKey:
        return (self.kind, self.parent_id)


@dataclass(frozen=True)
class Query:
    """One listing: a kind and the documented filters sent with every page."""

    kind: str
    filters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ScanCursor:
    """Where a listing stopped: the query's index and the ``next`` token of its following page."""

    query: int = 0
    token: str | None = None


@dataclass
class Discovery:
    recordings: list[FoundRecording] = field(default_factory=list)
    parents: dict[ParentKey, SeenParent] = field(default_factory=dict)
    pages: int = 0
    fetched_by_id: int = 0  # watched parents read one by one
    gone: set[ParentKey] = field(default_factory=set)  # watched parents Sendbird no longer has
    unread: list[str] = field(default_factory=list)  # watched parents Sendbird refused to show
    # False when stopped before the end: then the run may not count as a complete discovery (the
    # horizon's proof needs every run it relies on complete).
    complete: bool = True


# Every parent the application has. The live-events page says "Only ongoing live events can be
# retrieved" while documenting a state filter: ask for every state explicitly (SENDBIRD_API.md).
LIVE_EVENT_STATES = ("created", "ready", "ongoing", "ended")
FULL_SCAN = (
    Query(LIVE_EVENT, {"state": ",".join(LIVE_EVENT_STATES)}),
    Query(ROOM, {"state": "open"}),
    Query(ROOM, {"state": "deleted"}),
)


class Discoverer:
    """Reads listings and watched parents into one ``Discovery`` (each recording once)."""

    def __init__(self, client: ListingClient, stop: threading.Event | None = None) -> None:
        self.client = client
        self.stop = stop or threading.Event()
        self.result = Discovery()
        self._found: dict[str, FoundRecording] = {}

    def finish(self) -> Discovery:
        self.result.recordings = list(self._found.values())
        return self.result

    def read(
        self, queries: Sequence[Query], start: ScanCursor | None = None, max_pages: int | None = None
    ) -> ScanCursor | None:
        """Page through ``queries`` from ``start``; the cursor to resume from when stopped or after
        ``max_pages`` pages (the result is then not complete), None when every page was read."""
        index, token = (start.query, start.token) if start else (0, None)
        seen: set[str] = set()
        pages = 0
        while index < len(queries):
            if self.stop.is_set() or (max_pages is not None and pages >= max_pages):
                self.result.complete = False
                return ScanCursor(index, token)
            query = queries[index]
            items, following = self.client.list_page(LISTING_PATHS[query.kind], query.filters, token)
            pages += 1
            self.result.pages += 1
            for parent in items:
                _take(self.result, self._found, query.kind, parent)
            # A repeated token would loop forever: end the listing, but it may not be whole.
            if following is not None and following in seen:
                self.result.complete = False
            if following is None or following in seen:
                index, token, seen = index + 1, None, set()
            else:
                seen.add(following)
                token = following
        return None

    def read_watched(self, watched: Iterable[ParentKey]) -> None:
        """Each watched parent no listing showed, by id (``gone`` when Sendbird no longer has it)."""
        for key in watched:
            if self.stop.is_set():
                self.result.complete = False
                return
            if key in self.result.parents:
                continue
            kind, parent_id = key
            read = self.client.get_live_event if kind == LIVE_EVENT else self.client.get_room
            try:
                parent = read(parent_id)
            except SendbirdApiError as exc:
                if exc.code == NOT_FOUND_CODE:
                    self.result.gone.add(key)
                    continue
                # One parent that cannot be read must not stop the application's discovery run
                # after run: it stays watched (not gone), and this run is not complete.
                self.result.complete = False
                self.result.unread.append(f"{kind} {parent_id}: {exc}")
                continue
            self.result.fetched_by_id += 1
            _take(self.result, self._found, kind, {ID_FIELDS[kind]: parent_id, **parent})


def discover(client: ListingClient, since: datetime | None = None) -> list[FoundRecording]:
    """Every recording of the application (a full scan), optionally only those stopped (or, while
    running, started) at or after ``since``."""
    discoverer = Discoverer(client)
    discoverer.read(FULL_SCAN)
    found = discoverer.finish().recordings
    return [r for r in found if since is None or _not_before(r, since)]


def _take(result: Discovery, found: dict[str, FoundRecording], kind: str, parent: dict[str, Any]) -> None:
    parent_id = str(parent.get(ID_FIELDS[kind]) or parent.get("id") or "?")
    recordings = list(_recordings(kind, parent_id, parent))
    # A missing or unknown state counts as not over: the parent stays watched (never lose one).
    seen = SeenParent(kind, parent_id, parent.get("state") == ENDED_STATES[kind], ())
    previous = result.parents.get(seen.key)
    ids = tuple(
        dict.fromkeys(
            (previous.recording_ids if previous else ()) + tuple(r.recording_id for r in recordings)
        )
    )
    # Seen twice (a listing that shifted, or its state changed between two listings): not over wins.
    ended = seen.ended and (previous is None or previous.ended)
    result.parents[seen.key] = SeenParent(kind, parent_id, ended, ids)
    for recording in recordings:
        found.setdefault(recording.recording_id, recording)  # the first sighting is kept


def _recordings(kind: str, parent_id: str, parent: dict[str, Any]) -> Iterator[FoundRecording]:
    for item in parent.get("cloud_recordings") or ():
        if isinstance(item, dict) and isinstance(item.get("recording_id"), str) and item["recording_id"]:
            yield FoundRecording(
                recording_id=item["recording_id"],
                status=str(item.get("status") or "unknown"),
                parent_kind=kind,
                parent_id=parent_id,
                started_at=_time(item.get("started_at")),
                stopped_at=_time(item.get("stopped_at")),
                byte_size=_size(item.get("byte_size")),
            )


def _not_before(recording: FoundRecording, since: datetime) -> bool:
    """Stopped (or, while running, started) at or after ``since``; unknown times are kept."""
    moment = recording.stopped_at or recording.started_at
    return moment is None or moment >= since


def _time(value: Any) -> datetime | None:
    """Unix milliseconds (documented) as an aware UTC datetime; anything else is unknown."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
