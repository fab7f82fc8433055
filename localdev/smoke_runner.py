"""How the local tools invoke the real ``sendbird-copy smoke-test``: one place for the command line.

The main job, the end-to-end tests and the benchmark all run the CLI as its own process, exactly as
a CI pipeline would after ``pulumi up``, pointed at moto and the Sendbird emulator. Its environment
is the caller's minus every AWS and Sendbird setting (``local_only_environment``): a run talks to its
own moto only, whatever profile or endpoint the shell that started it has.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from localdev.moto_server import MotoServer, local_only_environment

# How long a child gets to finish after Ctrl-C (it saw the same SIGINT) before it is killed.
INTERRUPT_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class SmokeTarget:
    """Where the smoke test's services are (moto for AWS, the emulator for Sendbird) and the stack
    outputs file that describes the deployed stack."""

    moto: MotoServer
    outputs_path: Path
    api_base_url: str
    org_base_url: str
    org_api_key: str | None = None


@dataclass(frozen=True)
class SmokeRun:
    """One smoke-test invocation: which application, its token, and the run's options."""

    app_id: str
    api_token: str = field(repr=False)
    recording_id: str | None = None
    json_output: bool = False
    wait_timeout: int = 120


def cli_command(
    target: SmokeTarget, subcommand: str, app_id: str, api_token: str
) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of ``sendbird-copy SUBCOMMAND`` for one application against the
    emulators (secrets travel in the environment only); the caller appends its own flags."""
    env = {
        **local_only_environment(os.environ),
        "AWS_ACCESS_KEY_ID": target.moto.deployer.access_key_id,
        "AWS_SECRET_ACCESS_KEY": target.moto.deployer.secret_access_key,
        "SENDBIRD_API_TOKEN": api_token,
        "PYTHONUNBUFFERED": "1",  # every line as soon as it is printed: the caller streams them
    }
    if target.org_api_key:
        env["SENDBIRD_ORG_API_KEY"] = target.org_api_key
    command = [
        sys.executable, "-m", "sendbird_copy.cli", subcommand,
        "--outputs", str(target.outputs_path),
        "--app-id", app_id,
        "--api-base-url", target.api_base_url,
        "--org-api-base-url", target.org_base_url,
        "--aws-endpoint-url", target.moto.endpoint,
    ]  # fmt: skip
    return command, env


def smoke_test_command(target: SmokeTarget, run: SmokeRun) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of one smoke-test run."""
    command, env = cli_command(target, "smoke-test", run.app_id, run.api_token)
    command += ["--wait-timeout", str(run.wait_timeout)]
    if run.recording_id:
        command += ["--recording-id", run.recording_id]
    if run.json_output:
        command.append("--json")
    return command, env


def run_smoke_test(target: SmokeTarget, run: SmokeRun) -> subprocess.CompletedProcess[str]:
    """Run the smoke test to the end and return everything it printed (tests, benchmarks)."""
    command, env = smoke_test_command(target, run)
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=run.wait_timeout + 120
    )


def stream_smoke_test(
    target: SmokeTarget, run: SmokeRun, lines: LineSink, on_tick: Callable[[], None] = lambda: None
) -> int:
    """Run the smoke test, handing each line it prints to ``lines`` as it comes; its exit code."""
    command, env = smoke_test_command(target, run)
    return stream_command(command, env, lines, timeout=run.wait_timeout + 120, on_tick=on_tick)


@dataclass(frozen=True)
class LineSink:
    """Where a child's lines go, one call per line without its newline (stdout and stderr apart)."""

    stdout: Callable[[str], None]
    stderr: Callable[[str], None]


def stream_command(
    command: Sequence[str],
    env: Mapping[str, str],
    lines: LineSink,
    timeout: float,
    on_tick: Callable[[], None] = lambda: None,
) -> int:
    """Run ``command``; forward its lines to ``lines`` live, from the calling thread; its exit code.

    Two reader threads only queue lines; every callback (and ``on_tick``, about five times a second)
    runs in the caller's thread, so whatever prints them needs no locking. Past ``timeout`` the child
    is killed and a line on its stderr says so (exit 1). On Ctrl-C the child, which saw the same
    SIGINT from the terminal (or is sent one), gets a few seconds to finish before it is killed.
    """
    child = subprocess.Popen(
        list(command),
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        bufsize=1,
    )
    assert child.stdout is not None and child.stderr is not None
    received: queue.Queue[tuple[Callable[[str], None], str] | None] = queue.Queue()
    readers = [
        threading.Thread(target=_read_lines, args=(pipe, sink, received), daemon=True)
        for pipe, sink in ((child.stdout, lines.stdout), (child.stderr, lines.stderr))
    ]
    for reader in readers:
        reader.start()
    deadline, timed_out = time.monotonic() + timeout, False
    try:
        open_pipes = len(readers)
        while open_pipes:
            if not timed_out and time.monotonic() > deadline:
                child.kill()
                timed_out = True
                lines.stderr(f"no result after {timeout:.0f} s from {' '.join(command[1:4])}: stopped it")
            try:
                item = received.get(timeout=0.2)
            except queue.Empty:
                on_tick()
                continue
            if item is None:
                open_pipes -= 1
            else:
                sink, line = item
                sink(line)
        on_tick()
        code = child.wait()
        return 1 if timed_out else code
    except BaseException:
        _stop(child)
        raise


def _read_lines(
    pipe: IO[str],
    sink: Callable[[str], None],
    received: queue.Queue[tuple[Callable[[str], None], str] | None],
) -> None:
    with pipe:
        for line in pipe:
            received.put((sink, line.rstrip("\n")))
    received.put(None)


def _stop(child: subprocess.Popen[str]) -> None:
    if child.poll() is not None:
        return
    child.send_signal(signal.SIGINT)
    try:
        child.wait(INTERRUPT_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
