"""A string from outside never drives the operator's terminal (issue 23, item 10).

Sendbird ids, titles and error messages reach ``sync``, ``status`` and the smoke test's output. In
text output every control character is shown as its escape (ESC as ``\\x1b``); ``--json`` stays
exact (JSON escapes them itself, and the document round-trips to the very same string).
"""

from __future__ import annotations

import json

from sendbird_copy.errors import SendbirdApiError
from tests.sendbird_copy.cli.test_cli import app, fake_factory, invoke
from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync_bed import SyncBed

TITLE = "\x1b]0;pwned\x07"  # an xterm title change, ended by BEL
CLEAR = "\x1b[2J"  # clear the screen
RECORDING = f"rec-{TITLE}"
ROOM = f"room-{CLEAR}"
C1_CSI = "\x9b31m"  # the one-byte CSI of an 8-bit terminal: red


def assert_inert(text: str) -> None:
    """No control character but the line breaks: nothing that a terminal would act on."""
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert all(ch == "\n" or not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0) for ch in text)


def seeded(bed: SyncBed) -> None:
    bed.add("plain")
    bed.add(RECORDING, kind="room", parent_id=ROOM)


def test_sync_text_output_shows_escape_sequences_escaped(copy_cli: CopyCli, bed: SyncBed) -> None:
    seeded(bed)
    done = copy_cli.invoke(
        "sync", copy_cli.outputs(bed.dest), "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30"
    )
    assert done.exit_code == 1, done.text  # the recording whose id the client cannot send failed
    assert_inert(done.stdout)
    assert_inert(done.stderr)
    # Still named, so the operator can find it: its id with the escapes spelled out.
    assert "FAILED rec-\\x1b]0;pwned\\x07 (room room-\\x1b[2J" in done.stdout


def test_sync_json_keeps_the_ids_exact(copy_cli: CopyCli, bed: SyncBed) -> None:
    seeded(bed)
    done = copy_cli.invoke(
        "sync",
        copy_cli.outputs(bed.dest),
        "--api-base-url",
        bed.emulator.base_url,
        "--verify-timeout",
        "30",
        "--json",
    )
    assert "\x1b" not in done.stdout  # JSON writes ESC as \u001b, and reads it back exactly:
    (application,) = done.json()["applications"]
    weird = next(r for r in application["recordings"] if r["recording_id"] == RECORDING)
    assert ROOM in weird["where"]


def test_status_text_escapes_and_json_round_trips(copy_cli: CopyCli, bed: SyncBed) -> None:
    seeded(bed)
    outputs = copy_cli.outputs(bed.dest)
    text = copy_cli.invoke("status", outputs, "--api-base-url", bed.emulator.base_url)
    assert_inert(text.stdout)
    assert_inert(text.stderr)
    assert "rec-\\x1b]0;pwned\\x07" in text.stdout and "room-\\x1b[2J" in text.stdout

    document = copy_cli.invoke("status", outputs, "--api-base-url", bed.emulator.base_url, "--json")
    (application,) = document.json()["applications"]
    (row,) = [r for r in application["recordings"] if r["recording_id"] == RECORDING]
    assert ROOM in row["where"]


def test_a_check_detail_and_an_error_message_from_outside_are_inert_in_text_exact_in_json() -> None:
    # A "bucket region" S3 answered (a stand-in) carrying escape sequences: quoted in the check's detail.
    factory = fake_factory([app()], bucket_region=f"ap-{TITLE}{CLEAR}{C1_CSI}")
    text = invoke(factory, "check-region")
    assert text.exit_code == 1
    assert_inert(text.stdout)
    assert "ap-\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m" in text.stdout
    document = json.loads(invoke(factory, "check-region", "--json").stdout)
    details = [c["detail"] for c in document["applications"][0]["checks"]]
    assert any(f"ap-{TITLE}{CLEAR}{C1_CSI}" in detail for detail in details)

    # Sendbird's own error message, as the one error line on stderr and in the --json error document.
    refused = SendbirdApiError(400, 400200, "INVALID", f"no such recording {RECORDING}")
    failed = invoke(fake_factory([app()], raises=refused), "check-region")
    assert failed.exit_code == 1 and "no such recording rec-\\x1b]0;pwned\\x07" in failed.stderr
    assert_inert(failed.stderr)
    in_json = invoke(fake_factory([app()], raises=refused), "check-region", "--json")
    assert RECORDING in json.loads(in_json.stdout)["error"]["message"]
