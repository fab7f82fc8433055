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
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sendbird_copy.errors import SendbirdApiError
from sendbird_copy.sendbird_facts import RECORDING_RETENTION

COMPLETED = "completed"
# Parent kinds as the report names them.
LIVE_EVENT, ROOM = "live event", "room"
# Per kind: the listing field that holds the parent's id, and the state that means "over".
ID_FIELDS = {LIVE_EVENT: "live_event_id", ROOM: "room_id"}
ENDED_STATES = {LIVE_EVENT: "ended", ROOM: "deleted"}
NOT_FOUND_CODE = 400200  # documented: an unknown id is a 400 with this code


class ListingClient(Protocol):
    def iter_live_events(self, *, filters: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]: ...
    def iter_rooms(self, *, filters: Mapping[str, str] | None = None) -> Iterator[dict[str, Any]]: ...
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


@dataclass
class Discovery:
    recordings: list[FoundRecording] = field(default_factory=list)
    parents: dict[ParentKey, SeenParent] = field(default_factory=dict)
    fetched_by_id: int = 0  # watched parents read one by one
    gone: set[ParentKey] = field(default_factory=set)  # watched parents Sendbird no longer has
    # False when stopped before the end or a watched parent could not be read: then the run may not
    # count as a complete discovery (the horizon's proof needs every run it relies on complete).
    complete: bool = True


# Every parent the application has. The live-events page says "Only ongoing live events can be
# retrieved" while documenting a state filter: ask for every state explicitly (SENDBIRD_API.md).
LIVE_EVENT_STATES = ("created", "ready", "ongoing", "ended")
FULL_SCAN = (
    Query(LIVE_EVENT, {"state": ",".join(LIVE_EVENT_STATES)}),
    Query(ROOM, {"state": "open"}),
    Query(ROOM, {"state": "deleted"}),
)


def discover(client: ListingClient, since: datetime | None = None) -> list[FoundRecording]:
    """Every recording of the application (a full scan), optionally only those stopped (or, while
    running, started) at or after ``since``."""
    found = discover_parents(client, FULL_SCAN, watched=()).recordings
    return [r for r in found if since is None or _not_before(r, since)]


def discover_parents(
    client: ListingClient,
    queries: Iterable[Query],
    watched: Iterable[ParentKey],
    stop: threading.Event | None = None,
) -> Discovery:
    """Page through ``queries``, then fetch each watched parent none of them showed."""
    result = Discovery()
    found: dict[str, FoundRecording] = {}
    for query in queries:
        for parent in _listing(client, query):
            if stop is not None and stop.is_set():
                result.complete = False
                break
            _take(result, found, query.kind, parent)
    for key in watched:
        if stop is not None and stop.is_set():
            result.complete = False
            break
        if key in result.parents:
            continue
        kind, parent_id = key
        try:
            parent = client.get_live_event(parent_id) if kind == LIVE_EVENT else client.get_room(parent_id)
        except SendbirdApiError as exc:
            if exc.code != NOT_FOUND_CODE:
                raise
            result.gone.add(key)
            continue
        result.fetched_by_id += 1
        _take(result, found, kind, {ID_FIELDS[kind]: parent_id, **parent})
    result.recordings = list(found.values())
    return result


def _listing(client: ListingClient, query: Query) -> Iterator[dict[str, Any]]:
    if query.kind == LIVE_EVENT:
        return client.iter_live_events(filters=query.filters)
    return client.iter_rooms(filters=query.filters)


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
