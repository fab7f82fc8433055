"""A claim in the bucket is believed only when checked.

A ``copied`` ledger entry is a claim: this recording's copy is in the bucket. It is believed when it
names an object at that recording's own key (exactly the learned layout's key; while the layout is
unknown, a key that holds the id and runs on into no letter or digit), of Sendbird's size and our KMS
key, claimed by no other recording, and that object is in the bucket now. Once checked, the claim is
kept in a compact record beside the ledger, ``<app>/_run/verified.json`` (recording -> key, size,
object ETag): a run with nothing to do reads that one object instead of one entry per recording,
so its S3 requests do not grow with the window (the history benchmark measures it).

Anything else is re-verified: an entry an earlier release wrote (its prefix match could name another
recording's object), a forged or damaged entry, an entry that is not readable at all. Before any copy
POST for such a recording the bucket is looked at for its own object; only when there is none is the
copy requested again (while Sendbird still holds it). A recording an earlier release gave up after
transient refusals (it counted 429s) is tried again.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sendbird_copy import rules
from sendbird_copy.aws import key_id, mapped, unpacked, write_json
from sendbird_copy.errors import AwsNotFound
from sendbird_copy.facts import RESERVED_PREFIXES
from sendbird_copy.sync.bucket.ledger import Ledger, LedgerEntry, Stored
from sendbird_copy.sync.bucket.state import KeyLayout, holds_id

VERIFIED_VERSION = 1
# The writes of a copy's manifest (manifest.py); "retention": its Object Lock (sync/retention.py).
UNWRITTEN_PARTS = ("manifest", "tag", "retention")
VERIFIED_MAX_BYTES = 32 * 1024 * 1024  # ~150 bytes per recording: far above any two-week window
# A verified record is kept this long past its recording's deadline (then nothing can need it).
KEEP_PAST_DEADLINE = timedelta(days=7)
# A copy's object is written after the claim that asked for it: S3 stamps both, so only a little
# slack is needed (LastModified has one-second resolution). Without S3's time of the claim (an earlier
# release's entry), its requested_at (the writer's clock) with a wider allowance.
S3_SLACK = timedelta(minutes=1)
LOCAL_SLACK = rules.COPY_CLOCK_SKEW
# An earlier release counted these refusals as attempts; this one never does (they say nothing).
TRANSIENT_ERROR = re.compile(r"HTTP (429|5\d\d)|timed out|time-out|timeout|connection", re.IGNORECASE)


@dataclass(frozen=True)
class Checked:
    """One copy this release checked: its object's key, size and ETag, and the recording's deadline."""

    key: str
    size: int | None
    etag: str | None
    kms_key_id: str | None
    deadline: str | None
    where: str | None = None
    # What of its manifest and parent tag (manifest.py) is not written yet ("manifest", "tag"): the
    # next run retries it (what to write is kept beside, ``ManifestWriter``). Stored only while set,
    # so the record stays compact and a no-op run's requests never grow with the recordings.
    unwritten: list[str] | None = None

    def as_object(self) -> dict[str, Any]:
        return {"key": self.key, "size": self.size, "etag": self.etag, "kms_key_id": self.kms_key_id}


def fresh_since(entry: LedgerEntry) -> datetime | None:
    """The earliest LastModified the object of the copy this entry requested can have; None: any."""
    if entry.written_s3 is not None:
        return entry.written_s3 - S3_SLACK
    try:
        requested = datetime.fromisoformat(entry.requested_at) if entry.requested_at else None
    except ValueError:
        return None
    return None if requested is None or requested.tzinfo is None else requested - LOCAL_SLACK


def age_seconds(entry: LedgerEntry, ledger: Ledger, now: datetime) -> float:
    """How old the entry's request is: on S3's clock when known, else this machine's."""
    on_s3 = entry.age_on_s3(ledger.s3_now())
    return entry.age_seconds(now) if on_s3 is None else on_s3


def gave_up_for_nothing(entry: LedgerEntry) -> bool:
    """Given up (attempts spent) by an earlier release, or after refusals that said nothing about
    the copy: tried again."""
    if entry.attempts < rules.MAX_COPY_ATTEMPTS:
        return False
    return entry.earlier_release or bool(TRANSIENT_ERROR.search(entry.last_error or ""))


