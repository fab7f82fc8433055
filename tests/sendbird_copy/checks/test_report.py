"""The report renderers: one line per check, a verdict, valid JSON, and redaction of every secret."""

from __future__ import annotations

import itertools
import json

import pytest

from sendbird_copy.checks.report import AppReport, failed, passed, skipped
from sendbird_copy.cli.render import render_human, render_json
from sendbird_copy.errors import SendbirdApiError, describe
from sendbird_copy.redact import redact

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def sample() -> list[AppReport]:
    ok = AppReport("APP-1", [passed("s3:PutObject", "wrote s3://b/_preflight/p")])
    bad = AppReport(
        "APP-2",
        [
            failed("copy accepted", f"Sendbird echoed {SECRET} in a message", "check SENDBIRD_API_TOKEN"),
            skipped("default encryption", "not checked"),
        ],
        object={"key": "r.mp4", "size": 3},
        notes=["a note"],
    )
    return [ok, bad]


def test_human_report_lines_fix_only_on_failures_and_verdict() -> None:
    text = render_human(sample(), lambda t: redact(t, [SECRET]))
    assert text.splitlines() == [
        "application APP-1",
        "  PASS s3:PutObject — wrote s3://b/_preflight/p",
        "application APP-2",
        "  FAIL copy accepted — Sendbird echoed *** in a message",
        "       fix: check SENDBIRD_API_TOKEN",
        "  SKIP default encryption — not checked",
        "  object: key=r.mp4, size=3",
        "  note: a note",
        "verdict: FAIL (1 of 2 application(s) failed)",
    ]


def test_json_report_is_valid_and_redacted() -> None:
    text = render_json(sample(), lambda t: redact(t, [SECRET]))
    assert SECRET not in text
    document = json.loads(text)
    assert document["verdict"] == "fail"
    first, second = document["applications"]
    assert first == {
        "app_id": "APP-1",
        "passed": True,
        "checks": [
            {"name": "s3:PutObject", "status": "pass", "passed": True, "detail": "wrote s3://b/_preflight/p"}
        ],
        "object": None,
    }
    assert [c["status"] for c in second["checks"]] == ["fail", "skip"]
    assert second["object"] == {"key": "r.mp4", "size": 3}


def test_skipped_checks_do_not_fail_a_report() -> None:
    assert AppReport("A", [passed("a", "x"), skipped("b", "y")]).passed


def test_sendbird_errors_are_described_with_their_code() -> None:
    error = SendbirdApiError(400, 400200, "NOT_FOUND", "Recording 'x' not found.")
    assert (
        describe(error) == "Sendbird answered HTTP 400 with code 400200 NOT_FOUND: Recording 'x' not found."
    )


def test_the_counter_draws_a_bar_on_a_terminal_and_stays_silent_otherwise(monkeypatch) -> None:
    import io
    import sys

    from sendbird_copy.cli.reporter import Reporter

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    reporter = Reporter()
    with reporter.counter("recordings") as tick:
        reporter.expect(3)  # one application's recordings, once discovery knows them
        reporter.expect(2)  # and another's
        for _ in range(3):
            tick()
        reporter.progress("a line that would tear the bar")
    assert "recordings:   0%|" in terminal.getvalue()  # tqdm draws it (and clears it at the end)
    assert "| 0/5 " in terminal.getvalue()  # with the total known: a share, not a bare count
    assert "tear the bar" not in terminal.getvalue()

    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    with reporter.counter("recordings") as tick:
        tick()
    assert plain.getvalue() == ""  # not a terminal: the plain progress lines say what happens


def test_a_polling_wait_says_it_is_still_waiting_at_least_every_30_seconds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sendbird_copy.cli.reporter import Reporter

    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds + 0.3  # each listing between the sleeps takes a little too

    sleep_saying = Reporter().sleeper("still waiting", clock=lambda: now[0], sleep=sleep)
    for _ in range(40):  # 40 polls of 5 s: about 212 s
        sleep_saying(5.0)
    lines = capsys.readouterr().err.splitlines()
    said = [float(line.removeprefix("still waiting (").removesuffix(" s)")) for line in lines]
    assert 0 < said[0] <= 30  # a short wait stays quiet; a long one never goes 30 s without a line
    assert all(later - earlier <= 30 for earlier, later in itertools.pairwise(said))
    assert 212 - said[-1] <= 30 and len(said) <= 10  # never a line per poll
