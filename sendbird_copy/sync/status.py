"""``status``: how every recording of an application stands, from the ledger and one discovery.

Read-only by design: it lists and reads the ledger (``_sendbird-sync/<app>/``) with the operator's
credentials and, unless offline, lists the application's recordings once; it never claims, writes or
requests a copy. Each recording gets one state, judged by THE judge (``outcomes.judge``: the
sync's standing and deadline rules, so ``status`` and ``sync`` name each recording alike):

- ``safe``: the ledger says copied and its record checks out (its key holds the recording's id, its
  size is Sendbird's), as the sync verified it;
- ``lost``: not safe and past its deadline (two weeks after it stopped);
- ``failed``: the ledger says failed (the sync tries it again, up to three requests);
- ``at risk``: not safe and its deadline within ``warn_days``;
- ``requested``: a copy was requested, its object not verified yet (or a copied entry the sync
  checks again: its record does not show the recording safe);
- ``to copy``: completed, not in the ledger yet (the next sync claims it);
- ``not ready``: Sendbird has not finished it (recording, uploading ...);
- ``unavailable``: Sendbird's own recording failed: there is nothing to copy.

One listing of the bucket serves both the ledger and the objects (``bucket_view.py``): a copied
entry whose object is gone is not safe. With the storage's ``replication`` option each safe
recording also says whether it has reached the replica (``replica.py``): one listing of the
replica bucket (a request per 1,000 keys) shows each copy there (of its size); only a copy it does
not show costs a HeadObject (S3's ReplicationStatus: pending or failed) and, where S3 gives none, one
in the replica. A
replication S3 reports FAILED, or a replica that could not be read, is a problem (exit 1); PENDING
and "not yet" are shown, not failed. It also says who holds the sync lease and until when, and,
online, how far back its view of Sendbird reaches.

The report passes (exit 0) as the sync's does: nothing failed, at risk or lost, and the ledger read.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote

from sendbird_copy import rules
from sendbird_copy.aws import mapped
from sendbird_copy.errors import OptionError, ServiceError, describe
from sendbird_copy.facts import GET_REQUESTS_PER_SECOND, RECORDING_RETENTION
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.rules import shorten
from sendbird_copy.sync.bucket.lease import Holder, lease_key, read_holder
from sendbird_copy.sync.bucket.ledger import Ledger, LedgerEntry, Stored, now_utc
from sendbird_copy.sync.bucket.state import SyncStateStore
from sendbird_copy.sync.bucket.view import judged_by_object, read_bucket
from sendbird_copy.sync.discovery import LIVE_EVENT, ROOM, Discoverer, FoundRecording
from sendbird_copy.sync.horizon import DEFAULT_EVENT_MARGIN_HOURS, bounded_queries, horizon
from sendbird_copy.sync.limiter import RateLimiter
from sendbird_copy.sync.outcomes import NEEDS_ATTENTION, STATES, State, judge
from sendbird_copy.sync.replica import FAILED as REPLICA_FAILED
from sendbird_copy.sync.replica import REACHED as REPLICA_REACHED
from sendbird_copy.sync.replica import UNKNOWN as REPLICA_UNKNOWN
from sendbird_copy.sync.replica import replica_state

# The states' names (sendbird_copy.sync.outcomes holds them), most urgent first in STATES.
SAFE, LOST, FAILED_STATE, AT_RISK = State.SAFE, State.LOST, State.FAILED, State.AT_RISK
REQUESTED_STATE, TO_COPY, NOT_READY, UNAVAILABLE = (
    State.REQUESTED,
    State.TO_COPY,
    State.NOT_READY,
    State.UNAVAILABLE,
)


@dataclass(frozen=True)
class StatusOptions:
    offline: bool = False
    warn_days: float = rules.WARN_DAYS_DEFAULT
    live_event: str | None = None
    room: str | None = None

    @property
    def wanted(self) -> tuple[str, str] | None:
        """(parent kind, id) of --live-event / --room, or None: every recording."""
        if self.live_event is not None:
            return LIVE_EVENT, self.live_event
        if self.room is not None:
            return ROOM, self.room
        return None


@dataclass(frozen=True)
class StatusRow:
    recording_id: str
    parent_kind: str
    parent_id: str
    state: str
    stopped_at: datetime | None
    deadline: datetime | None
    key: str | None = None
    size: int | None = None
    detail: str | None = None
    # With ``replication``, for a safe recording: reached, pending, failed, not yet or unknown.
    replica: str | None = None

    @property
    def where(self) -> str:
        return f"{self.parent_kind} {self.parent_id}"

    def time_left(self, now: datetime) -> timedelta | None:
        return None if self.deadline is None else self.deadline - now

    def to_dict(self, now: datetime) -> dict[str, Any]:
        left = self.time_left(now)
        return {
            "recording_id": self.recording_id,
            "where": self.where,
            "parent_kind": self.parent_kind,
            "parent_id": self.parent_id,
            "state": str(self.state),
            "stopped_at": self.stopped_at.isoformat() if self.stopped_at else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "seconds_left": None if left is None else int(left.total_seconds()),
            "key": self.key,
            "size": self.size,
            "detail": self.detail,
            "replica": self.replica,
        }


@dataclass
class StatusReport:
    app_id: str
    bucket: str
    now: datetime
    offline: bool
    rows: list[StatusRow] = field(default_factory=list)
    # What keeps the report from vouching for every recording: no ledger at all, ledger objects that
    # are not entries (the sync would take them over). Each fails the report (exit 1).
    problems: list[str] = field(default_factory=list)
    error: str | None = None  # the ledger (or, online, the listing) could not be read at all
    lease: Holder | None = None  # who holds the sync lease, until when (S3's clock)
    view: str | None = None  # online: how far back the view of Sendbird's recordings reaches

    def counts(self) -> dict[str, int]:
        return {str(state): sum(row.state == state for row in self.rows) for state in STATES}

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and not self.problems
            and not any(r.state in NEEDS_ATTENTION for r in self.rows)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "bucket": self.bucket,
            "passed": self.passed,
            "offline": self.offline,
            "error": self.error,
            "problems": list(self.problems),
            "lease": self.lease.to_dict() if self.lease else None,
            "view": self.view,
            "counts": self.counts(),
            "recordings": [row.to_dict(self.now) for row in self.rows],
        }


# -- the pure part: ledger entries and listed recordings -> rows ------------------------------------
def _time(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _parent(where: str) -> tuple[str, str]:
    """(kind, id) from a ledger entry's ``where`` ("live event <id>" / "room <id>")."""
    for kind in (LIVE_EVENT, ROOM):
        if where.startswith(f"{kind} "):
            return kind, where[len(kind) + 1 :]
    return "unknown", where


