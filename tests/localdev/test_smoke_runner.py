"""The smoke-test command line and its environment, and how a child's lines are streamed live."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from localdev.moto_server import (
    CALLER_AWS_VARIABLES,
    Credentials,
    MotoServer,
    isolate_this_process,
    local_only_environment,
)
from localdev.smoke_runner import LineSink, SmokeRun, SmokeTarget, smoke_test_command, stream_command
from tests.localdev.jobs import poisoned_environment

DEPLOYER = Credentials("AKIADEPLOYER00000000", "deployer-secret")
TARGET = SmokeTarget(
    MotoServer("http://127.0.0.1:4566", DEPLOYER),
    Path("/tmp/outputs.json"),
    "http://127.0.0.1:8080/v1",
    "http://127.0.0.1:8080",
    "org-key-of-this-run",
)


@pytest.mark.parametrize(
    "name",
    [
        *CALLER_AWS_VARIABLES,
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_S3",
        "AWS_ENDPOINT_URL_STS",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_MAX_ATTEMPTS",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "SENDBIRD_API_TOKEN",
        "SENDBIRD_ORG_API_KEY",
    ],
)
def test_local_only_environment_drops_every_caller_aws_and_sendbird_setting(name):
    env = local_only_environment({"PATH": "/bin", name: "from-the-caller"})
    assert name not in env or env[name] != "from-the-caller"
    assert env["PATH"] == "/bin"
    assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull
    assert env["AWS_EC2_METADATA_DISABLED"] == "true"


@pytest.mark.parametrize("existing", [None, "", "example.com", "localhost,example.com"])
def test_loopback_bypasses_any_proxy(existing):
    caller = {"HTTPS_PROXY": "http://proxy:3128"} | ({} if existing is None else {"NO_PROXY": existing})
    env = local_only_environment(caller)
    for name in ("NO_PROXY", "no_proxy"):
        hosts = env[name].split(",")
        assert "127.0.0.1" in hosts and "localhost" in hosts and "" not in hosts
    if existing:
        assert set(existing.split(",")) <= set(env["NO_PROXY"].split(","))


def test_the_smoke_test_child_gets_this_runs_settings_not_the_callers(tmp_path, monkeypatch):
    for name, value in poisoned_environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    command, env = smoke_test_command(TARGET, SmokeRun("APP-1", "token-of-this-run", "rec-1"))
    assert {k: v for k, v in env.items() if k.startswith(("AWS_", "SENDBIRD_"))} == {
        "AWS_ACCESS_KEY_ID": DEPLOYER.access_key_id,
        "AWS_SECRET_ACCESS_KEY": DEPLOYER.secret_access_key,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "SENDBIRD_API_TOKEN": "token-of-this-run",
        "SENDBIRD_ORG_API_KEY": "org-key-of-this-run",
    }
    assert "127.0.0.1" in env["NO_PROXY"].split(",")
    assert command[command.index("--aws-endpoint-url") + 1] == TARGET.moto.endpoint
    assert "token-of-this-run" not in " ".join(command)  # secrets only in the environment


def test_isolating_this_process_keeps_everything_else(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    monkeypatch.setenv("KEEP_ME", "1")
    saved = dict(os.environ)
    try:
        isolate_this_process()
        assert "AWS_PROFILE" not in os.environ and os.environ["KEEP_ME"] == "1"
        assert os.environ["AWS_CONFIG_FILE"] == os.devnull
    finally:
        os.environ.clear()
        os.environ.update(saved)


CHILD = """
import sys, time
print("first out", flush=True)
print("first err", file=sys.stderr, flush=True)
time.sleep(1.0)
print("second out", flush=True)
sys.exit(3)
"""


@pytest.mark.slow
def test_lines_arrive_while_the_child_runs_not_at_its_end():
    received: list[tuple[float, str, str]] = []
    ticks: list[float] = []
    sink = LineSink(
        stdout=lambda line: received.append((time.monotonic(), "out", line)),
        stderr=lambda line: received.append((time.monotonic(), "err", line)),
    )
    code = stream_command(
        [sys.executable, "-c", CHILD], dict(os.environ), sink, timeout=30, on_tick=lambda: ticks.append(1)
    )
    assert code == 3
    lines = {(stream, line): at for at, stream, line in received}
    assert set(lines) == {("out", "first out"), ("err", "first err"), ("out", "second out")}
    assert lines[("out", "second out")] - lines[("out", "first out")] > 0.5, "first line came only at the end"
    assert lines[("err", "first err")] < lines[("out", "second out")]
    assert ticks, "on_tick was never called while waiting"


@pytest.mark.slow
def test_a_child_past_its_timeout_is_stopped_and_says_so():
    errors: list[str] = []
    started = time.monotonic()
    code = stream_command(
        [sys.executable, "-c", "import time; time.sleep(60)"],
        dict(os.environ),
        LineSink(stdout=lambda line: None, stderr=errors.append),
        timeout=1,
    )
    assert code == 1 and time.monotonic() - started < 30
    assert len(errors) == 1 and "no result after 1 s" in errors[0]
