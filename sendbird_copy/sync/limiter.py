"""A thread-safe limiter that keeps at most ``limit`` request *arrivals* in any ``window`` seconds.

One per application and method family (Sendbird's limits are per application and endpoint: 10 GET/s,
5 POST/s), shared by every worker thread. Spacing request *starts* 1/rate apart is not enough: a
request that is delayed on its way (network, a busy interpreter) and a prompt one behind it can
arrive six in one second. So a request B may start only once the request A, ``limit`` places before
it, has *finished*, and then only ``window`` after A's *arrival*, which the client never sees. What
it does see bounds that arrival: A arrived at the latest when its answer came back less the time its
answer took, and B arrives at the earliest when it starts plus its way in. Those two legs together
take at least the fastest recent round trip, less ``jitter`` (the legs of one path vary by less than
that between requests a second apart). So B starts at A's finish + ``window`` - (fastest round trip
- ``jitter``): its arrival is a full window after A's, and requests overlap their round trips
(pipelined) instead of each one's latency adding to the window. Until a round trip is seen, and for
a path faster than ``jitter``, no credit is taken: B waits a full window after A's finish, which
holds whatever the delay. Any ``limit + 1`` requests hold two whose places differ by a multiple of
``limit``, so their arrivals are at least a window apart: never past the ceiling (a 429 that still
comes back is retried by the client after Retry-After, inside the same slot).

Throughput: every request waits on the one ``limit`` places before it, so whatever makes B arrive
later than that bound is lost for good, on its chain of every ``limit``-th request: ``jitter``, A's
answer taking longer than the fastest recent round trip (the server's own time varies, and no
client can tell whether A was slow on its way in or in being answered), and the moments between
the slot opening and B's bytes leaving. So about ``limit / (window + jitter + those delays)``:
``limit / (window + jitter)`` (0.966 of the ceiling) is the bound, not the rate. The client keeps its
own part small: the slot holds the sending alone (``api/transport.py``: prepared before, sent by the
thread that gets the slot, left once the status line is in). Against the emulator (in one Python
process with moto and the sync) the copy POST's answer, which waits for moto's CreateMultipartUpload,
came 7-45 ms later on average than the fastest of the last 20 (run to run): with 300 ms of latency
that and ``jitter`` alone allow 0.935-0.961 of the ceiling to any client keeping this guarantee
(README).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sendbird_copy.rules.helper import RATE_LIMIT_WINDOW_S

# How much the way in plus the way back of one path may shrink between two requests: a few ms on a
# steady link; a larger swing only costs a 429, which the client retries after Retry-After.
JITTER_ALLOWANCE = 0.035
ROUND_TRIPS_KEPT = 20  # the fastest of these is the floor: a path that slows keeps the old, lower one


class _Ticket:
    __slots__ = ("finished", "started")

    def __init__(self, started: float) -> None:
        self.started = started
        self.finished: float | None = None


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window: float = RATE_LIMIT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        jitter: float = JITTER_ALLOWANCE,
    ) -> None:
        if limit < 1 or not window > 0 or not jitter >= 0:
            raise ValueError(
                f"limit must be >= 1, window > 0 and jitter >= 0, got {limit}, {window}, {jitter}"
            )
        self.limit = limit
        self.window = window
        self.jitter = jitter
        self._clock = clock
        self._recent: deque[_Ticket] = deque(maxlen=limit)
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIPS_KEPT)
        self._changed = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for one request: enter just before sending it, leave once its answer has
        begun to come back (its status line is in: it arrived before that)."""
        with self._changed:
            while (wait := self._wait_needed()) > 0:
                self._changed.wait(wait)
            ticket = _Ticket(self._clock())
            self._recent.append(ticket)  # the oldest of the last ``limit`` drops out
        try:
            yield
        finally:
            with self._changed:
                ticket.finished = self._clock()
                self._round_trips.append(ticket.finished - ticket.started)
                self._changed.notify_all()

    def _credit(self) -> float:
        """How much of a window surely passes outside our view: the fastest recent round trip less
        the jitter allowance (0 before the first answer)."""
        if not self._round_trips:
            return 0.0
        return max(0.0, min(self._round_trips) - self.jitter)

    def _wait_needed(self) -> float:
        """0 when a request may start now; else how long to wait (a bound: woken on any finish)."""
        if len(self._recent) < self.limit:
            return 0.0
        oldest = self._recent[0].finished
        if oldest is None:
            return self.window  # still in flight: its finish wakes us
        return max(0.0, oldest + self.window - self._credit() - self._clock())