def build_rows(
    entries: Iterable[LedgerEntry],
    recordings: Iterable[FoundRecording] | None,
    now: datetime,
    warn_days: float,
) -> list[StatusRow]:
    """One row per recording known to the ledger or the listing, sorted by time left (none last)."""
    warn = timedelta(days=warn_days)
    by_entry = {entry.recording_id: entry for entry in entries}
    by_found = {found.recording_id: found for found in recordings or ()}
    rows = []
    for recording_id in by_entry.keys() | by_found.keys():
        entry, found = by_entry.get(recording_id), by_found.get(recording_id)
        state, detail = judge(entry, found, now, warn)
        if found is not None:
            kind, parent_id = found.parent_kind, found.parent_id
            stopped, deadline = found.stopped_at, found.deadline
        else:
            assert entry is not None
            kind, parent_id = _parent(entry.where)
            deadline = _time(entry.deadline)
            stopped = None if deadline is None else deadline - RECORDING_RETENTION
        copied = (entry.object or {}) if entry is not None else {}
        size = copied.get("size")
        rows.append(
            StatusRow(
                recording_id=recording_id,
                parent_kind=kind,
                parent_id=parent_id,
                state=state,
                stopped_at=stopped,
                deadline=deadline,
                key=copied.get("key") if isinstance(copied.get("key"), str) else None,
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                detail=detail,
            )
        )
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda r: (r.deadline or far, r.recording_id))


