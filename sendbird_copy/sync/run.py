"""``sync``: every completed recording copied exactly once, before Sendbird deletes it.

Per application: discover the recordings that can still matter (``horizon.py``: bounded by the
two-week window, a full scan on the first run or on request; GETs under 10/s), then for each
completed one consult the ledger in the bucket: copied -> already safe; requested -> verify;
otherwise claim it (conditional create), ask Sendbird to copy (POSTs under 5/s through one limiter
shared by the worker threads), and finally verify: under the copy's learned key layout, one
``ListObjectsV2(Prefix=<expected key>)`` per copy; while the layout is unknown (the copy's key is
undocumented), or for a copy not under its expected key by the verify timeout, by listing the bucket
for a key that holds the recording id and no longer known id. Size, SSE-KMS key and the MP4's
structure (a few ranged reads: ``mp4.py``) are checked before marking it copied.

The same core runs from the CLI, a CI schedule and the scheduled function: it takes plain
collaborators (``SyncServices``) and returns ``SyncReport``s; it prints nothing itself.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from sendbird_copy.errors import OwnObjectTooLarge, SendbirdApiError, ServiceError, describe
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.sync.bucket.lease import Lease
from sendbird_copy.sync.bucket.s3clock import skew_note
from sendbird_copy.sync.bucket.state import StateKept, SyncState, SyncStateStore
from sendbird_copy.sync.claims import MAX_ATTEMPTS, Claims
from sendbird_copy.sync.context import DEFAULT_EVENT_MARGIN, AppContext, CopyBudget, SyncOptions, SyncServices
from sendbird_copy.sync.discovery import (
    FULL_SCAN,
    Discoverer,
    Discovery,
    FoundRecording,
    ScanCursor,
    window_page_limit,
)
from sendbird_copy.sync.estimate import bucket_transition, estimate
from sendbird_copy.sync.horizon import (
    BOUNDED,
    FULL,
    SAFETY_SCAN_PAGES,
    Plan,
    next_watch,
    plan_discovery,
    safety_scan_due,
)
from sendbird_copy.sync.manifest import ManifestWriter
from sendbird_copy.sync.outcomes import (
    OUTCOMES,
    SAFE_OUTCOMES,
    DiscoveryNote,
    Outcome,
    RecordingResult,
    SyncReport,
    judge_deadline,
    standing,
)
from sendbird_copy.sync.verification import LISTING_ONLY_NOTE, Verifier

# The outcomes' names as reports and --json give them (sendbird_copy.sync.outcomes holds them).
COPIED_NOW = Outcome.COPIED
ALREADY_SAFE = Outcome.ALREADY_SAFE
IN_PROGRESS = Outcome.IN_PROGRESS
WOULD_COPY = Outcome.WOULD_COPY
PENDING = Outcome.PENDING
NOT_READY = Outcome.NOT_READY
UNAVAILABLE = Outcome.UNAVAILABLE
FAILED_OUTCOME = Outcome.FAILED
DAMAGED = Outcome.DAMAGED
LOST = Outcome.LOST
SAFE = SAFE_OUTCOMES

__all__ = [
    "ALREADY_SAFE", "COPIED_NOW", "DAMAGED", "DEFAULT_EVENT_MARGIN", "FAILED_OUTCOME", "IN_PROGRESS",
    "LISTING_ONLY_NOTE", "LOST", "MAX_ATTEMPTS", "NOT_READY", "OUTCOMES", "PENDING", "SAFE",
    "UNAVAILABLE", "WOULD_COPY", "AppSync", "CopyBudget", "DiscoveryNote", "RecordingResult",
    "SyncInterrupted", "SyncOptions", "SyncReport", "SyncServices", "run_sync",
]  # fmt: skip


@dataclass(frozen=True)
class Found:
    """What one run's discovery found, and what it needs to remember of how."""

    read: SyncState | None  # the state as this run loaded it
    plan: Plan
    discovery: Discovery
    started: datetime
    window_complete: bool  # the window's listings and the watched parents were all read
    cursor: ScanCursor | None  # a full scan's place when it stopped short; None when it finished

    def note(self) -> DiscoveryNote:
        return DiscoveryNote(
            mode=self.plan.mode,
            reason=self.plan.reason,
            horizon=self.plan.horizon.isoformat(),
            parents=len(self.discovery.parents),
            watched=len(self.read.watch) if self.read else 0,
            fetched_by_id=self.discovery.fetched_by_id,
            complete=self.window_complete and self.cursor is None,
            scan_left_off=self.cursor is not None,
        )


