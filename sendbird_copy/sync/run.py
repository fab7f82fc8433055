"""``sync``: every completed recording copied exactly once, before Sendbird deletes it.

Per application: discover the recordings that can still matter (``horizon.py``: bounded by the
two-week window, a full scan on the first run or on request; GETs under 10/s), then for each
completed one consult the ledger in the bucket: copied -> already safe; requested -> verify;
otherwise claim it (conditional create), ask Sendbird to copy (POSTs under 5/s through one limiter
shared by the worker threads), and finally verify: under the copy's learned key layout, one
``ListObjectsV2(Prefix=<expected key>)`` per copy; while the layout is unknown (the copy's key is
undocumented), or for a copy not under its expected key by the verify timeout, by listing the bucket
for a key that holds the recording id and no longer known id. Size and SSE-KMS key are checked
before marking it copied.

The same core runs from the CLI, a CI schedule and the scheduled function: it takes plain
collaborators (``SyncServices``) and returns ``SyncReport``s; it prints nothing itself.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sendbird_copy import rules
from sendbird_copy.aws import key_id
from sendbird_copy.errors import (
    SendbirdApiError,
    SendbirdCopyError,
    SendbirdTimeoutError,
    describe,
    is_service_error,
    is_transient,
)
from sendbird_copy.facts import GET_REQUESTS_PER_SECOND, RESERVED_PREFIXES, WRITE_REQUESTS_PER_SECOND
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.sync.checked import ClaimChecker, age_seconds, fresh_since, gave_up_for_nothing
from sendbird_copy.sync.discovery import FULL_SCAN, Discoverer, Discovery, FoundRecording, ScanCursor
from sendbird_copy.sync.horizon import (
    BOUNDED,
    FULL,
    SAFETY_SCAN_PAGES,
    Plan,
    next_watch,
    plan_discovery,
    safety_scan_due,
)
from sendbird_copy.sync.lease import Lease
from sendbird_copy.sync.ledger import COPIED, FAILED, REQUESTED, Ledger, LedgerEntry, Stored, now_utc
from sendbird_copy.sync.limiter import RateLimiter
from sendbird_copy.sync.s3clock import skew_note
from sendbird_copy.sync.state import KeyLayout, StateKept, SyncState, SyncStateStore, holds_id

# Outcomes, as reports and --json name them.
COPIED_NOW = "copied"  # copied and verified by this run
ALREADY_SAFE = "already safe"  # the ledger says copied
IN_PROGRESS = "in progress"  # requested (by this or another run); no object yet
WOULD_COPY = "would copy"  # --dry-run
PENDING = "pending"  # not attempted this run (--max-copies reached, or interrupted)
NOT_READY = "not ready"  # not completed yet: recording, uploading, ...
UNAVAILABLE = "unavailable"  # Sendbird's own recording failed: there is nothing to copy
FAILED_OUTCOME = "failed"
LOST = "lost"  # past its deadline and not safe
OUTCOMES = (
    COPIED_NOW,
    ALREADY_SAFE,
    IN_PROGRESS,
    WOULD_COPY,
    PENDING,
    NOT_READY,
    UNAVAILABLE,
    FAILED_OUTCOME,
    LOST,
)
SAFE = frozenset({COPIED_NOW, ALREADY_SAFE})

# What a copied object's record says when it was checked by listing only (verify_with_head off).
LISTING_ONLY_NOTE = (
    "listing only: size from ListObjectsV2; encryption not re-read (the bucket policy refuses any "
    "write that is not SSE-KMS with the stack's key)"
)

# A copy that failed this many times is reported as failed and not requested again.
MAX_ATTEMPTS = 3
NOT_FOUND_CODE = 400200


DEFAULT_EVENT_MARGIN = timedelta(hours=rules.EVENT_MARGIN_HOURS_DEFAULT)  # see horizon.py


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    # Page every live event and room (an audit, or a first run); a normal run is bounded (horizon.py).
    full_scan: bool = False
    event_margin: timedelta = DEFAULT_EVENT_MARGIN
    # At most this many pages of a full scan per run (None: all); the rest waits for the next run.
    # The scheduled function sets it so that a long history never eats its time budget.
    max_scan_pages: int | None = None
    since: datetime | None = None
    warn_days: float = rules.WARN_DAYS_DEFAULT
    max_copies: int | None = None
    # How long this run waits for the objects of its copies; a requested entry older than this is
    # re-checked and, if no object ever appeared, requested again.
    verify_timeout: float = rules.VERIFY_TIMEOUT_DEFAULT
    workers: int = rules.WORKERS_DEFAULT
    poll_interval: float = 5.0
    # How a found object is checked. True (the CLI): HeadObject gives its size and its SSE-KMS key,
    # both compared. False (the scheduled function, whose role may not read recordings, and HeadObject
    # needs s3:GetObject): the size comes from the listing and the encryption is not re-read; the
    # bucket's default encryption (our key) and its policy (DenyNonKmsEncryption, DenyWrongKmsKey,
    # DenyKmsWithoutOurKeyId in components/policies.py) already refuse any write that would not be
    # SSE-KMS with the stack's key.
    verify_with_head: bool = True


@dataclass
class RecordingResult:
    recording: FoundRecording
    outcome: str
    reason: str | None = None
    object: dict[str, Any] | None = None
    at_risk: bool = False

    def to_dict(self) -> dict[str, Any]:
        r = self.recording
        return {
            "recording_id": r.recording_id,
            "where": r.where,
            "status": r.status,
            "outcome": self.outcome,
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

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for result in self.results:
            counts[result.outcome] += 1
        counts["at risk"] = sum(r.at_risk for r in self.results)
        counts["damaged state"] = len(self.damaged)
        return counts

    def of(self, *outcomes: str) -> list[RecordingResult]:
        return [r for r in self.results if r.outcome in outcomes]

    @property
    def passed(self) -> bool:
        """Nothing failed, nothing lost, nothing at risk."""
        return (
            self.error is None
            and not self.damaged
            and not self.of(FAILED_OUTCOME, LOST)
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
            "recordings": [r.to_dict() for r in sorted(self.results, key=lambda r: r.recording.recording_id)],
        }


class CopyBudget:
    """--max-copies across every application of one run (None: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self._left = limit
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left is None:
                return True
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            if self._left is not None:
                self._left += 1


@dataclass
class SyncServices:
    """What the core needs from outside; the CLI and the scheduled function each build one."""

    make_client: Callable[[AppOutputs], Any]  # a new SendbirdClient (one per worker thread)
    deployer_s3: Callable[[AppOutputs], Any]  # the operator's S3 client in the app's region
    progress: Callable[[str], None] = lambda _message: None
    on_result: Callable[[str, RecordingResult], None] = lambda _app_id, _result: None
    on_found: Callable[[str, int], None] = lambda _app_id, _count: None  # how many on_result calls follow
    stop: threading.Event = field(default_factory=threading.Event)
    now: Callable[[], datetime] = now_utc
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    # Sendbird's documented per-application limits; tests against an emulator with raised limits
    # raise these too (the CLI never does).
    get_limit: int = GET_REQUESTS_PER_SECOND
    post_limit: int = WRITE_REQUESTS_PER_SECOND


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
    """One application's sync: discovery, claims and copies, then verification."""

    def __init__(
        self, app: AppOutputs, services: SyncServices, options: SyncOptions, budget: CopyBudget
    ) -> None:
        self.app = app
        self.services = services
        self.options = options
        self.budget = budget
        self.ledger = Ledger(services.deployer_s3(app), app.bucket_name, app.app_id)
        self.state_store = SyncStateStore(self.ledger.s3, app.bucket_name, self.ledger.prefix)
        self.claims = ClaimChecker(self.ledger, app.kms_key_arn, Counter())
        self.layout: KeyLayout | None = None
        self.known_ids: set[str] = set()  # every recording id this run discovered
        self.requests: Counter[str] = Counter()
        self.notes: list[str] = []
        self.gets = RateLimiter(services.get_limit)
        self.posts = RateLimiter(services.post_limit)
        self._local = threading.local()
        self._lock = threading.Lock()
        # Requested copies (this run's and earlier runs'), waiting for their object.
        self.waiting: dict[str, tuple[FoundRecording, LedgerEntry]] = {}

    def client(self) -> Any:
        """A client per worker thread (a requests Session is not meant to be shared)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self.services.make_client(self.app)
            client.set_throttle(self._throttle)
            self._local.client = client
        return client

    def _throttle(self, method: str) -> Any:
        with self._lock:
            self.requests[f"sendbird {method}"] += 1
        return (self.gets if method == "GET" else self.posts).slot()

    def run(self) -> SyncReport:
        report = SyncReport(self.app.app_id)
        lease = Lease(
            self.ledger.s3, self.app.bucket_name, self.ledger.prefix, self.services.run_id, self.services.now
        )
        try:
            holder = None if self.options.dry_run else lease.acquire()
        except Exception as exc:
            if not is_service_error(exc):
                raise
            report.error = f"could not take the sync lease of application {self.app.app_id}: {describe(exc)}"
            return report
        self.notes.extend(lease.notes)
        off = skew_note(self.services.now(), lease.s3_time)
        if off:
            self.notes.append(off)
        if holder is not None:
            report.skipped = (
                f"another sync run ({holder.run_id}) is at work on this application until "
                f"{holder.until.isoformat(timespec='seconds')} (S3's clock): left to it"
            )
            report.notes = list(self.notes)
            return report
        try:
            return self._run(report)
        finally:
            if not self.options.dry_run:
                self._give_back(lease, report)

    def _give_back(self, lease: Lease, report: SyncReport) -> None:
        """A failure to give the lease back never loses the run's report: it is a note (the lease
        then ends by itself, on S3's clock)."""
        try:
            lease.release()
        except Exception as exc:
            if not is_service_error(exc):
                raise
            report.notes.append(
                f"could not give the sync lease back ({describe(exc)}): it ends by itself at "
                f"{lease.ends_by_itself()}"
            )

    def _run(self, report: SyncReport) -> SyncReport:
        try:
            self.claims.load()
            found = self._discover()
        except Exception as exc:
            if not is_service_error(exc):
                raise
            report.error = f"could not list the recordings of application {self.app.app_id}: {describe(exc)}"
            report.requests = dict(self.requests)
            return report
        report.discovery = found.note()
        if found.plan.mode == FULL:
            self._recheck_copies()
        discovery = found.discovery
        self.known_ids = {r.recording_id for r in discovery.recordings}
        recordings = [r for r in discovery.recordings if self._wanted(r)]
        completed = [r for r in recordings if r.completed]
        report.results.extend(self._not_completed(r) for r in recordings if not r.completed)
        # Two runs at once rarely reach for the same recording at the same moment.
        random.shuffle(completed)
        self.services.progress(
            f"{self.app.app_id}: {len(recordings)} recordings, {len(completed)} completed ({found.plan.mode})"
        )
        self.services.on_found(self.app.app_id, len(completed))
        report.results.extend(self._decide_all(completed))
        if not self.options.dry_run:
            self._verify(report)
        self._judge_deadlines(report)
        if not self.options.dry_run:
            self._save_state(found, report)
            self._save_checked()
        self.requests.update(self.claims.requests)
        report.requests = dict(self.requests)
        report.notes = list(self.notes)
        report.damaged = list(self.claims.damaged)
        return report

    def _recheck_copies(self) -> None:
        """With each full scan, checked copies are held against one listing of the bucket."""
        try:
            self.claims.recheck()
        except Exception as exc:
            if not is_service_error(exc):
                raise
            self.notes.append(f"could not list the bucket to re-check copies: {describe(exc)}")
        self.notes.extend(self.claims.notes)

    def _save_checked(self) -> None:
        try:
            self.claims.save(self.services.now())
        except Exception as exc:
            if not is_service_error(exc):
                raise
            self.notes.append(f"could not save the record of checked copies: {describe(exc)}")

    def _discover(self) -> Found:
        """The plan (horizon.py) from the stored state, carried out: the window's listings, the
        watched parents, and in a full scan the next pages of every parent (at most
        ``max_scan_pages`` a run; the cursor is kept for the next run)."""
        started = self.services.now()
        read = self.state_store.load()
        self.layout = read.layout if read else None
        plan = plan_discovery(
            started,
            self.options.event_margin,
            read.last_complete if read else None,
            full_scan=self.options.full_scan,
            unfinished=read.scan if read else None,
            periodic=safety_scan_due(started, read.last_full_scan) if read else None,
        )
        if read is not None and read.problem is not None:
            # Reported as what it is, never as a first run; the run is a full scan.
            where = f"s3://{self.app.bucket_name}/{self.state_store.key}"
            self.claims.report(where, f"the discovery state {read.problem}")
            plan = replace(plan, reason=f"the discovery state {where} {read.problem}: a full scan")
        discoverer = Discoverer(self.client(), self.services.stop)
        discoverer.read(plan.queries)
        discoverer.read_watched(read.watch if read else ())
        window_complete = discoverer.result.complete
        cursor = None
        if plan.resume is not None:
            cursor = self._scan(discoverer, plan.resume, plan.safety)
        self.notes.extend(f"could not read watched {why} (still watched)" for why in discoverer.result.unread)
        return Found(read, plan, discoverer.finish(), started, window_complete, cursor)

    def _scan(
        self, discoverer: Discoverer, resume: ScanCursor, plan_safety: bool = False
    ) -> ScanCursor | None:
        """The full scan's pages for this run. A refused page must not stop the application run after
        run: a 4xx (a ``next`` token kept from an earlier run that Sendbird no longer takes) begins
        the scan again next run, anything else resumes at the same page; the window's recordings
        already read are copied all the same."""
        try:
            pages = self.options.max_scan_pages
            if pages is None and plan_safety:
                pages = SAFETY_SCAN_PAGES
            return discoverer.read(FULL_SCAN, resume, pages)
        except SendbirdApiError as exc:
            discoverer.result.complete = False
            restart = exc.status < 500 and exc.status != 429
            self.notes.append(
                f"the full scan's page was refused ({describe(exc)}): "
                + ("it begins again next run" if restart else "the next run goes on from there")
            )
            return ScanCursor() if restart else resume

    def _wanted(self, recording: FoundRecording) -> bool:
        """--since: stopped (or, while running, started) at or after it; unknown times are kept."""
        since = self.options.since
        moment = recording.stopped_at or recording.started_at
        return since is None or moment is None or moment >= since

    def _save_state(self, found: Found, report: SyncReport) -> None:
        """Remember the watch, the layout, an unfinished scan's cursor and (only when discovery read
        everything it had to) when the last complete discovery began. A failure to save is
        reported; the next run then plans on the previous state: never less safe."""
        now = self.services.now()
        outcomes = {r.recording.recording_id: r.outcome for r in report.results}
        previous = found.read or SyncState()
        state = SyncState(
            last_complete=previous.last_complete,
            last_full_scan=previous.last_full_scan,
            watch=tuple(next_watch(found.discovery, previous.watch, outcomes, now)),
            layout=self.layout,
        )
        if found.plan.mode == BOUNDED and found.window_complete:
            state = replace(state, last_complete=found.started)
        elif found.plan.mode == FULL:
            # A scan began before this run (its cursor was stored) counts from when it began.
            began = (
                previous.scan_started if previous.scan is not None and not self.options.full_scan else None
            )
            began = began or found.started
            if found.cursor is None and found.window_complete:
                state = replace(state, last_complete=began, last_full_scan=began)
            else:
                state = replace(state, scan=found.cursor or found.plan.resume, scan_started=began)
        try:
            self.state_store.save(state, found.read)
        except StateKept as kept:
            self.notes.append(f"the discovery state {kept}: remove or repair it (or upgrade this release)")
        except Exception as exc:
            if not is_service_error(exc):
                raise
            self.notes.append(f"could not save the sync state: {describe(exc)}")

    def _not_completed(self, recording: FoundRecording) -> RecordingResult:
        if recording.status == "failed":
            return RecordingResult(recording, UNAVAILABLE, "Sendbird's recording failed (status failed)")
        return RecordingResult(recording, NOT_READY, f"status {recording.status}; left for a later run")

    def _decide_all(self, recordings: list[FoundRecording]) -> list[RecordingResult]:
        results: list[RecordingResult] = []
        with ThreadPoolExecutor(max_workers=self.options.workers, thread_name_prefix="sync-copy") as pool:
            futures = [pool.submit(self._decide_safely, r) for r in recordings]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                self.services.on_result(self.app.app_id, result)
        return results

    def _decide_safely(self, recording: FoundRecording) -> RecordingResult:
        """One recording's decision; an AWS or Sendbird failure fails this recording, not the run."""
        try:
            return self._decide(recording)
        except Exception as exc:
            if not is_service_error(exc):
                raise
            return RecordingResult(recording, FAILED_OUTCOME, describe(exc))

    def _decide(self, recording: FoundRecording) -> RecordingResult:
        if self.services.stop.is_set():
            return RecordingResult(recording, PENDING, "interrupted before it was claimed")
        checked = self.claims.known_safe(recording.recording_id, recording.byte_size)
        if checked is not None:
            return RecordingResult(recording, ALREADY_SAFE, None, checked)
        stored = self.ledger.read(recording.recording_id)
        entry = stored.entry if stored else None
        if stored is not None and entry is None:
            return self._recover(recording, stored, self.claims.unreadable(stored))
        if entry is not None and entry.state == COPIED:
            problem = self.claims.problem(entry, recording.byte_size, self.layout)
            if problem is None:
                return RecordingResult(recording, ALREADY_SAFE, None, entry.object)
            return self._recover(recording, stored, f"its ledger entry says copied, but {problem}")
        if entry is not None and entry.state == REQUESTED:
            self._wait_for(recording, entry)
            return RecordingResult(recording, IN_PROGRESS, f"copy requested at {entry.requested_at}")
        if entry is not None and entry.attempts >= MAX_ATTEMPTS and gave_up_for_nothing(entry):
            stored = replace(stored, entry=replace(entry, attempts=0)) if stored else stored
        elif entry is not None and entry.attempts >= MAX_ATTEMPTS:
            return RecordingResult(
                recording, FAILED_OUTCOME, f"gave up after {entry.attempts} attempts: {entry.last_error}"
            )
        if self.options.dry_run:
            return RecordingResult(recording, WOULD_COPY, "dry run: no copy requested")
        return self._claim_and_copy(recording, stored)

    def _recover(self, recording: FoundRecording, stored: Stored | None, why: str) -> RecordingResult:
        """A claim not believed (checked.py): look for the recording's own object first; only when
        there is none is the copy requested again (never a second copy of an object in the bucket)."""
        self.notes.append(f"{recording.recording_id}: {why}: checked again")
        item = self.claims.own_object(recording.recording_id, self.layout, self.known_ids)
        if item is not None:
            base = LedgerEntry(
                recording_id=recording.recording_id,
                app_id=self.app.app_id,
                state=REQUESTED,
                where=recording.where,
                run_id=self.services.run_id,
                updated_at=self.services.now().isoformat(),
                deadline=recording.deadline.isoformat() if recording.deadline else None,
            )
            result = self._check_object(recording, base, item)
            if result.outcome == COPIED_NOW:
                return replace(
                    result, outcome=ALREADY_SAFE, reason=f"{why}; its object {item['Key']} is checked"
                )
            return result
        if self.options.dry_run:
            return RecordingResult(recording, WOULD_COPY, f"{why}; dry run: no copy requested")
        if stored is not None and stored.entry is not None:
            stored = replace(stored, entry=replace(stored.entry, attempts=0))
        return self._claim_and_copy(recording, stored)

    def _claim_and_copy(self, recording: FoundRecording, stored: Stored | None) -> RecordingResult:
        if not self.budget.take():
            return RecordingResult(recording, PENDING, "--max-copies reached; left for the next run")
        previous = stored.entry if stored else None
        now = self.services.now().isoformat()
        entry = LedgerEntry(
            recording_id=recording.recording_id,
            app_id=self.app.app_id,
            state=REQUESTED,
            where=recording.where,
            run_id=self.services.run_id,
            updated_at=now,
            requested_at=now,
            deadline=recording.deadline.isoformat() if recording.deadline else None,
            attempts=(previous.attempts if previous else 0) + 1,
        )
        claimed = self.ledger.create(entry) if stored is None else self.ledger.take_over(entry, stored.etag)
        if claimed is None:
            self.budget.give_back()
            return RecordingResult(recording, IN_PROGRESS, "claimed by another sync run at the same time")
        return self._request_copy(recording, claimed)

    def _request_copy(self, recording: FoundRecording, claimed: LedgerEntry) -> RecordingResult:
        app = self.app
        try:
            self.client().copy_recording(
                recording.recording_id,
                access_key=app.copy_access_key_id,
                secret_key=app.copy_secret_access_key,
                bucket=app.bucket_name,
                region=app.region,
            )
        except SendbirdTimeoutError as exc:
            # No answer in time: Sendbird may have accepted the copy. Kept requested, so verification
            # finds its object (or, stale, requests it again) instead of a second copy next run.
            self._wait_for(recording, claimed)
            return RecordingResult(recording, IN_PROGRESS, f"copy request unanswered ({describe(exc)})")
        except SendbirdCopyError as exc:  # a refusal, or an id the client cannot send (UsageError)
            reason = describe(exc)
            # A transient refusal (a 429, a 5xx, a timeout, no connection) says nothing about the
            # copy: it never counts toward giving up (MAX_ATTEMPTS), the next run tries again for as
            # long as the deadline allows. A 4xx that Sendbird chose (S3 refused its write...) does.
            attempts = claimed.attempts - 1 if is_transient(exc) else claimed.attempts
            self.ledger.write(claimed.moved_to(FAILED, last_error=reason, attempts=attempts))
            if (
                isinstance(exc, SendbirdApiError)
                and exc.code == NOT_FOUND_CODE
                and self._past_deadline(recording)
            ):
                return RecordingResult(recording, LOST, f"Sendbird no longer has it: {reason}")
            return RecordingResult(recording, FAILED_OUTCOME, reason)
        self.services.progress(
            f"{app.app_id}: copy of {recording.recording_id} ({recording.where}) requested"
        )
        self._wait_for(recording, claimed)
        return RecordingResult(recording, IN_PROGRESS, "copy requested")

    def _wait_for(self, recording: FoundRecording, entry: LedgerEntry) -> None:
        with self._lock:
            self.waiting[recording.recording_id] = (recording, entry)

    def _past_deadline(self, recording: FoundRecording) -> bool:
        return recording.deadline is not None and self.services.now() >= recording.deadline

    # -- verification -------------------------------------------------------------------------------
    def _verify(self, report: SyncReport) -> None:
        """Poll the bucket listing until every waiting copy has its object or the timeout passes;
        an earlier run's request that is stale and still has no object is requested again."""
        by_id = {r.recording.recording_id: r for r in report.results}
        why_waiting = "no object in the bucket yet"
        if self.waiting:
            earlier = sum(entry.run_id != self.services.run_id for _, entry in self.waiting.values())
            self.services.progress(
                f"{self.app.app_id}: waiting up to {self.options.verify_timeout:g} s for "
                f"{len(self.waiting)} copies ({earlier} requested by earlier runs)"
            )
        try:
            self._poll(by_id)
        except Exception as exc:
            if not is_service_error(exc):
                raise
            # The copies were requested; the next run verifies them (their entries say requested).
            why_waiting = f"could not verify: {describe(exc)}"
        for recording_id, (recording, entry) in self.waiting.items():
            by_id[recording_id] = RecordingResult(
                recording, IN_PROGRESS, f"copy requested at {entry.requested_at}; {why_waiting}"
            )
        report.results[:] = list(by_id.values())

    def _poll(self, by_id: dict[str, RecordingResult]) -> None:
        started = self.services.monotonic()
        delay = min(0.5, self.options.poll_interval)
        re_requested = False
        while self.waiting and not self.services.stop.is_set():
            if self.layout is not None:
                self._take(by_id, self._find_by_layout(self.layout))
            else:
                self._take(by_id, self._find_by_listing("the copy's key layout is not known yet"))
            if not re_requested:
                re_requested = True
                self._re_request_stale(by_id)
            if not self.waiting:
                return
            if self.services.monotonic() - started >= self.options.verify_timeout:
                if self.layout is not None:  # not under its expected key: look everywhere, once
                    expected = self.layout.describe()
                    self._take(by_id, self._find_by_listing(f"not under the expected key {expected} by now"))
                return
            self.services.sleep(delay)
            delay = min(delay * 2, self.options.poll_interval)

    def _take(self, by_id: dict[str, RecordingResult], found: dict[str, dict[str, Any]]) -> None:
        for recording_id, item in found.items():
            recording, entry = self.waiting.pop(recording_id)
            by_id[recording_id] = self._check_object(recording, entry, item)

    def _re_request_stale(self, by_id: dict[str, RecordingResult]) -> None:
        now = self.services.now()
        stale = [
            rid
            for rid, (_, entry) in self.waiting.items()
            if entry.run_id != self.services.run_id
            and age_seconds(entry, self.ledger, now) >= self.options.verify_timeout
        ]
        if stale and self.layout is not None:
            # Before asking again (a second copy, an attempt counted), look beyond the expected key:
            # an earlier copy may have landed elsewhere. Stale requests are rare, so is this listing.
            self._take(
                by_id, self._find_by_listing("requested by an earlier run, not under the expected key")
            )
        for recording_id, (recording, entry) in list(self.waiting.items()):
            if entry.run_id == self.services.run_id or (
                age_seconds(entry, self.ledger, now) < self.options.verify_timeout
            ):
                continue
            del self.waiting[recording_id]
            stored = self.ledger.read(recording_id)
            if stored is None or stored.entry is None or stored.etag != entry.etag:
                continue  # another run moved it on meanwhile (it re-requested it, or it is copied)
            if stored.entry.attempts >= MAX_ATTEMPTS:
                by_id[recording_id] = RecordingResult(
                    recording, FAILED_OUTCOME, f"no object after {stored.entry.attempts} copy requests"
                )
                self.ledger.write(stored.entry.moved_to(FAILED, last_error="no object ever appeared"))
                continue
            by_id[recording_id] = self._claim_and_copy(recording, stored)

    def _find_by_layout(self, layout: KeyLayout) -> dict[str, dict[str, Any]]:
        """recording id -> its object, looked up under its expected key alone: one
        ``ListObjectsV2(Prefix=key, MaxKeys=1)`` per waiting copy (the role may list, not read);
        the exact key sorts first among the keys it prefixes."""
        found: dict[str, dict[str, Any]] = {}
        for recording_id, (_, entry) in list(self.waiting.items()):
            if self.services.stop.is_set():
                break
            key = layout.key_for(recording_id)
            self.requests["s3 ListObjectsV2"] += 1
            page = self.ledger.s3.list_objects_v2(Bucket=self.app.bucket_name, Prefix=key, MaxKeys=1)
            for item in page.get("Contents", []):
                if item["Key"] == key and _not_older(item.get("LastModified"), fresh_since(entry)):
                    found[recording_id] = item
        return found

    def _find_by_listing(self, why: str) -> dict[str, dict[str, Any]]:
        """recording id -> its object, found by listing the bucket (outside our reserved prefixes):
        the one key, written since the copy was requested, that holds the recording id (not running
        on into a letter or digit: ``rec-1`` is not in ``rec-10.mp4``) and that is no other one's:
        not the learned layout's key of another id, and holding no longer id this run knows
        (``rec-1`` is not ``rec-1-second.mp4``'s). Two such keys: ambiguous, left
        waiting and reported. The first key found teaches the layout (kept in the sync state)."""
        waiting = {rid: fresh_since(entry) for rid, (_, entry) in self.waiting.items()}
        candidates: dict[str, list[dict[str, Any]]] = {rid: [] for rid in waiting}
        longer = {rid: [k for k in self.known_ids if rid in k and k != rid] for rid in waiting}
        paginator = self.ledger.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.app.bucket_name):
            self.requests["s3 ListObjectsV2"] += 1
            if self.services.stop.is_set():
                break  # stopped (Ctrl-C, the function's time budget)
            for item in page.get("Contents", []):
                key = item["Key"]
                if key.startswith(RESERVED_PREFIXES):
                    continue
                # Under the learned layout, the key of another recording this run knows.
                owner = self.layout.recording_of(key) if self.layout else None
                owner = owner if owner in self.known_ids else None
                for rid, requested in waiting.items():
                    if not holds_id(key, rid) or (owner is not None and owner != rid):
                        continue
                    if any(other in key for other in longer[rid]):
                        continue
                    if _not_older(item.get("LastModified"), requested):
                        candidates[rid].append(item)
        return self._unique(candidates, why)

    def _unique(self, candidates: dict[str, list[dict[str, Any]]], why: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        taken: set[str] = set()
        for rid, items in candidates.items():
            keys = sorted({item["Key"] for item in items})
            if len(keys) > 1:
                self.notes.append(
                    f"{rid}: several objects hold its id ({', '.join(keys[:3])}): left requested"
                )
            elif keys and keys[0] not in taken:  # one object never stands for two recordings
                taken.add(keys[0])
                found[rid] = items[0]
                self._learn(keys[0], rid)
        self.notes.append(
            f"listed the bucket for {len(candidates)} requested copies ({why}); found {len(found)}"
        )
        return found

    def _learn(self, key: str, recording_id: str) -> None:
        layout = KeyLayout.learned(key, recording_id)
        if layout is None or layout == self.layout:
            return
        if self.layout is None:
            self.notes.append(f"learned where copies land: {layout.describe()} (from {recording_id})")
        else:
            self.notes.append(
                f"{recording_id} landed at {key}, not at {self.layout.key_for(recording_id)}: "
                f"the layout is now {layout.describe()}"
            )
        self.layout = layout

    def _check_object(
        self, recording: FoundRecording, entry: LedgerEntry, item: dict[str, Any]
    ) -> RecordingResult:
        """Size against byte_size (when Sendbird gives it) and, with ``verify_with_head``, SSE-KMS with
        the stack's key; without it, by the listing alone (see ``SyncOptions.verify_with_head``)."""
        key = item["Key"]
        if self.options.verify_with_head:
            found, wrong_encryption = self._head(key)
        else:
            found = {
                "key": key,
                "size": int(item.get("Size", 0)),
                "etag": item.get("ETag"),
                "kms_key_id": None,  # not read: see LISTING_ONLY_NOTE
                "verified_by": LISTING_ONLY_NOTE,
            }
            wrong_encryption = None
        problem = wrong_encryption
        if recording.byte_size is not None and found["size"] != recording.byte_size:
            problem = f"object {key} has {found['size']} bytes; the recording has {recording.byte_size}"
        if problem:
            self.ledger.write(entry.moved_to(FAILED, last_error=problem, object=found))
            return RecordingResult(recording, FAILED_OUTCOME, problem, found)
        self.ledger.write(entry.moved_to(COPIED, object=found, last_error=None))
        self.claims.accept(recording.recording_id, found, entry.deadline, recording.where)
        return RecordingResult(recording, COPIED_NOW, None, found)

    def _head(self, key: str) -> tuple[dict[str, Any], str | None]:
        """The object as HeadObject shows it, and what is wrong with its encryption (None: nothing)."""
        head = self.ledger.s3.head_object(Bucket=self.app.bucket_name, Key=key)
        found = {
            "key": key,
            "size": int(head.get("ContentLength", 0)),
            "etag": head.get("ETag"),
            "kms_key_id": head.get("SSEKMSKeyId"),
        }
        ours = head.get("ServerSideEncryption") == "aws:kms" and key_id(head.get("SSEKMSKeyId")) == key_id(
            self.app.kms_key_arn
        )
        wrong = (
            None if ours else f"object {key} is not SSE-KMS with the stack's key ({head.get('SSEKMSKeyId')})"
        )
        return found, wrong

    # -- deadlines ----------------------------------------------------------------------------------
    def _judge_deadlines(self, report: SyncReport) -> None:
        now = self.services.now()
        warn = timedelta(days=self.options.warn_days)
        for index, result in enumerate(report.results):
            deadline = result.recording.deadline
            if result.outcome in SAFE or deadline is None or result.outcome == UNAVAILABLE:
                continue
            if now >= deadline and result.outcome != LOST:
                reason = f"past its deadline {deadline.isoformat()} and not copied ({result.outcome}"
                reason += f": {result.reason})" if result.reason else ")"
                report.results[index] = replace(result, outcome=LOST, reason=reason)
            elif now < deadline <= now + warn:
                result.at_risk = True


def _not_older(written: Any, since: datetime | None) -> bool:
    """The object was written at or after the request (``claims.fresh_since``); unknown: yes."""
    if since is None or not isinstance(written, datetime):
        return True
    return written >= since
