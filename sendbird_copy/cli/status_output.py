"""Where ``status`` goes: its options checked (``OptionError`` naming the flag, exit 2), the table or
JSON on stdout through the Reporter, and the HTML page written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sendbird_copy.errors import OptionError
from sendbird_copy.rules import check_sendbird_id, shorten
from sendbird_copy.sync.status import StatusOptions

if TYPE_CHECKING:
    from sendbird_copy.cli.reporter import Reporter
    from sendbird_copy.sync.status import StatusReport


def checked_options(
    *, offline: bool, html_file: str | None, live_event: str | None, room: str | None, warn_days: float
) -> tuple[StatusOptions, Path | None]:
    if live_event is not None and room is not None:
        raise OptionError("--live-event and --room were both given. Allowed: one of them")
    live_event = None if live_event is None else check_sendbird_id("--live-event", live_event)
    room = None if room is None else check_sendbird_id("--room", room)
    return StatusOptions(offline, warn_days, live_event, room), _html_path(html_file)


def _html_path(value: str | None) -> Path | None:
    """--html FILE: a file in an existing directory (checked before anything is read)."""
    if value is None:
        return None
    path = Path(value).expanduser()
    if path.is_dir():
        raise OptionError(f"--html {shorten(value)} is a directory. Allowed: a file path (it is overwritten)")
    if not path.parent.is_dir():
        raise OptionError(
            f"--html {shorten(value)}: directory {shorten(str(path.parent))} does not exist. "
            "Allowed: a file in an existing directory"
        )
    return path


def write_html(path: Path, reports: list[StatusReport], reporter: Reporter) -> None:
    """The page, through a temporary file in the same directory: a reader never sees half of it."""
    from sendbird_copy.cli.status_html import render_status_html

    page = render_status_html(reports, reporter.redact)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(page)
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; a page is meant to be opened and shared
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OptionError(f"--html {shorten(str(path))}: cannot write it: {exc.strerror or exc}") from None
    reporter.progress(f"wrote {path} (the status table and a timeline, one self-contained page)")


def show_status(reporter: Reporter, reports: list[Any]) -> None:
    from sendbird_copy.cli.status_table import render_status_human

    reporter.document(render_status_human, reports)
