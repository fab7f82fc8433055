"""The sandbox: what it prints is what a person pastes. Every printed command is run exactly as
printed, through a shell that has only the printed environment lines on top of a caller's worst AWS
settings and a PATH without the venv; then Ctrl-C stops it cleanly and removes its outputs file."""

from __future__ import annotations

import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from localdev.sandbox import EXPECT_FAILURE
from tests.localdev.jobs import NOISE, LiveProcess, poisoned_environment

pytestmark = pytest.mark.slow

READY = "Ctrl-C here stops"


def _printed(lines: list[str]) -> list[tuple[list[str], str]]:
    """Each printed command with the environment lines printed before it, in order."""
    environment: list[str] = []
    commands = []
    for raw in lines:
        line = raw.strip()
        if line.startswith(("export ", "unset ")):
            environment.append(line)
        elif line.startswith("sendbird-copy "):
            commands.append((list(environment), line))
    return commands


def _shell(environment: list[str], command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = "\n".join([*environment, command])
    return subprocess.run(
        ["bash", "-c", script], env=env, cwd="/", capture_output=True, text=True, check=False, timeout=180
    )


def test_every_printed_command_runs_as_printed_then_ctrl_c_cleans_up(tmp_path):
    workdir = tmp_path / "work"
    sandbox = LiveProcess(
        [sys.executable, "-m", "localdev.sandbox", "--recording-mb", "6", "--workdir", str(workdir)]
    )
    try:
        _try_every_command(sandbox, workdir, tmp_path)
    finally:
        sandbox.stop_now()


def _try_every_command(sandbox: LiveProcess, workdir: Path, tmp_path: Path) -> None:
    lines = sandbox.wait_for(READY)
    (outputs,) = workdir.glob("local-outputs-*.json")
    assert stat.S_IMODE(outputs.stat().st_mode) == 0o600

    commands = _printed(lines)
    verbs = [command.split()[1] for _, command in commands]
    assert verbs == ["check-region", "preflight", "copy", "smoke-test", "smoke-test"], lines
    # A shell as a person has it: their AWS settings, no venv on PATH.
    shell_env = poisoned_environment(tmp_path)
    shell_env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
    for environment, command in commands:
        expected = 1 if EXPECT_FAILURE in command else 0
        done = _shell(environment, command, shell_env)
        assert done.returncode == expected, f"{command}\n{done.stdout}\n{done.stderr}"
        if "smoke-test" in command and expected == 0:
            assert "PASS copied object" in done.stdout and "verdict: PASS" in done.stdout
        if expected == 1:
            assert "not 'completed'" in done.stdout + done.stderr

    sandbox.process.send_signal(signal.SIGINT)
    code, rest, stderr = sandbox.rest()
    assert code == 0, rest + stderr
    assert "stopping moto and the Sendbird emulator" in rest
    assert rest.rstrip().endswith("Sandbox stopped; outputs file removed")
    assert not any(noise in stderr for noise in NOISE) and stderr == "", stderr
    assert not outputs.exists() and list(workdir.iterdir()) == []


def test_sigterm_stops_it_too(tmp_path):
    sandbox = LiveProcess(
        [sys.executable, "-m", "localdev.sandbox", "--recording-mb", "1", "--workdir", str(tmp_path)]
    )
    try:
        sandbox.wait_for(READY)
        sandbox.process.send_signal(signal.SIGTERM)
        code, rest, stderr = sandbox.rest()
    finally:
        sandbox.stop_now()
    assert code == 0 and stderr == "", stderr
    assert rest.rstrip().endswith("Sandbox stopped; outputs file removed")
    assert list(Path(tmp_path).iterdir()) == []
