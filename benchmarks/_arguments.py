"""Argument types for the benchmarks' options: a bad value is one argparse line and exit 2."""

from __future__ import annotations

import argparse
import math


def latency_seconds(text: str) -> float:
    """A delay added to every answer: finite, 0 to 10 s."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a number of seconds") from None
    if not math.isfinite(value) or not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not between 0 and 10 seconds")
    return value


def count(text: str) -> int:
    """A number of runs, objects or megabytes: a whole number from 1 to 1,000,000."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number from 1 to 1000000") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text[:40]!r} is not a whole number from 1 to 1000000")
    return value
