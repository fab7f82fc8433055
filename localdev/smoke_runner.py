"""How the local tools invoke the real ``sendbird-copy smoke-test``: one place for the command line.

The main job, the end-to-end tests and the benchmark all run the CLI as its own process, exactly as
a CI pipeline would after ``pulumi up``, pointed at moto and the Sendbird emulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from localdev.moto_server import MotoServer


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


def smoke_test_command(target: SmokeTarget, run: SmokeRun) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of one smoke-test run (secrets travel in the environment only)."""
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": target.moto.deployer.access_key_id,
        "AWS_SECRET_ACCESS_KEY": target.moto.deployer.secret_access_key,
        "SENDBIRD_API_TOKEN": run.api_token,
    }
    env.pop("SENDBIRD_ORG_API_KEY", None)
    if target.org_api_key:
        env["SENDBIRD_ORG_API_KEY"] = target.org_api_key
    command = [
        sys.executable, "-m", "sendbird_copy", "smoke-test",
        "--outputs", str(target.outputs_path),
        "--app-id", run.app_id,
        "--api-base-url", target.api_base_url,
        "--org-api-base-url", target.org_base_url,
        "--aws-endpoint-url", target.moto.endpoint,
        "--wait-timeout", str(run.wait_timeout),
    ]  # fmt: skip
    if run.recording_id:
        command += ["--recording-id", run.recording_id]
    if run.json_output:
        command.append("--json")
    return command, env


def run_smoke_test(target: SmokeTarget, run: SmokeRun) -> subprocess.CompletedProcess[str]:
    command, env = smoke_test_command(target, run)
    return subprocess.run(
        command, env=env, capture_output=True, text=True, check=False, timeout=run.wait_timeout + 120
    )
