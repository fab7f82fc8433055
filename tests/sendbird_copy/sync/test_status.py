"""``sendbird-copy status``: the pure judgement and table, then the real CLI against moto (IAM auth on)
and the Sendbird emulator, which logs every request: status reads the ledger and lists once, and
never sends a POST."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from sendbird_copy.cli.status_table import render_status_human, time_left
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED, REQUESTED, Ledger, LedgerEntry
from sendbird_copy.sync.discovery import FoundRecording
from sendbird_copy.sync.status import (
    AT_RISK,
    FAILED_STATE,
    LOST,
    NOT_READY,
    REQUESTED_STATE,
    SAFE,
    TO_COPY,
    UNAVAILABLE,
    StatusReport,
    build_rows,
)
from tests.sendbird_copy.aws_builders import Destination
from tests.sendbird_copy.cli_support import API_TOKEN, CopyCli

DAY = 86_400.0
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
FAST = {"GET": 10_000, "POST": 10_000}
SIZE = 8 * 1024  # a real MP4 (the emulator pads its fixture)


def found(
    recording_id: str, age_days: float, status: str = "completed", room: bool = False
) -> FoundRecording:
    return FoundRecording(
        recording_id,
        status,
        "room" if room else "live event",
        f"p-{recording_id}",
        stopped_at=NOW - timedelta(days=age_days),
        byte_size=SIZE,
    )


def entry(recording_id: str, state: str, age_days: float, **changes: Any) -> LedgerEntry:
    values: dict[str, Any] = {
        "recording_id": recording_id,
        "app_id": "APP",
        "state": state,
        "where": f"live event p-{recording_id}",
        "run_id": "run-1",
        "updated_at": NOW.isoformat(),
        "requested_at": NOW.isoformat(),
        "deadline": (NOW - timedelta(days=age_days) + timedelta(days=14)).isoformat(),
        **changes,
    }
    return LedgerEntry(**values)


# -- pure: every state, sorted by time left --------------------------------------------------------
def test_each_state_is_judged_as_the_sync_would_and_sorted_by_time_left():
    listed = [
        found("safe", 1),
        found("req", 5),
        found("fail", 4, room=True),
        found("near", 12.5),
        found("todo", 2),
        found("uploading", 0.2, status="uploading"),
        found("sb-failed", 3, status="failed"),
        found("running", 0, status="recording"),
    ]
    running = found("running", 0, status="recording")
    listed[-1] = FoundRecording(running.recording_id, "recording", running.parent_kind, running.parent_id)
    entries = [
        entry("safe", COPIED, 1, object={"key": "safe.mp4", "size": SIZE}),
        entry("req", REQUESTED, 5),
        entry("fail", FAILED, 4, last_error="S3 said no", where="room p-fail"),
        entry("gone", REQUESTED, 15),  # expired at Sendbird: only the ledger knows it
    ]
    rows = build_rows(entries, listed, NOW, warn_days=3)
    states = {r.recording_id: r.state for r in rows}
    assert states == {
        "safe": SAFE,
        "req": REQUESTED_STATE,
        "fail": FAILED_STATE,
        "near": AT_RISK,
        "todo": TO_COPY,
        "uploading": NOT_READY,
        "sb-failed": UNAVAILABLE,
        "running": NOT_READY,
        "gone": LOST,
    }
    order = [r.recording_id for r in rows]
    assert order == ["gone", "near", "req", "fail", "sb-failed", "todo", "safe", "uploading", "running"]
    (safe,) = [r for r in rows if r.recording_id == "safe"]
    assert (safe.key, safe.size) == ("safe.mp4", SIZE)
    (gone,) = [r for r in rows if r.recording_id == "gone"]
    assert gone.where == "live event p-gone" and gone.stopped_at == NOW - timedelta(days=15)


def test_offline_rows_come_from_the_ledger_alone():
    copied = entry("a", COPIED, 2, object={"key": "a.mp4", "size": SIZE})
    rows = build_rows([copied, entry("b", FAILED, 1, where="room r-1")], None, NOW, 3)
    assert [(r.recording_id, r.state, r.parent_kind, r.parent_id) for r in rows] == [
        ("a", SAFE, "live event", "p-a"),  # stopped 2 days ago: the nearer deadline
        ("b", FAILED_STATE, "room", "r-1"),
    ]


@pytest.mark.parametrize(
    ("record", "listed_size"),
    [
        (None, SIZE),  # a copied entry that names no object (forged, or written by hand)
        ({"key": "other-recording.mp4", "size": SIZE}, SIZE),  # another recording's object
        ({"key": "a.mp4", "size": 7}, SIZE),  # not Sendbird's size
        ({"key": "a.mp4"}, SIZE),  # no size at all
    ],
)
def test_a_copied_entry_whose_record_does_not_check_out_is_not_safe(record, listed_size):
    """Status and sync share one judge: a ``copied`` entry counts as safe only when its record names
    this recording's object, of Sendbird's size; otherwise the sync looks for the object again, so
    status says ``requested`` (before: ``safe``, which the sync then believed without a look)."""
    listed = [replace(found("a", 2), byte_size=listed_size)]
    (row,) = build_rows([entry("a", COPIED, 2, object=record)], listed, NOW, 3)
    assert row.state == REQUESTED_STATE and "the next sync checks its object" in (row.detail or "")
    (offline,) = build_rows([entry("a", COPIED, 2, object=record)], None, NOW, 3)
    # Offline, without Sendbird's size, only the key can be checked.
    assert offline.state == (SAFE if record and record.get("key") == "a.mp4" else REQUESTED_STATE)


@pytest.mark.parametrize(
    ("left", "shown"),
    [
        (timedelta(days=13, hours=4, minutes=5), "13d 4h"),
        (timedelta(hours=5, minutes=12, seconds=59), "5h 12m"),
        (-timedelta(days=2, hours=3), "-2d 3h"),
        (None, "-"),
    ],
)
def test_time_left_is_short_and_signed(left, shown):
    assert time_left(left) == shown


def test_the_human_table_has_a_header_and_one_line_per_recording_in_order():
    report = StatusReport("APP", "bucket", NOW, offline=False)
    # The copy's record agrees with Sendbird's size (3 MiB): believed, so safe (outcomes.unbelieved).
    listed = [replace(found("safe", 1), byte_size=3 << 20), found("near", 12)]
    report.rows = build_rows([entry("safe", COPIED, 1, object={"key": "k/safe.mp4", "size": 3 << 20})],
                             listed, NOW, 3)  # fmt: skip
    lines = render_status_human([report]).splitlines()
    assert lines[0] == "application APP (bucket bucket, ledger and Sendbird's listing): 1 at risk, 1 safe"
    assert lines[1].split() == ["live", "event", "/", "room", "recording", "stopped", "at", "(UTC)", "state",
                                "time", "left", "key", "size"]  # fmt: skip
    assert "at risk" in lines[2] and "p-near" in lines[2] and "2d 0h" in lines[2]
    assert "safe" in lines[3] and "k/safe.mp4" in lines[3] and "3.0 MiB" in lines[3] and "13d 0h" in lines[3]
    assert lines[-1] == "verdict: FAIL (1 of 1 application(s) need attention)"


# -- the CLI against moto and the emulator ---------------------------------------------------------
@dataclass
class StatusBed:
    cli: CopyCli
    moto: MotoServer
    emulator: SendbirdEmulator
    dest: Destination
    outputs: Path

    def add(self, recording_id: str, age_days: float, status: str = "completed", kind: str = "live") -> None:
        self.emulator.add_recording(
            self.dest.app_id, recording_id, status=status, byte_size=SIZE, kind=kind,
            parent_id=f"p-{recording_id}", stopped_at=self.emulator.clock() - age_days * DAY,
        )  # fmt: skip

    def ledger(self) -> Ledger:
        return Ledger(self.moto.client("s3", self.dest.region), self.dest.bucket, self.dest.app_id)

    def write(self, recording_id: str, state: str, age_days: float, **changes: Any) -> None:
        now = datetime.fromtimestamp(self.emulator.clock(), UTC)
        deadline = now - timedelta(days=age_days) + timedelta(days=14)
        self.ledger().write(
            LedgerEntry(recording_id, self.dest.app_id, state, f"live event p-{recording_id}", "hand",
                        now.isoformat(), now.isoformat(), deadline.isoformat(), 1, **changes)
        )  # fmt: skip

    def status(self, *extra: str, token: str | None = API_TOKEN) -> Any:
        return self.cli.invoke(
            "status", self.outputs, "--api-base-url", self.emulator.base_url, *extra, token=token
        )

    def ledger_objects(self) -> list[tuple[str, str]]:
        """Every object under the ledger prefix, with its ETag (a write changes it)."""
        ledger = self.ledger()
        listing = ledger.s3.list_objects_v2(Bucket=ledger.bucket, Prefix=ledger.prefix).get("Contents", [])
        return sorted((item["Key"], item["ETag"]) for item in listing)

    def posts(self) -> int:
        return sum(method == "POST" for method, _path, _status in self.emulator.requests_log)


@pytest.fixture
def status_bed(
    copy_cli: CopyCli, moto: MotoServer, make_emulator: Callable[..., SendbirdEmulator]
) -> StatusBed:
    emulator = make_emulator(rate_limits=FAST)
    dest = copy_cli.destination(region="ap-northeast-1", versioning=True)
    emulator.add_application(dest.app_id, API_TOKEN, "ap-1")
    return StatusBed(copy_cli, moto, emulator, dest, copy_cli.outputs(dest))


def _synced(bed: StatusBed) -> None:
    """Two recordings copied by a real sync; then the states a sync has not resolved yet."""
    bed.add("safe-1", 1)
    bed.add("safe-old", 11, kind="room")
    synced = bed.cli.invoke(
        "sync", bed.outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30"
    )
    assert synced.exit_code == 0, synced.text
    bed.add("todo", 2)
    bed.add("near", 12.5)
    bed.add("uploading", 0.1, status="uploading")
    bed.add("sb-failed", 3, status="failed")
    bed.add("req", 5)
    bed.write("req", REQUESTED, 5)
    bed.add("fail", 4)
    bed.write("fail", FAILED, 4, last_error="PutObject: AccessDenied")
    bed.write("gone", REQUESTED, 15)  # Sendbird has deleted it: no longer listed


def test_status_shows_every_state_by_deadline_in_json_on_stdout_only_and_never_posts(status_bed: StatusBed):
    _synced(status_bed)
    posts_before, ledger_before = status_bed.posts(), status_bed.ledger_objects()
    done = status_bed.status("--json")
    assert done.exit_code == 1, done.text  # at risk, failed and lost need attention
    assert status_bed.posts() == posts_before, "status sent a POST"
    assert status_bed.ledger_objects() == ledger_before, "status wrote to the ledger"
    (app,) = done.json()["applications"]  # stdout is one JSON document...
    assert "{" not in done.stderr  # ...and nothing of it on stderr
    rows = app["recordings"]
    states = {r["recording_id"]: r["state"] for r in rows}
    assert states == {
        "gone": LOST, "near": AT_RISK, "req": REQUESTED_STATE, "fail": FAILED_STATE, "safe-old": SAFE,
        "sb-failed": UNAVAILABLE, "todo": TO_COPY, "safe-1": SAFE, "uploading": NOT_READY,
    }  # fmt: skip
    lefts = [r["seconds_left"] for r in rows]
    assert lefts == sorted(lefts), "not sorted by time left"
    safe = next(r for r in rows if r["recording_id"] == "safe-1")
    assert "safe-1" in safe["key"] and safe["size"] == SIZE and safe["where"] == "live event p-safe-1"
    assert next(r for r in rows if r["recording_id"] == "safe-old")["where"] == "room p-safe-old"
    assert app["counts"][LOST] == 1 and app["passed"] is False and app["problems"] == []


def test_the_human_table_and_one_live_event(status_bed: StatusBed):
    _synced(status_bed)
    done = status_bed.status()
    assert done.exit_code == 1
    lines = done.stdout.splitlines()
    assert lines[1].lstrip().startswith("live event / room")
    parents = [next(word for word in line.split() if word.startswith("p-")) for line in lines[2:6]]
    assert parents == ["p-gone", "p-near", "p-safe-old", "p-req"]
    one = status_bed.status("--live-event", "p-safe-1", "--json")
    assert one.exit_code == 0, one.text
    (app,) = one.json()["applications"]
    assert [r["recording_id"] for r in app["recordings"]] == ["safe-1"]
    room = status_bed.status("--room", "p-safe-old")
    assert room.exit_code == 0 and "room p-safe-old" in room.stdout and "safe" in room.stdout


def test_an_unknown_live_event_is_bad_input(status_bed: StatusBed):
    _synced(status_bed)
    done = status_bed.status("--live-event", "no-such-event")
    assert done.exit_code == 2
    assert done.stderr.strip() == (
        f"error: --live-event no-such-event: no recording of live event no-such-event in the ledger or "
        f"Sendbird's listing of application(s) {status_bed.dest.app_id}. Allowed: the id of a live event "
        "with a recording"
    )
    both = status_bed.status("--live-event", "a", "--room", "b", "--json")
    assert both.exit_code == 2 and both.json()["error"]["exit_code"] == 2
    assert "--live-event and --room were both given" in both.stderr


def test_a_ledger_entry_of_the_wrong_shape_is_named_and_fails(status_bed: StatusBed):
    _synced(status_bed)
    ledger = status_bed.ledger()
    ledger.s3.put_object(Bucket=ledger.bucket, Key=ledger.key("todo"), Body=b'{"recording_id": 7}')
    # Objects in deeper folders are another engineer's state, not entries: ignored.
    ledger.s3.put_object(Bucket=ledger.bucket, Key=f"{ledger.prefix}_run/state.json", Body=b"[]")
    done = status_bed.status()
    assert done.exit_code == 1
    assert (
        f"problem: ledger object s3://{ledger.bucket}/{ledger.key('todo')} is not a ledger entry"
        in done.stdout
    )
    assert "_run/state.json" not in done.stdout


def test_no_ledger_at_all_says_so_and_offline_needs_no_token(status_bed: StatusBed):
    status_bed.add("todo", 2)
    done = status_bed.status()
    assert done.exit_code == 1
    ledger = status_bed.ledger()
    assert f"problem: no ledger at s3://{ledger.bucket}/{ledger.prefix}: no sync has run" in done.stdout
    assert "to copy" in done.stdout  # the listing still shows what there is
    gets = len(status_bed.emulator.requests_log)
    offline = status_bed.status("--offline", "--json", token=None)
    assert offline.exit_code == 1 and len(status_bed.emulator.requests_log) == gets  # no Sendbird call
    (app,) = offline.json()["applications"]
    assert app["offline"] and app["recordings"] == [] and "no ledger" in app["problems"][0]


def test_offline_reads_the_ledger_only(status_bed: StatusBed):
    _synced(status_bed)
    gets = len(status_bed.emulator.requests_log)
    done = status_bed.status("--offline", "--json", token=None)
    assert len(status_bed.emulator.requests_log) == gets
    (app,) = done.json()["applications"]
    states = {r["recording_id"]: r["state"] for r in app["recordings"]}
    assert states == {
        "gone": LOST,
        "req": REQUESTED_STATE,
        "fail": FAILED_STATE,
        "safe-1": SAFE,
        "safe-old": SAFE,
    }


def test_html_is_written_whole_and_a_bad_path_is_bad_input(status_bed: StatusBed, tmp_path: Path):
    _synced(status_bed)
    page = tmp_path / "status.html"
    done = status_bed.status("--html", str(page))
    assert done.exit_code == 1 and f"wrote {page}" in done.stderr
    text = page.read_text()
    assert (
        text.count('<tr class="recording ') == 9
        and "<script" not in text
        and "http" not in text.split("<body>")[1].replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert list(tmp_path.glob(".status.html.*")) == []
    missing = status_bed.status("--html", str(tmp_path / "nope" / "s.html"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    json.loads(status_bed.status("--html", str(tmp_path), "--json").stdout)  # an error document
