"""What the sync remembers per application between runs, beside the ledger in the bucket.

One small JSON object, ``<ledger prefix><app>/_run/state.json`` (a recording's entry is
``<app>/<quoted id>.json``, which never holds a '/', so the two cannot meet), written with the
operator's credentials or the function's role (both may write the ledger prefix):
- when the last *complete* discovery ran, and the parents to watch (``horizon.py`` says why);
- where Sendbird's copy puts a recording (``KeyLayout``): learned from the first copy found by listing
  the bucket, then each copy is checked under its expected key alone.
Two runs at once: the write is conditional on the ETag read at the start; the loser re-reads and
merges (the union of the watch lists, the later times), so neither run's knowledge is lost. The
ledger's lifecycle rule expires it too, weeks after the last run wrote it.

A lost or damaged state must not hide a recording. It is checked for sense when read: a watch that
does not match the digest written with it (emptied or cut by hand or by damage) is not believed,
and the run is a full scan. A state that cannot be read, or that a newer release wrote (``version``),
is reported by key as such (never as "first run") and never overwritten. The safety net for a watch
lost without a trace is the periodic full scan (``horizon.py``).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sendbird_copy.aws import read_text, write_json
from sendbird_copy.sync.discovery import LIVE_EVENT, ROOM, ListingMemory, ParentKey, ScanCursor

STATE_VERSION = 2  # 2: the watch carries its digest; 1 (an earlier release): read, without one
# Read whole: the watch of an application with many open parents can pass any fixed cap, and a cut
# object would read as no state (a full scan every run, and the watch lost).
STATE_MAX_BYTES = None
MERGE_ATTEMPTS = 3


def holds_id(key: str, recording_id: str) -> bool:
    """``recording_id`` appears in ``key`` with no letter or digit right before or after it (so
    ``rec-1`` is not found in ``rec-10.mp4``)."""
    pattern = rf"(?<![A-Za-z0-9]){re.escape(recording_id)}(?![A-Za-z0-9])"
    return recording_id in key and re.search(pattern, key) is not None


@dataclass(frozen=True)
class KeyLayout:
    """An object key as ``prefix + recording id + suffix``: e.g. ``("", ".mp4")``."""

    prefix: str
    suffix: str

    def key_for(self, recording_id: str) -> str:
        return f"{self.prefix}{recording_id}{self.suffix}"

    def recording_of(self, key: str) -> str | None:
        """The recording id this layout puts at ``key``, or None when it cannot be one of its keys."""
        if len(key) <= len(self.prefix) + len(self.suffix):
            return None
        if not (key.startswith(self.prefix) and key.endswith(self.suffix)):
            return None
        return key[len(self.prefix) : len(key) - len(self.suffix)]

    @classmethod
    def learned(cls, key: str, recording_id: str) -> KeyLayout | None:
        """The layout of ``key`` for ``recording_id``; None unless the id appears exactly once."""
        if not recording_id or key.count(recording_id) != 1:
            return None
        at = key.index(recording_id)
        return cls(key[:at], key[at + len(recording_id) :])

    def describe(self) -> str:
        return self.key_for("{recording_id}")


@dataclass(frozen=True)
class SyncState:
    last_complete: datetime | None = None
    last_full_scan: datetime | None = None
    watch: tuple[ParentKey, ...] = ()
    layout: KeyLayout | None = None
    scan: ScanCursor | None = None  # an unfinished full scan's place
    scan_started: datetime | None = None
    # What the last run's window listings showed: bounds this run's, and judges an empty one.
    listing: ListingMemory | None = None
    etag: str | None = field(default=None, compare=False)
    # Why the stored state is not believed (None: it is); ``keep``: never overwrite it (unreadable,
    # or a newer release's), as opposed to a watch that made no sense (replaced after a full scan).
    problem: str | None = field(default=None, compare=False)
    keep: bool = field(default=False, compare=False)

    def to_json(self) -> str:
        data = {
            "version": STATE_VERSION,
            "watch_digest": watch_digest(self.watch),
            "last_complete": _iso(self.last_complete),
            "last_full_scan": _iso(self.last_full_scan),
            "watch": [{"kind": kind, "id": parent_id} for kind, parent_id in self.watch],
            "layout": None if self.layout is None else asdict(self.layout),
            "scan": None if self.scan is None else asdict(self.scan),
            "scan_started": _iso(self.scan_started),
            "listing": None if self.listing is None else self.listing.to_dict(),
        }
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, etag: str | None) -> SyncState:
        """The state; one that is not believed carries ``problem`` (and no memory: a full scan)."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            return cls(etag=etag, problem="is not JSON (truncated or binary)", keep=True)
        version = data.get("version") if isinstance(data, dict) else None
        if isinstance(version, bool) or not isinstance(version, int):
            return cls(etag=etag, problem="has no version: not a discovery state", keep=True)
        if version > STATE_VERSION:
            return cls(
                etag=etag,
                problem=f"was written by a newer release (version {version}; this one knows {STATE_VERSION})",
                keep=True,
            )
        try:
            state = cls(
                last_complete=_time(data.get("last_complete")),
                last_full_scan=_time(data.get("last_full_scan")),
                watch=tuple(_watch(data.get("watch"))),
                layout=_layout(data.get("layout")),
                scan=_cursor(data.get("scan")),
                scan_started=_time(data.get("scan_started")),
                listing=ListingMemory.from_dict(data.get("listing")),
                etag=etag,
            )
        except (ValueError, TypeError, RecursionError):
            return cls(etag=etag, problem="has a field of the wrong type", keep=True)
        if version >= 2 and data.get("watch_digest") != watch_digest(state.watch):
            return cls(
                layout=state.layout,
                last_full_scan=state.last_full_scan,
                etag=etag,
                problem=f"has a watch of {len(state.watch)} parents that does not match its digest",
            )
        return state

    def merged_with(self, other: SyncState) -> SyncState:
        """Both runs' knowledge: later times, the union of the watches, this run's layout first."""
        return replace(
            self,
            last_complete=_later(self.last_complete, other.last_complete),
            last_full_scan=_later(self.last_full_scan, other.last_full_scan),
            watch=tuple(dict.fromkeys(self.watch + other.watch)),
            layout=self.layout or other.layout,
            listing=self.listing or other.listing,
            etag=other.etag,
        )


