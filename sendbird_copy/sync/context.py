"""What one sync run is given and what the parts of an application's run share.

Given: its options (flags), its services (what it needs from outside: the CLI and the scheduled
function each build them) and the copy budget shared by every application. Shared, per application
(``AppContext``): its ledger, the learned key layout, the recordings this run knows, the copies
waiting for their object, the request counts and the notes for the report, and a Sendbird client
per worker thread under the shared rate limits.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sendbird_copy import rules
from sendbird_copy.aws import mapped
from sendbird_copy.facts import GET_REQUESTS_PER_SECOND, WRITE_REQUESTS_PER_SECOND
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.sync.bucket.checked import ClaimChecker
from sendbird_copy.sync.bucket.ledger import Ledger, LedgerEntry, now_utc
from sendbird_copy.sync.bucket.state import KeyLayout
from sendbird_copy.sync.discovery import FoundRecording
from sendbird_copy.sync.limiter import RateLimiter

DEFAULT_EVENT_MARGIN = timedelta(hours=rules.EVENT_MARGIN_HOURS_DEFAULT)  # see horizon.py


@dataclass(frozen=True)
class SyncOptions:
    dry_run: bool = False
    # Page every live event and room (an audit, or a first run); a normal run is bounded (horizon.py).
    full_scan: bool = False
    event_margin: timedelta = DEFAULT_EVENT_MARGIN
    # At most this many pages of a full scan per run (None: all); the rest waits for the next run.
    # The scheduled function sets it so that a long history never eats its time budget.
    max_scan_pages: int | None = None
    since: datetime | None = None
    warn_days: float = rules.WARN_DAYS_DEFAULT
    max_copies: int | None = None
    # How long this run waits for the objects of its copies; a requested entry older than this is
    # re-checked and, if no object ever appeared, requested again.
    verify_timeout: float = rules.VERIFY_TIMEOUT_DEFAULT
    workers: int = rules.WORKERS_DEFAULT
    poll_interval: float = rules.POLL_INTERVAL_DEFAULT
    # How a found object is checked. True (the CLI): HeadObject gives its size and its SSE-KMS key,
    # both compared. False (the scheduled function, whose role may not read recordings, and HeadObject
    # needs s3:GetObject): the size comes from the listing and the encryption is not re-read; the
    # bucket's default encryption (our key) and its policy (DenyNonKmsEncryption, DenyWrongKmsKey,
    # DenyKmsWithoutOurKeyId in components/policies.py) already refuse any write that would not be
    # SSE-KMS with the stack's key.
    verify_with_head: bool = True

    @property
    def warn(self) -> timedelta:
        return timedelta(days=self.warn_days)


@dataclass
class SyncServices:
    """What the core needs from outside; the CLI and the scheduled function each build one."""

    make_client: Callable[[AppOutputs], Any]  # a new SendbirdClient (one per worker thread)
    deployer_s3: Callable[[AppOutputs], Any]  # the operator's S3 client in the app's region
    progress: Callable[[str], None] = lambda _message: None
    on_result: Callable[[str, Any], None] = lambda _app_id, _result: None  # (app id, RecordingResult)
    on_found: Callable[[str, int], None] = lambda _app_id, _count: None  # how many on_result calls follow
    stop: threading.Event = field(default_factory=threading.Event)
    now: Callable[[], datetime] = now_utc
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    # Sendbird's documented per-application limits; tests against an emulator with raised limits
    # raise these too (the CLI never does).
    get_limit: int = GET_REQUESTS_PER_SECOND
    post_limit: int = WRITE_REQUESTS_PER_SECOND


class CopyBudget:
    """--max-copies across every application of one run (None: no limit)."""

    def __init__(self, limit: int | None) -> None:
        self._left = limit
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left is None:
                return True
            if self._left <= 0:
                return False
            self._left -= 1
            return True

    def give_back(self) -> None:
        with self._lock:
            if self._left is not None:
                self._left += 1


class AppContext:
    """One application's run, as its parts (claims, verification, the run) see it."""

    def __init__(self, app: AppOutputs, services: SyncServices, options: SyncOptions) -> None:
        self.app = app
        self.services = services
        self.options = options
        # Mapped: its failures come out as the error tree's (a test may hand a bare moto client).
        self.ledger = Ledger(mapped(services.deployer_s3(app)), app.bucket_name, app.app_id)
        self.layout: KeyLayout | None = None
        self.known_ids: set[str] = set()  # every recording id this run discovered
        self.requests: Counter[str] = Counter()
        # The claims' checks and the record of checked copies (checked.py); damaged state by key.
        self.checks = ClaimChecker(self.ledger, app.kms_key_arn, self.requests)
        self.notes: list[str] = []
        # Requested copies (this run's and earlier runs'), waiting for their object.
        self.waiting: dict[str, tuple[FoundRecording, LedgerEntry]] = {}
        self.lock = threading.Lock()
        self._gets = RateLimiter(services.get_limit)
        self._posts = RateLimiter(services.post_limit)
        self._local = threading.local()

    @property
    def s3(self) -> Any:
        return self.ledger.s3

    def client(self) -> Any:
        """A client per worker thread (a requests Session is not meant to be shared)."""
        client = getattr(self._local, "client", None)
        if client is None:
            client = self.services.make_client(self.app)
            client.set_throttle(self._throttle)
            self._local.client = client
        return client

    def _throttle(self, method: str) -> Any:
        with self.lock:
            self.requests[f"sendbird {method}"] += 1
        return (self._gets if method == "GET" else self._posts).slot()

    def wait_for(self, recording: FoundRecording, entry: LedgerEntry) -> None:
        with self.lock:
            self.waiting[recording.recording_id] = (recording, entry)
