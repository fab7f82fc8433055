"""Running the local tools as a user does, in their own processes, and the inputs the tests give them."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from localdev.program_runner import PROJECT_DIR
from sendbird_copy.facts import CONFIG_NAMESPACE

NS = CONFIG_NAMESPACE
APP_ID = "0C5E4F2A-7B1D-4E3C-9A8F-6D2B1C0E9F7A"  # the local stack's application
# The noise a refused run must not print under its one error line.
NOISE = ("Traceback", "Task was destroyed", "Exception ignored", "RuntimeWarning", "never awaited")


def stack_text(applications_yaml: str) -> str:
    """A stack file with the local stack's settings and the given ``applications`` block."""
    return (
        "config:\n"
        f"  {NS}:force_destroy: true\n"
        f"  {NS}:kms_deletion_window_days: 7\n"
        f"  {NS}:applications:\n{applications_yaml}"
    )


def write_stack(directory: Path, text: str | bytes, name: str = "Pulumi.try.yaml") -> Path:
    path = directory / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def poisoned_environment(tmp_path: Path) -> dict[str, str]:
    """The caller's environment at its worst: every AWS and Sendbird setting points somewhere else.

    A profile that does not exist, endpoints and proxies on a closed port, a session token moto never
    issued, a config file whose default profile sends everything elsewhere, wrong keys.
    """
    config = tmp_path / "aws-config"
    config.write_text("[default]\nendpoint_url = http://127.0.0.1:1\nregion = mars-1\n[profile nosuch-x]\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIAWRONG\naws_secret_access_key = wrong\n")
    return {
        **os.environ,
        "AWS_PROFILE": "nosuch",
        "AWS_DEFAULT_PROFILE": "nosuch",
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
        "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1",
        "AWS_ACCESS_KEY_ID": "AKIAWRONGWRONGWRONG0",
        "AWS_SECRET_ACCESS_KEY": "wrong-secret",
        "AWS_SESSION_TOKEN": "not-a-token-moto-issued",
        "AWS_REGION": "mars-1",
        "AWS_DEFAULT_REGION": "mars-1",
        "AWS_CA_BUNDLE": str(tmp_path / "no-such-bundle.pem"),
        "SENDBIRD_API_TOKEN": "wrong-token",
        "SENDBIRD_ORG_API_KEY": "wrong-org-key",
        "HTTP_PROXY": "http://127.0.0.1:1",
        "HTTPS_PROXY": "http://127.0.0.1:1",
        "http_proxy": "http://127.0.0.1:1",
    }


def run_module(
    module: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    merge: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` from the project directory; ``merge`` puts stderr into stdout."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=PROJECT_DIR,
        env=dict(env) if env is not None else None,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge else subprocess.PIPE,
        text=True,
        check=False,
        timeout=timeout,
    )


def run_script(script: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PROJECT_DIR / "scripts" / script), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


class LiveProcess:
    """A process whose stdout is read line by line while it runs (the sandbox, an interrupted job)."""

    def __init__(self, command: Sequence[str], env: Mapping[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            list(command),
            cwd=PROJECT_DIR,
            env=dict(env) if env is not None else None,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert self.process.stdout is not None and self.process.stderr is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        # stderr is drained as it comes too: a full pipe (64 KiB) would block the process mid-test.
        self._stderr: list[str] = []
        self._stderr_reader = threading.Thread(
            target=lambda pipe: self._stderr.extend(pipe), args=(self.process.stderr,), daemon=True
        )
        self._stderr_reader.start()

    def _read(self, pipe: IO[str]) -> None:
        for line in pipe:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, fragment: str, timeout: float = 90) -> list[str]:
        """Every line up to the first that contains ``fragment``; AssertionError if it never comes."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            if fragment in line:
                return list(self.lines)
        stderr = self.stop_now()
        raise AssertionError(f"never printed {fragment!r}; stdout: {self.lines}; stderr: {stderr}")

    def rest(self, timeout: float = 60) -> tuple[int, str, str]:
        """Wait for the end; (exit code, the rest of stdout, stderr)."""
        code = self.process.wait(timeout)
        rest = []
        while (line := self._queue.get(timeout=10)) is not None:
            rest.append(line)
        self.lines.extend(rest)
        return code, "\n".join(rest), self._stderr_text()

    def stop_now(self) -> str:
        """Kill it if it still runs (a failed test must not leave servers behind); its stderr."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)
        return self._stderr_text()

    def _stderr_text(self) -> str:
        """All the process wrote to stderr (it has exited, so the pipe ends)."""
        self._stderr_reader.join(30)
        return "".join(self._stderr)
