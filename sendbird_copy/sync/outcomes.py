"""THE vocabulary of a recording's state, and THE judge of it: used by the sync, ``status``, the
horizon's watch and the scheduled function's metrics alike.

Two views of one verdict:
- an ``Outcome`` says what one sync run did with a recording (``copied``, ``already safe``, ...);
- a ``State`` is what ``status`` shows (``safe``, ``requested``, ``to copy``, ...), derived from the
  outcome and the at-risk flag by ``state_of``: status and sync cannot disagree on a name.

The judge has two steps. ``standing`` says where a recording stands before a run acts on it, from
Sendbird's status and the ledger (``status`` shows that; the sync acts on it). ``judge_deadline``
then weighs the deadline: not safe and past it is ``lost``; within the warning window, ``at risk``.

A ``copied`` entry is believed only when checked (DESIGN.md, "Believe a claim only when checked"):
its record names an object of this recording (a key holding its id) whose size is Sendbird's when
Sendbird gives one. Any other ``copied`` entry stands ``in progress``: the sync looks for its object
again (verification), and ``status`` shows it ``requested``, never ``safe``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sendbird_copy import facts
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED, REQUESTED, LedgerEntry
from sendbird_copy.sync.bucket.state import holds_id
from sendbird_copy.sync.discovery import FoundRecording


class Outcome(StrEnum):
    """What one sync run did with a recording, as reports and ``--json`` name it."""

    COPIED = "copied"  # copied and verified by this run
    ALREADY_SAFE = "already safe"  # the ledger says copied, and its record checks out
    IN_PROGRESS = "in progress"  # requested (by this or another run); its object not verified yet
    WOULD_COPY = "would copy"  # --dry-run
    PENDING = "pending"  # completed, not attempted (yet): --max-copies, interrupted, next run
    NOT_READY = "not ready"  # not completed yet: recording, uploading, ...
    UNAVAILABLE = "unavailable"  # Sendbird's own recording failed: there is nothing to copy
    FAILED = "failed"
    DAMAGED = "damaged"  # its object is not a whole MP4 (mp4.py): never copied; the next run asks again
    LOST = "lost"  # past its deadline and not safe


class State(StrEnum):
    """What ``status`` shows; most urgent first (the legend's and the counts' order)."""

    LOST = "lost"
    FAILED = "failed"
    AT_RISK = "at risk"
    REQUESTED = "requested"
    TO_COPY = "to copy"
    NOT_READY = "not ready"
    UNAVAILABLE = "unavailable"
    SAFE = "safe"


OUTCOMES = tuple(Outcome)
STATES = tuple(State)
AT_RISK_COUNT = "at risk"  # the key of a sync report's counts that counts the at-risk flag
DAMAGED_COUNT = "damaged state"  # ... and the tool's own objects that could not be read (checked.py)

SAFE_OUTCOMES = frozenset({Outcome.COPIED, Outcome.ALREADY_SAFE})
# After these a recording needs no more runs (the horizon stops watching its parent for it).
SETTLED = frozenset({*SAFE_OUTCOMES, Outcome.UNAVAILABLE, Outcome.LOST})
# A run (sync) or a report (status) with any of these does not pass.
FAILING_OUTCOMES = frozenset({Outcome.FAILED, Outcome.DAMAGED, Outcome.LOST})
NEEDS_ATTENTION = frozenset({State.LOST, State.FAILED, State.AT_RISK})

# Each outcome's state in ``status`` (the at-risk flag aside: see ``state_of``).
STATE_OF: Mapping[Outcome, State] = {
    Outcome.COPIED: State.SAFE,
    Outcome.ALREADY_SAFE: State.SAFE,
    Outcome.IN_PROGRESS: State.REQUESTED,
    Outcome.WOULD_COPY: State.TO_COPY,
    Outcome.PENDING: State.TO_COPY,
    Outcome.NOT_READY: State.NOT_READY,
    Outcome.UNAVAILABLE: State.UNAVAILABLE,
    Outcome.FAILED: State.FAILED,
    Outcome.DAMAGED: State.FAILED,  # its ledger entry says failed, with what is wrong
    Outcome.LOST: State.LOST,
}
# The scheduled function's metric each outcome counts toward (facts.METRICS); the at-risk flag counts
# toward METRIC_AT_RISK whatever the outcome. Outcomes not named count toward none.
METRIC_OF: Mapping[Outcome, str] = {
    Outcome.COPIED: facts.METRIC_COPIED,
    Outcome.LOST: facts.METRIC_LOST,
    Outcome.FAILED: facts.METRIC_FAILED,
    Outcome.DAMAGED: facts.METRIC_RECORDINGS_DAMAGED,
    Outcome.PENDING: facts.METRIC_PENDING,
    Outcome.IN_PROGRESS: facts.METRIC_PENDING,
}
AT_RISK_METRIC = facts.METRIC_AT_RISK


def state_of(outcome: Outcome | str, at_risk: bool) -> State:
    """The state ``status`` shows for a sync outcome: at risk outranks every state but lost and
    failed (which need attention anyway) and the ones the deadline no longer concerns."""
    state = STATE_OF[Outcome(outcome)]
    if at_risk and state not in (State.LOST, State.FAILED, State.SAFE, State.UNAVAILABLE):
        return State.AT_RISK
    return state


def metric_values(counts: Mapping[str, int]) -> dict[str, int]:
    """A sync report's counts as the scheduled function's metrics (every one of facts.METRICS)."""
    values = dict.fromkeys(facts.METRICS, 0)
    for outcome, metric in METRIC_OF.items():
        values[metric] += counts.get(outcome, 0)
    values[AT_RISK_METRIC] += counts.get(AT_RISK_COUNT, 0)
    values[facts.METRIC_DAMAGED] += counts.get(DAMAGED_COUNT, 0)
    return values


# -- what a run reports -----------------------------------------------------------------------------
@dataclass
class RecordingResult:
    recording: FoundRecording
    outcome: Outcome
    reason: str | None = None
    object: dict[str, Any] | None = None
    at_risk: bool = False

    def to_dict(self) -> dict[str, Any]:
        r = self.recording
        return {
            "recording_id": r.recording_id,
            "where": r.where,
            "status": r.status,
            "outcome": str(self.outcome),
            "at_risk": self.at_risk,
            "deadline": r.deadline.isoformat() if r.deadline else None,
            "reason": self.reason,
            "object": self.object,
        }


@dataclass
class DiscoveryNote:
    """How this run found its recordings, for the report: bounded or full, why, and at what cost."""

    mode: str
    reason: str
    horizon: str
    parents: int = 0
    watched: int = 0
    fetched_by_id: int = 0
    complete: bool = True
    scan_left_off: bool = False  # a full scan stopped at this run's page budget; the next run goes on

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class SyncReport:
    app_id: str
    results: list[RecordingResult] = field(default_factory=list)
    error: str | None = None  # the application could not be synced at all (listing refused...)
    discovery: DiscoveryNote | None = None
    requests: dict[str, int] = field(default_factory=dict)  # Sendbird requests by method, S3 by kind
    notes: list[str] = field(default_factory=list)  # what a reader should know (fallback listings...)
    skipped: str | None = None  # another run held the application's lease: this run did nothing
    # The tool's own objects that could not be read or made no sense, by key (checked.py, state.py).
    damaged: list[dict[str, str]] = field(default_factory=list)
    estimate: dict[str, Any] | None = None  # a dry run's backfill estimate (estimate.py)
    # What discovery could not read (a watched parent, a full scan's page): the recordings there are
    # not shown safe, so the run does not pass (the next run reads it again).
    missed: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {str(outcome): 0 for outcome in OUTCOMES}
        for result in self.results:
            counts[str(result.outcome)] += 1
        counts[AT_RISK_COUNT] = sum(r.at_risk for r in self.results)
        counts[DAMAGED_COUNT] = len(self.damaged)
        return counts

    def of(self, *outcomes: str) -> list[RecordingResult]:
        return [r for r in self.results if r.outcome in outcomes]

    @property
    def passed(self) -> bool:
        """Nothing failed, nothing lost, nothing at risk, nothing left unread."""
        return (
            self.error is None
            and not self.damaged
            and not self.missed
            and not self.of(*FAILING_OUTCOMES)
            and not any(r.at_risk for r in self.results)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "passed": self.passed,
            "error": self.error,
            "counts": self.counts(),
            "discovery": self.discovery.to_dict() if self.discovery else None,
            "requests": dict(sorted(self.requests.items())),
            "notes": list(self.notes),
            "skipped": self.skipped,
            "damaged": list(self.damaged),
            "missed": list(self.missed),
            **({"estimate": self.estimate} if self.estimate is not None else {}),
            "recordings": [r.to_dict() for r in sorted(self.results, key=lambda r: r.recording.recording_id)],
        }


# -- the judge -------------------------------------------------------------------------------------
def unbelieved(entry: LedgerEntry, found: FoundRecording | None) -> str | None:
    """Why a ``copied`` entry's record does not show its recording safe (None: it does)."""
    record = entry.object or {}
    key, size = record.get("key"), record.get("size")
    if not isinstance(key, str) or not holds_id(key, entry.recording_id):
        return "its record names no object of this recording"
    if entry.earlier_release:  # its prefix match could name another recording's object
        return "it was written by an earlier release and not checked since"
    if found is not None and found.byte_size is not None and size != found.byte_size:
        return f"its record says {size!r} bytes; the recording has {found.byte_size}"
    return None


