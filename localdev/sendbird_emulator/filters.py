"""The documented listing filters of ``GET /live-events`` and ``GET /rooms``, parsed and checked.

Times are Unix milliseconds; a range's start is inclusive ("equal to or greater than") and its end
exclusive ("less than"), as Sendbird documents. ``state`` takes several comma-separated values on
live events and one value on rooms. A value Sendbird would refuse answers 400/400100 (``invalid``).
Query keys the emulator does not know are ignored, as an HTTP API ignores unknown parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from localdev.sendbird_emulator.state import LIVE_EVENT_STATES, ROOM_STATES, invalid

MAX_ROOM_IDS = 10  # documented: room_ids takes at most 10 ids


@dataclass(frozen=True)
class TimeRange:
    start_ms: int | None = None  # inclusive
    end_ms: int | None = None  # exclusive

    def holds(self, moment_ms: int | None) -> bool:
        if self.start_ms is None and self.end_ms is None:
            return True
        if moment_ms is None:
            return False  # a live event that has not started has no started_at to compare
        if self.start_ms is not None and moment_ms < self.start_ms:
            return False
        return self.end_ms is None or moment_ms < self.end_ms


@dataclass(frozen=True)
class ParentFilter:
    states: frozenset[str] | None = None
    ids: frozenset[str] | None = None
    created: TimeRange = TimeRange()
    started: TimeRange = TimeRange()

    def matches(self, parent_id: str, state: str, created_ms: int, started_ms: int | None) -> bool:
        return (
            (self.states is None or state in self.states)
            and (self.ids is None or parent_id in self.ids)
            and self.created.holds(created_ms)
            and self.started.holds(started_ms)
        )


def parse_filter(kind: str, query: Mapping[str, str]) -> ParentFilter:
    """The filter a listing query asks for (``kind``: "live" or "room")."""
    if kind == "live":
        return ParentFilter(
            states=_states(query, LIVE_EVENT_STATES, several=True),
            ids=_ids(query, "live_event_ids", None),
            created=_range(query, "created_at"),
            started=_range(query, "started_at"),
        )
    return ParentFilter(
        states=_states(query, ROOM_STATES, several=False),
        ids=_ids(query, "room_ids", MAX_ROOM_IDS),
        created=_range(query, "created_at"),
    )


def _states(query: Mapping[str, str], allowed: tuple[str, ...], *, several: bool) -> frozenset[str] | None:
    text = query.get("state")
    if text is None:
        return None
    values = [v.strip() for v in text.split(",")] if several else [text]
    for value in values:
        if value not in allowed:
            raise invalid(f"state '{value}' is not one of {', '.join(allowed)}.")
    return frozenset(values)


def _ids(query: Mapping[str, str], name: str, most: int | None) -> frozenset[str] | None:
    text = query.get(name)
    if text is None:
        return None
    ids = [v.strip() for v in text.split(",") if v.strip()]
    if not ids:
        raise invalid(f"{name} is empty.")
    if most is not None and len(ids) > most:
        raise invalid(f"{name} takes at most {most} ids, got {len(ids)}.")
    return frozenset(ids)


def _range(query: Mapping[str, str], field: str) -> TimeRange:
    return TimeRange(_ms(query, f"{field}_start_date"), _ms(query, f"{field}_end_date"))


def _ms(query: Mapping[str, str], name: str) -> int | None:
    text = query.get(name)
    if text is None:
        return None
    if not text.isascii() or not text.isdigit():
        raise invalid(f"{name} '{text[:40]}' is not a Unix time in milliseconds.")
    return int(text)
