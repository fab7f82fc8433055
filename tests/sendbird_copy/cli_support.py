"""Drive ``sendbird-copy`` in tests and check, on every single run, that no secret leaked.

``CopyCli.invoke`` runs the CLI through click's CliRunner (in-process, so caplog sees every log
record); ``CopyCli.run_module`` runs ``python -m sendbird_copy.cli`` as a real process. Both assert,
before returning, that neither stdout, stderr nor the captured logs contain any secret the test
knows, and that no traceback was printed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from localdev.moto_server import MotoServer
from sendbird_copy.cli.commands import cli
from tests.leaks import assert_no_secrets
from tests.sendbird_copy.aws_builders import Destination, build_destination, write_outputs

PROJECT_DIR = Path(__file__).resolve().parents[2]
API_TOKEN = "sb-api-token-5ecr3t-0123456789abcdef"
ORG_API_KEY = "sb-org-key-5ecr3t-fedcba9876543210"
# The copy user's secret key in the outputs documents that offline tests write.
COPY_SECRET = "copy-user-5ecr3t-key-abcdefghijklmnopqrstuv"
# The application the ``app`` fixture registers in the emulator (Sendbird region ap-1).
APP, TOKEN, ORG_KEY = "APP-1", "api-token-0123456789abcdef", "org-key-fedcba9876543210"


@dataclass
class CliRun:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout + self.stderr

    def json(self) -> Any:
        assert self.stdout.strip(), f"no JSON on stdout; stderr: {self.stderr}"
        return json.loads(self.stdout)

    def check(self, name: str) -> dict[str, Any]:
        """The one JSON check called ``name`` (of the only application)."""
        (app,) = self.json()["applications"]
        matches = [c for c in app["checks"] if c["name"] == name]
        assert len(matches) == 1, f"{name} in {[c['name'] for c in app['checks']]}"
        return matches[0]


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class CopyCli:
    tmp_path: Path
    caplog: pytest.LogCaptureFixture
    moto: MotoServer | None = None
    secrets: list[str] = field(default_factory=lambda: [API_TOKEN, ORG_API_KEY])

    def __post_init__(self) -> None:
        if self.moto is not None:
            self.secrets.append(self.moto.deployer.secret_access_key)
        # DEBUG for our package, INFO elsewhere: the logs that would carry a leaked secret are captured.
        self.caplog.set_level(logging.INFO)
        self.caplog.set_level(logging.DEBUG, logger="sendbird_copy")

    def destination(self, **kwargs: Any) -> Destination:
        assert self.moto is not None
        dest = build_destination(self.moto, **kwargs)
        self.secrets.append(dest.secret_access_key)
        return dest

    def outputs(self, *destinations: Destination, name: str = "outputs.json") -> Path:
        return write_outputs(self.tmp_path / name, *destinations)

    def env(self, token: str | None = API_TOKEN, org_key: str | None = None) -> dict[str, str | None]:
        env: dict[str, str | None] = {"SENDBIRD_API_TOKEN": token, "SENDBIRD_ORG_API_KEY": org_key}
        if self.moto is not None:
            env["AWS_ACCESS_KEY_ID"] = self.moto.deployer.access_key_id
            env["AWS_SECRET_ACCESS_KEY"] = self.moto.deployer.secret_access_key
        return env

    def args(self, command: str, outputs: Path | str | None, *extra: str) -> list[str]:
        args = [command]
        if outputs is not None:
            args += ["--outputs", str(outputs)]
        if self.moto is not None:
            args += ["--aws-endpoint-url", self.moto.endpoint]
        return [*args, *extra]

    def invoke(
        self,
        command: str,
        outputs: Path | str | None,
        *extra: str,
        token: str | None = API_TOKEN,
        org_key: str | None = None,
        input: str | None = None,
        env: dict[str, str | None] | None = None,
    ) -> CliRun:
        runner = CliRunner()
        environment = {**self.env(token, org_key), **(env or {})}
        result = runner.invoke(cli, self.args(command, outputs, *extra), env=environment, input=input)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception  # a bug, shown with its traceback to the developer
        done = CliRun(result.exit_code, result.stdout, result.stderr)
        self.assert_clean(done)
        return done

    def start_module(self, command: str, outputs: Path | str | None, *extra: str) -> subprocess.Popen[str]:
        """``python -m sendbird_copy.cli`` started as a real process (to be signalled); ``finish`` it."""
        return subprocess.Popen(
            [sys.executable, "-m", "sendbird_copy.cli", *self.args(command, outputs, *extra)],
            env=self._module_env(API_TOKEN),
            cwd=PROJECT_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, process: subprocess.Popen[str]) -> CliRun:
        stdout, stderr = process.communicate(timeout=60)
        done = CliRun(process.returncode, stdout, stderr)
        self.assert_clean(done)
        return done

    def _module_env(self, token: str | None) -> dict[str, str]:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SENDBIRD_")}
        environment.update({k: v for k, v in self.env(token).items() if v is not None})
        return environment

    def run_module(
        self, command: str, outputs: Path | str | None, *extra: str, token: str | None = API_TOKEN
    ) -> CliRun:
        environment = self._module_env(token)
        completed = subprocess.run(
            [sys.executable, "-m", "sendbird_copy.cli", *self.args(command, outputs, *extra)],
            capture_output=True,
            text=True,
            env=environment,
            cwd=PROJECT_DIR,
            timeout=240,
            check=False,
        )
        done = CliRun(completed.returncode, completed.stdout, completed.stderr)
        self.assert_clean(done)
        return done

    def assert_clean(self, done: CliRun) -> None:
        assert "Traceback" not in done.text, done.text
        assert_no_secrets(self.secrets, done.stdout, done.stderr, self.caplog.text)
