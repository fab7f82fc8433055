"""What a component checks of its own call, before it registers anything: its name and the type of
its args. Every rule on a value lives in ``sendbird_copy.rules``; the error is the one tree's
``InputError`` (``sendbird_copy.errors``), a ValueError."""

from __future__ import annotations

from typing import Any

from sendbird_copy.errors import InputError


def check_component_call(component: str, name: Any, args: Any, args_type: type | tuple[type, ...]) -> None:
    """A component's name and args, before it registers anything (what the args cannot check)."""
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"{component} name {name!r} is empty. Allowed: a non-empty string")
    if not isinstance(args, args_type):
        expected = args_type.__name__ if isinstance(args_type, type) else args_type[0].__name__
        raise InputError(f"{component} '{name}': args must be a {expected}, got {type(args).__name__}")
