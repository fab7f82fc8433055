"""The one redacting log filter (the CLI's Reporter and the scheduled function share it) and the
text that reaches a terminal."""

from __future__ import annotations

import io
import logging

from sendbird_copy.redact import RedactingFilter, inert

LATER = "learnt-after-logging-was-set-up-5ecr3t"


def test_the_filter_masks_secrets_its_source_learns_after_it_was_attached() -> None:
    known: list[str] = []
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(live=lambda: known))
    logger = logging.getLogger("test.live_redaction")
    logger.addHandler(handler)
    try:
        known.append(LATER)  # a key read from a secret after logging was set up
        logger.warning("copy key %s", LATER)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == "copy key ***\n"


def test_inert_escapes_every_control_character_but_those_kept() -> None:
    assert inert("a\x1b[2Jb\x07\x9b\x7f\n") == "a\\x1b[2Jb\\x07\\x9b\\x7f\\n"
    assert inert("line\nnext\x1b", keep="\n") == "line\nnext\\x1b"
    assert inert("Ünïcode title ✓") == "Ünïcode title ✓"  # printable text is left alone
