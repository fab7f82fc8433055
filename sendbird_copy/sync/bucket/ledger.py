"""The sync's memory, kept in the bucket: one small JSON object per recording under LEDGER_PREFIX.

Written with the operator's credentials (never the copy identity, which cannot read). A recording is
claimed by *creating* its entry with S3's conditional write (``If-None-Match: *``): of two syncs
running at once, exactly one creates it, and only that one asks Sendbird to copy. Later changes by
the claimant overwrite the entry; taking over a stale or failed entry uses ``If-Match`` with the
ETag that was read, so two runs cannot both take it over. Entries hold no secret.

Entries carry ``version``: one written by an earlier release (none, or a lower one) is a claim this
release has not checked (``checked.py``). Times that decide correctness come from S3 (``s3clock.py``):
each entry read or written remembers S3's time of its last write (LastModified, or the write's Date).
An object that is not a readable entry is reported by key with what is wrong with it (``problem``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sendbird_copy.aws import mapped
from sendbird_copy.errors import AwsNotFound, AwsPreconditionFailed
from sendbird_copy.facts import LEDGER_PREFIX
from sendbird_copy.sync.bucket.s3clock import response_time

REQUESTED, COPIED, FAILED = "requested", "copied", "failed"
STATES = (REQUESTED, COPIED, FAILED)
ENTRY_MAX_BYTES = 64 * 1024  # an entry is a few hundred bytes; a larger object is not one of ours
# 2: claims checked (exact key, size, KMS key, one object per recording); 1 or none: an earlier
# release's, re-verified once (its prefix match could name another recording's object).
LEDGER_VERSION = 2


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
    version: int = LEDGER_VERSION  # stored; an entry without it was written by an earlier release
    etag: str | None = field(default=None, compare=False)  # of the stored version; not stored itself
    # S3's time of the stored version's write (LastModified or the write's Date); not stored itself.
    written_s3: datetime | None = field(default=None, compare=False)

    def to_json(self) -> str:
        data = asdict(self)
        data.pop("etag")
        data.pop("written_s3")
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, etag: str | None) -> LedgerEntry | None:
        """The entry, or None when the object is not one (see ``parse``)."""
        return cls.parse(text, etag)[0]

    @classmethod
    def parse(cls, text: str, etag: str | None) -> tuple[LedgerEntry | None, str | None]:
        """The entry, or None and what is wrong with the object."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return None, "not JSON (truncated or binary)"
        if not isinstance(data, dict):
            return None, f"JSON {type(data).__name__}, not an object"
        stored = {"etag", "written_s3"}
        fields = {
            name: data[name] for name in cls.__dataclass_fields__ if name in data and name not in stored
        }
        fields.setdefault("version", 0)
        try:
            entry = cls(**fields, etag=etag)
        except TypeError:
            missing = sorted({"recording_id", "app_id", "state", "where", "run_id", "updated_at"} - set(data))
            return None, f"fields missing: {', '.join(missing)}"
        if not entry._well_typed():
            return None, "a field of the wrong type or an unknown state"
        return entry, None

    @property
    def earlier_release(self) -> bool:
        return self.version < LEDGER_VERSION

    def _well_typed(self) -> bool:
        """Written by hand or by another version, an entry may carry anything: use only sane ones."""
        texts = (self.recording_id, self.app_id, self.state, self.where, self.run_id, self.updated_at)
        optional_texts = (self.requested_at, self.deadline, self.last_error)
        return (
            all(isinstance(t, str) for t in texts)
            and all(t is None or isinstance(t, str) for t in optional_texts)
            and isinstance(self.attempts, int)
            and not isinstance(self.attempts, bool)
            and isinstance(self.version, int)
            and not isinstance(self.version, bool)
            and (self.object is None or isinstance(self.object, dict))
            and self.state in STATES
        )

    def moved_to(self, state: str, **changes: Any) -> LedgerEntry:
        changes.setdefault("version", LEDGER_VERSION)
        return replace(self, state=state, updated_at=now_utc().isoformat(), **changes)

    def age_on_s3(self, s3_now: datetime | None) -> float | None:
        """Seconds since its stored version was written, both times S3's; None when unknown."""
        if s3_now is None or self.written_s3 is None:
            return None
        return (s3_now - self.written_s3).total_seconds()

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
    problem: str | None = None  # why the object is not a readable entry (entry None)
    key: str | None = None


class Ledger:
    """The entries of one application in one bucket, through the operator's S3 client."""

    def __init__(self, s3: Any, bucket: str, app_id: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.app_id = app_id
        self.prefix = f"{LEDGER_PREFIX}{quote(app_id, safe='')}/"
        # This machine's clock minus S3's, from the last response that had a Date (see s3_now).
        self.offset: timedelta | None = None

    def key(self, recording_id: str) -> str:
        return f"{self.prefix}{quote(recording_id, safe='')}.json"

    def read(self, recording_id: str) -> Stored | None:
        """The stored entry, or None when there is none. An object that is not a readable entry comes
        back as ``Stored(None, etag)``: it is taken over (with its ETag) like a stale entry."""
        return self._read(self.key(recording_id))

    def s3_now(self) -> datetime | None:
        """S3's clock now, as this machine's clock and the last response's Date put it."""
        return None if self.offset is None else now_utc() - self.offset

    def _saw(self, response: Any) -> datetime | None:
        moment = response_time(response)
        if moment is not None:
            self.offset = now_utc() - moment
        return moment

    def read_key(self, key: str) -> Stored | None:
        """The object at ``key`` (a listed entry) read as an entry; None when gone since."""
        return self._read(key)

    def _read(self, key: str) -> Stored | None:
        """Bounded: at most ENTRY_MAX_BYTES are read, whatever the object holds."""
        try:
            response = mapped(self.s3).get_object(Bucket=self.bucket, Key=key)
        except AwsNotFound:
            return None
        self._saw(response)
        etag, size = response.get("ETag"), response.get("ContentLength")
        with response["Body"] as body:
            data = body.read(ENTRY_MAX_BYTES + 1)
        if len(data) > ENTRY_MAX_BYTES:
            return Stored(None, etag, f"{size or 'over ' + str(ENTRY_MAX_BYTES)} bytes: not an entry", key)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return Stored(None, etag, "binary, not UTF-8 text", key)
        entry, problem = LedgerEntry.parse(text, etag)
        if entry is not None:
            entry = replace(entry, written_s3=response.get("LastModified"))
        return Stored(entry, etag, problem, key)

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
        body = entry.to_json().encode()
        try:
            response = mapped(self.s3).put_object(
                Bucket=self.bucket,
                Key=self.key(entry.recording_id),
                Body=body,
                ContentType="application/json",
                **condition,
            )
        except AwsPreconditionFailed:
            if not condition:
                raise
            return None
        written = self._saw(response)
        return replace(entry, etag=str(response.get("ETag")), written_s3=written)

    def listing(self) -> dict[str, dict[str, Any]]:
        """Read nothing: each entry's key -> its listing (ETag, Size, LastModified), one request per
        1,000 entries. Only objects directly under the prefix that end in ``.json``."""
        found: dict[str, dict[str, Any]] = {}
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if "/" not in name and name.endswith(".json"):
                    found[item["Key"]] = item
        return found

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
