"""Pulumi values among the components' arguments: whether a value is known only later, refusing one
where the resource graph needs a plain value, and checking one when it resolves. Shared by the
argument types of ``args.py`` and ``inventory.py`` (kept apart so neither imports the other's module)."""

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import pulumi

from sendbird_copy.errors import Input, InputError
from sendbird_copy.rules import PENDING, shown

T = TypeVar("T")

_PLAIN_SETTING = "a setting of the component itself, not a value another resource provides"


def is_deferred(value: Any) -> bool:
    """Whether ``value`` is known only later: a pulumi Output, or another awaitable ``pulumi.Input``."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def _known_now(value: Any) -> Any:
    """``value`` for the checks that run at once: ``PENDING`` when it is known only later."""
    return PENDING if is_deferred(value) else value


def _require_plain(value: Any, input_name: str, allowed: str, why: str) -> None:
    if is_deferred(value):
        raise InputError(
            Input(input_name), f" is {shown(value)}, not a plain value: {why}. Allowed: {allowed}"
        )


def _when_resolved(value: Any, check: Callable[[Any], T]) -> Any:
    """``value`` itself when plain (checked already); else an Output of it that runs ``check`` when it
    resolves and raises its InputError then, with a secret value shown as ``[secret]``. Secrecy and
    dependencies carry over, and an unknown value (a preview) is checked when it becomes known."""
    if not is_deferred(value):
        return value
    output = pulumi.Output.from_input(value)

    async def checked(resolved: Any) -> T:
        try:
            return check(resolved)
        except InputError as err:
            raise (err.redacted(resolved) if await output.is_secret() else err) from None

    return output.apply(checked)
