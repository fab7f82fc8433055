"""The main job as a user runs it: a passing run whatever the caller's AWS settings, its lines in
order as they happen, its outputs file gone at the end (unless kept), stale ones cleaned up, Ctrl-C,
and ``-h`` on every local command. Small recordings (1-6 MB) keep each run to a few seconds."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import sys
import time
from pathlib import Path

import pytest

from localdev import main_job
from localdev.local_run import STALE_AFTER_SECONDS, LocalOptions
from localdev.program_runner import PROJECT_DIR
from sendbird_copy.cli.reporter import Reporter
from tests.localdev.jobs import NOISE, LiveProcess, poisoned_environment, run_module, run_script

pytestmark = pytest.mark.slow

RUN_LINE = re.compile(r"^Local run ([0-9a-f]{8}) of stack 'local'")
OUTPUTS_LINE = re.compile(r"mode 0600\): (\S+-outputs-([0-9a-f]{8})\.json)$")
# The summary of the scheduled function's run: "<n> copied" among its counts.
SCHEDULED_COPIED = re.compile(r"role: (?:.*, )?(\d+) copied(?:,|$)")


def _outputs_path(output: str) -> Path:
    match = next(m for line in output.splitlines() if (m := OUTPUTS_LINE.search(line)))
    path = Path(match.group(1))
    return path if path.is_absolute() else PROJECT_DIR / path


def _index(lines: list[str], fragment: str, after: int = -1) -> int:
    """The first line after ``after`` that contains ``fragment``."""
    for index in range(after + 1, len(lines)):
        if fragment in lines[index]:
            return index
    raise AssertionError(f"{fragment!r} not found after line {after} in:\n" + "\n".join(lines))


def test_a_poisoned_environment_still_passes_with_every_line_in_order(tmp_path):
    """AWS_PROFILE=nosuch, endpoints and proxies on a closed port, a foreign session token, config
    and credential files, wrong Sendbird secrets: the run talks to its own moto only and passes.
    stderr is merged into stdout, so the order asserted is the order a terminal shows."""
    workdir = tmp_path / "runs"
    workdir.mkdir()
    old = workdir / "local-outputs-0badc0de.json"
    young = workdir / "local-outputs-0000beef.json"
    other = workdir / "notes-outputs.json"
    for path in (old, young, other):
        path.write_text("{}")
    two_days_ago = time.time() - 2 * STALE_AFTER_SECONDS
    os.utime(old, (two_days_ago, two_days_ago))
    os.utime(other, (two_days_ago, two_days_ago))

    done = run_module(
        "localdev.main_job",
        "--recording-mb", "6",
        "--workdir", str(workdir),
        env=poisoned_environment(tmp_path),
        merge=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert not any(noise in done.stdout for noise in NOISE), done.stdout

    # Steps, deploy report, the smoke test's own lines, its verdict, then the job's.
    header = _index(lines, "Local run ")
    run_line = RUN_LINE.match(lines[header])
    assert run_line is not None, lines[header]
    stale = _index(lines, "removed 1 outputs file(s) older than a day", header)
    moto = _index(lines, "- starting moto server", stale)
    emulator = _index(lines, "- starting the Sendbird emulator", moto)
    deploy = _index(lines, "- emulator deploy of the real program", emulator)
    created = _index(lines, "Created in moto", deploy)
    outputs = _index(lines, "Stack outputs (with the copy user's secret key, mode 0600)", created)
    smoke = _index(lines, "Smoke test for application", outputs)
    first_check = _index(lines, "PASS bucket region", smoke)
    copied = _index(lines, "PASS copied object", first_check)
    cli_verdict = _index(lines, "verdict: PASS (1 application(s))", copied)
    # The scheduled sync's function ran once as Lambda would, as its own role, copied recordings and
    # caught the one copy the emulator damaged (the next run, the CLI's, requests it again).
    function = _index(lines, "Scheduled sync function ", cli_verdict)
    summary = json.loads(lines[_index(lines, '  | {"app_id"', function)][len("  | ") :])
    assert summary["counts"]["copied"] > 0 and summary["counts"]["damaged"] == 1, summary
    scheduled = _index(lines, "CAUGHT: the copy of ", function)
    again = _index(lines, "the damaged copy requested again", scheduled)
    _index(lines, "verdict: PASS (1 application(s))", again)
    # It ends with the status of the stack: the table of every recording, then its verdict.
    status = _index(lines, "Status of application ", scheduled)
    table = _index(lines, "live event / room", status)
    assert lines[table].split()[4:] == [
        "recording",
        "stopped",
        "at",
        "(UTC)",
        "state",
        "time",
        "left",
        "key",
        "size",
    ]
    below = lines[table + 1 : _index(lines, "verdict: PASS (1 application(s))", table)]
    rows = [row for row in below if re.match(r"^  (live event|room) ", row)]
    assert len(rows) >= 20 and below[: len(rows)] == rows, below
    # Under the table: who holds the sync lease (the last run gave it back) and how far the view reaches.
    assert [row.split(":")[0] for row in below[len(rows) :]] == ["  sync lease", "  view"], below
    assert "given back" in below[len(rows)], below
    assert any(" safe " in row and ".mp4" in row for row in rows), rows
    stopping = _index(lines, "stopping moto and the Sendbird emulator", status)
    removed = _index(lines, "outputs file removed", stopping)
    assert lines[-1] == "Local run verdict: PASS" and removed < len(lines) - 1
    # The emulator's upload progress is shown while the smoke test runs, before the job's verdict.
    _index(lines, "part(s) of rec-", smoke)

    run_id = run_line.group(1)
    this_run = _outputs_path(done.stdout)
    assert this_run.name == f"local-outputs-{run_id}.json"
    assert not this_run.exists(), "this run's outputs file (a secret key) was left behind"
    assert not old.exists(), "an outputs file older than a day was kept"
    assert young.exists(), "a young outputs file (maybe another run's) was removed"
    assert other.exists(), "a file that is not a run's outputs file was removed"


def test_keep_outputs_keeps_this_runs_file_owner_only(tmp_path, capsys):
    options = LocalOptions(workdir=tmp_path, recording_mb=1, keep_outputs=True)
    assert main_job.run(options, Reporter(), main_job.SyncSeed(0, 0)) == 0
    out = capsys.readouterr().out
    path = _outputs_path(out)
    assert path.parent == tmp_path and path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"outputs file kept (--keep-outputs): {path}" in out


def test_ctrl_c_stops_the_servers_removes_the_outputs_and_exits_130(tmp_path):
    job = LiveProcess(
        [sys.executable, "-m", "localdev.main_job", "--recording-mb", "20", "--workdir", str(tmp_path)]
    )
    try:
        seen = job.wait_for("Smoke test for application")
        outputs = _outputs_path("\n".join(seen))
        assert outputs.exists()
        job.process.send_signal(signal.SIGINT)
        code, rest, stderr = job.rest()
    finally:
        job.stop_now()
    assert code == 130, rest + stderr
    assert "error: interrupted: servers stopped, outputs file removed" in stderr
    assert "Traceback" not in stderr
    assert not outputs.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command",
    [
        ["localdev.main_job"],
        ["localdev.sandbox"],
        ["localdev.automation"],
        ["localdev.sendbird_emulator"],
        ["sendbird_copy.cli.commands"],
    ],
    ids=lambda c: c[0],
)
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_works_on_every_local_command(command, flag):
    done = run_module(*command, flag, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout.lower() and done.stderr == ""


@pytest.mark.parametrize("script", ["run-local", "sandbox"])
def test_help_works_through_the_scripts(script):
    done = run_script(script, "-h")
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and "--keep-outputs" in done.stdout and "--workdir" in done.stdout
