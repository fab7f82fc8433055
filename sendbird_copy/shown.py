"""How an outside value is shown in a message: shortened, control characters escaped, an object only
by its type. Used by the rules and by the error tree (a redacted error finds its value as shown), so it
lives apart from both and imports neither."""

from __future__ import annotations

from typing import Any

SHOWN_CHARACTERS = 120  # an ARN is shown whole
SHOWN_PATH_CHARACTERS = 240  # file paths are long but never secret


def has_control_characters(text: str) -> bool:
    return any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def shorten(value: object, limit: int = SHOWN_CHARACTERS) -> str:
    """``value`` as text for a message: control characters escaped, cut to ``limit`` characters, so
    a pasted 20,000-character value does not come back at the user."""
    text = value if isinstance(value, str) else repr(value)
    escaped = text.encode("unicode_escape").decode("ascii") if has_control_characters(text) else text
    if len(escaped) <= limit:
        return escaped
    return f"{escaped[:limit]}… ({len(text)} characters)"


def _is_plain(value: Any) -> bool:
    """A value as config or a literal gives it: str, number, bool, None, or a list/mapping of those."""
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list | tuple):
        return all(_is_plain(v) for v in value)
    if isinstance(value, dict):
        return all(_is_plain(k) and _is_plain(v) for k, v in value.items())
    return False


def shown(value: Any) -> str:
    """``value`` for an error message: a string quoted and shortened, another plain value as written
    (shortened), any other object only by its type (never an object's repr)."""
    if isinstance(value, str):
        return f"'{shorten(value)}'"
    if not _is_plain(value):
        kind = type(value).__name__
        return f"(a{'n' if kind[:1].lower() in 'aeiou' else ''} {kind})"
    return shorten(repr(value))
