"""Verification: the object of each requested copy, found and checked before it counts as copied.

Under the copy's learned key layout, one ``ListObjectsV2(Prefix=<expected key>)`` per copy; while
the layout is unknown (the copy's key is undocumented), or for a copy not under its expected key by
the verify timeout, by listing the bucket for a key that holds the recording id and no longer known
id (the first such key teaches the layout). Size and, with ``verify_with_head``, the SSE-KMS key are
checked, then the MP4's structure by a few ranged reads (``mp4.py``), before the ledger says copied. A
damaged copy is recorded failed with what is wrong and its ETag; the next run requests it again and
waits for an object other than that one. An object already in an archive (an old copy checked again:
``archive.py``) is never taken for damaged: it is reported failed with the restore command, and the
ledger is left as it was. An earlier run's request that is stale and still has no
object is requested again (``Claims``), up to ``MAX_ATTEMPTS``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sendbird_copy import rules
from sendbird_copy.aws import is_sse_kms_with
from sendbird_copy.errors import AwsError, ServiceError, describe
from sendbird_copy.facts import RESERVED_PREFIXES
from sendbird_copy.sync.archive import ARCHIVED_ERROR, archived_in, describe_archived
from sendbird_copy.sync.bucket.checked import age_seconds, fresh_since
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED, LedgerEntry
from sendbird_copy.sync.bucket.state import KeyLayout, holds_id
from sendbird_copy.sync.claims import MAX_ATTEMPTS, Claims
from sendbird_copy.sync.context import AppContext
from sendbird_copy.sync.discovery import FoundRecording
from sendbird_copy.sync.mp4 import Damaged, inspect, s3_range_reader
from sendbird_copy.sync.outcomes import Outcome, RecordingResult, SyncReport

# What a copied object's record says when it was checked by listing only (verify_with_head off).
LISTING_ONLY_NOTE = (
    "listing only: size from ListObjectsV2; encryption not re-read (the bucket policy refuses any "
    "write that is not SSE-KMS with the stack's key)"
)
CLOCK_SKEW = rules.COPY_CLOCK_SKEW


class Verifier:
    """The verification step of one application's run (after claims and copies)."""

    def __init__(self, context: AppContext, claims: Claims) -> None:
        self.context = context
        self.claims = claims

    def verify(self, report: SyncReport) -> None:
        """Poll the bucket until every waiting copy has its object or the timeout passes; an earlier
        run's request that is stale and still has no object is requested again."""
        ctx = self.context
        by_id = {r.recording.recording_id: r for r in report.results}
        why_waiting = "no object in the bucket yet"
        if ctx.waiting:
            earlier = sum(entry.run_id != ctx.services.run_id for _, entry in ctx.waiting.values())
            ctx.services.progress(
                f"{ctx.app.app_id}: waiting up to {ctx.options.verify_timeout:g} s for "
                f"{len(ctx.waiting)} copies ({earlier} requested by earlier runs)"
            )
        try:
            self._poll(by_id)
        except ServiceError as exc:
            # The copies were requested; the next run verifies them (their entries say requested).
            why_waiting = f"could not verify: {describe(exc)}"
        for recording_id, (recording, entry) in ctx.waiting.items():
            by_id[recording_id] = RecordingResult(
                recording, Outcome.IN_PROGRESS, f"copy requested at {entry.requested_at}; {why_waiting}"
            )
        report.results[:] = list(by_id.values())

    def _poll(self, by_id: dict[str, RecordingResult]) -> None:
        ctx = self.context
        started = ctx.services.monotonic()
        delay = min(rules.SYNC_FIRST_POLL_S, ctx.options.poll_interval)
        re_requested = False
        while ctx.waiting and not ctx.services.stop.is_set():
            if ctx.layout is not None:
                self._take(by_id, self._find_by_layout(ctx.layout))
            else:
                self._take(by_id, self.find_by_listing("the copy's key layout is not known yet"))
            if not re_requested:
                re_requested = True
                self._re_request_stale(by_id)
            if not ctx.waiting:
                return
            if ctx.services.monotonic() - started >= ctx.options.verify_timeout:
                if ctx.layout is not None:  # not under its expected key: look everywhere, once
                    expected = ctx.layout.describe()
                    self._take(by_id, self.find_by_listing(f"not under the expected key {expected} by now"))
                return
            ctx.services.sleep(delay)
            delay = min(delay * 2, ctx.options.poll_interval)

    def _take(self, by_id: dict[str, RecordingResult], found: dict[str, dict[str, Any]]) -> None:
        for recording_id, item in found.items():
            recording, entry = self.context.waiting.pop(recording_id)
            by_id[recording_id] = self.check_object(recording, entry, item)

    def _stale(self, entry: LedgerEntry, now: datetime) -> bool:
        ctx = self.context
        age = age_seconds(entry, ctx.ledger, now)  # on S3's clock when known
        return entry.run_id != ctx.services.run_id and age >= ctx.options.verify_timeout

    def _re_request_stale(self, by_id: dict[str, RecordingResult]) -> None:
        ctx = self.context
        now = ctx.services.now()
        if ctx.layout is not None and any(self._stale(entry, now) for _, entry in ctx.waiting.values()):
            # Before asking again (a second copy, an attempt counted), look beyond the expected key:
            # an earlier copy may have landed elsewhere. Stale requests are rare, so is this listing.
            self._take(by_id, self.find_by_listing("requested by an earlier run, not under the expected key"))
        for recording_id, (recording, entry) in list(ctx.waiting.items()):
            if not self._stale(entry, now):
                continue
            del ctx.waiting[recording_id]
            stored = ctx.ledger.read(recording_id)
            if stored is None or stored.entry is None or stored.etag != entry.etag:
                continue  # another run moved it on meanwhile (it re-requested it, or it is copied)
            if stored.entry.attempts >= MAX_ATTEMPTS:
                by_id[recording_id] = RecordingResult(
                    recording, Outcome.FAILED, f"no object after {stored.entry.attempts} copy requests"
                )
                ctx.ledger.write(stored.entry.moved_to(FAILED, last_error="no object ever appeared"))
                continue
            by_id[recording_id] = self.claims.claim_and_copy(recording, stored)

    def _find_by_layout(self, layout: KeyLayout) -> dict[str, dict[str, Any]]:
        """recording id -> its object, looked up under its expected key alone: one
        ``ListObjectsV2(Prefix=key, MaxKeys=1)`` per waiting copy (the role may list, not read);
        the exact key sorts first among the keys it prefixes."""
        ctx = self.context
        found: dict[str, dict[str, Any]] = {}
        for recording_id, (_, entry) in list(ctx.waiting.items()):
            if ctx.services.stop.is_set():
                break
            key = layout.key_for(recording_id)
            ctx.requests["s3 ListObjectsV2"] += 1
            page = ctx.s3.list_objects_v2(Bucket=ctx.app.bucket_name, Prefix=key, MaxKeys=1)
            for item in page.get("Contents", []):
                if item["Key"] == key and _new(item, entry):
                    found[recording_id] = item
        return found

    def find_by_listing(self, why: str) -> dict[str, dict[str, Any]]:
        """recording id -> its object, found by listing the bucket (outside our reserved prefixes):
        the one key, written since the copy was requested, that holds the recording id (not running
        on into a letter or digit: ``rec-1`` is not in ``rec-10.mp4``) and that is no other one's:
        not the learned layout's key of another id, and holding no longer id this run knows
        (``rec-1`` is not ``rec-1-second.mp4``'s). Two such keys: ambiguous, left
        waiting and reported. The first key found teaches the layout (kept in the sync state)."""
        ctx = self.context
        waiting = {rid: entry for rid, (_, entry) in ctx.waiting.items()}
        candidates: dict[str, list[dict[str, Any]]] = {rid: [] for rid in waiting}
        longer = {rid: [k for k in ctx.known_ids if rid in k and k != rid] for rid in waiting}
        paginator = ctx.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=ctx.app.bucket_name):
            ctx.requests["s3 ListObjectsV2"] += 1
            if ctx.services.stop.is_set():
                break  # stopped (Ctrl-C, the function's time budget)
            for item in page.get("Contents", []):
                key = item["Key"]
                if key.startswith(RESERVED_PREFIXES):
                    continue
                # Under the learned layout, the key of another recording this run knows.
                owner = ctx.layout.recording_of(key) if ctx.layout else None
                owner = owner if owner in ctx.known_ids else None
                for rid, entry in waiting.items():
                    if not holds_id(key, rid) or (owner is not None and owner != rid):
                        continue
                    if any(other in key for other in longer[rid]):
                        continue
                    if _new(item, entry):
                        candidates[rid].append(item)
        return self._unique(candidates, why)

    def _unique(self, candidates: dict[str, list[dict[str, Any]]], why: str) -> dict[str, dict[str, Any]]:
        notes = self.context.notes
        found: dict[str, dict[str, Any]] = {}
        taken: set[str] = set()
        for rid, items in candidates.items():
            keys = sorted({item["Key"] for item in items})
            if len(keys) > 1:
                notes.append(f"{rid}: several objects hold its id ({', '.join(keys[:3])}): left requested")
            elif keys and keys[0] not in taken:  # one object never stands for two recordings
                taken.add(keys[0])
                found[rid] = items[0]
                self._learn(keys[0], rid)
        notes.append(f"listed the bucket for {len(candidates)} requested copies ({why}); found {len(found)}")
        return found

    def _learn(self, key: str, recording_id: str) -> None:
        ctx = self.context
        layout = KeyLayout.learned(key, recording_id)
        if layout is None or layout == ctx.layout:
            return
        if ctx.layout is None:
            ctx.notes.append(f"learned where copies land: {layout.describe()} (from {recording_id})")
        else:
            ctx.notes.append(
                f"{recording_id} landed at {key}, not at {ctx.layout.key_for(recording_id)}: "
                f"the layout is now {layout.describe()}"
            )
        ctx.layout = layout

    def check_object(
        self, recording: FoundRecording, entry: LedgerEntry, item: dict[str, Any]
    ) -> RecordingResult:
        """Size against byte_size (when Sendbird gives it) and, with ``verify_with_head``, SSE-KMS with
        the stack's key; without it, by the listing alone (see ``SyncOptions.verify_with_head``)."""
        ctx = self.context
        key = item["Key"]
        if ctx.options.verify_with_head:
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
            ctx.ledger.write(entry.moved_to(FAILED, last_error=problem, object=found))
            return RecordingResult(recording, Outcome.FAILED, problem, found)
        where = archived_in(item)  # a listing shows GLACIER and DEEP_ARCHIVE, not Intelligent-Tiering's tiers
        seen: dict[str, Any] = {}  # the version read: the one Object Lock retains (retention.py)
        if where is None:
            try:
                inspected, cost = inspect(
                    found["size"],
                    s3_range_reader(ctx.s3, ctx.app.bucket_name, key, found.get("etag"), seen),
                )
            except AwsError as err:
                if err.code != ARCHIVED_ERROR:
                    raise
                head = ctx.s3.head_object(Bucket=ctx.app.bucket_name, Key=key)
                where = archived_in(head) or str(head.get("StorageClass") or "an archive")
        if where is not None:
            return self._archived(recording, {**found, "archived": where})
        ctx.requests["s3 GetObject (range)"] += cost.reads
        if isinstance(inspected, Damaged):
            written = item.get("LastModified")
            written = written.isoformat() if isinstance(written, datetime) else None
            found = {**found, "damaged": inspected.reason, "last_modified": written}
            why = f"damaged copy {key}: {inspected.reason}"
            ctx.ledger.write(entry.moved_to(FAILED, last_error=why, object=found))
            return RecordingResult(
                recording, Outcome.DAMAGED, f"{why}; the next sync requests it again", found
            )
        found = {**found, "media": inspected.to_dict(), **_version_read(seen)}
        ctx.ledger.write(entry.moved_to(COPIED, object=found, last_error=None))
        ctx.checks.accept(recording.recording_id, found, entry.deadline, recording.where)
        note = (
            None
            if inspected.is_default
            else f"not Sendbird's default 1280x720 at 30 fps: {inspected.describe()}"
        )
        return RecordingResult(recording, Outcome.COPIED, note, found)

    def _archived(self, recording: FoundRecording, found: dict[str, Any]) -> RecordingResult:
        """An object that must be restored before its MP4 can be read: not damaged, and not copied
        again (it is in the bucket). Failed, so the run says so and does not pass; the ledger stays
        as it was, so the next run checks it again (after a restore, it passes)."""
        ctx = self.context
        why = describe_archived(ctx.app.bucket_name, found["key"], found["archived"])
        return RecordingResult(
            recording, Outcome.FAILED, f"not damaged, but not checked: {why}; then run the sync again", found
        )

    def _head(self, key: str) -> tuple[dict[str, Any], str | None]:
        """The object as HeadObject shows it, and what is wrong with its encryption (None: nothing)."""
        ctx = self.context
        head = ctx.s3.head_object(Bucket=ctx.app.bucket_name, Key=key, ChecksumMode="ENABLED")
        found = {
            "key": key,
            "size": int(head.get("ContentLength", 0)),
            "etag": head.get("ETag"),
            "kms_key_id": head.get("SSEKMSKeyId"),
        }
        checksum = s3_checksum(head)
        if checksum:
            found["checksum"] = checksum  # for the manifest (manifest.py)
        ours = is_sse_kms_with(head, ctx.app.kms_key_arn)
        wrong = (
            None if ours else f"object {key} is not SSE-KMS with the stack's key ({head.get('SSEKMSKeyId')})"
        )
        return found, wrong