class ClaimChecker:
    """One application run's checks of the ledger's claims, and its record of what is checked."""

    def __init__(self, ledger: Ledger, kms_key_arn: str, requests: Any) -> None:
        self.ledger = ledger
        self.kms = key_id(kms_key_arn)
        self.requests = requests
        self.key = f"{ledger.prefix}_run/verified.json"
        self.checked: dict[str, Checked] = {}
        self._etag: str | None = None
        self._changed = False
        self._lock = threading.Lock()
        self.damaged: list[dict[str, str]] = []  # {"key", "problem"} of unreadable state, by key
        self.notes: list[str] = []
        self._bucket: dict[str, dict[str, Any]] | None = None  # one listing, when the layout is unknown
        # Copies this run verified (by any path): each gets its manifest and tag once (manifest.py).
        self.fresh: set[str] = set()

    # -- the compact record -------------------------------------------------------------------------
    def load(self) -> None:
        """Read the record of checked copies; one that is not readable is reported and not used."""
        s3, bucket = self.ledger.s3, self.ledger.bucket
        try:
            response = mapped(s3).get_object(Bucket=bucket, Key=self.key)
        except AwsNotFound:
            return
        self.requests["s3 GetObject"] += 1
        self._etag = response.get("ETag")
        with response["Body"] as body:
            data = unpacked(body.read(VERIFIED_MAX_BYTES + 1), VERIFIED_MAX_BYTES + 1)
        try:
            if len(data) > VERIFIED_MAX_BYTES:
                raise ValueError(f"over {VERIFIED_MAX_BYTES} bytes")
            document = json.loads(data)
            if document.get("version") != VERIFIED_VERSION:
                raise ValueError(f"version {document.get('version')!r}, not {VERIFIED_VERSION}")
            self.checked = {rid: Checked(**item) for rid, item in document["recordings"].items()}
            if not all(isinstance(c.key, str) for c in self.checked.values()):
                raise ValueError("a key that is not text")
            if not all(_parts(c.unwritten) for c in self.checked.values()):
                raise ValueError("a list of unwritten manifest writes that is not one")
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
            self.checked = {}
            self.report(self.key, f"not a record of checked copies ({exc}): every claim is checked again")

    def save(self, now: datetime) -> None:
        """Write the record when this run changed it, dropping copies long past their deadline."""
        keep = {rid: c for rid, c in self.checked.items() if not _long_gone(c.deadline, now)}
        if not self._changed and len(keep) == len(self.checked):
            return
        document = {
            "version": VERIFIED_VERSION,
            "recordings": {rid: _stored(c) for rid, c in sorted(keep.items())},
        }
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
        # The lease keeps runs apart; without it (a lease lost mid-run) the last writer wins, and a
        # copy it does not list is only checked again: never less safe.
        self._etag = write_json(self.ledger.s3, self.ledger.bucket, self.key, text, compress=True)
        self.requests["s3 PutObject"] += 1

    def report(self, key: str, problem: str) -> None:
        with self._lock:
            self.damaged.append({"key": key, "problem": problem})

    # -- the checks ---------------------------------------------------------------------------------
    def known_safe(self, recording_id: str, byte_size: int | None) -> dict[str, Any] | None:
        """The checked object of a recording this release verified (and of Sendbird's size)."""
        checked = self.checked.get(recording_id)
        if checked is None or (byte_size is not None and checked.size != byte_size):
            return None
        return checked.as_object()

    def problem(
        self, entry: LedgerEntry, byte_size: int | None, layout: KeyLayout | None, known_ids: set[str]
    ) -> str | None:
        """Why a ``copied`` entry is not believed (None: it is, and it is recorded as checked).
        Without a layout, a key that holds a longer id this run knows is that recording's."""
        rid = entry.recording_id
        found = entry.object if isinstance(entry.object, dict) else {}
        key, size, kms = found.get("key"), found.get("size"), found.get("kms_key_id")
        if not isinstance(key, str) or not key:
            return "it names no object"
        wrong_key = _not_its_key(key, rid, layout, known_ids)
        if wrong_key is not None:
            return wrong_key
        if byte_size is not None and size != byte_size:
            return f"it names an object of {size} bytes; Sendbird's recording has {byte_size}"
        if kms is not None and key_id(str(kms)) != self.kms:
            return f"it names an object encrypted with another key ({kms})"
        with self._lock:
            other = next((r for r, c in self.checked.items() if c.key == key and r != rid), None)
        if other is not None:
            return f"its object {key} is the checked copy of recording {other}"
        if entry.earlier_release:
            reason = "written by an earlier release (checked once after an upgrade)"
        else:
            reason = "not in the record of checked copies"
        listed = self.listed(key)
        if listed is None:
            return f"its object {key} is not in the bucket ({reason})"
        if byte_size is not None and int(listed.get("Size", -1)) != byte_size:
            return f"its object {key} has {listed.get('Size')} bytes; the recording has {byte_size}"
        self.accept(
            rid,
            {**found, "etag": listed.get("ETag"), "size": int(listed.get("Size", 0))},
            entry.deadline,
            entry.where,
        )
        return None

    def accept(
        self, recording_id: str, found: dict[str, Any], deadline: str | None, where: str | None = None
    ) -> None:
        """Record a copy this run checked (by HeadObject or listing)."""
        size = found.get("size")
        checked = Checked(
            key=str(found["key"]),
            size=size if isinstance(size, int) and not isinstance(size, bool) else None,
            etag=found.get("etag"),
            kms_key_id=found.get("kms_key_id"),
            deadline=deadline,
            where=where,
        )
        with self._lock:
            known = self.checked.get(recording_id)
            if known is None or replace(known, unwritten=None) != checked:
                # A copy checked again keeps what of its manifest is left (its writer settles it).
                self.checked[recording_id] = replace(checked, unwritten=known.unwritten if known else None)
                self.fresh.add(recording_id)
                self._changed = True

    # -- manifests not written yet ------------------------------------------------------------------
    def unwritten(self) -> dict[str, list[str]]:
        """recording id -> the manifest writes an earlier run could not make (retried now)."""
        with self._lock:
            return {rid: list(c.unwritten) for rid, c in self.checked.items() if c.unwritten}

    def hold(self, recording_id: str, parts: list[str] | None) -> None:
        """Remember which of a copy's manifest writes are still to make (None or empty: none)."""
        with self._lock:
            known = self.checked.get(recording_id)
            if known is None or known.unwritten == (sorted(parts) if parts else None):
                return
            self.checked[recording_id] = replace(known, unwritten=sorted(parts) if parts else None)
            self._changed = True

    def unreadable(self, stored: Stored) -> str:
        """Report an unreadable entry by key; the reason for the recording's result."""
        key = stored.key or "?"
        problem = stored.problem or "not a ledger entry"
        self.report(key, problem)
        return f"its ledger entry {key} is unreadable ({problem})"

    def listed(self, key: str) -> dict[str, Any] | None:
        """The object at exactly ``key``, as listed: one ``ListObjectsV2(Prefix=key, MaxKeys=1)``."""
        self.requests["s3 ListObjectsV2"] += 1
        page = self.ledger.s3.list_objects_v2(Bucket=self.ledger.bucket, Prefix=key, MaxKeys=1)
        return next((item for item in page.get("Contents", []) if item["Key"] == key), None)

    def recheck(self) -> None:
        """Forget every checked copy whose object is no longer in the bucket as it was checked (one
        listing of the bucket): its recording's claim is then checked again, and copied again while
        Sendbird holds it. Run with each full scan (every few days), not in every run."""
        listing = self._listing()
        with self._lock:
            for rid, checked in list(self.checked.items()):
                item = listing.get(checked.key)
                if item is None or (checked.size is not None and int(item.get("Size", -1)) != checked.size):
                    del self.checked[rid]
                    self._changed = True
                    self.notes.append(f"{rid}: its checked copy {checked.key} is no longer in the bucket")

    def _listing(self) -> dict[str, dict[str, Any]]:
        """The bucket's objects outside the tool's prefixes: listed once per run, when needed."""
        with self._lock:
            if self._bucket is None:
                self._bucket = {}
                pages = self.ledger.s3.get_paginator("list_objects_v2").paginate(Bucket=self.ledger.bucket)
                for page in pages:
                    self.requests["s3 ListObjectsV2"] += 1
                    for item in page.get("Contents", []):
                        if not item["Key"].startswith(RESERVED_PREFIXES):
                            self._bucket[item["Key"]] = item
            return self._bucket

    def own_object(
        self, recording_id: str, layout: KeyLayout | None, known_ids: set[str]
    ) -> dict[str, Any] | None:
        """This recording's object in the bucket, before any copy is requested for it: under the
        layout, its key; without one, the one key (of a single bucket listing per run) that holds
        its id and no longer id this run knows. Two candidates: None (the copy decides)."""
        if layout is not None:
            return self.listed(layout.key_for(recording_id))
        listing = self._listing()
        longer = [k for k in known_ids if recording_id in k and k != recording_id]
        matches = [
            item
            for key, item in listing.items()
            if holds_id(key, recording_id) and not any(other in key for other in longer)
        ]
        return matches[0] if len(matches) == 1 else None


