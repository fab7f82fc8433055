"""The rules every outside value passes now live in ``sendbird_copy.rules`` (one module, one argument
order). This module only re-exports the helpers other modules import from here, so their imports
keep working; new code imports ``sendbird_copy.rules``."""

from sendbird_copy.rules import (
    MAX_IDENTIFIER_LENGTH,
    SHOWN_CHARACTERS,
    SHOWN_PATH_CHARACTERS,
    check_finite,
    check_identifier,
    check_secret,
    check_since,
    check_url,
    has_control_characters,
    shorten,
    type_name,
)

__all__ = [
    "MAX_IDENTIFIER_LENGTH",
    "SHOWN_CHARACTERS",
    "SHOWN_PATH_CHARACTERS",
    "check_finite",
    "check_identifier",
    "check_secret",
    "check_since",
    "check_url",
    "has_control_characters",
    "shorten",
    "type_name",
]