# -- reading (read-only) --------------------------------------------------------------------------
@dataclass
class StatusServices:
    """The operator's S3 client per application, and (online) a Sendbird client per application."""

    deployer_s3: Callable[[AppOutputs], Any]
    make_client: Callable[[AppOutputs], Any] | None = None
    now: Callable[[], datetime] = now_utc
    # The operator's S3 client in the replica's region (``replica_region``), for applications with
    # a replica; None: the replica is not asked about.
    replica_s3: Callable[[AppOutputs], Any] | None = None


def _discovered(client: Any, ledger: Ledger, now: datetime, report: StatusReport) -> list[FoundRecording]:
    """THE one discovery of a status run (under Sendbird's GET limit): bounded by the two-week
    window as the sync's (horizon.py), with the parents the sync watches; read-only (the sync state
    is read, never written). Recordings past that are shown from the ledger alone."""
    gets = RateLimiter(GET_REQUESTS_PER_SECOND)
    client.set_throttle(lambda _method: gets.slot())
    state = SyncStateStore(ledger.s3, ledger.bucket, ledger.prefix).load()
    edge = horizon(now, timedelta(hours=DEFAULT_EVENT_MARGIN_HOURS))
    discoverer = Discoverer(client)
    discoverer.read(bounded_queries(edge))
    discoverer.read_watched(state.watch if state else ())
    report.problems.extend(
        f"could not read watched {why}: its recordings are not shown" for why in discoverer.result.unread
    )
    report.view = (
        f"Sendbird's listings from {edge.isoformat(timespec='minutes')} (live events started, rooms "
        f"created since), every live event not ended and room open, and {len(state.watch) if state else 0} "
        "watched parents; older recordings from the ledger alone"
    )
    last = state.last_complete if state else None
    if state is not None and state.problem is not None:
        report.problems.append(f"the sync's discovery state {state.problem}: the watch is not known")
    elif last is None or last < edge:
        since = "never" if last is None else last.isoformat(timespec="minutes")
        report.problems.append(
            f"the last complete discovery ({since}) is older than the horizon: a recording of a long "
            "event may be missing from this view; run `sendbird-copy sync`"
        )
    return discoverer.finish().recordings


def _readable(ledger: Ledger, stored: list[tuple[str, Stored]], report: StatusReport) -> list[LedgerEntry]:
    entries = []
    for key, item in stored:
        where = f"ledger object s3://{ledger.bucket}/{key}"
        if item.entry is None and item.problem is not None:
            report.problems.append(
                f"{where} is not a ledger entry ({item.problem}): its recording's state is unknown "
                "(the next sync looks for its object before any copy)"
            )
        elif item.entry is None:
            report.problems.append(
                f"{where} is not a ledger entry (not JSON, or a field missing or of the wrong type): its "
                "recording's state is unknown (the next sync takes it over)"
            )
        elif item.entry.recording_id != unquote(key[len(ledger.prefix) : -len(".json")]):
            named = shorten(item.entry.recording_id)
            report.problems.append(f"{where} names recording {named}, not the one its key names: left out")
        else:
            entries.append(item.entry)
    return entries


