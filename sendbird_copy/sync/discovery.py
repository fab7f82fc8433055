"""The cloud recordings of one application, read from the listings that hold them.

The Calls/Live APIs list recordings only inside their parents (``cloud_recordings`` of a live event
or a room), so discovery pages through listings (``limit`` + ``next``); every page arrives checked
(``sendbird_copy.api.answers``: a page of another shape is an error, never "nothing"). Which listings,
with which documented filters, is the horizon's choice (``horizon.py``): a full scan pages every
parent; a bounded run asks for the parents not ended (every one of them) and the ended ones recent
enough to matter, then fetches by id the *watched* parents (seen open by an earlier run) that neither
listing showed. Each recording's deadline is two weeks after it stopped: the earliest moment
Sendbird could delete it (it keeps a file two weeks after its upload completed, which is at or after
the stop).

Listings are bounded: the window's listings may read ``window_page_limit`` pages a run (derived from
what the last run needed), a full scan ``FULL_SCAN_PAGES_PER_RUN`` before it leaves off for the next
run; a ``next`` token seen twice, or pages that bring no new parent, are a runaway cursor. Each ends
the application's run with an error naming the listing. A window that lists nothing where the last
run listed parents that must still be there (``ListingMemory``) is an error too.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from sendbird_copy import rules
from sendbird_copy.api.answers import BEGAN_FIELDS, Page, ParentAnswer
from sendbird_copy.errors import SendbirdApiError, UnexpectedAnswerError
from sendbird_copy.facts import RECORDING_RETENTION
from sendbird_copy.redact import shorten

COMPLETED = "completed"
# Parent kinds as the report names them.
LIVE_EVENT, ROOM = "live event", "room"
# Per kind: the listing field that holds the parent's id, and the state that means "over".
ID_FIELDS = {LIVE_EVENT: "live_event_id", ROOM: "room_id"}
LISTING_PATHS = {LIVE_EVENT: "live-events", ROOM: "rooms"}
ENDED_STATES = {LIVE_EVENT: "ended", ROOM: "deleted"}
NOT_FOUND_CODE = 400200  # documented: an unknown id is a 400 with this code

WINDOW_PAGES_FLOOR, WINDOW_PAGES_GROWTH = rules.WINDOW_PAGES_FLOOR, rules.WINDOW_PAGES_GROWTH
FULL_SCAN_PAGES_PER_RUN, RUNAWAY_PAGES = rules.FULL_SCAN_PAGES_PER_RUN, rules.RUNAWAY_PAGES


class ListingClient(Protocol):
    def list_page(self, kind: str, filters: Mapping[str, str], token: str | None = None) -> Page: ...
    def get_live_event(self, live_event_id: str) -> ParentAnswer: ...
    def get_room(self, room_id: str) -> ParentAnswer: ...


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
    # The parent's descriptive fields as listed (title, hosts): for the manifest only.
    about: Mapping[str, Any] | None = field(default=None, compare=False)

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


@dataclass(frozen=True)
class ListingMemory:
    """What one run's window listings showed, kept in the sync state for the next run to judge its
    own listings by: how many pages they took and parents they showed, and until when at least one
    of those parents must still be listed (the latest start among them, plus the two weeks)."""

    pages: int
    parents: int
    until: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"pages": self.pages, "parents": self.parents, "until": _iso(self.until)}

    @classmethod
    def from_dict(cls, data: Any) -> ListingMemory | None:
        """Lenient, as the rest of the state: anything unreadable is no memory."""
        if not isinstance(data, dict):
            return None
        pages, parents, until = data.get("pages"), data.get("parents"), data.get("until")
        if not (isinstance(pages, int) and isinstance(parents, int) and _count(pages) and _count(parents)):
            return None
        try:
            moment = datetime.fromisoformat(until) if isinstance(until, str) else None
        except ValueError:
            moment = None
        return cls(pages, parents, moment if moment is None or moment.tzinfo else None)


def window_page_limit(memory: ListingMemory | None) -> int:
    """Pages the window's listings may read this run: derived from what the last run needed."""
    return max(WINDOW_PAGES_FLOOR, WINDOW_PAGES_GROWTH * memory.pages if memory else 0)


