"""Bad input from every source the helper reads, several members of each class: the exit code, a
message that names the input, no traceback, no secret, and a bounded run (pytest-timeout).

Sources: command-line flags, environment variables, the stack-outputs JSON, the emulator's flags.
(The main job's stack files are in tests/localdev.)
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sendbird_copy.cli.inputs import MAX_OUTPUTS_CHARACTERS, _read_stdin
from sendbird_copy.errors import OptionError
from sendbird_copy.rules import SHOWN_CHARACTERS, shorten
from tests.sendbird_copy.cli_support import COPY_SECRET, CopyCli

HUGE = "x" * 20_000
# The longest message a refusal may print: a value is shortened, never echoed whole.
MAX_MESSAGE = 1_000


def outputs_document(**app_overrides: object) -> dict:
    app = {
        "app_id": "APP-A",
        "region": "ap-northeast-2",
        "bucket_name": "bucket-a",
        "bucket_arn": "arn:aws:s3:::bucket-a",
        "kms_key_arn": "arn:aws:kms:ap-northeast-2:123456789012:key/k",
        "kms_alias": "alias/a",
        "copy_user_name": "user-a",
        "copy_access_key_id": "AKIAEXAMPLEEXAMPLE00",
        **app_overrides,
    }
    return {"applications": {"APP-A": app}, "copy_secret_access_keys": {"APP-A": COPY_SECRET}}


@pytest.fixture
def outputs_file(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs_document()))
    return path


def assert_refused(done, names: str, code: int = 2) -> None:
    assert done.exit_code == code, done.text
    message = done.stderr.strip()
    assert message.startswith("error: ") or "Error: Invalid value" in message, message
    assert names in message, message
    assert len(message) < MAX_MESSAGE, f"{len(message)} characters"
    assert HUGE not in done.text


FLAG_CASES = {
    "recording id with a control character": (["copy", "--recording-id", "r\x01x"], "--recording-id"),
    "recording id with a line break": (["copy", "--recording-id", "rec\n1"], "--recording-id"),
    "recording id of 20,000 characters": (["copy", "--recording-id", HUGE], "--recording-id"),
    "blank recording id": (["smoke-test", "--recording-id", "  "], "--recording-id"),
    # A dot segment or a separator would move the request to another endpoint (issue 19, item 6).
    "recording id '..'": (["copy", "--recording-id", ".."], "--recording-id '..' would change the API path"),
    "recording id '.'": (["smoke-test", "--recording-id", "."], "--recording-id '.' would change"),
    "recording id with a slash": (["copy", "--recording-id", "../copy"], "has a path separator"),
    "live event id '..'": (["status", "--live-event", ".."], "--live-event '..' would change the API path"),
    "room id with a backslash": (["status", "--room", "r\\..\\x"], "--room 'r\\..\\x' has a path"),
    "api url with a query": (["copy", "--recording-id", "r", "--api-base-url", "https://h/v1?a=b"], "query"),
    "api url with a fragment": (["check-region", "--api-base-url", "https://h/v1#f"], "fragment"),
    "org url plain http to a remote host": (
        ["check-region", "--org-api-base-url", "http://gate.example.com"],
        "'--org-api-base-url': 'http://gate.example.com' is plain http",
    ),
    "wait timeout nan": (["smoke-test", "--wait-timeout", "nan"], "--wait-timeout"),
    "wait timeout inf": (["smoke-test", "--wait-timeout", "inf"], "--wait-timeout"),
    "wait timeout negative": (["smoke-test", "--wait-timeout", "-1"], "--wait-timeout"),
    "poll interval nan": (["smoke-test", "--poll-interval", "nan"], "--poll-interval"),
    "poll interval zero": (["smoke-test", "--poll-interval", "0"], "--poll-interval"),
    "endpoint not http": (["check-region", "--aws-endpoint-url", "ftp://host"], "--aws-endpoint-url"),
    "endpoint with a space": (["check-region", "--aws-endpoint-url", "http://a b"], "--aws-endpoint-url"),
    "endpoint with a bad port": (
        ["check-region", "--aws-endpoint-url", "http://h:port"],
        "--aws-endpoint-url",
    ),
    "api url of 20,000 characters": (
        ["copy", "--recording-id", "r", "--api-base-url", HUGE],
        "--api-base-url",
    ),
    "org url not a URL": (["check-region", "--org-api-base-url", "gate"], "--org-api-base-url"),
    "app id of 20,000 characters": (["check-region", "--app-id", HUGE], "--app-id"),
    "unknown app id": (["check-region", "--app-id", "APP-Z"], "--app-id 'APP-Z'"),
    "region that is no region": (
        ["check-region", "--sendbird-aws-region", "mars-1"],
        "--sendbird-aws-region",
    ),
    "region of 20,000 characters": (["check-region", "--sendbird-aws-region", HUGE], "--sendbird-aws-region"),
    "sync since of 20,000 digits": (["sync", "--since", "9" * 20_000], "--since"),
    "sync since an emoji": (["sync", "--since", "\U0001f600"], "--since"),
    "sync since empty": (["sync", "--since", ""], "--since"),
    "sync warn days nan": (["sync", "--warn-days", "nan"], "--warn-days"),
    "sync warn days inf": (["sync", "--warn-days", "inf"], "--warn-days"),
    "sync verify timeout inf": (["sync", "--verify-timeout", "inf"], "--verify-timeout"),
    "sync max copies of 20,000 digits": (["sync", "--max-copies", "9" * 20_000], "--max-copies"),
    "sync max copies zero": (["sync", "--max-copies", "0"], "--max-copies"),
    "sync workers an emoji": (["sync", "--workers", "\U0001f600"], "--workers"),
    "sync workers with a control char": (["sync", "--workers", "4\x01"], "--workers"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "names"), list(FLAG_CASES.values()), ids=list(FLAG_CASES))
def test_bad_flags(offline_cli: CopyCli, outputs_file: Path, argv: list[str], names: str) -> None:
    command, *extra = argv
    done = offline_cli.invoke(command, outputs_file, *extra, env={"AWS_ENDPOINT_URL": None})
    assert_refused(done, names)


ENV_CASES = {
    "token with an emoji": ("copy", {"SENDBIRD_API_TOKEN": "tok\U0001f600en"}, "SENDBIRD_API_TOKEN"),
    "token in CJK": ("copy", {"SENDBIRD_API_TOKEN": "東京のトークン"}, "SENDBIRD_API_TOKEN"),
    "token with a line break": ("copy", {"SENDBIRD_API_TOKEN": "tok\nen"}, "SENDBIRD_API_TOKEN"),
    "token with a space": ("copy", {"SENDBIRD_API_TOKEN": "tok en"}, "SENDBIRD_API_TOKEN"),
    "token missing": ("copy", {"SENDBIRD_API_TOKEN": ""}, "SENDBIRD_API_TOKEN"),
    "org key with an emoji": (
        "check-region",
        {"SENDBIRD_ORG_API_KEY": "k\U0001f511y"},
        "SENDBIRD_ORG_API_KEY",
    ),
    "org key with a tab": ("check-region", {"SENDBIRD_ORG_API_KEY": "k\tey"}, "SENDBIRD_ORG_API_KEY"),
    "endpoint variable not a URL": (
        "check-region",
        {"AWS_ENDPOINT_URL": "localhost:5000"},
        "AWS_ENDPOINT_URL",
    ),
    "endpoint variable with a space": ("preflight", {"AWS_ENDPOINT_URL": "http://a b"}, "AWS_ENDPOINT_URL"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("command", "env", "names"), list(ENV_CASES.values()), ids=list(ENV_CASES))
def test_bad_environment(
    offline_cli: CopyCli, outputs_file: Path, command: str, env: dict, names: str
) -> None:
    secrets = [v for k, v in env.items() if "TOKEN" in k or "KEY" in k]
    offline_cli.secrets.extend(s for s in secrets if s.strip())
    extra = ["--recording-id", "r1"] if command == "copy" else []
    token = env.pop("SENDBIRD_API_TOKEN", "a-valid-token-0123")
    done = offline_cli.invoke(command, outputs_file, *extra, token=token, env=env)
    assert_refused(done, names)
    if secrets:
        assert "is not shown here" in done.stderr or "empty" in done.stderr


OUTPUTS_CASES = {
    "nested 100,000 deep": ("[" * 100_000, "nested too deeply"),
    "larger than the cap": ('{"applications": "' + "a" * (MAX_OUTPUTS_CHARACTERS + 10) + '"}', "larger than"),
    "top level a list": ("[1, 2]", "got a list"),
    "applications a list": ('{"applications": [1]}', "'applications' is a list"),
    "region a number": (json.dumps(outputs_document(region=5)), "region is a number, not a string"),
    "bucket a list": (json.dumps(outputs_document(bucket_name=["b"])), "bucket_name is a list, not a string"),
    "bucket with a control char": (json.dumps(outputs_document(bucket_name="b\x07")), "bucket_name"),
    "secret keys a string": (
        json.dumps({**outputs_document(), "copy_secret_access_keys": "x"}),
        "'copy_secret_access_keys' is a string",
    ),
    "secret a number": (
        json.dumps({**outputs_document(), "copy_secret_access_keys": {"APP-A": 7}}),
        "copy_secret_access_keys.APP-A is a number",
    ),
    "app id key of 20,000 characters": (
        json.dumps({"applications": {HUGE: {}}, "copy_secret_access_keys": {}}),
        "applications.xxx",
    ),
    "not UTF-8": (b"\xff\xfe{".decode("latin-1"), "not UTF-8"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("content", "names"), list(OUTPUTS_CASES.values()), ids=list(OUTPUTS_CASES))
def test_bad_outputs_documents(offline_cli: CopyCli, tmp_path: Path, content: str, names: str) -> None:
    path = tmp_path / "outputs.json"
    if names == "not UTF-8":
        path.write_bytes(content.encode("latin-1"))
    else:
        path.write_text(content)
    done = offline_cli.invoke("check-region", path)
    assert_refused(done, names)
    assert f"--outputs {path}" in done.stderr  # names where the document came from


def test_outputs_from_a_terminal_stdin_says_so() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(OptionError, match="standard input is a terminal"):
        _read_stdin(Terminal(""))


def test_outputs_from_an_endless_stdin_stop_at_the_cap(offline_cli: CopyCli) -> None:
    done = offline_cli.invoke("check-region", "-", input="{" + " " * (MAX_OUTPUTS_CHARACTERS + 5))
    assert_refused(done, "stdin: larger than")


def test_shorten_keeps_short_values_and_cuts_long_ones() -> None:
    assert shorten("ap-2") == "ap-2"
    assert shorten("a\nb") == "a\\nb"
    cut = shorten(HUGE)
    assert cut.startswith("x" * SHOWN_CHARACTERS) and cut.endswith("(20000 characters)")


EMULATOR_CASES = {
    "port out of range": (["--port", "70000"], "--port 70000"),
    "latency nan": (["--latency", "nan"], "--latency"),
    "latency of a year": (["--latency", "31536000"], "--latency"),
    "error rate above 1": (["--error-rate", "1.5"], "--error-rate"),
    "app without a token": (["--app", "APP-1::ap-1"], "--app"),
    "unknown region key": (["--app", "APP-1:tok:mars-9"], "mars-9"),
    "recording of an unknown status": (["--recording", "APP-1:r1:done:5"], "--recording"),
    "recording size not a number": (["--recording", "APP-1:r1:completed:big"], "--recording"),
    "fail-next negative": (["--fail-next", "-3"], "--fail-next"),
    "app id with an underscore": (["--app", "APP_1:tok:ap-1"], "app_id 'APP_1' is invalid"),
    "app id of 20,000 characters": (["--app", f"{'a' * 20_000}:tok:ap-1"], "app_id 'aaaa"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "names"), list(EMULATOR_CASES.values()), ids=list(EMULATOR_CASES))
def test_bad_emulator_flags(argv: list[str], names: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "localdev.sendbird_emulator", *argv],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert names in done.stderr, done.stderr
