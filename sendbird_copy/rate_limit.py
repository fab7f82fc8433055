"""A thread-safe pacing limiter: at most ``rate`` calls per second, spread evenly.

One per application and method family (Sendbird's limits are per application and endpoint: 10 GET/s,
5 POST/s), shared by every worker thread. Evenly spaced starts (one every 1/rate seconds) also keep
every sliding one-second window at or under ``rate``, which a token bucket with a burst would not.
A 429 that still gets through is retried by the client (urllib3 Retry honouring Retry-After).

``headroom`` widens the spacing a little (5 % by default): requests reach the server with some jitter,
and six starts exactly 1/rate apart would span exactly one second, so a late first one and a prompt
sixth could share a window. 95 % of the ceiling is the price of never being refused.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        rate: float,
        headroom: float = 0.05,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError(f"rate must be > 0, got {rate}")
        if not 0 <= headroom < 1:
            raise ValueError(f"headroom must be in [0, 1), got {headroom}")
        self.interval = (1.0 + headroom) / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = clock()

    def acquire(self) -> None:
        """Block until this caller may start its request."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)