class SyncStateStore:
    """The state object of one application, through an S3 client that may write the ledger prefix."""

    def __init__(self, s3: Any, bucket: str, app_prefix: str) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.key = f"{app_prefix}_run/state.json"

    def load(self) -> SyncState | None:
        """The stored state; None when there is none (a first run). One that is not believed has
        ``problem`` set: the run reports it and plans a full scan."""
        found = read_text(self.s3, self.bucket, self.key, STATE_MAX_BYTES)
        return None if found is None else SyncState.from_json(*found)

    def save(self, state: SyncState, read: SyncState | None) -> SyncState:
        """Write ``state`` if nobody wrote since ``read`` was loaded; else merge and try again."""
        if read is not None and read.keep:
            raise StateKept(f"s3://{self.bucket}/{self.key} {read.problem}: not overwritten")
        for _ in range(MERGE_ATTEMPTS):
            condition = {"IfMatch": read.etag} if read and read.etag else {"IfNoneMatch": "*"}
            etag = write_json(self.s3, self.bucket, self.key, state.to_json(), compress=True, **condition)
            if etag is not None:
                return replace(state, etag=etag)
            read = self.load()
            if read is not None and read.keep:
                raise StateKept(f"s3://{self.bucket}/{self.key} {read.problem}: not overwritten")
            if read is not None and read.problem is None:
                state = state.merged_with(read)
        # Three runs in a row wrote first: write unconditionally what is merged (nothing is lost
        # that those runs did not also know, and the next run can fall back to a full scan).
        return replace(state, etag=write_json(self.s3, self.bucket, self.key, state.to_json(), compress=True))


class StateKept(Exception):
    """The stored state must not be overwritten (unreadable, or a newer release's)."""


def watch_digest(watch: tuple[ParentKey, ...]) -> str:
    """What the watch was when written: a watch emptied or cut since no longer matches it."""
    text = "\n".join(f"{kind}:{parent_id}" for kind, parent_id in sorted(watch))
    return hashlib.sha256(text.encode()).hexdigest()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo is not None else None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return max((m for m in (a, b) if m is not None), default=None)


def _watch(items: Any) -> list[ParentKey]:
    kinds = {LIVE_EVENT, ROOM}
    return [
        (item["kind"], item["id"])
        for item in items or ()
        if isinstance(item, dict) and item.get("kind") in kinds and isinstance(item.get("id"), str)
    ]


def _layout(data: Any) -> KeyLayout | None:
    if not isinstance(data, dict):
        return None
    prefix, suffix = data.get("prefix"), data.get("suffix")
    return KeyLayout(prefix, suffix) if isinstance(prefix, str) and isinstance(suffix, str) else None


def _cursor(data: Any) -> ScanCursor | None:
    if not isinstance(data, dict):
        return None
    query, token = data.get("query"), data.get("token")
    if isinstance(query, bool) or not isinstance(query, int) or query < 0:
        return None
    return ScanCursor(query, token if isinstance(token, str) else None)
