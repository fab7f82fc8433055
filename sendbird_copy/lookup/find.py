"""``find``: recordings of any age, from their manifests (``sync/manifest.py``), never the ledger.

The manifests' keys are dated, then parent, then recording (``ManifestKey``), so the key alone
says whether a manifest matches; only matches are read:
- a time range (``--since``/``--until``, on the recording's start) is one listing from the range's
  first day to its end: ListObjectsV2 requests grow with the manifests *in the range* (1,000 a
  request), not with the application's history;
- a live event, a room or a recording id is one listing of the application's manifest keys
  (1,000 a request, so about 20 requests at 20,000 manifests) matched on the key.
Each match costs one GetObject (its manifest) and one HeadObject (is the recording still there?),
spread over a few threads. Everything runs with the operator's credentials.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sendbird_copy.aws import mapped, read_text
from sendbird_copy.errors import AwsNotFound, describe, is_service_error
from sendbird_copy.sync.discovery import LIVE_EVENT, ROOM
from sendbird_copy.sync.manifest import MANIFEST_MAX_BYTES, ManifestKey, app_prefix, day_prefix

PRESENT, MISSING = "present", "missing"
READERS = 8  # threads reading the matches' manifests and heads


@dataclass(frozen=True)
class FindQuery:
    """What ``find`` looks for; every given part must match."""

    live_event: str | None = None
    room: str | None = None
    recording_id: str | None = None
    since: datetime | None = None  # the recording started at or after (inclusive)
    until: datetime | None = None  # ... and before (exclusive)

    def matches(self, found: ManifestKey) -> bool:
        if self.live_event is not None and (found.kind, found.parent_id) != (LIVE_EVENT, self.live_event):
            return False
        if self.room is not None and (found.kind, found.parent_id) != (ROOM, self.room):
            return False
        if self.recording_id is not None and found.recording_id != self.recording_id:
            return False
        if self.since is not None and found.dated < self.since.replace(microsecond=0):
            return False
        return self.until is None or found.dated < self.until

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items() if v}


@dataclass
class FoundRecording:
    """One recording as its manifest describes it, and whether its object is still in the bucket."""

    manifest_key: str
    manifest: dict[str, Any]
    state: str  # PRESENT, MISSING, or why it could not be told

    @property
    def object(self) -> dict[str, Any]:
        value = self.manifest.get("object")
        return value if isinstance(value, dict) else {}

    @property
    def duration_s(self) -> Any:
        facts = self.manifest.get("file")
        return facts.get("duration_s") if isinstance(facts, dict) else None

    def to_dict(self) -> dict[str, Any]:
        parent = self.manifest.get("parent") if isinstance(self.manifest.get("parent"), dict) else {}
        return {
            "recording_id": self.manifest.get("recording_id"),
            "parent": parent,
            "started_at": self.manifest.get("started_at"),
            "stopped_at": self.manifest.get("stopped_at"),
            "bucket": self.object.get("bucket"),
            "key": self.object.get("key"),
            "size": self.object.get("size"),
            "duration_s": self.duration_s,
            "file": self.manifest.get("file"),
            "state": self.state,
            "copied_at": self.manifest.get("copied_at"),
            "manifest": self.manifest_key,
        }


@dataclass
class FindReport:
    """One application's answer."""

    app_id: str
    query: FindQuery
    found: list[FoundRecording] = field(default_factory=list)
    error: str | None = None
    problems: list[dict[str, str]] = field(default_factory=list)  # manifests that could not be read
    requests: Counter[str] = field(default_factory=Counter)
    # Set by the command: another application found what this one did not (then this one passes).
    found_elsewhere: bool = False

    @property
    def passed(self) -> bool:
        """Something was found (here or in another application), every object in its place."""
        if self.error is not None or self.problems:
            return False
        return (bool(self.found) or self.found_elsewhere) and all(f.state == PRESENT for f in self.found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "passed": self.passed,
            "error": self.error,
            "query": self.query.to_dict(),
            "recordings": [f.to_dict() for f in self.found],
            "problems": list(self.problems),
            "requests": dict(sorted(self.requests.items())),
        }


class ManifestFinder:
    """Looks up one application's manifests in its bucket (the operator's S3 client)."""

    def __init__(self, s3: Any, bucket: str, app_id: str) -> None:
        self.s3, self.bucket, self.app_id = mapped(s3), bucket, app_id
        self._lock = threading.Lock()

    def find(self, query: FindQuery) -> FindReport:
        report = FindReport(self.app_id, query)
        try:
            matches = [key for key in self._keys(query, report.requests) if query.matches(key)]
            with ThreadPoolExecutor(max_workers=READERS, thread_name_prefix="find") as pool:
                read = list(pool.map(lambda key: self._read(key, report), matches))
        except Exception as exc:
            if not is_service_error(exc):
                raise
            report.error = f"could not read the manifests of application {self.app_id}: {describe(exc)}"
            return report
        report.found = sorted((f for f in read if f is not None), key=_start_order)
        return report

    def _keys(self, query: FindQuery, requests: Counter[str]) -> Iterator[ManifestKey]:
        """The manifest keys a listing gives, in date order; from the range's first day when
        ``since`` is given, up to ``until`` (the listing stops there)."""
        prefix = app_prefix(self.app_id)
        arguments: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix}
        if query.since is not None:
            arguments["StartAfter"] = day_prefix(self.app_id, query.since).rstrip("/")
        for page in self.s3.get_paginator("list_objects_v2").paginate(**arguments):
            requests["s3 ListObjectsV2"] += 1
            for item in page.get("Contents", []):
                key = ManifestKey.parse(item["Key"], self.app_id)
                if key is None:
                    continue
                if query.until is not None and key.dated >= query.until:
                    return
                yield key

    def _read(self, key: ManifestKey, report: FindReport) -> FoundRecording | None:
        text = read_text(self.s3, self.bucket, key.key, MANIFEST_MAX_BYTES + 1)
        self._count(report, "s3 GetObject")
        if text is None:
            return None  # expired or deleted since the listing
        problem, manifest = _parsed(text[0], key)
        if problem is not None:
            with self._lock:
                report.problems.append({"key": key.key, "problem": problem})
            return None
        return FoundRecording(key.key, manifest, self._state(manifest, report))

    def _state(self, manifest: dict[str, Any], report: FindReport) -> str:
        """Is the recording's object still there (a HeadObject, the operator's)?"""
        key = manifest["object"]["key"]
        try:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        except AwsNotFound:
            return MISSING
        except Exception as exc:
            if not is_service_error(exc):
                raise
            return f"unknown: {describe(exc)}"
        finally:
            self._count(report, "s3 HeadObject")
        return PRESENT

    def _count(self, report: FindReport, request: str) -> None:
        with self._lock:
            report.requests[request] += 1


def _parsed(text: str, key: ManifestKey) -> tuple[str | None, dict[str, Any]]:
    """The manifest, or what is wrong with it (it must name the recording its key names)."""
    if len(text.encode()) > MANIFEST_MAX_BYTES:
        return f"over {MANIFEST_MAX_BYTES} bytes: not a manifest", {}
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return "not JSON", {}
    if not isinstance(data, dict) or data.get("recording_id") != key.recording_id:
        return "not the manifest of the recording its key names", {}
    found = data.get("object")
    if not isinstance(found, dict) or not isinstance(found.get("key"), str) or not found["key"]:
        return "names no object", {}
    return None, data


def _start_order(found: FoundRecording) -> tuple[str, str]:
    return (str(found.manifest.get("filed_at") or ""), str(found.manifest.get("recording_id")))
