"""Nothing lost when the bucket's own state is wrong (issue 23) or the machine's clock is (issue 24):
through the ``sendbird-copy sync`` / ``status`` CLI against moto (IAM auth on) and the emulator. The
tool's objects are written here with the deployer's credentials, as damage or an earlier release
would leave them (who may write them at all is proven elsewhere)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sendbird_copy.aws import unpacked
from sendbird_copy.sync.bucket.ledger import COPIED, LedgerEntry
from sendbird_copy.sync.bucket.state import SyncStateStore
from tests.sendbird_copy.cli_support import API_TOKEN, PROJECT_DIR, CliRun, CopyCli
from tests.sendbird_copy.sync_bed import DAY, SIZE, SyncBed

OLD_RELEASE = "2026-01-01T00:00:00+00:00"


def sync(copy_cli: CopyCli, bed: SyncBed, *extra: str) -> CliRun:
    outputs = copy_cli.outputs(bed.dest)
    return copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", *extra)


def app_of(done: CliRun) -> dict[str, Any]:
    (app,) = done.json()["applications"]
    return app


def recordings(done: CliRun) -> dict[str, dict[str, Any]]:
    return {r["recording_id"]: r for r in app_of(done)["recordings"]}


def s3(bed: SyncBed) -> Any:
    return bed.moto.client("s3", bed.app.region)


def run_key(bed: SyncBed, name: str) -> str:
    return f"{bed.ledger().prefix}_run/{name}"


def put(bed: SyncBed, key: str, body: bytes | str) -> None:
    data = body.encode() if isinstance(body, str) else body
    s3(bed).put_object(Bucket=bed.app.bucket_name, Key=key, Body=data)


def read(bed: SyncBed, key: str) -> bytes:
    """The object as written (the state and the record of checked copies are stored gzipped)."""
    return unpacked(s3(bed).get_object(Bucket=bed.app.bucket_name, Key=key)["Body"].read(), None)


def forget_checked(bed: SyncBed) -> None:
    """As if the copies were checked by an earlier release: no record of checked copies."""
    s3(bed).delete_object(Bucket=bed.app.bucket_name, Key=run_key(bed, "verified.json"))


def old_entry(bed: SyncBed, recording_id: str, **fields: Any) -> str:
    """An entry as an earlier release wrote it: no version field."""
    entry = {
        "recording_id": recording_id, "app_id": bed.app.app_id, "where": f"live event {recording_id}",
        "run_id": "old-release", "updated_at": OLD_RELEASE, "attempts": 1, **fields,
    }  # fmt: skip
    return json.dumps(entry)


# -- item 1: a claim is believed only when checked ---------------------------------------------------
def test_a_copied_entry_whose_object_is_not_in_the_bucket_is_copied(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    forged = LedgerEntry(
        "rec-1", bed.app.app_id, COPIED, "live event rec-1", "forger", OLD_RELEASE,
        object={"key": "rec-1.mp4", "size": SIZE},
    )  # fmt: skip
    bed.ledger().write(forged)
    done = sync(copy_cli, bed)
    assert recordings(done)["rec-1"]["outcome"] == "copied", recordings(done)
    assert bed.copy_posts() == Counter({"rec-1": 1})
    assert done.exit_code == 0


def test_an_earlier_releases_entry_naming_another_recordings_object_is_checked_again(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    """The earlier release's prefix match marked rec-1 copied with rec-10.mp4; rec-1's own copy is
    not in the bucket. After the upgrade rec-1 is copied again, rec-10 stays as it is."""
    bed.add("rec-1")
    bed.add("rec-10")
    assert sync(copy_cli, bed).exit_code == 0
    forget_checked(bed)
    s3(bed).delete_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4")
    put(
        bed,
        bed.ledger().key("rec-1"),
        old_entry(bed, "rec-1", state="copied", object={"key": "rec-10.mp4", "size": SIZE}),
    )
    done = sync(copy_cli, bed)
    found = recordings(done)
    assert found["rec-1"]["outcome"] == "copied" and found["rec-1"]["object"]["key"] == "rec-1.mp4", found
    assert found["rec-10"]["outcome"] == "already safe"
    assert bed.copy_posts() == Counter({"rec-1": 2, "rec-10": 1})
    again = recordings(sync(copy_cli, bed))
    assert {rid: r["outcome"] for rid, r in again.items()} == {
        "rec-1": "already safe",
        "rec-10": "already safe",
    }


def test_a_recording_an_earlier_release_gave_up_after_429s_is_tried_again(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1")
    error = "Sendbird answered HTTP 429 (code 429100 RATE_LIMIT_EXCEEDED): too many requests"
    put(bed, bed.ledger().key("rec-1"), old_entry(bed, "rec-1", state="failed", attempts=3, last_error=error))
    done = sync(copy_cli, bed)
    assert recordings(done)["rec-1"]["outcome"] == "copied", recordings(done)
    assert done.exit_code == 0


# -- item 2: unreadable entries ----------------------------------------------------------------------
BROKEN = {
    "truncated": b'{"recording_id": "rec-1", "state": "cop',
    "binary": bytes(range(256)) * 4,
    "wrong types": json.dumps(
        {"recording_id": 7, "app_id": [], "state": "copied", "where": 1, "run_id": None, "updated_at": 3}
    ).encode(),
    "5 MB of valid JSON": json.dumps({"recording_id": "rec-1", "pad": "x" * (5 * 1024 * 1024)}).encode(),
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_an_unreadable_entry_is_reported_by_key_and_never_causes_a_second_copy(
    copy_cli: CopyCli, bed: SyncBed, kind: str
) -> None:
    bed.add("rec-1")
    assert sync(copy_cli, bed).exit_code == 0
    forget_checked(bed)
    key = bed.ledger().key("rec-1")
    put(bed, key, BROKEN[kind])
    done = sync(copy_cli, bed)
    app = app_of(done)
    assert recordings(done)["rec-1"]["outcome"] == "already safe", app
    assert bed.copy_posts() == Counter({"rec-1": 1})  # its object was in the bucket: no second copy
    assert [d["key"] for d in app["damaged"]] == [key], app["damaged"]
    assert app["counts"]["damaged state"] == 1
    assert done.exit_code == 1  # reported loudly, once
    text = copy_cli.invoke("sync", copy_cli.outputs(bed.dest), "--api-base-url", bed.emulator.base_url)
    assert text.exit_code == 0 and "DAMAGED" not in text.text  # repaired by the run that reported it


# -- item 3: a lost or damaged discovery state -------------------------------------------------------
def long_event(bed: SyncBed) -> None:
    """A live event started 20 days ago and still recording: the first run watches it."""
    now = bed.emulator.clock()
    bed.emulator.add_parent(bed.dest.app_id, "live", "long-event", created_at=now - 20 * DAY)
    bed.emulator.add_recording(
        bed.dest.app_id, "long-rec", status="recording", kind="live", parent_id="long-event",
        byte_size=SIZE, duration_s=19 * DAY,
    )  # fmt: skip


def ends_now(bed: SyncBed) -> None:
    bed.emulator.add_recording(
        bed.dest.app_id, "long-rec", status="completed", kind="live", parent_id="long-event",
        byte_size=SIZE, stopped_at=bed.emulator.clock() - 60, duration_s=19 * DAY,
    )  # fmt: skip


def test_an_emptied_watch_does_not_hide_a_recording(copy_cli: CopyCli, bed: SyncBed) -> None:
    long_event(bed)
    assert sync(copy_cli, bed).exit_code == 0  # watches long-event
    key = run_key(bed, "state.json")
    state = json.loads(read(bed, key))
    assert state["watch"], state
    put(bed, key, json.dumps({**state, "watch": []}))
    ends_now(bed)
    done = sync(copy_cli, bed)
    app = app_of(done)
    assert recordings(done)["long-rec"]["outcome"] == "copied", app
    assert key in app["damaged"][0]["key"] and "digest" in app["damaged"][0]["problem"]
    assert "first run" not in app["discovery"]["reason"]


def test_a_watch_lost_without_a_trace_is_caught_by_the_periodic_full_scan(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    long_event(bed)
    assert sync(copy_cli, bed).exit_code == 0
    store = SyncStateStore(s3(bed), bed.app.bucket_name, bed.ledger().prefix)
    read_back = store.load()
    assert read_back is not None and read_back.watch
    from dataclasses import replace

    five_days_ago = datetime.now(UTC) - timedelta(days=5)
    store.save(
        replace(read_back, watch=(), last_full_scan=five_days_ago), read_back
    )  # well-formed, watch lost
    ends_now(bed)
    done = sync(copy_cli, bed)
    app = app_of(done)
    assert recordings(done)["long-rec"]["outcome"] == "copied", app
    assert app["discovery"]["mode"] == "full scan" and "periodic" in app["discovery"]["reason"]
    assert done.exit_code == 0


@pytest.mark.parametrize(
    ("body", "said"),
    [(b"\x00\x01garbage", "not JSON"), (json.dumps({"version": 99, "watch": []}).encode(), "newer release")],
)
def test_an_unreadable_or_newer_state_is_reported_as_such_and_never_overwritten(
    copy_cli: CopyCli, bed: SyncBed, body: bytes, said: str
) -> None:
    bed.add("rec-1")
    key = run_key(bed, "state.json")
    put(bed, key, body)
    done = sync(copy_cli, bed)
    app = app_of(done)
    assert "first run" not in app["discovery"]["reason"] and said in app["discovery"]["reason"], app[
        "discovery"
    ]
    assert said in app["damaged"][0]["problem"]
    assert recordings(done)["rec-1"]["outcome"] == "copied"
    assert read(bed, key) == body  # never overwritten
    assert done.exit_code == 1


# -- item 4: the lease --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "lease",
    [
        {"run_id": "far-run", "until": "9999-12-31T00:00:00+00:00"},  # an earlier release's form
        {"run_id": "far-run", "ttl_seconds": 10**9, "until": "2057-01-01T00:00:00+00:00"},
        {"run_id": "far-run", "ttl_seconds": 1e12},  # past what a datetime holds: no overflow
        {"run_id": "far-run", "ttl_seconds": float("inf")},  # JSON's Infinity
    ],
)
def test_a_lease_ending_further_than_a_run_can_last_is_not_honoured(
    copy_cli: CopyCli, bed: SyncBed, lease: dict[str, Any]
) -> None:
    bed.add("rec-1")
    put(bed, run_key(bed, "lease.json"), json.dumps(lease))
    status = copy_cli.invoke("status", copy_cli.outputs(bed.dest), "--offline", "--json")
    (shown,) = status.json()["applications"]
    assert shown["lease"]["run_id"] == "far-run" and shown["lease"]["honoured"] is False
    done = sync(copy_cli, bed)
    app = app_of(done)
    assert app["skipped"] is None and recordings(done)["rec-1"]["outcome"] == "copied", app
    assert any("not honoured" in note for note in app["notes"]), app["notes"]


def test_status_shows_who_holds_the_lease_and_until_when(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    put(bed, run_key(bed, "lease.json"), json.dumps({"run_id": "busy-run", "ttl_seconds": 120, "until": "x"}))
    done = copy_cli.invoke("status", copy_cli.outputs(bed.dest), "--offline")
    assert "sync lease: run busy-run until" in done.text and "held" in done.text, done.text
    skipped = app_of(sync(copy_cli, bed))["skipped"]
    assert skipped is not None and "busy-run" in skipped


class FailingLeaseRelease:
    """The deployer's S3 client, except that giving the lease back fails."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def put_object(self, **kwargs: Any) -> Any:
        if kwargs["Key"].endswith("_run/lease.json") and b'"ttl_seconds": 0' in kwargs["Body"]:
            from botocore.exceptions import ClientError

            raise ClientError({"Error": {"Code": "InternalError", "Message": "S3 failed"}}, "PutObject")
        return self.client.put_object(**kwargs)


