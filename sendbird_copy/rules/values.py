"""The ground every rule stands on: how a user names a value's type, ``PENDING`` (a value not known
yet), the suffixes that say an argument also takes a pulumi Output, the one way a rule refuses a value,
and the plain type checks the other rules build on (a boolean, a string, a number of days, a whole
number, a finite number, a JSON object).
"""

from __future__ import annotations

import json
import math
from typing import Any

from sendbird_copy.errors import Input, InputError
from sendbird_copy.redact import shown


def type_name(value: object) -> str:
    """How a JSON/YAML user would name the type of ``value``."""
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    return names.get(type(value), type(value).__name__)


class _Pending:
    """A value not known yet (a pulumi Output); the rules that need it wait until it resolves."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Any = _Pending()
# Appended to "Allowed: ..." for the component arguments that also take a pulumi Output.
STRING_OR_OUTPUT = " (a string, or a pulumi Output of one)"
NUMBER_OR_OUTPUT = " (a whole number, or a pulumi Output of one)"


def _refuse(name: str, problem: str) -> InputError:
    return InputError(Input(name), problem)


# -- plain types -----------------------------------------------------------------------------------
# Config arrives as YAML/JSON, so any value may have any type: check the type before using the value.


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _refuse(name, f" {shown(value)} is not a boolean. Allowed: true or false")
    return value


def check_str(name: str, value: Any, allowed: str, outputs: bool = False) -> str:
    """``value`` if it is a string; ``outputs``: the argument also takes a pulumi Output (say so)."""
    if not isinstance(value, str):
        also = STRING_OR_OUTPUT if outputs else ""
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {allowed}{also}")
    return value


def check_days(name: str, value: Any, low: int = 1, high: int | None = None, outputs: bool = False) -> int:
    """A whole number of days in [low, high] (no upper bound when ``high`` is None)."""
    allowed = f"a whole number of days from {low} to {high}" if high else f"a whole number of days >= {low}"
    if not _is_int(value):  # bool is an int in Python, but `true` is no number of days
        also = NUMBER_OR_OUTPUT if outputs else ""
        raise _refuse(name, f" {shown(value)} is not a whole number. Allowed: {allowed}{also}")
    if value < low or (high is not None and value > high):
        raise _refuse(name, f" {shown(value)} is out of range. Allowed: {allowed}")
    return int(value)


def check_whole_number(name: str, value: Any, low: int, high: int) -> int:
    """A whole number in [low, high], from a number or from text (a flag); a refused value is shown
    shortened, so a pasted 20,000-digit value is never echoed back whole."""
    allowed = f"a whole number from {low} to {high}"
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or len(text) > len(str(high)):
            raise _refuse(name, f" {shown(text)} is not {allowed}")
        value = int(text)
    if not _is_int(value):
        raise _refuse(name, f" {shown(value)} is not {allowed}")
    if not low <= value <= high:
        raise _refuse(name, f" {value} is out of range. Allowed: {allowed}")
    return int(value)


def _number(name: str, value: Any, allowed: str) -> float:
    """A number from a number or from text (a flag, an environment variable); finite."""
    number: float
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _refuse(name, f" {shown(value)} is not a number. Allowed: {allowed}") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        raise _refuse(name, f" {shown(value)} is not a number. Allowed: {allowed}")
    if not math.isfinite(number):  # nan or inf: a wait must end, a window must be a window
        raise _refuse(name, f" {number} is not a finite number. Allowed: {allowed}")
    return number


def check_finite(name: str, value: Any, low: float, high: float) -> float:
    """A finite number within [low, high] (a number of seconds)."""
    allowed = f"{low:g} to {high:g}"
    number = _number(name, value, allowed)
    if not low <= number <= high:
        raise _refuse(name, f" {number:g} is out of range. Allowed: {allowed}")
    return number


def check_json_object(data: str | bytes, not_json: str, not_object: str) -> dict[str, Any]:
    """``data`` read as a JSON object; else an ``InputError`` saying ``not_json`` or ``not_object``.
    The messages are the caller's: they name the input and never quote ``data`` (it may hold a secret)."""
    try:
        found = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        raise InputError(not_json) from None
    if not isinstance(found, dict):
        raise InputError(not_object)
    return found
