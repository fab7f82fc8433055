"""``sync`` against real servers: moto (IAM auth on) and the Sendbird emulator, which copies in parts
with the copy identity's keys and counts every request.

Most tests run the sync core in-process with the emulator's limits (and the client's pacing) raised,
so 100+ recordings take seconds; the rate test and the CLI tests keep Sendbird's real limits.
moto's conditional writes check and write in two steps (S3's are atomic), so the concurrency test
relies on the sync shuffling its order, as it does for real.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from localdev.moto_server import MotoServer
from sendbird_copy.api import SendbirdClient
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.sync.bucket.ledger import COPIED
from sendbird_copy.sync.run import (
    ALREADY_SAFE,
    COPIED_NOW,
    FAILED_OUTCOME,
    IN_PROGRESS,
    LOST,
    NOT_READY,
    PENDING,
    UNAVAILABLE,
)
from tests.sendbird_copy.cli_support import API_TOKEN, CliRun, CopyCli
from tests.sendbird_copy.sync_bed import DAY, SIZE, SyncBed, at_once, outcomes


def test_every_completed_recording_is_copied_exactly_once_and_a_second_run_copies_nothing(
    bed: SyncBed,
) -> None:
    for n in range(120):  # several pages of live events and rooms
        bed.add(f"rec-{n:03d}", kind="live" if n % 3 else "room", parent_id=f"parent-{n // 2}")
    bed.add("still-recording", status="recording", age_days=0)
    bed.add("uploading", status="uploading")
    bed.add("sendbird-failed", status="failed")

    first = bed.sync()
    assert first.passed, first.to_dict()
    results = outcomes(first)
    assert Counter(results.values())[COPIED_NOW] == 120
    assert results["still-recording"] == NOT_READY and results["uploading"] == NOT_READY
    assert results["sendbird-failed"] == UNAVAILABLE
    assert bed.copy_posts() == dict.fromkeys((f"rec-{n:03d}" for n in range(120)), 1)
    copied = next(r for r in first.results if r.recording.recording_id == "rec-007")
    assert copied.object is not None and copied.object["size"] == SIZE and "rec-007" in copied.object["key"]
    stored = bed.ledger().read("rec-007")
    assert stored is not None and stored.entry is not None and stored.entry.state == COPIED

    second = bed.sync()
    assert Counter(outcomes(second).values())[ALREADY_SAFE] == 120
    assert sum(bed.copy_posts().values()) == 120  # zero new copy POSTs


def test_two_syncs_at_the_same_moment_copy_each_recording_once(bed: SyncBed) -> None:
    for n in range(60):
        bed.add(f"rec-{n:02d}")
    reports = at_once(2, lambda: bed.sync())
    assert set(bed.copy_posts().values()) == {1} and len(bed.copy_posts()) == 60
    for report in reports:  # each run either copied it, verified the other's copy, or saw it in progress
        assert set(outcomes(report).values()) <= {COPIED_NOW, ALREADY_SAFE, IN_PROGRESS}, report.to_dict()
    copied = {r.recording.recording_id for rep in reports for r in rep.results if r.outcome == COPIED_NOW}
    assert len(copied) == 60
    assert bed.sync().counts()[ALREADY_SAFE] == 60


def test_an_interrupted_sync_is_finished_by_the_next_run_without_a_second_copy(bed: SyncBed) -> None:
    for n in range(30):
        bed.add(f"rec-{n:02d}")
    first = bed.sync(max_copies=12)
    assert first.counts()[COPIED_NOW] == 12 and first.counts()[PENDING] == 18
    assert first.passed  # pending is not a failure while nothing is at risk
    stopped = threading.Event()
    stopped.set()  # a Ctrl-C (or the function's budget) before discovery: it stops, nothing is claimed
    interrupted = bed.sync(services=bed.services(stop=stopped))
    assert interrupted.discovery is not None and not interrupted.discovery.complete
    assert interrupted.counts()[COPIED_NOW] == 0
    assert sum(bed.copy_posts().values()) == 12
    last = bed.sync()
    assert last.counts()[COPIED_NOW] == 18 and last.counts()[ALREADY_SAFE] == 12
    assert bed.copy_posts() == {f"rec-{n:02d}": 1 for n in range(30)}


def test_at_risk_lost_and_expired_recordings_are_named(bed: SyncBed) -> None:
    bed.add("fresh")
    bed.add("near-deadline", age_days=12.5)
    bed.add("uploading-near-deadline", status="uploading", age_days=12.0)
    report = bed.sync(dry_run=True)
    assert not report.passed
    at_risk = {r.recording.recording_id for r in report.results if r.at_risk}
    assert at_risk == {"near-deadline", "uploading-near-deadline"}
    assert bed.copy_posts() == {}  # a dry run requests nothing...
    assert bed.ledger().read("fresh") is None  # ...and writes nothing

    # Time passes: 15 days after they stopped, Sendbird deletes them and its copy answers 400200.
    start = bed.emulator.clock()
    bed.emulator.clock = lambda: start + 2.0 * DAY
    report = bed.sync(warn_days=3)
    results = {r.recording.recording_id: r for r in report.results}
    assert "near-deadline" not in results  # expired: no longer listed, so nothing to copy or judge
    assert results["fresh"].outcome == COPIED_NOW


def test_a_400200_past_the_deadline_ends_as_lost(bed: SyncBed) -> None:
    from datetime import UTC, datetime

    bed.add("old", age_days=13.99)
    listed_at = bed.emulator.clock()
    later = listed_at + 0.5 * DAY  # two weeks after it stopped: Sendbird has deleted it

    def deleted_before_the_copy(app: AppOutputs) -> SendbirdClient:
        """Listed while it still existed; by the time of the copy, Sendbird had deleted it."""
        client = SendbirdClient(app.app_id, API_TOKEN, base_url=bed.emulator.base_url, backoff_factor=0.01)
        real_copy = client.copy_recording

        def copy(*args: Any, **kwargs: Any) -> Any:
            bed.emulator.clock = lambda: later
            return real_copy(*args, **kwargs)

        client.copy_recording = copy  # type: ignore[method-assign]
        return client

    services = bed.services(now=lambda: datetime.fromtimestamp(later, tz=UTC))
    services.make_client = deleted_before_the_copy
    report = bed.sync(services=services)
    (result,) = report.results
    assert result.outcome == LOST and "400200" in (result.reason or ""), result
    assert not report.passed
    assert bed.copy_posts() == {}


def test_faults_end_in_the_state_they_should(bed_factory: Callable[..., SyncBed], moto: MotoServer) -> None:
    bed = bed_factory()
    for n in range(8):
        bed.add(f"rec-{n}")
    bed.emulator.rate_limit_next(3, retry_after=1, method="GET")
    bed.emulator.rate_limit_next(3, retry_after=1, method="POST")
    bed.emulator.fail_next(2)
    report = bed.sync()
    assert report.counts()[COPIED_NOW] == 8, report.to_dict()
    assert set(bed.copy_posts().values()) == {1}


def test_a_copy_whose_object_never_lands_is_requested_again_after_the_timeout(bed: SyncBed) -> None:
    bed.add("ghost")
    bed.emulator.drop_next_copies(1)
    first = bed.sync(verify_timeout=1.0)
    assert outcomes(first) == {"ghost": IN_PROGRESS}
    assert first.passed
    time.sleep(1.1)  # the request is now older than the verify timeout
    second = bed.sync(verify_timeout=1.0)
    assert outcomes(second) == {"ghost": COPIED_NOW}
    assert bed.copy_posts() == {"ghost": 2}


def test_an_s3_refusal_fails_with_the_reason_and_is_not_retried_forever(
    bed: SyncBed, moto: MotoServer
) -> None:
    bed.add("rec-1")
    moto.client("iam").delete_user_policy(UserName=bed.dest.user, PolicyName="sendbird-copy")
    for attempt in range(1, 4):
        report = bed.sync()
        (result,) = report.results
        assert result.outcome == FAILED_OUTCOME and "AccessDenied" in (result.reason or ""), result
        assert not report.passed
        assert bed.emulator.copy_posts(accepted_only=False) == {"rec-1": attempt}  # refused with 400100
    last = bed.sync()
    assert "gave up after 3 attempts" in (last.results[0].reason or "")
    assert bed.emulator.copy_posts(accepted_only=False) == {"rec-1": 3}  # no fourth request


def test_copy_posts_never_exceed_five_per_second(bed_factory: Callable[..., SyncBed]) -> None:
    bed = bed_factory(rate_limits=None)  # Sendbird's real limits, enforced by the emulator
    for n in range(25):
        bed.add(f"rec-{n:02d}")
    report = bed.sync(fast=False)
    assert report.counts()[COPIED_NOW] == 25, report.to_dict()
    assert bed.emulator.max_posts_in_any_window(bed.dest.app_id, 1.0) <= 5
    assert 429 not in {status for _, _, status in bed.emulator.requests_log}


def test_the_cli_reports_in_json_and_leaks_no_secret(copy_cli: CopyCli, bed: SyncBed) -> None:
    for n in range(6):
        bed.add(f"rec-{n}")
    bed.add("near", age_days=12.0, status="uploading")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke(
        "sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", "--verify-timeout", "30"
    )
    assert done.exit_code == 1, done.text  # "near" is at risk
    document = done.json()
    (app,) = document["applications"]
    assert app["counts"]["copied"] == 6 and app["counts"]["at risk"] == 1
    near = next(r for r in app["recordings"] if r["recording_id"] == "near")
    assert near["outcome"] == NOT_READY and near["at_risk"] and near["where"].startswith("live event")
    ledger_text = json.dumps([bed.ledger().read(f"rec-{n}").entry.to_json() for n in range(6)])  # type: ignore[union-attr]
    assert bed.dest.secret_access_key not in ledger_text and API_TOKEN not in ledger_text

    again = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url)
    assert "already safe" in again.stdout and "AT RISK near" in again.stdout
    assert "verdict: FAIL" in again.stdout


def test_the_cli_dry_run_and_bad_since(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--dry-run")
    assert done.exit_code == 0 and "would copy" in done.stdout
    assert bed.copy_posts() == {}
    bad = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--since", "last week")
    assert bad.exit_code == 2 and "--since 'last week'" in bad.stderr


def interrupted_mid_sync(
    copy_cli: CopyCli, bed_factory: Callable[..., SyncBed], signal_number: int, *flags: str
) -> tuple[SyncBed, CliRun]:
    """A real ``sendbird-copy sync`` process over 40 recordings at Sendbird's limits (about 8 s),
    sent ``signal_number`` once five copies were requested."""
    bed = bed_factory(rate_limits=None)
    for n in range(40):
        bed.add(f"rec-{n:02d}")
    outputs = copy_cli.outputs(bed.dest)
    process = copy_cli.start_module("sync", outputs, "--api-base-url", bed.emulator.base_url, *flags)
    deadline = time.monotonic() + 60
    while sum(bed.copy_posts().values()) < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    process.send_signal(signal_number)
    return bed, copy_cli.finish(process)


def test_ctrl_c_stops_the_cli_cleanly_and_the_next_run_finishes_the_job(
    copy_cli: CopyCli, bed_factory: Callable[..., SyncBed]
) -> None:
    bed, done = interrupted_mid_sync(copy_cli, bed_factory, signal.SIGINT)
    assert done.exit_code == 130, done.text
    assert "error: interrupted" in done.stderr
    requested = sum(bed.copy_posts().values())
    assert 5 <= requested < 40

    last = bed.sync(fast=False)  # the real limits this emulator enforces: no 429s to retry
    assert last.counts()[COPIED_NOW] + last.counts()[ALREADY_SAFE] == 40, last.to_dict()
    assert bed.copy_posts() == {f"rec-{n:02d}": 1 for n in range(40)}  # none requested twice


def test_sigterm_stops_a_json_sync_like_ctrl_c_and_the_document_has_each_app_as_far_as_it_got(
    copy_cli: CopyCli, bed_factory: Callable[..., SyncBed]
) -> None:
    # a cancelled CI job, a stopped container
    bed, done = interrupted_mid_sync(copy_cli, bed_factory, signal.SIGTERM, "--json")
    assert done.exit_code == 130, done.text
    assert "error: interrupted" in done.stderr
    document = done.json()
    assert document["verdict"] == "error" and document["error"]["message"] == "interrupted"
    (app,) = document["applications"]
    assert app["app_id"] == bed.dest.app_id
    requested = sum(bed.copy_posts().values())
    assert 5 <= requested < 40
    reported = {r["recording_id"] for r in app["recordings"] if r["outcome"] in (COPIED_NOW, IN_PROGRESS)}
    assert reported == set(bed.copy_posts())  # every request made is in the document

    last = bed.sync(fast=False)  # the ledger is consistent: the next run finishes, nothing twice
    assert last.counts()[COPIED_NOW] + last.counts()[ALREADY_SAFE] == 40, last.to_dict()
    assert bed.copy_posts() == {f"rec-{n:02d}": 1 for n in range(40)}


def test_the_core_says_how_many_results_will_follow_once_discovery_knows(bed: SyncBed) -> None:
    """What gives the CLI's live counter its total."""
    for n in range(3):
        bed.add(f"rec-{n}")
    bed.add("busy", status="uploading")  # reported at once, never counted by on_result
    found: list[tuple[str, int]] = []
    results: list[str] = []
    services = bed.services(
        on_found=lambda app_id, count: found.append((app_id, count)),
        on_result=lambda _app_id, result: results.append(result.recording.recording_id),
    )
    bed.sync(services=services)
    assert found == [(bed.dest.app_id, 3)] and len(results) == 3


