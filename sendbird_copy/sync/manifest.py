"""A manifest per verified copy: what the recording is, kept as long as the recording.

Sendbird's dashboard forgets a recording two weeks after its upload, and the ledger expires weeks
later; the copy's key is Sendbird's (opaque). So each copy the sync verifies gets one small JSON
document under MANIFEST_PREFIX (written with the operator's or the function's role, never the copy
identity) saying which live event or room it belongs to, its title and hosts where the listing gives
them, its times, Sendbird's byte size, the object's key, size, ETag, S3 checksum and KMS key, the
file facts when verification read them, and when and by which run it was copied. A lifecycle rule
expires manifests with the recordings (components/storage/bucket.py), never with the ledger. The
recording object is tagged with its parent's id (``TAG_LIVE_EVENT_ID`` / ``TAG_ROOM_ID``). With
Object Lock on, the verified version is retained in the same step (``retention.py``).

Keys make ``find`` a prefix listing that reads only matches::

    _sendbird-manifests/<app>/<YYYY>/<MM>/<DD>/<HHMMSS>Z/<live-event|room>/<parent id>/<recording id>.json

dated by the recording's start (else its stop, else the copy): a time range is a listing from the
range's first key to its last; a parent or a recording id is one listing of the application's keys
(1,000 a request), matched on the key alone (``ManifestKey.parse``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote, unquote

from sendbird_copy.aws import mapped, read_text, write_json
from sendbird_copy.errors import ServiceError, describe, is_service_error
from sendbird_copy.facts import MANIFEST_PREFIX, TAG_LIVE_EVENT_ID, TAG_ROOM_ID
from sendbird_copy.sync.context import AppContext
from sendbird_copy.sync.discovery import LIVE_EVENT, ROOM, FoundRecording
from sendbird_copy.sync.outcomes import SAFE_OUTCOMES, Outcome, RecordingResult, SyncReport
from sendbird_copy.sync.retention import Lock, apply_retention

MANIFEST_VERSION = 1
MANIFEST_MAX_BYTES = 64 * 1024  # a manifest is about 1 KB; a larger object is not one of ours
KIND_SLUGS = {LIVE_EVENT: "live-event", ROOM: "room"}
KINDS = {slug: kind for kind, slug in KIND_SLUGS.items()}
PARENT_TAGS = {LIVE_EVENT: TAG_LIVE_EVENT_ID, ROOM: TAG_ROOM_ID}
_STAMP = "%H%M%SZ"


def app_prefix(app_id: str) -> str:
    return f"{MANIFEST_PREFIX}{quote(app_id, safe='')}/"


def day_prefix(app_id: str, day: datetime) -> str:
    return f"{app_prefix(app_id)}{day:%Y/%m/%d}/"


@dataclass(frozen=True)
class ManifestKey:
    """A manifest's key, and what it says without reading the object."""

    key: str
    dated: datetime
    kind: str  # LIVE_EVENT or ROOM
    parent_id: str
    recording_id: str

    @classmethod
    def of(cls, app_id: str, kind: str, parent_id: str, recording_id: str, dated: datetime) -> ManifestKey:
        moment = dated.astimezone(UTC)
        key = (
            f"{day_prefix(app_id, moment)}{moment:{_STAMP}}/{KIND_SLUGS[kind]}/"
            f"{quote(parent_id, safe='')}/{quote(recording_id, safe='')}.json"
        )
        return cls(key, moment.replace(microsecond=0), kind, parent_id, recording_id)

    @classmethod
    def parse(cls, key: str, app_id: str) -> ManifestKey | None:
        """The key read back; None for any key not of this layout (never one of ours to read)."""
        prefix = app_prefix(app_id)
        if not key.startswith(prefix) or not key.endswith(".json"):
            return None
        parts = key[len(prefix) : -len(".json")].split("/")
        if len(parts) != 7 or parts[4] not in KINDS:
            return None
        year, month, day, stamp, slug, parent, recording = parts
        try:
            dated = datetime.strptime(f"{year}{month}{day}{stamp}", f"%Y%m%d{_STAMP}").replace(tzinfo=UTC)
        except ValueError:
            return None
        return cls(key, dated, KINDS[slug], unquote(parent), unquote(recording))


def dated_by(recording: FoundRecording, copied_at: datetime) -> tuple[datetime, str]:
    """The moment a recording is filed under, and which one it is."""
    if recording.started_at is not None:
        return recording.started_at, "started_at"
    if recording.stopped_at is not None:
        return recording.stopped_at, "stopped_at"
    return copied_at, "copied_at"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


