"""Odd values for the inputs the lookup and per-application-token work added: ``--api-tokens-file``,
``SENDBIRD_API_TOKEN_<APP_ID>`` (a token or a Secrets Manager ARN), ``find``'s flags, ``link``'s
RECORDING_ID and ``--expires``, and the emulator's ``--damage-next``. Each is refused before any
call: exit 2, a message naming the input and the value (shortened, escaped, never a secret), no
traceback (``CopyCli`` checks the last two on every run).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sendbird_copy.cli.test_bad_inputs import assert_refused, outputs_document
from tests.sendbird_copy.cli_support import CopyCli

HUGE = "x" * 100_000
ODD_TEXT = {"empty": "", "emoji": "\U0001f600", "escape": "a\x1bb", "nul": "a\x00b", "huge": HUGE}
ODD_NUMBERS = {"nan": "nan", "inf": "inf", "minus one": "-1"}


@pytest.fixture
def outputs_file(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs_document()))
    return path


def assert_shown_safely(done, value: str) -> None:
    """The value is never echoed whole (a huge one) nor raw (a control character)."""
    assert "\x1b" not in done.text and "\x00" not in done.text
    if len(value) > 1_000:
        assert value not in done.text


# -- find and link ---------------------------------------------------------------------------------
ID_FLAGS = ("--live-event", "--room", "--recording-id")
REFUSED_IDS = {k: v for k, v in ODD_TEXT.items() if k != "emoji"}  # an emoji is printable text
FIND_CASES = {
    **{f"{flag} {k}": ([flag, v], flag) for flag in ID_FLAGS for k, v in REFUSED_IDS.items()},
    **{
        f"{flag} {k}": ([flag, v], flag)
        for flag in ("--since", "--until")
        for k, v in {**ODD_TEXT, **ODD_NUMBERS}.items()
    },
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "names"), list(FIND_CASES.values()), ids=list(FIND_CASES))
def test_find_refuses_odd_values(
    offline_cli: CopyCli, outputs_file: Path, argv: list[str], names: str
) -> None:
    done = offline_cli.invoke("find", outputs_file, *argv, env={"AWS_ENDPOINT_URL": None})
    assert_refused(done, names)
    assert_shown_safely(done, argv[-1])


LINK_CASES = {
    **{f"RECORDING_ID {k}": ([v], "RECORDING_ID") for k, v in REFUSED_IDS.items()},
    **{
        f"--expires {k}": (["--expires", v, "rec-1"], "--expires")
        for k, v in {**ODD_TEXT, **ODD_NUMBERS, "zero": "0", "eight days": "8d"}.items()
    },
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("argv", "names"), list(LINK_CASES.values()), ids=list(LINK_CASES))
def test_link_refuses_odd_values(
    offline_cli: CopyCli, outputs_file: Path, argv: list[str], names: str
) -> None:
    done = offline_cli.invoke("link", outputs_file, *argv, env={"AWS_ENDPOINT_URL": None})
    assert_refused(done, names)
    assert_shown_safely(done, argv[0])


# -- the tokens: --api-tokens-file, SENDBIRD_API_TOKEN_<APP_ID> ----------------------------------------
TOKEN_ENV = "SENDBIRD_API_TOKEN_APP_A"
BAD_ARNS = {
    "arn with an escape": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:t\x1bx",
    "arn of 100,000 characters": "arn:aws:secretsmanager:" + HUGE,
    "arn with an emoji": "arn:aws:secretsmanager:\U0001f600",
    "arn without region and name": "arn:aws:secretsmanager:",
}


def _write(content: bytes) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        path = tmp / "tokens.json"
        path.write_bytes(content)
        return str(path)

    return make


def _directory(tmp: Path) -> str:
    (tmp / "tokens.d").mkdir()
    return str(tmp / "tokens.d")


def _under_a_file(tmp: Path) -> str:
    (tmp / "plain").write_text("{}")
    return str(tmp / "plain" / "tokens.json")  # unreadable whoever runs it (root reads a chmod 000 file)


def _tokens_in(path: str) -> list[str]:
    try:
        found = json.loads(Path(path).read_bytes())
    except (OSError, ValueError, RecursionError):
        return []
    if not isinstance(found, dict):
        return []
    return [v for v in found.values() if isinstance(v, str) and not v.startswith("arn:")]


TOKENS_FILE_CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    "empty path": (lambda _tmp: "", "--api-tokens-file is empty. Allowed: a JSON file"),
    "path with an emoji": (lambda _tmp: "\U0001f600", "--api-tokens-file \U0001f600: cannot be read"),
    "path with an escape": (lambda _tmp: "a\x1bb", "--api-tokens-file a\\x1bb: cannot be read"),
    "path with a NUL": (lambda _tmp: "a\x00b", "--api-tokens-file a\\x00b: is not a usable file name"),
    "path of 100,000 characters": (lambda _tmp: HUGE, "--api-tokens-file xxx"),
    "a directory": (_directory, "cannot be read (Is a directory)"),
    "unreadable": (_under_a_file, "cannot be read (Not a directory)"),
    "empty file": (_write(b""), "is not JSON"),
    "binary": (_write(bytes(range(256)) * 8), "is not JSON"),
    "10 MB": (_write(b'{"APP-A": "' + b"a" * 10_000_000 + b'"}'), "is larger than 1000000 bytes"),
    "nested 100,000 deep": (_write(b"[" * 100_000), "is not JSON"),
    "a JSON list": (_write(b'["tok"]'), "is not a JSON object"),
    "non-string values": (_write(b'{"APP-A": 5, "APP-B": null, "APP-C": {"t": 1}}'), "APP-A, APP-B, APP-C"),
    "an app id with control characters": (
        _write(json.dumps({"APP-\x1b[31mA": 7}).encode()),
        "the token of APP-\\x1b[31mA is not a string",
    ),
    "a token of 100,000 characters": (
        _write(json.dumps({"APP-A": HUGE}).encode()),
        "entry APP-A is 100000 characters long (not shown)",
    ),
    "a token with an emoji": (_write(json.dumps({"APP-A": "t\U0001f600k"}).encode()), "entry APP-A contains"),
    "a token with an escape": (_write(json.dumps({"APP-A": "t\x1bk"}).encode()), "entry APP-A contains"),
    **{
        name: (_write(json.dumps({"APP-A": arn}).encode()), "entry APP-A '")
        for name, arn in BAD_ARNS.items()
        if "emoji" not in name
    },
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("make", "names"), list(TOKENS_FILE_CASES.values()), ids=list(TOKENS_FILE_CASES))
def test_tokens_file_refuses_odd_files(
    offline_cli: CopyCli, outputs_file: Path, tmp_path: Path, make: Callable[[Path], str], names: str
) -> None:
    path = make(tmp_path)
    offline_cli.secrets.extend(_tokens_in(path))  # every token the file holds must stay unseen
    done = offline_cli.invoke("sync", outputs_file, "--dry-run", "--api-tokens-file", path, token=None)
    assert_refused(done, names)
    assert "--api-tokens-file" in done.stderr
    assert_shown_safely(done, path)


TOKEN_ENV_CASES = {
    "empty": ("", "SENDBIRD_API_TOKEN_APP_A"),
    "emoji": ("t\U0001f600k", f"{TOKEN_ENV} contains characters an HTTP header cannot carry"),
    "escape": ("t\x1bk", f"{TOKEN_ENV} contains control characters"),
    "100,000 characters": (HUGE, f"{TOKEN_ENV} is 100000 characters long (not shown)"),
    **{name: (arn, f"{TOKEN_ENV} '") for name, arn in BAD_ARNS.items()},
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("value", "names"), list(TOKEN_ENV_CASES.values()), ids=list(TOKEN_ENV_CASES))
def test_token_variable_refuses_odd_values(
    offline_cli: CopyCli, outputs_file: Path, value: str, names: str
) -> None:
    if not value.startswith("arn:") and value.strip():
        offline_cli.secrets.append(value)
    done = offline_cli.invoke("sync", outputs_file, "--dry-run", token=None, env={TOKEN_ENV: value})
    assert_refused(done, names)
    assert_shown_safely(done, value)
    if value.startswith("arn:"):
        assert "is not a secret ARN. Allowed: a Secrets Manager secret ARN" in done.stderr


# -- the emulator's --damage-next ------------------------------------------------------------------
DAMAGE_CASES = {
    "empty": ("", "'' is not one of: truncated, no-moov, not-mp4"),
    "emoji": ("\U0001f600", "is not one of"),
    "escape": ("a\x1bb", "'a\\x1bb' is not one of"),
    "100,000 characters": (HUGE, "(100000 characters)' is not one of"),
    "minus one": ("-1", "'-1' is not one of"),
    "empty recording id": ("no-moov:", "RECORDING_ID is empty"),
    "recording id with an escape": ("no-moov:r\x1b1", "RECORDING_ID 'r\\x1b1' contains control characters"),
    "recording id of 100,000 characters": (f"no-moov:{HUGE}", "RECORDING_ID 'xxx"),
    "recording id with a slash": ("truncated:../copy", "has a path separator"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize(("value", "names"), list(DAMAGE_CASES.values()), ids=list(DAMAGE_CASES))
def test_emulator_damage_next_refuses_odd_values(value: str, names: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "localdev.sendbird_emulator", "--damage-next", value],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "--damage-next" in last and names in last, last
    assert "\x1b" not in done.stderr and len(last) < 1_000