def test_ctrl_c_in_a_human_sync_prints_the_summary_as_far_as_it_got(
    copy_cli: CopyCli, bed_factory: Callable[..., SyncBed]
) -> None:
    bed, done = interrupted_mid_sync(copy_cli, bed_factory, signal.SIGINT)
    assert done.exit_code == 130, done.text
    assert done.stdout.startswith("application") and bed.dest.app_id in done.stdout
    assert done.stderr.rstrip().endswith("error: interrupted")


def test_a_listing_the_operator_may_not_do_leaves_the_copies_requested_for_the_next_run(bed: SyncBed) -> None:
    from botocore.exceptions import ClientError

    bed.add("rec-1")

    class NoListing:
        """The operator's S3 client, refused ListBucket (a too-narrow CI role, say)."""

        def __init__(self, s3: Any) -> None:
            self._s3 = s3

        def __getattr__(self, name: str) -> Any:
            return getattr(self._s3, name)

        def get_paginator(self, name: str) -> Any:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no list"}}, "ListObjectsV2")

    report = bed.sync(
        services=bed.services(deployer_s3=lambda app: NoListing(bed.moto.client("s3", app.region)))
    )
    (result,) = report.results
    assert result.outcome == IN_PROGRESS and "could not verify: ListObjectsV2: AccessDenied" in (
        result.reason or ""
    )
    assert outcomes(bed.sync()) == {"rec-1": COPIED_NOW}  # the next run finds the object it requested
    assert bed.copy_posts() == {"rec-1": 1}


