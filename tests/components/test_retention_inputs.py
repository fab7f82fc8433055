"""``retention.expiration_days`` (at least Sendbird's 14 days) with odd values, in the stack's
retention and in an application's: refused naming the key, the value shortened and escaped, and
what is allowed (14 or more, the floor, whatever is wrong with the value)."""

from __future__ import annotations

from typing import Any

import pytest

from components import InputError
from components.config import parse_stack_config

APP_A = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
CASES: dict[str, tuple[Any, str]] = {
    "empty": ("", "'' is not a whole number. Allowed: a whole number of days from 14"),
    "emoji": ("\U0001f600", "is not a whole number. Allowed: a whole number of days from 14"),
    "escape": ("a\x1bb", "'a\\x1bb' is not a whole number"),
    "100,000 characters": ("x" * 100_000, "(100000 characters)' is not a whole number"),
    "4,000 digits": (
        int("9" * 4000),
        "(4000 characters) is out of range. Allowed: a whole number of days from 14",
    ),
    "2**31 days": (2**31, "is out of range. Allowed: a whole number of days from 14 to 2147483647"),
    "nan": (float("nan"), "nan is not a whole number. Allowed: a whole number of days from 14"),
    "inf": (float("inf"), "inf is not a whole number"),
    "minus one": (-1, "-1 is shorter than Sendbird's own 14 days"),
    "zero": (0, "0 is shorter than Sendbird's own 14 days"),
    "thirteen": (13, "13 is shorter than Sendbird's own 14 days"),
}


@pytest.mark.parametrize("where", ["stack", "application"])
@pytest.mark.parametrize(("value", "problem"), list(CASES.values()), ids=list(CASES))
def test_expiration_days_refuses_odd_values(where: str, value: Any, problem: str) -> None:
    app: dict[str, Any] = {"app_id": APP_A, "region": "ap-2"}
    config: dict[str, Any] = {"applications": [app]}
    if where == "stack":
        config["retention"] = {"expiration_days": value}
    else:
        app["retention"] = {"expiration_days": value}
    with pytest.raises(InputError) as caught:
        parse_stack_config(config)
    message = str(caught.value)
    prefix = "retention." if where == "stack" else "applications[0].retention."
    assert message.startswith(f"{prefix}expiration_days "), message
    assert problem in message, message
    assert "\x1b" not in message and len(message) < 600


def test_fourteen_days_is_the_floor() -> None:
    [args] = parse_stack_config(
        {"applications": [{"app_id": APP_A, "region": "ap-2"}], "retention": {"expiration_days": 14}}
    )
    assert args.retention.expiration_days == 14
