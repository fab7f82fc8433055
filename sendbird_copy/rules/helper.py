"""The helper's own values: its waits and limits (CLI flags), ``--since``, the at-risk window (warn
days) and how far past Sendbird's two weeks a bounded sync lists ended live events (the event margin);
the last two are settings of the scheduled function too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sendbird_copy.facts import RECORDING_RETENTION
from sendbird_copy.redact import shorten
from sendbird_copy.rules.values import _number, _refuse, check_finite, check_whole_number

# -- the helper's waits and limits (CLI flags) ----------------------------------------------------
WAIT_TIMEOUT_DEFAULT, WAIT_TIMEOUT_BOUNDS = 300.0, (0.0, 86_400.0)
POLL_INTERVAL_DEFAULT, POLL_INTERVAL_BOUNDS = 5.0, (0.1, 3_600.0)
VERIFY_TIMEOUT_DEFAULT, VERIFY_TIMEOUT_BOUNDS = 600.0, (0.0, 86_400.0)
WORKERS_DEFAULT, WORKERS_BOUNDS = 4, (1, 16)
MAX_COPIES_BOUNDS = (1, 1_000_000)
SINCE_MAX_DAYS = 3650

# -- ``link``: a presigned download URL -------------------------------------------------------------
# 24 hours, like the download link of Sendbird's dashboard; at most SigV4's own limit, 7 days.
LINK_EXPIRES_DEFAULT = "24h"
LINK_EXPIRES_MAX_S = 7 * 86_400
LINK_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
LINK_EXPIRES_ALLOWED = (
    "a duration such as 90m, 24h or 7d (s, m, h or d; a bare number is seconds), from 1 second to 7 days "
    "(SigV4's limit for a presigned URL)"
)

# -- the smoke test's polling (not flags) ------------------------------------------------------------
SMOKE_FIRST_POLL_S = 0.2  # before the first re-listing after the copy call
SMOKE_POLL_GROWTH = 1.25  # each wait between listings this much longer, up to --poll-interval...
SMOKE_STEADY_POLLING_S = 3.0  # ...after this long at SMOKE_FIRST_POLL_S
SMOKE_PROGRESS_EVERY_S = 10.0  # between "waiting for the copied object" lines (off a terminal too)

# -- reading the stack's outputs through the Pulumi CLI ----------------------------------------------
PULUMI_TIMEOUT_S = 180.0
PULUMI_PROGRESS_S = 30.0  # a line this often, off a terminal too: a silent wait looks like a hang

# Sendbird's rate limits count requests per second (facts.GET_REQUESTS_PER_SECOND ...): the limiter's window.
RATE_LIMIT_WINDOW_S = 1.0

# -- the sync's own waits and limits (not flags) -----------------------------------------------------
# A copy that failed this many times is reported as failed and not requested again.
MAX_COPY_ATTEMPTS = 3
# The first wait between two looks for copied objects; it doubles up to the poll interval.
SYNC_FIRST_POLL_S = 0.5
# S3 stamps LastModified with its own clock and a request's time comes from ours: allow this much skew.
COPY_CLOCK_SKEW = timedelta(minutes=10)
# A machine clock further than this from S3's (its answers' Date header, one-second resolution) is
# reported; leases and copies are judged on S3's clock whatever it is.
CLOCK_SKEW_REPORTED = timedelta(minutes=1)


def check_wait_timeout(name: str, value: Any) -> float:
    """Seconds to wait for a copied object (smoke test)."""
    return check_finite(name, value, *WAIT_TIMEOUT_BOUNDS)


def check_poll_interval(name: str, value: Any) -> float:
    """Longest wait in seconds between two listings while waiting."""
    return check_finite(name, value, *POLL_INTERVAL_BOUNDS)


def check_verify_timeout(name: str, value: Any) -> float:
    """Seconds the sync waits for copied objects."""
    return check_finite(name, value, *VERIFY_TIMEOUT_BOUNDS)


def check_workers(name: str, value: Any) -> int:
    """Worker threads per application."""
    return check_whole_number(name, value, *WORKERS_BOUNDS)


def check_max_copies(name: str, value: Any) -> int:
    """At most this many copies requested in one run."""
    return check_whole_number(name, value, *MAX_COPIES_BOUNDS)


def check_link_expires(name: str, value: Any) -> int:
    """How long a presigned URL lives: a duration (``24h``) -> whole seconds, 1 s to 7 days."""
    text = value.strip().lower() if isinstance(value, str) else str(value)
    unit = LINK_UNITS.get(text[-1:]) if text else None
    digits = text[:-1] if unit else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        raise _refuse(name, f" '{shorten(str(value))}' is not a duration. Allowed: {LINK_EXPIRES_ALLOWED}")
    seconds = int(digits) * (unit or 1)
    if not 1 <= seconds <= LINK_EXPIRES_MAX_S:
        raise _refuse(name, f" '{shorten(str(value))}' is out of range. Allowed: {LINK_EXPIRES_ALLOWED}")
    return seconds


def check_since(name: str, value: str, now: datetime) -> datetime:
    """A number of days back from ``now`` (``7``) or a UTC date (``2026-11-01``) -> an aware datetime."""
    cleaned = value.strip()
    allowed = f"a number of days (0 to {SINCE_MAX_DAYS}) or a date YYYY-MM-DD (UTC)"
    if cleaned.isascii() and cleaned.isdigit():
        # Length first: int() refuses (ValueError) a string of more than 4300 digits.
        if len(cleaned) > len(str(SINCE_MAX_DAYS)) or int(cleaned) > SINCE_MAX_DAYS:
            raise _refuse(name, f" {shorten(cleaned)} is out of range. Allowed: {allowed}")
        return now - timedelta(days=int(cleaned))
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        raise _refuse(
            name, f" '{shorten(value)}' is not a date or a number of days. Allowed: {allowed}"
        ) from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# -- warn days: the at-risk window -----------------------------------------------------------------
WARN_DAYS_DEFAULT = 3.0
# 0: no early warning (only a passed deadline counts). Below Sendbird's retention: a window as long as
# the retention would call every recording not yet copied "at risk" the moment it appears.
WARN_DAYS_MIN = 0.0
WARN_DAYS_LIMIT = RECORDING_RETENTION.total_seconds() / 86_400  # exclusive
WARN_DAYS_ALLOWED = (
    f"a number of days from {WARN_DAYS_MIN:g} up to, not including, {WARN_DAYS_LIMIT:g} (Sendbird keeps a "
    f"recording {WARN_DAYS_LIMIT:g} days; default {WARN_DAYS_DEFAULT:g})"
)


# How far past the two weeks a bounded sync lists ended live events (sendbird_copy/sync/horizon.py): events
# up to this long are found by the listing alone, longer ones through the parents the sync watches.
EVENT_MARGIN_HOURS_DEFAULT = 24.0
EVENT_MARGIN_HOURS_BOUNDS = (0.0, RECORDING_RETENTION.total_seconds() / 3600)


def check_event_margin_hours(name: str, value: Any) -> float:
    """Hours past Sendbird's two weeks that a bounded sync still lists ended live events for."""
    return check_finite(name, value, *EVENT_MARGIN_HOURS_BOUNDS)


def check_warn_days(name: str, value: Any) -> float:
    """Days before Sendbird's deletion at which a recording not yet copied counts as at risk."""
    days = _number(name, value, WARN_DAYS_ALLOWED)
    if not WARN_DAYS_MIN <= days < WARN_DAYS_LIMIT:
        raise _refuse(name, f" {days:g} is out of range. Allowed: {WARN_DAYS_ALLOWED}")
    return days


# -- the sync's listings (sync/discovery.py) --------------------------------------------------------
# The window's listings may read at least this many pages a run (100 parents a page: 100,000 live
# events and rooms in two weeks, about 100 s at 10 GET/s), or WINDOW_PAGES_GROWTH times what the
# last run needed; past that the cursor is taken for a runaway one.
WINDOW_PAGES_FLOOR = 1000
WINDOW_PAGES_GROWTH = 4
# A full scan reads at most this many pages a run (unless told fewer) and goes on next run.
FULL_SCAN_PAGES_PER_RUN = 10_000
# This many pages in a row with a ``next`` token and no parent not already seen in the listing: the
# cursor runs in place (a fresh token on every page of the same parents).
RUNAWAY_PAGES = 5
