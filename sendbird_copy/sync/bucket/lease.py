"""One sync run at a time per application: a short lease in the ledger prefix.

Each run has its own copy limiter (5 POST/s), so two runs at once would together exceed Sendbird's
limit and draw 429s. The ledger's claims already keep a recording from being copied twice; the lease
keeps runs from overlapping at all. ``<ledger prefix><app>/_run/lease.json`` names the holder and how
long it holds (``ttl_seconds``); it is taken by S3's conditional writes (create with
``If-None-Match: *``, or take over an expired one with ``If-Match``), renewed while the run goes on,
and given back (written with a ttl of 0: PutObject only, which the function's role already has) at
the end. A run that finds the lease held leaves the application alone and says so.

Time is S3's (``s3clock.py``): a lease ends ``ttl_seconds`` after its object's LastModified, judged
against the Date of the response that read it, so a machine whose clock is a day ahead cannot lock
other runs out for a day. A lease that would end further away than one run can last (the scheduled
function's 900 s and a margin) is not honoured: it is reported and taken over. A holder that died
leaves a lease that ends by itself after ``ttl``.
"""

from __future__ import annotations

import json
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sendbird_copy.aws import mapped
from sendbird_copy.errors import AwsNotFound, AwsPreconditionFailed, describe
from sendbird_copy.sync.bucket.s3clock import response_time

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=2)
# The longest one run can hold an application: the scheduled function's 900 s, and a margin. A lease
# that ends further away than this was not written by a run of this tool on S3's clock.
LEASE_MAX = timedelta(seconds=900) + timedelta(minutes=5)
LEASE_MAX_BYTES = 4096


@dataclass(frozen=True)
class Holder:
    run_id: str
    until: datetime  # on S3's clock
    honoured: bool = True  # False: it ends further away than LEASE_MAX (taken over, reported)
    seen_at: datetime | None = None  # S3's clock when it was read

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "until": self.until.isoformat(timespec="seconds"),
            "honoured": self.honoured,
        }


def lease_key(app_prefix: str) -> str:
    return f"{app_prefix}_run/lease.json"


def read_holder(s3: Any, bucket: str, key: str) -> tuple[Holder | None, str | None]:
    """Who holds the lease at ``key`` and until when (S3's clock), and its ETag; (None, None) when
    there is no lease. An unreadable lease reads as ended (it was never one of ours)."""
    try:
        response = mapped(s3).get_object(Bucket=bucket, Key=key)
    except AwsNotFound:
        return None, None
    etag = response.get("ETag")
    with response["Body"] as body:
        text = body.read(LEASE_MAX_BYTES).decode("utf-8", errors="replace")
    s3_now = response_time(response)
    written = response.get("LastModified")
    try:
        data = json.loads(text)
        run_id = str(data["run_id"])
        until = _end(data, written)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None, etag
    if until is None:
        return None, etag
    honoured = s3_now is None or until - s3_now <= LEASE_MAX
    return Holder(run_id, until, honoured, s3_now), etag


def _end(data: dict[str, Any], written: Any) -> datetime | None:
    """When the lease ends on S3's clock: LastModified + ttl_seconds; an earlier release's lease
    names only ``until`` (its writer's clock)."""
    ttl = data.get("ttl_seconds")
    if isinstance(ttl, int | float) and not isinstance(ttl, bool) and isinstance(written, datetime):
        # A ttl past any run's length (1e12, Infinity, NaN: only a forged or broken lease) is held
        # just past LEASE_MAX, so it reads as "not honoured" and is reported, never an overflow.
        longest = 2 * LEASE_MAX.total_seconds()
        seconds = float(ttl) if math.isfinite(ttl) and ttl <= longest else longest
        return written + timedelta(seconds=max(0.0, seconds))
    until = datetime.fromisoformat(data["until"])
    return until if until.tzinfo is not None else None


class Lease:
    """The lease of one application, through an S3 client that may write the ledger prefix."""

    def __init__(
        self,
        s3: Any,
        bucket: str,
        app_prefix: str,
        run_id: str,
        now: Callable[[], datetime],
        ttl: timedelta = LEASE_TTL,
    ) -> None:
        self.s3, self.bucket, self.run_id, self.now, self.ttl = s3, bucket, run_id, now, ttl
        self.key = lease_key(app_prefix)
        self._etag: str | None = None
        self._lock = threading.Lock()
        self._renewing = threading.Event()
        self.lost = False  # a renewal found another run holding it (this run stalled past ttl)
        self.s3_time: datetime | None = None  # S3's clock at the last answer (Date)
        self.notes: list[str] = []  # what the report should say (a lease not honoured)

    def acquire(self) -> Holder | None:
        """Take the lease: None when taken, else the run that holds it."""
        etag = self._put(IfNoneMatch="*")
        if etag is None:
            holder, current = read_holder(self.s3, self.bucket, self.key)
            if holder is not None and not holder.honoured:
                self.notes.append(
                    f"the lease s3://{self.bucket}/{self.key} names run {holder.run_id} until "
                    f"{holder.until.isoformat(timespec='seconds')}, further away than one run can last "
                    f"({LEASE_MAX.total_seconds():.0f} s on S3's clock): not honoured, taken over"
                )
            elif holder is not None and holder.until > (holder.seen_at or self.now()):
                return holder
            # Ended, unreadable or not honoured: take it over (or, gone between the two, create it).
            etag = self._put(IfMatch=current) if current else self._put(IfNoneMatch="*")
            if etag is None:
                return holder or Holder("another run", self.now())
        self._etag = etag
        threading.Thread(target=self._renew_until_released, name="sync-lease", daemon=True).start()
        return None

    def release(self) -> None:
        """Give it back: written with a ttl of 0, so the next run takes it at once. Raises what S3
        raises (the caller reports it; the lease then ends by itself after ``ttl``)."""
        self._renewing.set()
        with self._lock:
            etag, self._etag = self._etag, None
            if etag is not None and not self.lost:
                self._put(IfMatch=etag, ttl=timedelta(0))

    def ends_by_itself(self) -> str:
        """For a report: when an unreleased lease ends on its own (S3's clock when known)."""
        return ((self.s3_time or self.now()) + self.ttl).isoformat(timespec="seconds")

    def _renew_until_released(self) -> None:
        while not self._renewing.wait(self.ttl.total_seconds() / 3):
            with self._lock:
                if self._etag is None:
                    return
                try:
                    etag = self._put(IfMatch=self._etag)
                except Exception as exc:  # a passing S3 fault: the next renewal tries before ttl
                    log.debug("lease renewal failed: %s", describe(exc))
                    continue
                if etag is None:
                    self.lost = True
                    return
                self._etag = etag

    def _put(self, ttl: timedelta | None = None, **condition: str) -> str | None:
        ttl = self.ttl if ttl is None else ttl
        base = self.s3_time or self.now()
        body = json.dumps(
            {
                "run_id": self.run_id,
                "ttl_seconds": int(ttl.total_seconds()),
                "until": (base + ttl).isoformat(timespec="seconds"),  # for readers; ttl decides
            }
        )
        try:
            response = mapped(self.s3).put_object(
                Bucket=self.bucket,
                Key=self.key,
                Body=body.encode(),
                ContentType="application/json",
                **condition,
            )
        except AwsPreconditionFailed as exc:
            if not condition:
                raise
            answered = {"ResponseMetadata": {"HTTPHeaders": dict(exc.headers)}}
            self.s3_time = response_time(answered) or self.s3_time
            return None
        self.s3_time = response_time(response) or self.s3_time
        return str(response.get("ETag"))
