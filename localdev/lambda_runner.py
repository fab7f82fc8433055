"""Run the scheduled sync's handler as Lambda would, locally: from its code archive, in a fresh
interpreter that sees nothing but the archive and Lambda's Python runtime (boto3 and what it needs).

moto 5 can create a Lambda function but invoking it needs Docker, which is absent here (DESIGN.md), so
this stands in for the invoke:

1. the archive is extracted into a task directory (Lambda's ``/var/task``);
2. a "runtime" directory gets only ``facts.RUNTIME_DISTRIBUTIONS`` (boto3, botocore,
   urllib3, ...), copied file by file from this environment through ``importlib.metadata``;
3. the base interpreter (``sys._base_executable``: not the venv's) runs ``python -I -S`` (isolated:
   no user site, no ``PYTHON*`` variables; and no site directories at all) with a small bootstrap
   that puts ``[task, runtime]`` on ``sys.path``, imports the handler by its name and calls it with
   the event and a context (``get_remaining_time_in_millis``, ``function_name``,
   ``aws_request_id``); the result comes back as JSON on one marked stdout line;
4. its environment is the function's own plus what Lambda adds (region, the role's temporary
   credentials) and ``AWS_ENDPOINT_URL`` (moto), nothing inherited but ``PATH``.

Credentials come from the caller's ``sts:AssumeRole`` on the function's role, so moto (IAM auth on)
judges every call by that role's policies. The secret key and session token never appear in
anything this module prints, returns or raises: the child's output is redacted with both.

Known difference: the interpreter is this machine's Python, not Lambda's python3.13 on arm64.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.sync.function_archive import distribution_entries
from localdev.moto_server import LOCAL_AWS_SETTINGS, LOOPBACK_HOSTS
from sendbird_copy import facts
from sendbird_copy.redact import redact

RESULT_MARK = "@@lambda-runner-result@@ "
# Lambda refuses these in a function's environment: it sets them itself.
RESERVED_ENV = frozenset(
    {
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_EXECUTION_ENV",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
        "_HANDLER",
    }
)
# What the runner adds to the interpreter's own wait, before it calls it a timeout.
KILL_GRACE_S = 10.0

_BOOTSTRAP = """
import importlib, json, sys, time, traceback, uuid

task, runtime, handler_name, timeout_s, function_name, mark = sys.argv[1:7]
sys.path[:0] = [task, runtime]
deadline = time.monotonic() + float(timeout_s)


class Context:
    function_name = function_name
    function_version = "$LATEST"
    memory_limit_in_mb = "@MEMORY_MB@"
    aws_request_id = str(uuid.uuid4())
    invoked_function_arn = "arn:aws:lambda:local:000000000000:function:" + function_name

    def get_remaining_time_in_millis(self):
        return max(0, int((deadline - time.monotonic()) * 1000))


event = json.loads(sys.stdin.read())
module_name, _, attribute = handler_name.rpartition(".")
try:
    value = getattr(importlib.import_module(module_name), attribute)(event, Context())
    outcome, code = {"value": value}, 0
except Exception as exc:
    traceback.print_exc()
    outcome = {"error": {"errorType": type(exc).__name__, "errorMessage": str(exc)}}
    code = 1
