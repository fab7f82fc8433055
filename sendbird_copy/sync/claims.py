"""Claim and copy: for each completed recording, what the ledger says decides (``outcomes.standing``);
one that is not safe, not requested and not given up is claimed (the ledger's conditional create or
take-over) and Sendbird is asked to copy it, at most ``post_limit`` POSTs a second. A requested copy
goes on the waiting list, for verification."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import Any

from sendbird_copy import rules
from sendbird_copy.errors import (
    SendbirdApiError,
    SendbirdCopyError,
    ServiceError,
    describe,
    is_transient,
    may_have_been_accepted,
)
from sendbird_copy.sync.bucket.checked import gave_up_for_nothing
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED, REQUESTED, LedgerEntry, Stored
from sendbird_copy.sync.context import AppContext, CopyBudget
from sendbird_copy.sync.discovery import NOT_FOUND_CODE, FoundRecording
from sendbird_copy.sync.outcomes import Outcome, RecordingResult, standing

MAX_ATTEMPTS = rules.MAX_COPY_ATTEMPTS


class Claims:
    """The claim-and-copy step of one application's run."""

    def __init__(self, context: AppContext, budget: CopyBudget) -> None:
        self.context = context
        self.budget = budget
        # Verification's check of a found object (size, KMS key), set by the run (``AppSync``).
        self.check_object: Callable[[FoundRecording, LedgerEntry, dict[str, Any]], RecordingResult] | None = (
            None
        )

    def decide_all(self, recordings: list[FoundRecording]) -> list[RecordingResult]:
        results: list[RecordingResult] = []
        ctx = self.context
        with ThreadPoolExecutor(max_workers=ctx.options.workers, thread_name_prefix="sync-copy") as pool:
            futures = [pool.submit(self._decide_safely, r) for r in recordings]
            for future in as_completed(futures):
                result = future.result()
                results.append(result)
                ctx.services.on_result(ctx.app.app_id, result)
        return results

    def _decide_safely(self, recording: FoundRecording) -> RecordingResult:
        """One recording's decision; an AWS or Sendbird failure fails this recording, not the run."""
        try:
            return self.decide(recording)
        except ServiceError as exc:
            return RecordingResult(recording, Outcome.FAILED, describe(exc))

    def decide(self, recording: FoundRecording) -> RecordingResult:
        ctx = self.context
        if ctx.services.stop.is_set():
            return RecordingResult(recording, Outcome.PENDING, "interrupted before it was claimed")
        checked = ctx.checks.known_safe(recording.recording_id, recording.byte_size)
        if checked is not None:  # checked by this release (checked.py): no entry read
            return RecordingResult(recording, Outcome.ALREADY_SAFE, None, checked)
        stored = ctx.ledger.read(recording.recording_id)
        claim = self._check_claim(recording, stored)
        if claim is not None:
            return claim
        entry = stored.entry if stored else None
        outcome, reason = standing(entry, recording)
        if outcome == Outcome.ALREADY_SAFE:
            assert entry is not None
            return RecordingResult(recording, outcome, None, entry.object)
        if outcome == Outcome.IN_PROGRESS:
            assert entry is not None
            ctx.wait_for(recording, entry)  # verification decides (a copied entry not believed too)
            if entry.state == REQUESTED:
                reason = f"copy requested at {entry.requested_at}"
            return RecordingResult(recording, outcome, reason)
        if stored is not None and entry is not None and gave_up_for_nothing(entry):
            stored = replace(stored, entry=replace(entry, attempts=0))  # an earlier release counted 429s
        elif entry is not None and entry.attempts >= MAX_ATTEMPTS:
            return RecordingResult(
                recording, Outcome.FAILED, f"gave up after {entry.attempts} attempts: {entry.last_error}"
            )
        if ctx.options.dry_run:
            return RecordingResult(recording, Outcome.WOULD_COPY, "dry run: no copy requested")
        return self.claim_and_copy(recording, stored)

    def _check_claim(self, recording: FoundRecording, stored: Stored | None) -> RecordingResult | None:
        """An unreadable entry, or a copied one: believed only when checked (checked.py); None for
        any other entry (the one judge, ``standing``, decides)."""
        ctx = self.context
        entry = stored.entry if stored else None
        if stored is not None and entry is None:
            return self.recover(recording, stored, ctx.checks.unreadable(stored))
        if entry is None or entry.state != COPIED:
            return None
        problem = ctx.checks.problem(entry, recording.byte_size, ctx.layout, ctx.known_ids)
        if problem is None:
            return RecordingResult(recording, Outcome.ALREADY_SAFE, None, entry.object)
        return self.recover(recording, stored, f"its ledger entry says copied, but {problem}")

    def recover(self, recording: FoundRecording, stored: Stored | None, why: str) -> RecordingResult:
        """A claim not believed (checked.py): look for the recording's own object first; only when
        there is none is the copy requested again (never a second copy of an object in the bucket)."""
        ctx = self.context
        ctx.notes.append(f"{recording.recording_id}: {why}: checked again")
        item = ctx.checks.own_object(recording.recording_id, ctx.layout, ctx.known_ids)
        if item is not None and ctx.options.dry_run:  # a dry run writes nothing, checks nothing
            return RecordingResult(
                recording, Outcome.WOULD_COPY, f"{why}; dry run: {item['Key']} not checked"
            )
        if item is not None and self.check_object is not None:
            base = self._requested_entry(recording, ctx.services.now().isoformat())
            result = self.check_object(recording, base, item)
            if result.outcome == Outcome.COPIED:
                reason = f"{why}; its object {item['Key']} is checked"
                return replace(result, outcome=Outcome.ALREADY_SAFE, reason=reason)
            return result
        if ctx.options.dry_run:
            return RecordingResult(recording, Outcome.WOULD_COPY, f"{why}; dry run: no copy requested")
        if stored is not None and stored.entry is not None:
            stored = replace(stored, entry=replace(stored.entry, attempts=0))
        return self.claim_and_copy(recording, stored)

    def _requested_entry(self, recording: FoundRecording, now: str) -> LedgerEntry:
        """The ledger entry of ``recording`` as this run requests its copy, at ``now``."""
        ctx = self.context
        return LedgerEntry(
            recording_id=recording.recording_id,
            app_id=ctx.app.app_id,
            state=REQUESTED,
            where=recording.where,
            run_id=ctx.services.run_id,
            updated_at=now,
            deadline=recording.deadline.isoformat() if recording.deadline else None,
        )

    def claim_and_copy(self, recording: FoundRecording, stored: Stored | None) -> RecordingResult:
        ctx = self.context
        if not self.budget.take():
            return RecordingResult(recording, Outcome.PENDING, "--max-copies reached; left for the next run")
        previous = stored.entry if stored else None
        now = ctx.services.now().isoformat()
        entry = replace(
            self._requested_entry(recording, now),
            requested_at=now,
            attempts=(previous.attempts if previous else 0) + 1,
            # A damaged copy's record (with its ETag) stays, so verification waits for another object.
            object=previous.object
            if previous and previous.object and previous.object.get("damaged")
            else None,
        )
        claimed = ctx.ledger.create(entry) if stored is None else ctx.ledger.take_over(entry, stored.etag)
        if claimed is None:
            self.budget.give_back()
            return RecordingResult(
                recording, Outcome.IN_PROGRESS, "claimed by another sync run at the same time"
            )
        return self._request_copy(recording, claimed)

    def _request_copy(self, recording: FoundRecording, claimed: LedgerEntry) -> RecordingResult:
        ctx = self.context
        app = ctx.app
        try:
            ctx.client().copy_recording(
                recording.recording_id,
                access_key=app.copy_access_key_id,
                secret_key=app.copy_secret_access_key,
                bucket=app.bucket_name,
                region=app.region,
            )
        except SendbirdCopyError as exc:  # a refusal, or an id the client cannot send (UsageError)
            if may_have_been_accepted(exc):
                # A 5xx, no answer in time, a dropped connection: Sendbird may have accepted the copy.
                # Kept requested, so verification finds its object (or, stale, requests it again)
                # instead of a second copy now.
                ctx.wait_for(recording, claimed)
                return RecordingResult(
                    recording, Outcome.IN_PROGRESS, f"copy request unanswered ({describe(exc)})"
                )
            reason = describe(exc)
            # A transient refusal (a 429, a 5xx, a timeout, no connection) says nothing about the
            # copy: it never counts toward giving up (MAX_ATTEMPTS), the next run tries again for as
            # long as the deadline allows. A 4xx that Sendbird chose (S3 refused its write...) does.
            attempts = claimed.attempts - 1 if is_transient(exc) else claimed.attempts
            ctx.ledger.write(claimed.moved_to(FAILED, last_error=reason, attempts=attempts))
            if (
                isinstance(exc, SendbirdApiError)
                and exc.code == NOT_FOUND_CODE
                and recording.deadline is not None
                and ctx.services.now() >= recording.deadline
            ):
                return RecordingResult(recording, Outcome.LOST, f"Sendbird no longer has it: {reason}")
            return RecordingResult(recording, Outcome.FAILED, reason)
        ctx.services.progress(f"{app.app_id}: copy of {recording.recording_id} ({recording.where}) requested")
        ctx.wait_for(recording, claimed)
        return RecordingResult(recording, Outcome.IN_PROGRESS, "copy requested")