def test_a_failure_while_giving_the_lease_back_keeps_the_runs_report(bed: SyncBed) -> None:
    bed.add("rec-1")
    services = bed.services(deployer_s3=lambda app: FailingLeaseRelease(bed.moto.client("s3", app.region)))
    report = bed.sync(services=services)
    assert {r.recording.recording_id: r.outcome for r in report.results} == {"rec-1": "copied"}
    assert any("could not give the sync lease back" in note for note in report.notes), report.notes


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_a_failure_giving_one_applications_lease_back_keeps_every_report_through_the_cli(
    copy_cli: CopyCli, bed: SyncBed, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    """Item 9 through the CLI with two applications: S3 fails (InternalError, through the real error
    mapping) only while the first application's run gives its lease back."""
    from sendbird_copy.sync.bucket.lease import Lease

    other, other_token = copy_cli.destination(region=bed.dest.region), "tok-other-5ecr3t-0123456789"
    copy_cli.secrets.append(other_token)
    bed.emulator.add_application(other.app_id, other_token, "ap-1")
    bed.add("rec-1")
    bed.emulator.add_recording(other.app_id, "rec-b", byte_size=SIZE, stopped_at=bed.emulator.clock() - DAY)
    tokens = copy_cli.tmp_path / "tokens.json"
    tokens.write_text(json.dumps({bed.dest.app_id: API_TOKEN, other.app_id: other_token}))
    release = Lease.release

    def failing_for_one(lease: Lease) -> None:
        if lease.bucket == bed.dest.bucket:
            lease.s3 = FailingLeaseRelease(lease.s3)
        release(lease)

    monkeypatch.setattr(Lease, "release", failing_for_one)
    outputs = copy_cli.outputs(bed.dest, other)
    base = ("--api-base-url", bed.emulator.base_url_template, "--api-tokens-file", str(tokens))
    done = copy_cli.invoke("sync", outputs, *base, *(["--json"] if as_json else []), token=None)
    assert done.exit_code == 0, done.text
    if not as_json:
        assert f"{bed.dest.app_id}: note: could not give the sync lease back" in done.text, done.text
        assert "verdict: PASS (2 application(s))" in done.text
        for app_id in (bed.dest.app_id, other.app_id):
            assert re.search(rf"^{app_id} +1 ", done.stdout, re.MULTILINE), done.stdout  # copied: 1
        return
    apps = {app["app_id"]: app for app in done.json()["applications"]}
    assert set(apps) == {bed.dest.app_id, other.app_id}, done.text
    assert apps[bed.dest.app_id]["counts"]["copied"] == 1 and apps[other.app_id]["counts"]["copied"] == 1
    assert any("could not give the sync lease back" in n for n in apps[bed.dest.app_id]["notes"])
    assert not any("lease" in n for n in apps[other.app_id]["notes"])
    assert done.json()["verdict"] == "pass"


# -- clocks (issue 24 items 2 and 3): the CLI as a real process under faketime -------------------------
def faketime_sync(copy_cli: CopyCli, bed: SyncBed, offset: str, *extra: str) -> CliRun:
    if shutil.which("faketime") is None:
        pytest.fail("faketime is not installed (apt-get install -y faketime): the clock cases need it")
    args = copy_cli.args(
        "sync", copy_cli.outputs(bed.dest), "--api-base-url", bed.emulator.base_url, "--json", *extra
    )
    completed = subprocess.run(
        ["faketime", "-f", offset, sys.executable, "-m", "sendbird_copy.cli", *args],
        capture_output=True, text=True, env=copy_cli._module_env(None) | {"SENDBIRD_API_TOKEN": API_TOKEN},
        cwd=PROJECT_DIR, timeout=240, check=False,
    )  # fmt: skip
    done = CliRun(completed.returncode, completed.stdout, completed.stderr)
    copy_cli.assert_clean(done)
    return done


def test_a_run_with_a_clock_a_day_ahead_does_not_lock_other_runs_out(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    ahead = faketime_sync(copy_cli, bed, "+1d")
    assert ahead.exit_code == 0, ahead.text
    assert any("ahead of S3's" in note for note in app_of(ahead)["notes"]), app_of(ahead)["notes"]
    bed.add("rec-2")
    done = sync(copy_cli, bed)
    app = app_of(done)
    assert app["skipped"] is None and recordings(done)["rec-2"]["outcome"] == "copied", app


def test_a_clock_twelve_minutes_ahead_still_finds_the_landed_copy(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    done = faketime_sync(copy_cli, bed, "+12m", "--verify-timeout", "20")
    assert recordings(done)["rec-1"]["outcome"] == "copied", done.text
    assert bed.copy_posts() == Counter({"rec-1": 1})
    assert done.exit_code == 0


# -- item 6: status judges a copy by its object ------------------------------------------------------
def test_status_does_not_call_a_recording_whose_object_was_deleted_safe(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1")
    bed.add("rec-2")
    assert sync(copy_cli, bed).exit_code == 0
    s3(bed).delete_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("status", outputs, "--api-base-url", bed.emulator.base_url, "--json")
    (app,) = done.json()["applications"]
    states = {r["recording_id"]: r for r in app["recordings"]}
    assert states["rec-1"]["state"] != "safe" and "not in the bucket" in states["rec-1"]["detail"], states
    assert states["rec-2"]["state"] == "safe"
    assert "watched parents" in app["view"]
    assert done.exit_code == 1
    # A full scan (every few days, or asked for) holds the checked copies against the bucket.
    again = recordings(sync(copy_cli, bed, "--full-scan"))
    assert again["rec-1"]["outcome"] == "copied" and again["rec-2"]["outcome"] == "already safe", again
    assert bed.copy_posts() == Counter({"rec-1": 2, "rec-2": 1})


def test_status_says_its_view_is_bounded_when_the_last_discovery_is_older_than_two_weeks(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1")
    assert sync(copy_cli, bed).exit_code == 0
    store = SyncStateStore(s3(bed), bed.app.bucket_name, bed.ledger().prefix)
    read_back = store.load()
    assert read_back is not None
    from dataclasses import replace

    store.save(replace(read_back, last_complete=datetime.now(UTC) - timedelta(days=20)), read_back)
    done = copy_cli.invoke(
        "status", copy_cli.outputs(bed.dest), "--api-base-url", bed.emulator.base_url, "--json"
    )
    (app,) = done.json()["applications"]
    assert any("older than the horizon" in p for p in app["problems"]), app["problems"]
    assert done.exit_code == 1
