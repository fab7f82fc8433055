"""The smoke test's watch for the copy: what is in the bucket before it, where the copy will land
(the key layout a sync learned, or the whole bucket), the polling until a new object shows, and
what to say when none does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sendbird_copy import rules
from sendbird_copy.checks.report import Check, failed
from sendbird_copy.errors import AwsAccessDenied, AwsNotFound, ServiceError
from sendbird_copy.facts import RESERVED_PREFIXES
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.sync.bucket.state import holds_id


class WaitEnvironment(Protocol):
    """What the wait needs of the smoke test's ``Environment``: its clock, sleep and progress lines."""

    @property
    def clock(self) -> Callable[[], float]: ...

    @property
    def sleep(self) -> Callable[[float], None]: ...

    @property
    def progress(self) -> Callable[[str], None]: ...


class WaitOptions(Protocol):
    """What the wait needs of the smoke test's options."""

    @property
    def wait_timeout(self) -> float: ...

    @property
    def poll_interval(self) -> float: ...


FIRST_POLL, POLL_GROWTH = rules.SMOKE_FIRST_POLL_S, rules.SMOKE_POLL_GROWTH
STEADY_POLLING_SECONDS, PROGRESS_EVERY = rules.SMOKE_STEADY_POLLING_S, rules.SMOKE_PROGRESS_EVERY_S


Stamp = tuple[str, str, str]  # (VersionId, ETag, LastModified) of an object's current version


@dataclass(frozen=True)
class Snapshot:
    """The objects under ``prefix`` ("" for the whole bucket) at one moment, each with its stamp."""

    prefix: str
    stamps: dict[str, Stamp]


def snapshot(s3: Any, bucket: str, recording_id: str, prefix: str = "") -> Snapshot:
    """Every current object under ``prefix`` (the tool's own ``_preflight/`` and ``_sendbird-sync/``
    objects aside), stamped so that a new or rewritten one shows.

    The plain listing finds new keys and changed ETags or LastModified; it is cheap, where a listing
    of versions reads every version of every recording (in moto, 0.3 s per large object, slowing
    the copy it waits for). A re-copy of the same recording rewrites the same key with the same bytes
    (same ETag) within the same second of LastModified: for the keys that name the recording, the
    current VersionId (HeadObject, in the stack's versioned bucket) tells the rewrite apart.
    """
    found: dict[str, Stamp] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if not key.startswith(RESERVED_PREFIXES):
                version = _current_version(s3, bucket, key) if holds_id(key, recording_id) else "null"
                found[key] = (version, str(item.get("ETag")), str(item.get("LastModified")))
    return Snapshot(prefix, found)


def where_the_copy_lands(s3: Any, app: AppOutputs, recording_id: str) -> str:
    """The prefix to watch for the copy: the key a sync learned for it, or "" (the whole bucket).

    Sendbird does not document its object keys, so the first sync that found a copy stored the key
    layout in its state (``sync_state.py``). Watching that one key costs a request per poll whatever
    the bucket holds; the whole bucket costs a page per 1,000 objects per poll, fine for a new stack's
    bucket, not for one holding years of recordings. An unreadable state means the whole bucket.
    """
    try:
        state = _state_store(s3, app).load()
    except ServiceError:
        return ""
    return state.layout.key_for(recording_id) if state and state.layout else ""


def where(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"


def _current_version(s3: Any, bucket: str, key: str) -> str:
    try:
        return str(s3.head_object(Bucket=bucket, Key=key).get("VersionId", "null"))
    except (AwsNotFound, AwsAccessDenied):
        return "null"  # gone meanwhile, or no GetObject for the deployer: the listing decides


def wait_for_new_object(
    s3: Any,
    bucket: str,
    before: Snapshot,
    recording_id: str,
    env: WaitEnvironment,
    options: WaitOptions,
) -> str | None:
    """Poll the listing until an object appears that was not there before (any key); None on timeout.

    Polls come every FIRST_POLL seconds for STEADY_POLLING_SECONDS, then grow by POLL_GROWTH up to
    ``poll_interval``: a recording of tens of MB lands in about a second (found within a fifth of a
    second of landing), and a long one does not cost a listing every fifth of a second.
    """
    start = env.clock()
    delay = min(FIRST_POLL, options.poll_interval)
    said: float | None = None  # when the last progress line was printed
    while True:
        now = snapshot(s3, bucket, recording_id, before.prefix).stamps
        new = [key for key, stamp in now.items() if before.stamps.get(key) != stamp]
        if before.prefix:  # a learned key, that key only: its listing also returns rec-10.mp4 for rec-1
            new = [key for key in new if key == before.prefix]
        if new:
            # Prefer a key that holds the recording's id (another writer may be active too).
            return next((k for k in new if holds_id(k, recording_id)), sorted(new)[0])
        elapsed = env.clock() - start
        if elapsed >= options.wait_timeout:
            return None
        if said is None or elapsed - said >= PROGRESS_EVERY:  # a line at least every 10 s, not per poll
            said = elapsed
            waited = f"{elapsed:.0f}s of {options.wait_timeout:.0f}s"
            env.progress(f"waiting for the copied object in {where(bucket, before.prefix)} ({waited})")
        env.sleep(min(delay, max(options.wait_timeout - elapsed, 0.0)))
        if elapsed >= STEADY_POLLING_SECONDS:  # most copies land in the first seconds: poll them fast
            delay = min(delay * POLL_GROWTH, options.poll_interval)


def _state_store(s3: Any, app: AppOutputs) -> Any:
    from sendbird_copy.sync.bucket.ledger import Ledger
    from sendbird_copy.sync.bucket.state import SyncStateStore

    return SyncStateStore(s3, app.bucket_name, Ledger(s3, app.bucket_name, app.app_id).prefix)


def _state_key(s3: Any, app: AppOutputs) -> str:
    return str(_state_store(s3, app).key)


def not_found(s3: Any, app: AppOutputs, listed: Snapshot, recording_id: str, options: WaitOptions) -> Check:
    """The failed check when no copy showed; watching a learned key, one listing of the whole bucket
    says whether the copy may sit under another key (the layout changed since a sync learned it)."""
    bucket = app.bucket_name
    waited = f"within {options.wait_timeout:.0f}s after Sendbird accepted the copy"
    if not listed.prefix:
        return failed(
            "copied object",
            f"no new object appeared in s3://{bucket} {waited}",
            "raise --wait-timeout for a long recording; otherwise Sendbird's write failed (check "
            "CloudTrail for the copy user's PutObject/UploadPart calls)",
        )
    elsewhere = sorted(k for k in snapshot(s3, bucket, recording_id).stamps if holds_id(k, recording_id))
    elsewhere = [k for k in elsewhere if k != listed.prefix]
    if elsewhere:
        return failed(
            "copied object",
            f"nothing at s3://{bucket}/{listed.prefix} (the key layout a sync learned) {waited}, but "
            f"{', '.join(elsewhere[:3])} holds the recording's id: Sendbird's key layout may have changed",
            f"delete the sync's state s3://{bucket}/{_state_key(s3, app)} (the next sync learns the layout "
            "again and the smoke test lists the whole bucket meanwhile), then run the smoke test again",
        )
    return failed(
        "copied object",
        f"no object appeared at s3://{bucket}/{listed.prefix} (the key layout a sync learned), nor any "
        f"other key holding the recording's id, {waited}",
        "raise --wait-timeout for a long recording; otherwise Sendbird's write failed (check CloudTrail "
        "for the copy user's PutObject/UploadPart calls)",
    )
