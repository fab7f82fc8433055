"""EventBridge Scheduler expressions the scheduled sync accepts, and how often each one fires. Pure.

A run may take the function's whole 15-minute timeout and runs never overlap, so nothing may fire
more often than every 15 minutes. Sendbird deletes a recording two weeks after it stops and the
at-risk alarm needs fresh counts, so the sync runs at least daily: ``rate(...)`` of 15 minutes to a
day, or a ``cron(...)`` that fires every day (day-of-month, month, day-of-week and year left open).
The longest gap between two runs sizes the "not running" alarm's window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sendbird_copy.scheduled_facts import TIMEOUT_SECONDS

from .validation import Input, InputError, shown

MIN_INTERVAL_MINUTES = TIMEOUT_SECONDS // 60
MAX_INTERVAL_MINUTES = 24 * 60
_RATE = re.compile(r"rate\((\d{1,7}) (minute|minutes|hour|hours|day|days)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_CRON_ITEM = re.compile(r"(\*|\d{1,2}(?:-\d{1,2})?)(?:/(\d{1,2}))?")
SCHEDULE_ALLOWED = (
    f"rate(N minutes|hours|days) from {MIN_INTERVAL_MINUTES} minutes to 1 day (rate(1 hour), "
    "rate(6 hours)), or a daily cron(minutes hours * * ? *) that fires at most every "
    f"{MIN_INTERVAL_MINUTES} minutes (cron(0 * * * ? *): every hour on the hour), in UTC"
)


@dataclass(frozen=True)
class Schedule:
    expression: str
    # The longest time between two runs.
    max_gap_minutes: int


def _error(value: Any, input_name: str, problem: str) -> InputError:
    return InputError(Input(input_name), f" {shown(value)} {problem}. Allowed: {SCHEDULE_ALLOWED}")


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


def _cron_gaps(value: str, input_name: str, fields: tuple[str, ...]) -> tuple[int, int]:
    minutes_field, hours_field, day_of_month, month, day_of_week, year = fields
    if month != "*" or year != "*" or {day_of_month, day_of_week} != {"*", "?"}:
        raise _error(value, input_name, "does not fire every day (day-of-month, month, day-of-week, year)")
    minutes, hours = _expand(minutes_field, 60), _expand(hours_field, 24)
    if minutes is None or hours is None:
        raise _error(value, input_name, "has minutes or hours EventBridge Scheduler would not read")
    times = sorted(h * 60 + m for h in hours for m in minutes)
    gaps = [(b - a) for a, b in zip(times, [*times[1:], times[0] + MAX_INTERVAL_MINUTES], strict=True)]
    return min(gaps), max(gaps)


def parse_schedule(value: Any, input_name: str = "schedule") -> Schedule:
    """The expression checked, with its longest gap; InputError naming the input otherwise."""
    if not isinstance(value, str):
        raise _error(value, input_name, "is not a string")
    rate, cron = _RATE.fullmatch(value), _CRON.fullmatch(value)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        singular = unit.rstrip("s")
        if count == 0 or (count == 1) != (unit == singular):  # Scheduler wants "1 hour" but "2 hours"
            raise _error(value, input_name, "is not a valid rate (1 takes a singular unit, more a plural)")
        shortest = longest = count * _UNIT_MINUTES[singular]
    elif cron:
        shortest, longest = _cron_gaps(value, input_name, cron.groups())
    else:
        raise _error(value, input_name, "is not a schedule expression")
    if shortest < MIN_INTERVAL_MINUTES:
        raise _error(
            value,
            input_name,
            f"fires more often than every {MIN_INTERVAL_MINUTES} minutes (a run may take the function's "
            "whole timeout, and runs never overlap)",
        )
    if longest > MAX_INTERVAL_MINUTES:
        raise _error(value, input_name, "runs less often than daily")
    return Schedule(value, longest)


def check_schedule(value: Any, input_name: str = "schedule") -> str:
    return parse_schedule(value, input_name).expression
