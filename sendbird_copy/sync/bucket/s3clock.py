"""Time from S3, not from this machine: what decides correctness (a lease's end, a copy's freshness)
is judged on S3's own clock, read from a response's ``Date`` header or an object's LastModified.

A machine whose clock is off (S3 accepts signatures up to 15 minutes off; a clock a day ahead writes
"tomorrow" into everything it stamps) must neither lock other runs out nor take a landed copy for a
stale one. ``skew_note`` reports a local clock more than a minute from S3's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sendbird_copy import rules

SKEW_REPORTED = rules.CLOCK_SKEW_REPORTED


def response_time(response: Any) -> datetime | None:
    """S3's clock when it answered: the response's ``Date`` header; None when absent or unreadable."""
    try:
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        value = headers.get("date")
        moment = parsedate_to_datetime(value) if isinstance(value, str) else None
    except (AttributeError, TypeError, ValueError):
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def skew(local: datetime, s3: datetime | None) -> timedelta | None:
    """How far this machine's clock is ahead of S3's (negative: behind); None when unknown."""
    return None if s3 is None else local - s3


def skew_note(local: datetime, s3: datetime | None) -> str | None:
    """A line for the report when this machine's clock is more than a minute from S3's."""
    off = skew(local, s3)
    if off is None or abs(off) <= SKEW_REPORTED:
        return None
    way = "ahead of" if off > timedelta(0) else "behind"
    return (
        f"this machine's clock is {abs(off).total_seconds():.0f} s {way} S3's: leases and copies are "
        "judged on S3's clock, but fix the machine's (NTP)"
    )
