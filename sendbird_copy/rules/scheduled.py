"""The scheduled sync (RecordingSync): its schedule (an EventBridge Scheduler expression and its
longest gap between two runs), its log retention and its metrics namespace."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sendbird_copy.errors import InputError
from sendbird_copy.facts import TIMEOUT_SECONDS
from sendbird_copy.redact import shown
from sendbird_copy.rules.helper import VERIFY_TIMEOUT_DEFAULT
from sendbird_copy.rules.values import _refuse

# -- the scheduled function's time budget and AWS clients ------------------------------------------
# Stop claiming this long before Lambda's timeout: requests in flight finish (a Sendbird call's read
# timeout is 30 s), the ledger says what happened, and the summary and metrics get logged.
SAFETY_MARGIN_S = 60.0
# The CLI's default wait for copied objects; the function waits at most this, and never past its budget.
MAX_VERIFY_TIMEOUT_S = VERIFY_TIMEOUT_DEFAULT
# Of a run's claiming time, at most this share for a full scan's pages (the copies never starve).
SCAN_SHARE_OF_BUDGET = 1 / 3

# -- the scheduled sync: schedule, log retention, metrics namespace ---------------------------------
SCHEDULE_DEFAULT = "rate(1 hour)"
# A run may take the function's whole timeout and runs never overlap; the at-risk alarm needs fresh
# counts, so at least daily.
MIN_INTERVAL_MINUTES = TIMEOUT_SECONDS // 60
MAX_INTERVAL_MINUTES = 24 * 60
SCHEDULE_ALLOWED = (
    f"rate(N minutes|hours|days) from {MIN_INTERVAL_MINUTES} minutes to 1 day (rate(1 hour), "
    "rate(6 hours)), or a daily cron(minutes hours * * ? *) that fires at most every "
    f"{MIN_INTERVAL_MINUTES} minutes (cron(0 * * * ? *): every hour on the hour), in UTC"
)
_RATE = re.compile(r"rate\((\d{1,7}) (minute|minutes|hour|hours|day|days)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_CRON_ITEM = re.compile(r"(\*|\d{1,2}(?:-\d{1,2})?)(?:/(\d{1,2}))?")


@dataclass(frozen=True)
class Schedule:
    expression: str
    # The longest time between two runs.
    max_gap_minutes: int


def _schedule_error(name: str, value: Any, problem: str) -> InputError:
    return _refuse(name, f" {shown(value)} {problem}. Allowed: {SCHEDULE_ALLOWED}")


def _expand(field: str, limit: int) -> set[int] | None:
    """The values (0..limit-1) a cron minutes or hours field names; None when it is not one."""
    values: set[int] = set()
    for item in field.split(","):
        match = _CRON_ITEM.fullmatch(item)
        if match is None:
            return None
        span, step = match.group(1), int(match.group(2) or 1)
        low, _, high = span.partition("-")
        first, last = (0, limit - 1) if span == "*" else (int(low), int(high or low))
        if not 1 <= step < limit or not 0 <= first <= last < limit:
            return None
        if match.group(2) and span != "*" and not high:
            last = limit - 1  # "5/15": from 5, every 15
        values.update(range(first, last + 1, step))
    return values


def _cron_gaps(name: str, value: str, fields: tuple[str, ...]) -> tuple[int, int]:
    minutes_field, hours_field, day_of_month, month, day_of_week, year = fields
    if month != "*" or year != "*" or {day_of_month, day_of_week} != {"*", "?"}:
        raise _schedule_error(name, value, "does not fire every day (day-of-month, month, day-of-week, year)")
    minutes, hours = _expand(minutes_field, 60), _expand(hours_field, 24)
    if minutes is None or hours is None:
        raise _schedule_error(name, value, "has minutes or hours EventBridge Scheduler would not read")
    times = sorted(h * 60 + m for h in hours for m in minutes)
    gaps = [(b - a) for a, b in zip(times, [*times[1:], times[0] + MAX_INTERVAL_MINUTES], strict=True)]
    return min(gaps), max(gaps)


def parse_schedule(name: str, value: Any) -> Schedule:
    """An EventBridge Scheduler expression checked, with its longest gap between two runs."""
    if not isinstance(value, str):
        raise _schedule_error(name, value, "is not a string")
    rate, cron = _RATE.fullmatch(value), _CRON.fullmatch(value)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        singular = unit.rstrip("s")
        if count == 0 or (count == 1) != (unit == singular):  # Scheduler wants "1 hour" but "2 hours"
            raise _schedule_error(name, value, "is not a valid rate (1 takes a singular unit, more a plural)")
        shortest = longest = count * _UNIT_MINUTES[singular]
    elif cron:
        shortest, longest = _cron_gaps(name, value, cron.groups())
    else:
        raise _schedule_error(name, value, "is not a schedule expression")
    if shortest < MIN_INTERVAL_MINUTES:
        raise _schedule_error(
            name,
            value,
            f"fires more often than every {MIN_INTERVAL_MINUTES} minutes (a run may take the function's "
            "whole timeout, and runs never overlap)",
        )
    if longest > MAX_INTERVAL_MINUTES:
        raise _schedule_error(name, value, "runs less often than daily")
    return Schedule(value, longest)


def check_schedule(name: str, value: Any) -> str:
    return parse_schedule(name, value).expression


LOG_RETENTION_DAYS_DEFAULT = 30
# CloudWatch Logs accepts exactly these retention periods (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip


def check_log_retention_days(name: str, value: Any) -> int:
    if isinstance(value, bool) or value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise _refuse(
            name,
            f" {shown(value)} is not a retention period CloudWatch Logs offers. Allowed: one of {allowed}",
        )
    return int(value)


MAX_METRICS_NAMESPACE = 255


def check_metrics_namespace(name: str, value: Any) -> str:
    if (
        not isinstance(value, str)
        or len(value) > MAX_METRICS_NAMESPACE
        or value.startswith(":")
        or not value.isascii()
    ):
        raise _refuse(
            name,
            f" {shown(value)} is not a CloudWatch namespace. Allowed: up to {MAX_METRICS_NAMESPACE} ASCII "
            "characters, not starting with ':'",
        )
    return value
