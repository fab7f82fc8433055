"""Where the stack outputs come from: a JSON file, stdin, or ``pulumi stack output`` for a stack.

Everything wrong with the options raises ``OptionError``, with the document itself ``OutputsError``;
both are usage errors (exit code 2, the message on one line).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from sendbird_copy import rules
from sendbird_copy.errors import OptionError, OutputsError
from sendbird_copy.outputs import AppOutputs, parse_stack_outputs
from sendbird_copy.rules import SHOWN_PATH_CHARACTERS, check_identifier, shorten

PULUMI_TIMEOUT_SECONDS: float = rules.PULUMI_TIMEOUT_S
PULUMI_PROGRESS_SECONDS: float = rules.PULUMI_PROGRESS_S
Progress = Callable[[str], None]
# Stack outputs of even hundreds of applications are a few hundred kB; more is not stack outputs
# (a wrong file, /dev/zero, an endless pipe), and reading it all would only eat memory.
MAX_OUTPUTS_CHARACTERS = 8 * 1024 * 1024


def load_outputs(
    outputs: str | None,
    stack: str | None,
    stdin: IO[str] | None = None,
    progress: Progress = lambda _line: None,
) -> dict[str, AppOutputs]:
    """Read and validate the stack outputs from exactly one of ``--outputs FILE|-`` and ``--stack``."""
    if (outputs is None) == (stack is None):
        raise OptionError(
            "give exactly one of --outputs FILE (or - for stdin) and --stack NAME "
            "(which runs 'pulumi stack output --json --show-secrets')"
        )
    if stack is not None:
        text, source = _pulumi_stack_output(check_identifier("--stack", stack), progress), f"stack '{stack}'"
    elif outputs == "-":
        text, source = _read_stdin(stdin or sys.stdin), "stdin"
    else:
        assert outputs is not None
        text, source = _read_file(outputs), f"--outputs {shorten(outputs, SHOWN_PATH_CHARACTERS)}"
    return parse_stack_outputs(_decode(_bounded(text, source), source), source)


def select_apps(apps: dict[str, AppOutputs], app_id: str | None) -> list[AppOutputs]:
    """All applications, or the one ``--app-id`` names (an unknown id lists the known ones)."""
    if app_id is None:
        return list(apps.values())
    if app_id not in apps:
        known = ", ".join(shorten(known_id) for known_id in sorted(apps))
        raise OptionError(
            f"--app-id '{shorten(app_id)}' is not in the stack outputs; known application ids: {known}"
        )
    return [apps[app_id]]


def _read_stdin(stdin: IO[str]) -> str:
    if stdin.isatty():
        # Reading a terminal would wait for typing forever: say what --outputs - expects instead.
        raise OptionError(
            "--outputs -: standard input is a terminal; pipe the outputs in "
            "(pulumi stack output --json --show-secrets | sendbird-copy ... --outputs -) or pass a file"
        )
    try:
        return stdin.read(MAX_OUTPUTS_CHARACTERS + 1)
    except UnicodeDecodeError:
        raise OptionError("--outputs -: stdin is not UTF-8 text; expected stack outputs as JSON") from None


def _read_file(path: str) -> str:
    shown = shorten(path, SHOWN_PATH_CHARACTERS)
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read(MAX_OUTPUTS_CHARACTERS + 1)
    except FileNotFoundError:
        raise OptionError(f"--outputs {shown}: no such file") from None
    except OSError as exc:
        raise OptionError(f"--outputs {shown}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise OptionError(f"--outputs {shown}: not UTF-8 text; expected stack outputs as JSON") from None
    except ValueError:  # a NUL byte in the path
        raise OptionError(f"--outputs {shown}: not a usable file name") from None


def _bounded(text: str, source: str) -> str:
    if len(text) > MAX_OUTPUTS_CHARACTERS:
        raise OutputsError(
            f"{source}: larger than {MAX_OUTPUTS_CHARACTERS // (1024 * 1024)} MiB; that is not the output "
            "of 'pulumi stack output --json --show-secrets'"
        )
    return text


def _decode(text: str, source: str) -> Any:
    if not text.strip():
        raise OptionError(
            f"{source}: empty; expected the JSON of 'pulumi stack output --json --show-secrets'"
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        # The position, not the text: the document may hold the copy user's secret key.
        raise OutputsError(
            f"{source}: malformed JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise OutputsError(f"{source}: JSON nested too deeply to be stack outputs") from None


def _pulumi_stack_output(stack: str, progress: Progress) -> str:
    pulumi = shutil.which("pulumi")
    if pulumi is None:
        raise OptionError(
            "--stack needs the pulumi CLI, which is not on PATH; install it "
            "(https://www.pulumi.com/docs/install/) or save the outputs with "
            "'pulumi stack output --json --show-secrets > outputs.json' and pass --outputs outputs.json"
        )
    command = [pulumi, "stack", "output", "--json", "--show-secrets", "--stack", stack]
    shown = f"'pulumi stack output --json --show-secrets --stack {stack}'"
    # Its own session: on a timeout the whole group goes (a wrapper script's child would otherwise
    # keep the pipes open, and reading them would hang forever).
    process = subprocess.Popen(  # fixed argv, no shell
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "true"},
        start_new_session=True,
    )
    try:
        stdout, stderr = _wait_for(process, stack, progress)
    except subprocess.TimeoutExpired:
        raise OptionError(
            f"{shown} did not answer in {PULUMI_TIMEOUT_SECONDS:g} s (waited for the stack's outputs "
            "from the Pulumi backend); check 'pulumi login' and the network, or save the outputs with "
            "'pulumi stack output --json --show-secrets > outputs.json' and pass --outputs outputs.json"
        ) from None
    finally:
        if process.poll() is None:
            _kill_group(process)
    if process.returncode != 0:
        # pulumi's own error text (no secrets: it failed before printing outputs), last line only.
        reason = (stderr.strip().splitlines() or ["no message"])[-1]
        raise OptionError(
            f"'pulumi stack output --stack {stack}' failed (exit {process.returncode}): {reason}"
        )
    return stdout


def _wait_for(process: subprocess.Popen[str], stack: str, progress: Progress) -> tuple[str, str]:
    """The process's output; a progress line every PULUMI_PROGRESS_SECONDS while it runs."""
    started = time.monotonic()
    while True:
        left = PULUMI_TIMEOUT_SECONDS - (time.monotonic() - started)
        try:
            return process.communicate(timeout=max(0.0, min(left, PULUMI_PROGRESS_SECONDS)))
        except subprocess.TimeoutExpired:
            if left <= PULUMI_PROGRESS_SECONDS:
                raise
            waited = time.monotonic() - started
            progress(f"still waiting for 'pulumi stack output --stack {stack}' ({waited:.0f} s)")


def _kill_group(process: subprocess.Popen[str]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()
