"""How far back a sync run looks, and why that misses no recording that can still be copied.

A run's cost must follow the two-week window, not the application's years of history. A bounded run
asks Sendbird for (documented filters, SENDBIRD_API.md):
  1. every live event not ended (``state=created,ready,ongoing``) and every open room (``state=open``),
     whatever their age: a live event that started long ago can still be going, a room created months
     ago can still be open and recording;
  2. ended live events that started at or after the horizon ``H = now - 14 days - margin``
     (``state=ended&started_at_start_date=H``) and deleted rooms created at or after it;
  3. each *watched* parent that neither listing showed, by id: a parent is watched from the first run
     that sees it not ended until it is over and every recording of it is safe, unavailable or past
     its deadline.

Why nothing is missed. Take an ended live event E, started at s, ended at e, whose recording can still
be copied, so e > now - 14 days (a recording stops at or before its event ends, and Sendbird keeps it
14 days after). If s >= H, listing 2 shows it. Otherwise s < H. A bounded run happens only when the
last *complete* discovery ran at t with t >= H (else the run is a full scan, below). If t < e, E had
started (s < H <= t) and not ended at t, so that run listed it in 1 and watched it; it is still
watched now, because it is not yet safe, and 3 reads it. If t >= e, E was over at t and that complete
run saw every recording E had (by the same argument one run back; a full scan is the base case):
those it secured are in the ledger, and E stays watched while any of them is not. Rooms follow the
same argument with "created" for "started" (a room's recordings are all after its creation) and
"deleted" for "ended". The margin only widens listing 2, for events up to ``margin`` long even if the
watch were lost; events longer than that are caught by the watch.

When the proof's premise fails, the run is a full scan: the first run for an application (no state
in the bucket), a state whose last complete discovery is older than H, or a scan asked for
(``sync --full-scan``). A normal run never pages the history.

The safety net. The proof rests on the watch kept in the bucket; a watch lost without a trace (a
state rewritten, an earlier release's bug) would hide a long event's recording. So a full scan also
runs when the last one is older than ``SAFETY_SCAN_EVERY`` (4 days), spread over runs at
``SAFETY_SCAN_PAGES`` pages a run unless the run sets its own page budget: a recording a lost watch
missed is found at most about 4 days and one scan's runs later, while Sendbird still holds it (14 days).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sendbird_copy.facts import RECORDING_RETENTION
from sendbird_copy.rules import EVENT_MARGIN_HOURS_DEFAULT
from sendbird_copy.sync.discovery import (
    LIVE_EVENT,
    ROOM,
    Discovery,
    FoundRecording,
    ParentKey,
    Query,
    ScanCursor,
)
from sendbird_copy.sync.outcomes import SETTLED

BOUNDED, FULL = "bounded", "full scan"
# Listing 2 reaches this far past the two weeks: events up to this long are found even without the
# watch; longer ones through it. Most live events last hours.
DEFAULT_EVENT_MARGIN_HOURS = EVENT_MARGIN_HOURS_DEFAULT
# The periodic full scan (the safety net above): how often, and its pages per run when the run
# sets no page budget of its own (300 pages: 30 s at Sendbird's 10 GET/s).
SAFETY_SCAN_EVERY = timedelta(days=4)
SAFETY_SCAN_PAGES = 300


@dataclass(frozen=True)
class Plan:
    """A bounded run reads ``queries`` (every page: the window is small by nature). A full scan reads
    them too, first, so the window never waits, then pages ``FULL_SCAN`` from ``resume``; a scan
    too long for one run (the function's budget) goes on where the last run stopped."""

    mode: str  # BOUNDED or FULL
    reason: str
    horizon: datetime  # ended parents that started (rooms: were created) before it are not listed
    queries: tuple[Query, ...]
    resume: ScanCursor | None = None  # FULL only: where an unfinished scan stopped
    safety: bool = False  # the periodic scan (SAFETY_SCAN_PAGES a run unless the run says otherwise)


def horizon(now: datetime, margin: timedelta) -> datetime:
    return now - RECORDING_RETENTION - margin


def plan_discovery(
    now: datetime,
    margin: timedelta,
    last_complete: datetime | None,
    *,
    full_scan: bool,
    unfinished: ScanCursor | None = None,
    periodic: str | None = None,
) -> Plan:
    """A bounded run when the proof above holds, else a full scan, with the reason."""
    edge = horizon(now, margin)
    window = bounded_queries(edge)
    if full_scan:
        return Plan(FULL, "full scan requested", edge, window, ScanCursor())
    if unfinished is not None:
        return Plan(
            FULL, "going on with a full scan an earlier run could not finish", edge, window, unfinished, True
        )
    if last_complete is None:
        return Plan(FULL, "no discovery state in the bucket yet (first run)", edge, window, ScanCursor())
    if last_complete < edge:
        reason = f"the last complete discovery ({last_complete.isoformat()}) is older than the horizon"
        return Plan(FULL, reason, edge, window, ScanCursor())
    if periodic is not None:
        return Plan(FULL, periodic, edge, window, ScanCursor(), True)
    return Plan(BOUNDED, "bounded by the two-week window", edge, window)


def safety_scan_due(now: datetime, last_full_scan: datetime | None) -> str | None:
    """Why the periodic full scan (the safety net) is due, or None when it is not."""
    if last_full_scan is not None and now - last_full_scan < SAFETY_SCAN_EVERY:
        return None
    since = "never" if last_full_scan is None else f"last {last_full_scan.isoformat(timespec='minutes')}"
    every = SAFETY_SCAN_EVERY.days
    return f"the periodic full scan ({since}; every {every} days): the safety net for a lost watch"


def bounded_queries(edge: datetime) -> tuple[Query, ...]:
    since_ms = str(int(edge.timestamp() * 1000))  # Unix ms; the start is inclusive (documented)
    return (
        Query(LIVE_EVENT, {"state": "created,ready,ongoing"}),
        Query(LIVE_EVENT, {"state": "ended", "started_at_start_date": since_ms}),
        Query(ROOM, {"state": "open"}),
        Query(ROOM, {"state": "deleted", "created_at_start_date": since_ms}),
    )


def next_watch(
    discovery: Discovery,
    previous: Iterable[ParentKey],
    outcomes: Mapping[str, str],
    now: datetime,
) -> list[ParentKey]:
    """The parents the next run must read even if no listing shows them (see the module's proof).

    ``outcomes``: recording id -> this run's outcome. A recording without one (left out by
    ``--since``, say) is not settled: its parent stays watched until its deadline passes.
    """
    recordings = {r.recording_id: r for r in discovery.recordings}
    watch: list[ParentKey] = []
    for key in dict.fromkeys([*previous, *discovery.parents]):
        parent = discovery.parents.get(key)
        if parent is None:
            if key not in discovery.gone:
                watch.append(key)  # not read this run (stopped early): keep it
            continue
        if not parent.ended or any(
            _unsettled(recordings.get(rid), outcomes.get(rid), now) for rid in parent.recording_ids
        ):
            watch.append(key)
    return watch


def _unsettled(recording: FoundRecording | None, outcome: str | None, now: datetime) -> bool:
    if outcome in SETTLED:  # safe, Sendbird's own failure, or past its deadline
        return False
    deadline = recording.deadline if recording else None
    return deadline is None or deadline > now