@dataclass
class Discovery:
    recordings: list[FoundRecording] = field(default_factory=list)
    parents: dict[ParentKey, SeenParent] = field(default_factory=dict)
    pages: int = 0
    window_pages: int = 0  # pages of the window's listings (not the full scan's)
    listed: set[ParentKey] = field(default_factory=set)  # parents the window's listings showed
    listed_until: datetime | None = None  # see ListingMemory.until
    fetched_by_id: int = 0  # watched parents read one by one
    gone: set[ParentKey] = field(default_factory=set)  # watched parents Sendbird no longer has
    unread: list[str] = field(default_factory=list)  # watched parents Sendbird refused to show
    # False when stopped before the end: then the run may not count as a complete discovery (the
    # horizon's proof needs every run it relies on complete).
    complete: bool = True

    def memory(self) -> ListingMemory:
        return ListingMemory(self.window_pages, len(self.listed), self.listed_until)


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

    def __init__(
        self, client: ListingClient, stop: threading.Event | None = None, page_limit: int | None = None
    ) -> None:
        self.client = client
        self.stop = stop or threading.Event()
        self.page_limit = WINDOW_PAGES_FLOOR if page_limit is None else page_limit
        self.result = Discovery()
        self._found: dict[str, FoundRecording] = {}

    def finish(self) -> Discovery:
        self.result.recordings = list(self._found.values())
        return self.result

    def read(
        self, queries: Sequence[Query], start: ScanCursor | None = None, max_pages: int | None = None
    ) -> ScanCursor | None:
        """Page through ``queries``; None when every page was read.

        Without ``start``: the window's listings, at most ``page_limit`` pages (more is an error).
        With ``start`` (a full scan, from where it stopped): at most ``max_pages`` pages (default
        ``FULL_SCAN_PAGES_PER_RUN``), then the cursor to resume from (the result is not complete);
        stopped early, the same. A repeated or runaway ``next`` cursor is an error either way."""
        window = start is None
        index, token = (start.query, start.token) if start else (0, None)
        budget = self.page_limit if window else max_pages or FULL_SCAN_PAGES_PER_RUN
        pages = 0
        while index < len(queries):
            if self.stop.is_set() or (not window and pages >= budget):
                self.result.complete = False
                return ScanCursor(index, token)
            query = queries[index]
            cursor = _Cursor(f"GET /{LISTING_PATHS[query.kind]}")
            while True:
                if window and pages >= budget:
                    raise UnexpectedAnswerError(
                        cursor.endpoint,
                        f"the window's listings went past {budget} pages this run (a runaway next "
                        "cursor?); the limit follows from the pages the last run needed",
                    )
                page = self.client.list_page(LISTING_PATHS[query.kind], query.filters, token)
                pages += 1
                self.result.pages += 1
                self.result.window_pages += window
                for parent in page.parents:
                    if window:
                        _within_filter(cursor.endpoint, query, parent)
                    _take(self.result, self._found, query.kind, parent)
                    if window:
                        self._listed(query.kind, parent)
                token = cursor.follow(page)
                if token is None or self.stop.is_set() or (not window and pages >= budget):
                    break
            if token is None:
                index += 1
        return None

    def _listed(self, kind: str, parent: ParentAnswer) -> None:
        self.result.listed.add((kind, parent.parent_id))
        if parent.began is not None:
            until = parent.began + RECORDING_RETENTION
            self.result.listed_until = max(until, self.result.listed_until or until)

    def check_listed(self, memory: ListingMemory | None, now: datetime) -> None:
        """After the window's listings: when they showed no parent at all, while the last run's
        listed parents that must still be listed, Sendbird's listings are not what we rely on."""
        if self.result.listed or not self.result.complete or memory is None or not memory.parents:
            return  # something listed, stopped before the end (Ctrl-C, the budget), or nothing known
        if memory.until is None or memory.until <= now:
            return
        raise UnexpectedAnswerError(
            "GET /live-events and GET /rooms",
            f"they listed no live event or room, but the last run listed {memory.parents}, and at "
            f"least one of them must still be listed until {memory.until.isoformat(timespec='seconds')}",
        )

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
            _take(self.result, self._found, kind, parent)


