"""The ways a new user's trial lost a recording (issue 19), replayed as they found them: through the
``sendbird-copy sync`` CLI against moto (IAM auth on) and the Sendbird emulator at its real limits."""

from __future__ import annotations

import time
from collections import Counter

from localdev.sendbird_emulator import SendbirdEmulator
from tests.sendbird_copy.cli_support import CliRun, CopyCli
from tests.sendbird_copy.sync_bed import SyncBed, at_once


def sync(copy_cli: CopyCli, bed: SyncBed, *extra: str) -> CliRun:
    outputs = copy_cli.outputs(bed.dest)
    return copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", *extra)


def recordings(done: CliRun) -> dict[str, dict]:
    (app,) = done.json()["applications"]
    return {r["recording_id"]: r for r in app["recordings"]}


def test_a_recording_whose_id_begins_another_ones_is_never_taken_for_it(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    """rec-X-01's copy is accepted but never lands; rec-X-01-second.mp4 (which holds its id) must
    not stand for it, then or on any later run; once its own copy lands, that is its object."""
    bed.add("rec-X-01")
    bed.add("rec-X-01-second")
    bed.emulator.drop_copies_of("rec-X-01", 1)
    first = recordings(sync(copy_cli, bed, "--verify-timeout", "2"))
    assert first["rec-X-01-second"]["outcome"] == "copied"
    assert first["rec-X-01-second"]["object"]["key"] == "rec-X-01-second.mp4"
    assert first["rec-X-01"]["outcome"] == "in progress", first["rec-X-01"]
    time.sleep(2.1)  # older than a verify timeout: stale, so the next run asks again; this copy lands
    second = recordings(sync(copy_cli, bed, "--verify-timeout", "2"))
    assert second["rec-X-01"]["outcome"] == "copied", second["rec-X-01"]
    assert second["rec-X-01"]["object"]["key"] == "rec-X-01.mp4"
    assert Counter(bed.emulator.copy_posts(bed.dest.app_id)) == {"rec-X-01": 2, "rec-X-01-second": 1}


def test_a_copy_that_lands_nowhere_is_never_marked_copied_and_ends_failed(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("decoy-rec-7")  # another object holding "rec-7" in its key lands in the bucket
    bed.add("rec-7")
    bed.emulator.drop_copies_of("rec-7")
    outcomes = []
    for _ in range(4):
        done = sync(copy_cli, bed, "--verify-timeout", "1")
        outcomes.append(recordings(done)["rec-7"])
        time.sleep(1.1)
    assert all(o["outcome"] != "copied" and o["object"] is None for o in outcomes), outcomes
    assert outcomes[-1]["outcome"] == "failed" and "no object after 3 copy requests" in outcomes[-1]["reason"]
    assert done.exit_code == 1
    assert bed.emulator.copy_posts(bed.dest.app_id)["rec-7"] == 3  # given up: no fourth request


def test_transient_refusals_never_give_a_recording_up(copy_cli: CopyCli, bed: SyncBed) -> None:
    """Three runs whose copy POSTs all get 429 (past the client's retries), then a healthy run: the
    recording is copied; a refusal that says nothing about the copy is no attempt."""
    bed.add("rec-1")
    for _ in range(3):
        bed.emulator.rate_limit_next(100, retry_after=0, method="POST")
        done = sync(copy_cli, bed, "--verify-timeout", "1")
        result = recordings(done)["rec-1"]
        assert result["outcome"] == "failed" and "429" in result["reason"], result
    bed.emulator.rate_limit_next(0)
    healthy = recordings(sync(copy_cli, bed, "--verify-timeout", "30"))["rec-1"]
    assert healthy["outcome"] == "copied", healthy
    assert bed.ledger().read("rec-1").entry.attempts == 1  # type: ignore[union-attr]


def test_three_syncs_at_once_keep_to_the_rate_limit_and_copy_everything_once(
    copy_cli: CopyCli, bed_factory: object
) -> None:
    bed: SyncBed = bed_factory(rate_limits=None)  # type: ignore[operator]  # Sendbird's real limits
    emulator: SendbirdEmulator = bed.emulator
    for n in range(30):
        bed.add(f"rec-{n:02d}")
    outputs = copy_cli.outputs(bed.dest)
    runs = at_once(
        3, lambda: copy_cli.run_module("sync", outputs, "--api-base-url", emulator.base_url, "--json")
    )
    assert all(run.exit_code == 0 for run in runs), [r.text[-500:] for r in runs]
    assert Counter(emulator.copy_posts(bed.dest.app_id)) == {f"rec-{n:02d}": 1 for n in range(30)}
    refused = [e for e in emulator.request_events if e.status == 429]
    assert refused == [], f"{len(refused)} answers of 429"
    skipped = [run.json()["applications"][0]["skipped"] for run in runs]
    assert sum(s is not None for s in skipped) >= 1  # at least one run found the lease held and left