def standing(entry: LedgerEntry | None, found: FoundRecording | None) -> tuple[Outcome, str | None]:
    """Where a recording stands before a run acts on it, and why: from Sendbird's status (``found``,
    None when not listed) and the ledger (``entry``, None when there is none or it is unreadable).
    The sync copies what stands ``pending``, and again what stands ``failed`` with attempts left."""
    if entry is not None and entry.state == COPIED:
        doubt = unbelieved(entry, found)
        if doubt is None:
            return Outcome.ALREADY_SAFE, None
        return Outcome.IN_PROGRESS, f"the ledger says copied but {doubt}: the next sync checks its object"
    if found is not None and found.status == "failed":
        return Outcome.UNAVAILABLE, "Sendbird's recording failed (status failed)"
    if found is not None and not found.completed:
        return Outcome.NOT_READY, f"status {found.status}"
    if entry is not None and entry.state == REQUESTED:
        return Outcome.IN_PROGRESS, f"copy requested at {entry.requested_at}; object not verified yet"
    if entry is not None and entry.state == FAILED:
        return Outcome.FAILED, entry.last_error or "the copy failed"
    return Outcome.PENDING, "completed; the next sync copies it"


def judge_deadline(
    outcome: Outcome | str, reason: str | None, deadline: datetime | None, now: datetime, warn: timedelta
) -> tuple[Outcome, str | None, bool]:
    """(outcome, reason, at risk) once the deadline is weighed: a recording neither safe nor
    unavailable is lost from its deadline on, and at risk in the ``warn`` before it."""
    outcome = Outcome(outcome)
    if outcome in SAFE_OUTCOMES or outcome == Outcome.UNAVAILABLE or deadline is None:
        return outcome, reason, False
    if now >= deadline:
        if outcome == Outcome.LOST:
            return outcome, reason, False
        why = f"past its deadline {deadline.isoformat()} and not copied ({outcome}"
        return Outcome.LOST, why + (f": {reason})" if reason else ")"), False
    return outcome, reason, deadline <= now + warn


def judge(
    entry: LedgerEntry | None, found: FoundRecording | None, now: datetime, warn: timedelta
) -> tuple[State, str | None]:
    """The state ``status`` shows for one recording, and why: its standing, deadline weighed."""
    outcome, reason = standing(entry, found)
    deadline = found.deadline if found is not None else _time(entry.deadline if entry else None)
    outcome, reason, at_risk = judge_deadline(outcome, reason, deadline, now, warn)
    if state_of(outcome, at_risk) == State.AT_RISK:
        days = warn.total_seconds() / 86400
        reason = f"not copied ({reason}); Sendbird may delete it within {days:g} days"
    return state_of(outcome, at_risk), reason


def _time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