class _Cursor:
    """One listing's ``next`` tokens: a token seen twice, or RUNAWAY_PAGES pages in a row with no
    parent not seen before in this listing, is a runaway cursor (a listing that never ends)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.tokens: set[str] = set()
        self.parents: set[str] = set()
        self.idle = 0

    def follow(self, page: Page) -> str | None:
        new = {p.parent_id for p in page.parents} - self.parents
        self.parents |= new
        if page.next is None:
            return None
        if page.next in self.tokens:
            raise UnexpectedAnswerError(
                self.endpoint,
                f"its next token repeated after {len(self.tokens)} pages (a listing that never ends)",
            )
        self.tokens.add(page.next)
        self.idle = 0 if new else self.idle + 1
        if self.idle >= RUNAWAY_PAGES:
            raise UnexpectedAnswerError(
                self.endpoint,
                f"{self.idle} pages in a row gave a new next token and no new parent (a runaway cursor)",
            )
        return page.next


# What "the window's listings reached the window's start" can soundly mean. Sendbird does not
# document the order of live events, and the rooms' documented order (newest first) proves nothing
# about a listing that ends: an end (``next`` null) is the server's word that nothing follows, and
# no order of what came before can confirm or refute it. What can be checked is that the listing is
# the one asked for: each window listing that filters on a start (``started_at_start_date`` for
# ended live events, ``created_at_start_date`` for deleted rooms, both at the horizon) must hold
# only parents that began at or after it. A parent before it, or without the time filtered on, means
# the filter was not applied (an answer of another shape): a listing that ignores what it was asked
# may ignore its end too, so it is refused, never taken as having reached the window's start. The
# other half of reaching the start, reading until ``next`` is null, is ``read``'s: the window's
# listings are read to their end or fail at their page limit.
_START_FILTERS = {LIVE_EVENT: "started_at_start_date", ROOM: "created_at_start_date"}


def _within_filter(endpoint: str, query: Query, parent: ParentAnswer) -> None:
    name = _START_FILTERS[query.kind]
    since = query.filters.get(name)
    if since is None:
        return
    began = BEGAN_FIELDS["/" + LISTING_PATHS[query.kind]]
    if parent.began is None:
        problem = f"has no '{began}'"
    elif parent.began.timestamp() * 1000 < int(since):
        problem = f"began at {parent.began.isoformat(timespec='seconds')}"
    else:
        return
    horizon = datetime.fromtimestamp(int(since) / 1000, tz=UTC).isoformat(timespec="seconds")
    raise UnexpectedAnswerError(
        f"{endpoint}?{name}",
        f"{query.kind} {shorten(parent.parent_id, 60)} {problem}, outside the {name}={since} ({horizon}, "
        "the window's start) the sync asked for: the listing is not the one asked for, so it cannot "
        "show that it reached the window's start",
    )


def _take(result: Discovery, found: dict[str, FoundRecording], kind: str, parent: ParentAnswer) -> None:
    recordings = [
        FoundRecording(
            recording_id=r.recording_id,
            status=r.status,
            parent_kind=kind,
            parent_id=parent.parent_id,
            started_at=r.started_at,
            stopped_at=r.stopped_at,
            byte_size=r.byte_size,
            about=parent.about,
        )
        for r in parent.recordings
    ]
    # A missing or unknown state counts as not over: the parent stays watched (never lose one).
    seen = SeenParent(kind, parent.parent_id, parent.state == ENDED_STATES[kind], ())
    previous = result.parents.get(seen.key)
    ids = tuple(
        dict.fromkeys(
            (previous.recording_ids if previous else ()) + tuple(r.recording_id for r in recordings)
        )
    )
    # Seen twice (a listing that shifted, or its state changed between two listings): not over wins.
    ended = seen.ended and (previous is None or previous.ended)
    result.parents[seen.key] = SeenParent(kind, parent.parent_id, ended, ids)
    for recording in recordings:
        found.setdefault(recording.recording_id, recording)  # the first sighting is kept


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