def manifest_document(
    ctx: AppContext, recording: FoundRecording, found: dict[str, Any], copied_at: datetime
) -> dict[str, Any]:
    """THE manifest of one verified copy (``found``: the object as verification checked it)."""
    app = ctx.app
    dated, by = dated_by(recording, copied_at)
    kms = found.get("kms_key_id")
    return {
        "manifest_version": MANIFEST_VERSION,
        "app_id": app.app_id,
        "recording_id": recording.recording_id,
        "parent": {"kind": recording.parent_kind, "id": recording.parent_id, **(recording.about or {})},
        "started_at": _iso(recording.started_at),
        "stopped_at": _iso(recording.stopped_at),
        "filed_by": by,
        "filed_at": _iso(dated),
        "sendbird_byte_size": recording.byte_size,
        "object": {
            "bucket": app.bucket_name,
            "key": found["key"],
            "size": found.get("size"),
            "etag": found.get("etag"),
            "checksum": found.get("checksum"),
            # Read from HeadObject when the run could (the CLI); the function, which may not read
            # recordings, relies on the bucket's default key and policy (verification.LISTING_ONLY_NOTE).
            "kms_key_id": kms or app.kms_key_arn,
            "kms_key_read": kms is not None,
        },
        # Duration, resolution and frame rate, as verification read them from the MP4 (sync/mp4.py).
        "file": found.get("media"),
        "copied_at": _iso(copied_at),
        "run_id": ctx.services.run_id,
    }