def run_sync(apps: list[AppOutputs], services: SyncServices, options: SyncOptions) -> list[SyncReport]:
    """Sync every application in parallel; Ctrl-C stops claiming new work, lets in-flight requests
    finish (so the ledger says what happened) and re-raises."""
    budget = CopyBudget(options.max_copies)
    syncs = [AppSync(app, services, options, budget) for app in apps]
    with ThreadPoolExecutor(max_workers=max(1, len(syncs)), thread_name_prefix="sync-app") as pool:
        futures = [pool.submit(sync.run) for sync in syncs]
        try:
            return [future.result() for future in futures]
        except KeyboardInterrupt:
            services.stop.set()
            pool.shutdown(wait=True)  # the workers stop early; each report is as far as it got
            done = [f.result() for f in futures if f.done() and not f.cancelled() and f.exception() is None]
            raise SyncInterrupted(done) from None


class SyncInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during run_sync, carrying each application's report as far as it got."""

    def __init__(self, reports: list[SyncReport]) -> None:
        super().__init__()
        self.reports = reports


class AppSync:
    """One application's run: the lease, discovery, then claims and copies (``claims.py``),
    verification (``verification.py``), the deadlines (``outcomes.judge_deadline``) and the state
    saved for the next run."""

    def __init__(
        self, app: AppOutputs, services: SyncServices, options: SyncOptions, budget: CopyBudget
    ) -> None:
        self.context = AppContext(app, services, options)
        self.claims = Claims(self.context, budget)
        self.verifier = Verifier(self.context, self.claims)
        self.claims.check_object = self.verifier.check_object
        self.state_store = SyncStateStore(self.context.s3, app.bucket_name, self.context.ledger.prefix)
        self.missed: list[str] = []  # what discovery could not read (the report's ``missed``)

    def run(self) -> SyncReport:
        ctx = self.context
        app_id = ctx.app.app_id
        report = SyncReport(app_id)
        lease = Lease(ctx.s3, ctx.app.bucket_name, ctx.ledger.prefix, ctx.services.run_id, ctx.services.now)
        try:
            holder = None if ctx.options.dry_run else lease.acquire()
        except ServiceError as exc:
            report.error = f"could not take the sync lease of application {app_id}: {describe(exc)}"
            return report
        ctx.notes.extend(lease.notes)
        off = skew_note(ctx.services.now(), lease.s3_time)
        if off:
            ctx.notes.append(off)
        if holder is not None:
            report.skipped = (
                f"another sync run ({holder.run_id}) is at work on this application until "
                f"{holder.until.isoformat(timespec='seconds')} (S3's clock): left to it"
            )
            report.notes = list(ctx.notes)
            return report
        try:
            return self._run(report)
        finally:
            if not ctx.options.dry_run:
                self._give_back(lease, report)

    def _give_back(self, lease: Lease, report: SyncReport) -> None:
        """A failure to give the lease back never loses the run's report: it is a note (the lease
        then ends by itself, on S3's clock)."""
        try:
            lease.release()
        except ServiceError as exc:
            report.notes.append(
                f"could not give the sync lease back ({describe(exc)}): it ends by itself at "
                f"{lease.ends_by_itself()}"
            )

    def _run(self, report: SyncReport) -> SyncReport:
        ctx = self.context
        try:
            ctx.checks.load()
            found = self._discover()
        except ServiceError as exc:
            report.error = f"could not list the recordings of application {ctx.app.app_id}: {describe(exc)}"
            report.requests = dict(ctx.requests)
            return report
        report.discovery = found.note()
        report.missed = list(self.missed)
        if found.plan.mode == FULL:
            self._recheck_copies()
        discovery = found.discovery
        ctx.known_ids = {r.recording_id for r in discovery.recordings}
        recordings = [r for r in discovery.recordings if self._wanted(r)]
        completed = [r for r in recordings if r.completed]
        report.results.extend(_not_completed(r) for r in recordings if not r.completed)
        # Two runs at once rarely reach for the same recording at the same moment.
        random.shuffle(completed)
        ctx.services.progress(
            f"{ctx.app.app_id}: {len(recordings)} recordings, {len(completed)} completed ({found.plan.mode})"
        )
        ctx.services.on_found(ctx.app.app_id, len(completed))
        report.results.extend(self.claims.decide_all(completed))
        if not ctx.options.dry_run:
            self.verifier.verify(report)
            ManifestWriter(ctx).record(report)  # each verified copy's manifest and parent tag
        self._judge_deadlines(report)
        if not ctx.options.dry_run:
            self._save_state(found, report)
            self._save_checked()
        else:  # what the copies would cost: bytes, upload requests, time, storage (estimate.py)
            transition, note = bucket_transition(ctx.s3, ctx.app.bucket_name)
            ctx.notes.extend([note] if note else [])
            report.estimate = estimate(report.results, transition)
        report.requests = dict(ctx.requests)
        report.notes = list(ctx.notes)
        report.damaged = list(ctx.checks.damaged)
        return report

    def _recheck_copies(self) -> None:
        """With each full scan, checked copies are held against one listing of the bucket."""
        ctx = self.context
        try:
            ctx.checks.recheck()
        except ServiceError as exc:
            ctx.notes.append(f"could not list the bucket to re-check copies: {describe(exc)}")
        ctx.notes.extend(ctx.checks.notes)

    def _save_checked(self) -> None:
        ctx = self.context
        try:
            ctx.checks.save(ctx.services.now())
        except ServiceError as exc:
            ctx.notes.append(f"could not save the record of checked copies: {describe(exc)}")
        except OwnObjectTooLarge as exc:  # only costs: the next run checks each claim again
            ctx.notes.append(f"the record of checked copies is not kept: {describe(exc)}")

    def _judge_deadlines(self, report: SyncReport) -> None:
        now, warn = self.context.services.now(), self.context.options.warn
        for index, result in enumerate(report.results):
            outcome, reason, at_risk = judge_deadline(
                result.outcome, result.reason, result.recording.deadline, now, warn
            )
            report.results[index] = replace(result, outcome=outcome, reason=reason, at_risk=at_risk)

    def _discover(self) -> Found:
        """The plan (horizon.py) from the stored state, carried out: the window's listings, the
        watched parents, and in a full scan the next pages of every parent (at most
        ``max_scan_pages`` a run; the cursor is kept for the next run)."""
        ctx = self.context
        started = ctx.services.now()
        read = self.state_store.load()
        ctx.layout = read.layout if read else None
        plan = plan_discovery(
            started,
            ctx.options.event_margin,
            read.last_complete if read else None,
            full_scan=ctx.options.full_scan,
            unfinished=read.scan if read else None,
            periodic=safety_scan_due(started, read.last_full_scan) if read else None,
        )
        if read is not None and read.problem is not None:
            # Reported as what it is, never as a first run; the run is a full scan.
            where = f"s3://{ctx.app.bucket_name}/{self.state_store.key}"
            ctx.checks.report(where, f"the discovery state {read.problem}")
            plan = replace(plan, reason=f"the discovery state {where} {read.problem}: a full scan")
        memory = read.listing if read else None
        discoverer = Discoverer(ctx.client(), ctx.services.stop, window_page_limit(memory))
        discoverer.read(plan.queries)
        discoverer.check_listed(memory, started)
        discoverer.read_watched(read.watch if read else ())
        window_complete = discoverer.result.complete
        cursor = None
        if plan.resume is not None:
            cursor = self._scan(discoverer, plan.resume, plan.safety)
        self.missed.extend(
            f"could not read watched {why} (still watched)" for why in discoverer.result.unread
        )
        return Found(read, plan, discoverer.finish(), started, window_complete, cursor)

    def _scan(self, discoverer: Discoverer, resume: ScanCursor, safety: bool = False) -> ScanCursor | None:
        """The full scan's pages for this run. A refused page must not stop the application run after
        run: a 4xx (a ``next`` token kept from an earlier run that Sendbird no longer takes) begins
        the scan again next run, anything else resumes at the same page; the window's recordings
        already read are copied all the same."""
        ctx = self.context
        try:
            pages = ctx.options.max_scan_pages
            if pages is None and safety:
                pages = SAFETY_SCAN_PAGES  # the periodic scan is spread over runs (horizon.py)
            return discoverer.read(FULL_SCAN, resume, pages)
        except SendbirdApiError as exc:
            discoverer.result.complete = False
            restart = exc.status < 500 and exc.status != 429
            self.missed.append(
                f"the full scan's page was refused ({describe(exc)}): "
                + ("it begins again next run" if restart else "the next run goes on from there")
            )
            return ScanCursor() if restart else resume

    def _wanted(self, recording: FoundRecording) -> bool:
        """--since: stopped (or, while running, started) at or after it; unknown times are kept."""
        since = self.context.options.since
        moment = recording.stopped_at or recording.started_at
        return since is None or moment is None or moment >= since

    def _save_state(self, found: Found, report: SyncReport) -> None:
        """Remember the watch, the layout, an unfinished scan's cursor and (only when discovery read
        everything it had to) when the last complete discovery began. A failure to save is
        reported; the next run then plans on the previous state: never less safe."""
        ctx = self.context
        now = ctx.services.now()
        outcomes = {r.recording.recording_id: r.outcome for r in report.results}
        previous = found.read or SyncState()
        state = SyncState(
            last_complete=previous.last_complete,
            last_full_scan=previous.last_full_scan,
            watch=tuple(next_watch(found.discovery, previous.watch, outcomes, now)),
            layout=ctx.layout,
            listing=found.discovery.memory() if found.window_complete else previous.listing,
        )
        if found.plan.mode == BOUNDED and found.window_complete:
            state = replace(state, last_complete=found.started)
        elif found.plan.mode == FULL:
            # A scan began before this run (its cursor was stored) counts from when it began.
            began = previous.scan_started if previous.scan is not None and not ctx.options.full_scan else None
            began = began or found.started
            if found.cursor is None and found.window_complete:
                state = replace(state, last_complete=began, last_full_scan=began)
            else:
                state = replace(state, scan=found.cursor or found.plan.resume, scan_started=began)
        try:
            self.state_store.save(state, found.read)
        except StateKept as kept:
            ctx.notes.append(f"the discovery state {kept}: remove or repair it (or upgrade this release)")
        except ServiceError as exc:
            ctx.notes.append(f"could not save the sync state: {describe(exc)}")
        except OwnObjectTooLarge as exc:
            # The next run plans on the previous state (never less safe), but what it learnt is lost:
            # reported as damaged state, so the run fails and the alarm fires.
            ctx.checks.report(
                self.state_store.key, f"the discovery state could not be saved: {describe(exc)}"
            )


def _not_completed(recording: FoundRecording) -> RecordingResult:
    outcome, reason = standing(None, recording)
    if outcome == Outcome.NOT_READY:
        reason = f"{reason}; left for a later run"
    return RecordingResult(recording, outcome, reason)
