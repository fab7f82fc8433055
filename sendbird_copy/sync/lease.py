"""One sync run at a time per application: a short lease in the ledger prefix.

Each run has its own copy limiter (5 POST/s), so two runs at once would together exceed Sendbird's
limit and draw 429s. The ledger's claims already keep a recording from being copied twice; the lease
keeps runs from overlapping at all. ``<ledger prefix><app>/_run/lease.json`` names the holder and when
the lease ends; it is taken by S3's conditional writes (create with ``If-None-Match: *``, or take over
an expired one with ``If-Match``), renewed while the run goes on, and given back (written as expired:
PutObject only, which the function's role already has) at the end. A run that finds the lease held
leaves the application alone and says so: the holder is doing the work. A holder that died leaves a
lease that ends by itself after ``ttl``.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sendbird_copy.aws import read_text, write_json
from sendbird_copy.errors import describe

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=2)


@dataclass(frozen=True)
class Holder:
    run_id: str
    until: datetime


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
        self.key = f"{app_prefix}_run/lease.json"
        self._etag: str | None = None
        self._lock = threading.Lock()
        self._renewing = threading.Event()
        self.lost = False  # a renewal found another run holding it (this run stalled past ttl)

    def acquire(self) -> Holder | None:
        """Take the lease: None when taken, else the run that holds it."""
        etag = self._put(IfNoneMatch="*")
        if etag is None:
            holder, current = self._read()
            if holder is not None and holder.until > self.now():
                return holder
            # Expired or unreadable: take it over (or, gone between the two requests, create it).
            etag = self._put(IfMatch=current) if current else self._put(IfNoneMatch="*")
            if etag is None:
                return holder or Holder("another run", self.now())
        self._etag = etag
        threading.Thread(target=self._renew_until_released, name="sync-lease", daemon=True).start()
        return None

    def release(self) -> None:
        """Give it back: written as ended now, so the next run takes it at once."""
        self._renewing.set()
        with self._lock:
            if self._etag is not None and not self.lost:
                self._put(IfMatch=self._etag, until=self.now())
            self._etag = None

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

    def _read(self) -> tuple[Holder | None, str | None]:
        found = read_text(self.s3, self.bucket, self.key, 4096)
        if found is None:
            return None, None
        text, etag = found
        try:
            data = json.loads(text)
            holder = Holder(str(data["run_id"]), datetime.fromisoformat(data["until"]))
        except (ValueError, TypeError, KeyError, AttributeError):
            holder = None  # unreadable: as good as expired
        if holder is not None and holder.until.tzinfo is None:
            holder = None
        return holder, etag

    def _put(self, until: datetime | None = None, **condition: str) -> str | None:
        body = json.dumps({"run_id": self.run_id, "until": (until or self.now() + self.ttl).isoformat()})
        return write_json(self.s3, self.bucket, self.key, body, **condition)