sys.stdout.flush()
print(mark + json.dumps(outcome, default=str), flush=True)
sys.exit(code)
""".replace("@MEMORY_MB@", str(facts.MEMORY_MB))


@dataclass(frozen=True)
class RoleCredentials:
    """The function role's temporary credentials (from sts:AssumeRole)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)

    @classmethod
    def from_assume_role(cls, response: Mapping[str, Any]) -> RoleCredentials:
        creds = response["Credentials"]
        return cls(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"])


@dataclass(frozen=True)
class LocalInvocation:
    """One invocation: the code, the function's configuration and who it runs as."""

    archive: Path | bytes
    environment: Mapping[str, str]  # the function's own, as moto's function configuration has it
    credentials: RoleCredentials
    endpoint_url: str  # moto
    region: str
    event: Mapping[str, Any] = field(default_factory=lambda: scheduled_event())
    timeout_s: float = facts.TIMEOUT_SECONDS
    handler: str = facts.HANDLER
    function_name: str = "sendbird-sync-local"
    # A runtime directory made by build_runtime_dir, to reuse across runs (None: built per run).
    runtime_dir: Path | None = None


@dataclass(frozen=True)
class LocalResult:
    exit_code: int
    value: Any = None  # the handler's return value, when it returned
    error: dict[str, str] | None = None  # Lambda's errorType/errorMessage, when it raised or timed out
    log_lines: tuple[str, ...] = ()  # stdout, without the result line (Lambda's log stream)
    stderr: str = ""  # tracebacks and library warnings (also Lambda's log stream)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and self.error is None

    def json_lines(self) -> list[dict[str, Any]]:
        """The log lines that are JSON objects (the summary and the metrics)."""
        documents = []
        for line in self.log_lines:
            try:
                document = json.loads(line)
            except ValueError:
                continue
            if isinstance(document, dict):
                documents.append(document)
        return documents


def scheduled_event(time: str = "2026-11-29T12:00:00Z") -> dict[str, Any]:
    """An event as EventBridge Scheduler delivers a scheduled invocation (the handler ignores it)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "time": time,
        "detail": {},
    }


def build_runtime_dir(target: Path, distributions: Iterable[str] = facts.RUNTIME_DISTRIBUTIONS) -> Path:
    """Copy ``distributions`` (their importable files, as installed here) into ``target``."""
    for name in distributions:
        for entry in distribution_entries(name, compiled=True):
            destination = target / entry.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.source, destination)
    return target


def extract_archive(archive: Path | bytes, target: Path) -> Path:
    """Unzip the code archive into ``target`` (Lambda's task directory), refusing unsafe names."""
    source: Path | io.BytesIO = archive if isinstance(archive, Path) else io.BytesIO(archive)
    with zipfile.ZipFile(source) as zipped:
        for name in zipped.namelist():
            if name.startswith("/") or ".." in Path(name).parts:
                raise ValueError(f"unsafe name in the function archive: {name!r}")
        zipped.extractall(target)
    return target


def run_as_lambda(invocation: LocalInvocation) -> LocalResult:
    """Run the handler once, as Lambda would (module docstring); never raises for the handler's own
    failure: that is ``LocalResult.error``."""
    reserved = sorted(RESERVED_ENV & set(invocation.environment))
    if reserved:
        raise ValueError(f"the function's environment may not set {', '.join(reserved)}: Lambda sets them")
    with tempfile.TemporaryDirectory(prefix="lambda-run-") as scratch:
        root = Path(scratch)
        task = extract_archive(invocation.archive, root / "task")
        runtime = invocation.runtime_dir or build_runtime_dir(root / "runtime")
        bootstrap = root / "bootstrap.py"
        bootstrap.write_text(_BOOTSTRAP)
        command = [
            _base_python(),
            "-I",
            "-S",
            str(bootstrap),
            str(task),
            str(runtime),
            invocation.handler,
            str(invocation.timeout_s),
            invocation.function_name,
            RESULT_MARK,
        ]
        try:
            completed = subprocess.run(
                command,
                input=json.dumps(dict(invocation.event)),
                capture_output=True,
                text=True,
                env=_environment(invocation, root),
                cwd=task,
                timeout=invocation.timeout_s + KILL_GRACE_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            return _timed_out(invocation, exc)
    return _result(invocation, completed.returncode, completed.stdout, completed.stderr)


def _base_python() -> str:
    """The interpreter this venv was made from: no venv site-packages behind it."""
    return getattr(sys, "_base_executable", None) or sys.executable


def _environment(invocation: LocalInvocation, home: Path) -> dict[str, str]:
    creds = invocation.credentials
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": str(home),  # no ~/.aws of the developer's
        "LANG": "C.UTF-8",
        **LOCAL_AWS_SETTINGS,  # no config or credentials file, no instance-metadata probe
        "NO_PROXY": ",".join(LOOPBACK_HOSTS),
        "no_proxy": ",".join(LOOPBACK_HOSTS),
        **invocation.environment,
        "AWS_REGION": invocation.region,
        "AWS_DEFAULT_REGION": invocation.region,
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_ENDPOINT_URL": invocation.endpoint_url,
        "AWS_LAMBDA_FUNCTION_NAME": invocation.function_name,
    }


def _secrets(invocation: LocalInvocation) -> list[str]:
    return [invocation.credentials.secret_access_key, invocation.credentials.session_token]


def _result(invocation: LocalInvocation, code: int, stdout: str, stderr: str) -> LocalResult:
    secrets = _secrets(invocation)
    stdout, stderr = redact(stdout, secrets), redact(stderr, secrets)
    lines, outcome = [], None
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK):
            outcome = json.loads(line[len(RESULT_MARK) :])
        else:
            lines.append(line)
    if outcome is None:  # the interpreter died before the bootstrap could answer
        tail = stderr.strip().splitlines()[-1:] or ["no output"]
        outcome = {"error": {"errorType": "Runtime.ExitError", "errorMessage": f"exit {code}: {tail[0]}"}}
    return LocalResult(code, outcome.get("value"), outcome.get("error"), tuple(lines), stderr)


def _timed_out(invocation: LocalInvocation, exc: subprocess.TimeoutExpired) -> LocalResult:
    def text(value: str | bytes | None) -> str:
        return value.decode(errors="replace") if isinstance(value, bytes) else value or ""

    secrets = _secrets(invocation)
    error = {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"Task timed out after {invocation.timeout_s:g} seconds",
    }
    stdout = redact(text(exc.stdout), secrets)
    return LocalResult(-9, None, error, tuple(stdout.splitlines()), redact(text(exc.stderr), secrets))