def app_status(app: AppOutputs, services: StatusServices, options: StatusOptions) -> StatusReport:
    now = services.now()
    report = StatusReport(app.app_id, app.bucket_name, now, options.offline)
    ledger = Ledger(mapped(services.deployer_s3(app)), app.bucket_name, app.app_id)
    try:
        stored, objects = read_bucket(ledger, app.kms_key_arn, report.problems)
        report.lease, _ = read_holder(ledger.s3, ledger.bucket, lease_key(ledger.prefix))
    except ServiceError as exc:
        report.error = f"could not read the ledger s3://{app.bucket_name}/{ledger.prefix}: {describe(exc)}"
        return report
    recordings = None
    if not options.offline:
        assert services.make_client is not None
        try:
            recordings = _discovered(services.make_client(app), ledger, now, report)
        except ServiceError as exc:
            report.error = f"could not list the recordings of application {app.app_id}: {describe(exc)}"
            return report
    if not stored:
        report.problems.append(
            f"no ledger at s3://{app.bucket_name}/{ledger.prefix}: no sync has run for application "
            f"{app.app_id} yet (or its entries expired); run `sendbird-copy sync`"
        )
    entries = judged_by_object(_readable(ledger, stored, report), objects)
    report.rows = build_rows(entries, recordings, now, options.warn_days)
    if app.replica_bucket_name is not None and services.replica_s3 is not None:
        report.rows = _with_replica(app, ledger.s3, services.replica_s3, report)
    return report


def _with_replica(
    app: AppOutputs, s3: Any, replica_s3: Callable[[AppOutputs], Any], report: StatusReport
) -> list[StatusRow]:
    """Each safe recording's place in the replica: one listing of the replica bucket (a request per
    1,000 keys, as the bucket's own), then at most two HeadObject requests for each copy it does not
    show (S3's ReplicationStatus says pending or failed). A listing refused: two requests each."""
    assert app.replica_bucket_name is not None
    replica = mapped(replica_s3(app))
    safe = {row.key for row in report.rows if row.state == SAFE and row.key is not None}
    listed: dict[str, Any] = {}  # key -> size, of the safe copies' keys the replica shows
    if safe:
        try:
            pages = replica.get_paginator("list_objects_v2").paginate(Bucket=app.replica_bucket_name)
            for page in pages:
                listed.update({i["Key"]: i.get("Size") for i in page.get("Contents", []) if i["Key"] in safe})
        except ServiceError:  # each copy is then asked about by HeadObject, which says what it can
            listed = {}
    rows = []
    for row in report.rows:
        if row.state != SAFE or row.key is None:
            rows.append(row)
            continue
        if row.key in listed and row.size in (None, listed[row.key]):  # another size: S3 is asked
            rows.append(dataclasses.replace(row, replica=REPLICA_REACHED))
            continue
        found = replica_state(s3, app.bucket_name, row.key, app.replica_bucket_name, lambda: replica)
        if found.state in (REPLICA_FAILED, REPLICA_UNKNOWN):
            report.problems.append(f"recording {shorten(row.recording_id)}: {found.detail}")
        rows.append(dataclasses.replace(row, replica=found.state))
    return rows


def run_status(
    apps: list[AppOutputs], services: StatusServices, options: StatusOptions
) -> list[StatusReport]:
    """Every application's status; with --live-event/--room only that parent's recordings, and an
    ``OptionError`` when none of the applications knows it."""
    reports = [app_status(app, services, options) for app in apps]
    wanted = options.wanted
    if wanted is None:
        return reports
    kind, parent_id = wanted
    for report in reports:
        report.rows = [r for r in report.rows if (r.parent_kind, r.parent_id) == (kind, parent_id)]
    if not any(report.rows for report in reports) and not any(r.error for r in reports):
        flag = "--live-event" if kind == LIVE_EVENT else "--room"
        where = "the ledger" if options.offline else "the ledger or Sendbird's listing"
        names = ", ".join(app.app_id for app in apps)
        raise OptionError(
            f"{flag} {shorten(parent_id)}: no recording of {kind} {shorten(parent_id)} in {where} of "
            f"application(s) {names}. Allowed: the id of a {kind} with a recording"
        )
    return reports