def _not_its_key(key: str, rid: str, layout: KeyLayout | None, known_ids: set[str]) -> str | None:
    """Why ``key`` is not recording ``rid``'s own (None: it is): the layout's key exactly; without
    a layout, a key holding the id, outside the tool's prefixes, holding no longer id this run knows."""
    if layout is not None:
        return (
            None if key == layout.key_for(rid) else f"it names {key}, not its own key {layout.key_for(rid)}"
        )
    if not holds_id(key, rid) or key.startswith(RESERVED_PREFIXES):
        return f"it names {key}, which is not a key of this recording"
    longer = next((o for o in sorted(known_ids) if rid in o and o != rid and o in key), None)
    return None if longer is None else f"it names {key}, which holds the id of recording {longer}"


def _stored(checked: Checked) -> dict[str, Any]:
    """A record as stored: ``unwritten`` only while there is something to write (compact, and
    readable by the release before it)."""
    stored = asdict(checked)
    if not stored["unwritten"]:
        del stored["unwritten"]
    return stored


def _parts(unwritten: Any) -> bool:
    return unwritten is None or (isinstance(unwritten, list) and all(p in UNWRITTEN_PARTS for p in unwritten))


def _long_gone(deadline: str | None, now: datetime) -> bool:
    try:
        moment = datetime.fromisoformat(deadline) if deadline else None
    except ValueError:
        return False
    return moment is not None and moment.tzinfo is not None and now > moment + KEEP_PAST_DEADLINE
