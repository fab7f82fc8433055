"""Every cloud recording of one application: all pages of live events and rooms, read leniently.

The Calls/Live APIs list recordings only inside their parents (``cloud_recordings`` of a live event
or a room), so discovery pages through both listings (``limit`` + ``next``). Each recording's
deadline is two weeks after it stopped: the earliest moment Sendbird could delete it (it keeps a file
two weeks after its upload completed, which is at or after the stop).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sendbird_copy.sendbird_facts import RECORDING_RETENTION

COMPLETED = "completed"
# Parent kinds as the report names them, with the listing field that holds the parent's id.
LIVE_EVENT, ROOM = "live event", "room"


class ListingClient(Protocol):
    def iter_live_events(self) -> Iterator[dict[str, Any]]: ...
    def iter_rooms(self) -> Iterator[dict[str, Any]]: ...


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


def discover(client: ListingClient, since: datetime | None = None) -> list[FoundRecording]:
    """Every recording of the application (each once), optionally only those stopped (or, while
    running, started) at or after ``since``."""
    found: dict[str, FoundRecording] = {}
    sources = (
        (LIVE_EVENT, "live_event_id", client.iter_live_events()),
        (ROOM, "room_id", client.iter_rooms()),
    )
    for kind, id_field, parents in sources:
        for recording in _recordings(kind, id_field, parents):
            # A listing that shifts while paging can show one recording twice: keep the first.
            found.setdefault(recording.recording_id, recording)
    return [r for r in found.values() if since is None or _not_before(r, since)]


def _recordings(kind: str, id_field: str, parents: Iterable[dict[str, Any]]) -> Iterator[FoundRecording]:
    for parent in parents:
        parent_id = str(parent.get(id_field) or parent.get("id") or "?")
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