class ManifestWriter:
    """Writes the manifest and the parent tag of each copy a run verified, by whichever path
    (a copy made now, an earlier release's claim checked, an object found by the recovery path:
    ``ClaimChecker.fresh``), once. A write that fails is retried by the next run: the record of
    checked copies names it (``Checked.unwritten``, a word or two) and what to write is kept in
    ``<app>/_run/unwritten/<recording>.json`` (expiring with the ledger), so a run with nothing left to write
    makes no request for it."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.lock = Lock.of(ctx.app)  # None: Object Lock off, nothing retained

    def record(self, report: SyncReport) -> None:
        """Two writes per copy, spread over the run's worker threads (as the copies themselves)."""
        checks = self.ctx.checks
        todo = [
            index
            for index, result in enumerate(report.results)
            if result.outcome in SAFE_OUTCOMES
            and result.object
            and result.object.get("key")
            and (result.outcome == Outcome.COPIED or result.recording.recording_id in checks.fresh)
        ]
        fresh = {report.results[index].recording.recording_id for index in todo}
        retry = {rid: parts for rid, parts in checks.unwritten().items() if rid not in fresh}
        with ThreadPoolExecutor(
            max_workers=self.ctx.options.workers, thread_name_prefix="sync-manifest"
        ) as pool:
            done = pool.map(lambda index: self._one(report.results[index]), todo)
            retried = pool.map(lambda item: self._retry(*item), retry.items())
            for index, result in zip(todo, list(done), strict=True):
                report.results[index] = result
            list(retried)

    def _one(self, result: RecordingResult) -> RecordingResult:
        """A failure is loud (the run's damaged state: exit 1, the function's alarm) but leaves the
        copy copied: it is safe, only harder to find; the next run writes what is left."""
        ctx, recording = self.ctx, result.recording
        assert result.object is not None
        copied_at = ctx.services.now()
        document = manifest_document(ctx, recording, result.object, copied_at)
        dated, _ = dated_by(recording, copied_at)
        key = ManifestKey.of(
            ctx.app.app_id, recording.parent_kind, recording.parent_id, recording.recording_id, dated
        ).key
        tags = [{"Key": PARENT_TAGS[recording.parent_kind], "Value": recording.parent_id}]
        plan = {
            "manifest": {"key": key, "document": document},
            "tag": {"key": result.object["key"], "tags": tags},
        }
        if result.object.get("version_id"):  # the verified version, not a later write over its key
            plan["tag"]["version_id"] = str(result.object["version_id"])
        if self.lock is not None:  # the verified version itself, on this one path to a safe copy
            plan["retention"] = self.lock.plan(result.object["key"], result.object.get("etag"), result.object)
        left = self._write(recording.recording_id, plan)
        if left:
            self._keep(recording.recording_id, plan)
        self._settle(recording.recording_id, list(left))
        if "manifest" in left:
            return result
        return RecordingResult(recording, result.outcome, result.reason, {**result.object, "manifest": key})

    def _retry(self, recording_id: str, parts: list[str]) -> None:
        ctx = self.ctx
        try:
            plan = self._kept(recording_id)
        except ServiceError as exc:  # still to write: the next run tries again
            ctx.checks.report(self._kept_key(recording_id), f"could not be read: {describe(exc)}")
            return
        if plan is None:  # nothing kept to write: reported once, then no longer retried
            ctx.checks.report(
                self._kept_key(recording_id),
                f"the manifest writes of {recording_id} an earlier run could not make are not kept: "
                "they are not retried",
            )
            self._settle(recording_id, [])
            return
        left = self._write(recording_id, {part: plan[part] for part in parts if part in plan})
        self._settle(recording_id, list(left))
        written = [part for part in parts if part not in left]
        if written:
            with ctx.lock:
                ctx.notes.append(
                    f"{recording_id}: its {' and '.join(written)}, which an earlier run could not write, "
                    "written now"
                )

    def _settle(self, recording_id: str, left: list[str]) -> None:
        """Remember what is left. What was kept for it stays until the ledger's lifecycle rule
        expires it (the function may not delete): only the record says what is left to write."""
        self.ctx.checks.hold(recording_id, left)

    def _kept_key(self, recording_id: str) -> str:
        return f"{self.ctx.ledger.prefix}_run/unwritten/{quote(recording_id, safe='')}.json"

    def _keep(self, recording_id: str, plan: dict[str, Any]) -> None:
        """What to write, kept for the next run (beside the ledger: the operator's own prefix)."""
        key, text = self._kept_key(recording_id), json.dumps(plan, sort_keys=True)
        self._step(
            key,
            f"the manifest writes of {recording_id} could not be kept for the next run",
            partial(write_json, self.ctx.s3, self.ctx.app.bucket_name, key, text),
            "s3 PutObject",
        )

    def _kept(self, recording_id: str) -> dict[str, Any] | None:
        """What an earlier run kept to write; None when there is none or it is not readable."""
        ctx, key = self.ctx, self._kept_key(recording_id)
        read = read_text(ctx.s3, ctx.app.bucket_name, key, MANIFEST_MAX_BYTES)
        with ctx.lock:
            ctx.requests["s3 GetObject"] += 1
        try:
            plan = json.loads(read[0]) if read else None
        except (ValueError, RecursionError):
            plan = None
        return plan if isinstance(plan, dict) else None

    def _write(self, recording_id: str, plan: dict[str, Any]) -> dict[str, Any]:
        """Make the writes of ``plan``; what is left to write (empty: all written)."""
        ctx, left = self.ctx, {}
        call: Callable[[], Any]
        for part, write in plan.items():
            try:
                key = str(write["key"])
                if part == "manifest":
                    text = json.dumps(dict(write["document"]), sort_keys=True)
                    call = partial(write_json, ctx.s3, ctx.app.bucket_name, key, text)
                    failed, request = f"the manifest of {recording_id} could not be written", "s3 PutObject"
                elif part == "tag":
                    tags = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in write["tags"]]
                    call = partial(self._tag, key, tags, write.get("version_id"))
                    failed, request = f"the tag of {recording_id} could not be set", "s3 PutObjectTagging"
                elif part == "retention":
                    call = partial(self._retain, write)
                    lock = f"{write['mode']} retention ({write['period']})"
                    failed = f"the {lock} of {recording_id} could not be applied"
                    request = "s3 PutObjectRetention"
                else:
                    raise ValueError(f"no such write: {part!r}")
            except (KeyError, TypeError, ValueError) as exc:  # a damaged record: reported, dropped
                ctx.checks.report(ctx.checks.key, f"the unwritten {part} of {recording_id}: {exc}")
                continue
            if not self._step(key, failed, call, request):
                left[part] = write
        return left

    def _step(self, key: str, failed: str, write: Callable[[], Any], request: str) -> bool:
        ctx = self.ctx
        try:
            write()
        except Exception as exc:
            if not is_service_error(exc):
                raise
            ctx.checks.report(key, f"{failed}: {describe(exc)}")
            return False
        with ctx.lock:
            ctx.requests[request] += 1
        return True

    def _retain(self, write: dict[str, Any]) -> None:
        """Object Lock on the verified version (``write`` keeps the version once known, for a retry)."""
        ctx = self.ctx
        made = apply_retention(ctx.s3, ctx.app.bucket_name, write)
        with ctx.lock:
            ctx.requests["s3 HeadObject"] += made - 1

    def _tag(self, object_key: str, tags: list[dict[str, str]], version_id: str | None) -> None:
        """The parent's id as an object tag (PutObjectTagging replaces the set: a fresh copy has none),
        on the verified version when verification named it."""
        ctx = self.ctx
        version = {"VersionId": str(version_id)} if version_id else {}
        mapped(ctx.s3).put_object_tagging(
            Bucket=ctx.app.bucket_name, Key=object_key, Tagging={"TagSet": tags}, **version
        )