def _version_read(seen: dict[str, Any]) -> dict[str, str]:
    """The version id and S3 time of the version the ranged reads checked (none unversioned)."""
    version, written = seen.get("VersionId"), seen.get("LastModified")
    if not version or version == "null" or not isinstance(written, datetime):
        return {}
    return {"version_id": str(version), "version_written": written.isoformat()}


def s3_checksum(head: dict[str, Any]) -> dict[str, str] | None:
    """The checksum S3 keeps for the object, where it gives one (``ChecksumCRC32`` ..., and for a
    multipart upload its type, ``COMPOSITE``): algorithm -> value."""
    found = {name[len("Checksum") :]: str(v) for name, v in head.items() if name.startswith("Checksum") and v}
    return found or None


def _new(item: dict[str, Any], entry: LedgerEntry) -> bool:
    """The listed object may be the one this entry's request wrote: written since (``_not_older``),
    and not the damaged object an earlier request left at that key (the entry keeps its ETag and
    LastModified: a copy of the same bytes written later is a new object)."""
    written = item.get("LastModified")
    damaged = entry.object if entry.object and entry.object.get("damaged") else None
    if damaged is not None and damaged.get("etag") and item.get("ETag") == damaged["etag"]:
        try:
            before = datetime.fromisoformat(damaged["last_modified"])
        except (TypeError, ValueError):
            return False
        if not isinstance(written, datetime) or written <= before:
            return False
    return _not_older(written, fresh_since(entry))


def _not_older(written: Any, since: datetime | None) -> bool:
    """The object was written at or after the request (``checked.fresh_since``); unknown: yes."""
    if since is None or not isinstance(written, datetime):
        return True
    return written >= since
