"""``status --html``: the page in a real headless browser (Chromium from Debian's packages, started by
the test): the DOM as Chromium rendered it (rows, states, bars and their colours) and a screenshot,
saved in the test's temporary folder, that shows every state's colour. ``.ci/run`` installs chromium
when it is absent, so CI always runs these; elsewhere they skip, saying why."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sendbird_copy.cli.status_html import COLOURS, render_status_html
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED, REQUESTED
from sendbird_copy.sync.status import STATES, StatusReport, build_rows
from tests.sendbird_copy.png_pixels import colour_counts
from tests.sendbird_copy.sync.test_status import NOW, SIZE, entry, found

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (apt-get install chromium; .ci/run installs it)"
)
WINDOW = "1280,1400"


def _report() -> StatusReport:
    """One recording in every state, as the CLI would report them."""
    listed = [
        *(found(rid, age) for rid, age in (("safe", 1), ("req", 5), ("near", 12.5), ("todo", 2))),
        found("fail", 4, room=True),
        found("uploading", 0.2, status="uploading"),
        found("sb-failed", 3, status="failed"),
    ]
    entries = [
        entry("safe", COPIED, 1, object={"key": "safe.mp4", "size": SIZE}),
        entry("req", REQUESTED, 5),
        entry("fail", FAILED, 4, last_error="S3 said no", where="room p-fail"),
        entry("gone", REQUESTED, 15),
    ]
    report = StatusReport("APP-1", "recordings-bucket", NOW, offline=False)
    report.rows = build_rows(entries, listed, NOW, warn_days=3)
    return report


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--force-color-profile=srgb",
        "--hide-scrollbars", f"--user-data-dir={tmp_path / 'chromium-profile'}", f"--window-size={WINDOW}",
        *args,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


class _Shown(HTMLParser):
    """The recordings' table rows and timeline bars of the rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.bars: list[dict[str, Any]] = []
        self.fills: list[str] = []
        self.now_lines = 0
        self.verdict: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "tr" and "recording" in classes:
            self.rows.append(attributes)
        elif tag == "g" and "bar" in classes:
            self.bars.append(attributes)
        elif tag == "rect" and self.bars and len(self.fills) < len(self.bars):
            self.fills.append(str(attributes.get("fill")))
        elif tag == "line" and "now" in classes:
            self.now_lines += 1
        elif tag == "p" and "verdict" in classes:
            self.verdict = next(c for c in classes if c.startswith("verdict-"))


def test_the_page_shows_every_recording_its_state_and_a_timeline_in_a_real_browser(tmp_path: Path) -> None:
    report = _report()
    page = tmp_path / "status.html"
    page.write_text(render_status_html([report]), encoding="utf-8")

    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    shown = _Shown()
    shown.feed(dom)
    expected = [(r.recording_id, r.state) for r in report.rows]
    assert [(r["data-recording-id"], r["data-state"]) for r in shown.rows] == expected
    assert all(
        f"state-{state.replace(' ', '-')}" in r["class"]
        for r, (_, state) in zip(shown.rows, expected, strict=True)
    )
    assert {state for _, state in expected} == set(STATES)  # every state is on the page
    drawn = [(r.recording_id, r.state) for r in report.rows if r.stopped_at and r.deadline]
    assert [(b["data-recording-id"], b["data-state"]) for b in shown.bars] == drawn
    assert shown.fills == [COLOURS[state] for _, state in drawn]
    assert shown.now_lines == 1 and shown.verdict == "verdict-fail"
    assert "safe.mp4" in dom and "8.0 KiB" in dom  # SIZE, as the table shows it

    screenshot = tmp_path / "status.png"
    _chromium(tmp_path, f"--screenshot={screenshot}", page.as_uri())
    pixels = colour_counts(screenshot)
    for state in STATES:
        colour = COLOURS[state]
        rgb = (int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16))
        # The badges and the bar are solid: many pixels of exactly that colour.
        assert pixels[rgb] > 200, f"{state} ({colour}) is barely on the screenshot: {pixels[rgb]} pixels"


def test_an_empty_status_renders_too(tmp_path: Path) -> None:
    report = StatusReport("APP-2", "bucket", NOW, offline=True)
    report.problems.append("no ledger at s3://bucket/_sendbird-sync/APP-2/: no sync has run")
    page = tmp_path / "empty.html"
    page.write_text(render_status_html([report]), encoding="utf-8")
    dom = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert "No recording with a stop time to draw." in dom and "no ledger at s3://bucket" in dom