def test_a_malformed_ledger_entry_is_taken_over_not_a_crash(bed: SyncBed) -> None:
    bed.add("rec-1")
    ledger = bed.ledger()
    bad = '{"recording_id": "rec-1", "app_id": "x", "state": "failed", "where": "w", "run_id": "r",'
    bad += ' "updated_at": "t", "attempts": "2"}'
    ledger.s3.put_object(Bucket=bed.app.bucket_name, Key=ledger.key("rec-1"), Body=bad.encode())
    assert outcomes(bed.sync()) == {"rec-1": COPIED_NOW}
    assert bed.copy_posts() == {"rec-1": 1}


def test_two_runs_that_find_the_same_stale_request_re_request_it_once(bed: SyncBed) -> None:
    bed.add("ghost")
    bed.emulator.drop_next_copies(1)
    assert outcomes(bed.sync(verify_timeout=1.0)) == {"ghost": IN_PROGRESS}
    time.sleep(1.1)  # stale now, and two runs find it at once
    reports = at_once(2, lambda: bed.sync(verify_timeout=1.0))
    assert bed.copy_posts() == {"ghost": 2}  # the dropped one, and exactly one re-request
    # One run re-requested and copied it; the other waited behind the lease or left it to that run.
    assert COPIED_NOW in {outcomes(report).get("ghost") for report in reports}


def test_a_recording_id_the_client_cannot_send_fails_alone(bed: SyncBed) -> None:
    bed.add("good")
    bed.emulator.add_recording(bed.dest.app_id, "bad\nid", status="completed", byte_size=SIZE)
    report = bed.sync()
    results = {r.recording.recording_id: r for r in report.results}
    assert results["good"].outcome == COPIED_NOW
    assert results["bad\nid"].outcome == FAILED_OUTCOME and "control characters" in (
        results["bad\nid"].reason or ""
    )
