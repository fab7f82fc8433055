"""The sync's memory, kept in the bucket: one small JSON object per recording under LEDGER_PREFIX.

Written with the operator's credentials (never the copy identity, which cannot read). A recording is
claimed by *creating* its entry with S3's conditional write (``If-None-Match: *``): of two syncs
running at once, exactly one creates it, and only that one asks Sendbird to copy. Later changes by
the claimant overwrite the entry; taking over a stale or failed entry uses ``If-Match`` with the
ETag that was read, so two runs cannot both take it over. Entries hold no secret.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from sendbird_copy.aws import read_text, write_json
from sendbird_copy.facts import LEDGER_PREFIX

REQUESTED, COPIED, FAILED = "requested", "copied", "failed"
STATES = (REQUESTED, COPIED, FAILED)
ENTRY_MAX_BYTES = 64 * 1024  # an entry is a few hundred bytes; a larger object is not one of ours


def now_utc() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class LedgerEntry:
    recording_id: str
    app_id: str
    state: str
    where: str  # "live event <id>" or "room <id>"
    run_id: str
    updated_at: str
    requested_at: str | None = None
    deadline: str | None = None
    attempts: int = 0
    # The copied object as found by listing: key, size, etag, kms_key_id.
    object: dict[str, Any] | None = None
    last_error: str | None = None
    etag: str | None = field(default=None, compare=False)  # of the stored version; not stored itself

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("etag")
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, etag: str | None) -> LedgerEntry | None:
        """The entry, or None when the object is not one (then it is taken over like a stale one)."""
        try:
            data = json.loads(text)
            fields = {
                name: data[name] for name in cls.__dataclass_fields__ if name in data and name != "etag"
            }
            entry = cls(**fields, etag=etag)
        except (ValueError, TypeError, KeyError, RecursionError):
            return None
        return entry if entry._well_typed() else None

    def _well_typed(self) -> bool:
        """Written by hand or by another version, an entry may carry anything: use only sane ones."""
        texts = (self.recording_id, self.app_id, self.state, self.where, self.run_id, self.updated_at)
        optional_texts = (self.requested_at, self.deadline, self.last_error)
        return (
            all(isinstance(t, str) for t in texts)
            and all(t is None or isinstance(t, str) for t in optional_texts)
            and isinstance(self.attempts, int)
            and not isinstance(self.attempts, bool)
            and (self.object is None or isinstance(self.object, dict))
            and self.state in STATES
        )

    def moved_to(self, state: str, **changes: Any) -> LedgerEntry:
        return replace(self, state=state, updated_at=now_utc().isoformat(), **changes)

    def age_seconds(self, now: datetime) -> float:
        stamp = self.requested_at or self.updated_at
        try:
            return (now - datetime.fromisoformat(stamp)).total_seconds()
        except (TypeError, ValueError):
            return float("inf")  # unreadable: as good as stale


@dataclass(frozen=True)
class Stored:
    entry: LedgerEntry | None
    etag: str | None


class Ledger:
    """The entries of one application in one bucket, through the operator's S3 client."""

    def __init__(self, s3: Any, bucket: str, app_id: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.prefix = f"{LEDGER_PREFIX}{quote(app_id, safe='')}/"

    def key(self, recording_id: str) -> str:
        return f"{self.prefix}{quote(recording_id, safe='')}.json"

    def read(self, recording_id: str) -> Stored | None:
        """The stored entry, or None when there is none. An object that is not a readable entry comes
        back as ``Stored(None, etag)``: it is taken over (with its ETag) like a stale entry."""
        return self._read(self.key(recording_id))

    def _read(self, key: str) -> Stored | None:
        found = read_text(self.s3, self.bucket, key, ENTRY_MAX_BYTES)
        if found is None:
            return None
        text, etag = found
        return Stored(LedgerEntry.from_json(text, etag), etag)

    def create(self, entry: LedgerEntry) -> LedgerEntry | None:
        """Claim: write ``entry`` only if no entry exists; None when another run was first."""
        return self._put(entry, IfNoneMatch="*")

    def take_over(self, entry: LedgerEntry, etag: str | None) -> LedgerEntry | None:
        """Replace the entry read with ``etag``; None when it changed since (another run took it).
        Without an ETag there is no safe condition: counted as lost to another run."""
        return self._put(entry, IfMatch=etag) if etag else None

    def write(self, entry: LedgerEntry) -> LedgerEntry:
        """The claimant's own update (it holds the claim, so no condition)."""
        written = self._put(entry)
        assert written is not None
        return written

    def _put(self, entry: LedgerEntry, **condition: str) -> LedgerEntry | None:
        etag = write_json(self.s3, self.bucket, self.key(entry.recording_id), entry.to_json(), **condition)
        return None if etag is None else replace(entry, etag=etag)

    def list_entries(self) -> list[tuple[str, Stored]]:
        """Read-only: every entry of this application as (its key, what it holds), in key order. Only
        objects directly under the prefix count: deeper "folders" (``<app>/_run/...``) hold other
        state. An object that is not a readable entry comes back as ``Stored(None, etag)``."""
        found: list[tuple[str, Stored]] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if "/" in name or not name.endswith(".json"):
                    continue
                stored = self._read(item["Key"])
                if stored is not None:  # else expired or deleted since the listing
                    found.append((item["Key"], stored))
        return found
