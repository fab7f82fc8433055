"""A copy that is not a whole MP4 (issue 26): through the ``sendbird-copy sync`` CLI against moto (IAM
auth on) and the Sendbird emulator, told to damage a copy. Reported damaged, never marked copied,
requested again by the next run, which copies it whole; a whole copy carries its file's facts."""

from __future__ import annotations

import pytest

from localdev.sendbird_emulator.media import DAMAGES, FIXTURE_DURATION_S, NO_MOOV, NOT_MP4, TRUNCATED
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED
from tests.sendbird_copy.cli_support import CliRun, CopyCli
from tests.sendbird_copy.sync_bed import SIZE, SyncBed

WHOLE = {"duration_s": FIXTURE_DURATION_S, "width": 1280, "height": 720, "fps": 30.0, "default_format": True}
WHAT_IS_WRONG = {TRUNCATED: "truncated: box 'mdat'", NO_MOOV: "no 'moov' box", NOT_MP4: "not an MP4"}


def sync(copy_cli: CopyCli, bed: SyncBed, *extra: str) -> CliRun:
    outputs = copy_cli.outputs(bed.dest)
    return copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, *extra)


def recordings(done: CliRun) -> dict[str, dict]:
    (app,) = done.json()["applications"]
    return {r["recording_id"]: r for r in app["recordings"]}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_copy_is_reported_never_copied_and_requested_again(
    copy_cli: CopyCli, bed: SyncBed, damage: str
) -> None:
    bed.add("rec-1")
    bed.emulator.damage_next_copies(damage, recording_id="rec-1")
    first = sync(copy_cli, bed, "--verify-timeout", "30")
    assert first.exit_code == 1, first.text
    assert "DAMAGED rec-1" in first.text and WHAT_IS_WRONG[damage] in first.text, first.text
    stored = bed.ledger().read("rec-1").entry  # type: ignore[union-attr]
    assert stored is not None and stored.state == FAILED and stored.state != COPIED
    assert stored.object is not None and WHAT_IS_WRONG[damage] in stored.object["damaged"]
    assert stored.object["size"] == SIZE  # Sendbird's byte size: only the MP4 check sees the damage

    second = sync(copy_cli, bed, "--verify-timeout", "30", "--json")
    result = recordings(second)["rec-1"]
    assert result["outcome"] == "copied", result
    assert result["object"]["media"] == WHOLE
    assert second.exit_code == 0, second.text
    assert bed.copy_posts() == {"rec-1": 2}
    assert bed.ledger().read("rec-1").entry.attempts == 2  # type: ignore[union-attr]


def test_damaged_copies_count_toward_giving_up(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    for damage in DAMAGES:  # three different damaged files, one per copy request
        bed.emulator.damage_next_copies(damage, recording_id="rec-1")
    for damage in DAMAGES:
        result = recordings(sync(copy_cli, bed, "--verify-timeout", "30", "--json"))["rec-1"]
        assert result["outcome"] == "damaged" and WHAT_IS_WRONG[damage] in result["reason"], result
        assert result["object"] is not None and "media" not in result["object"]
    last = sync(copy_cli, bed, "--verify-timeout", "30", "--json")
    result = recordings(last)["rec-1"]
    assert result["outcome"] == "failed" and "gave up after 3 attempts" in result["reason"], result
    assert last.exit_code == 1 and bed.copy_posts() == {"rec-1": 3}


def test_a_whole_copy_carries_its_duration_resolution_and_frame_rate(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    done = sync(copy_cli, bed, "--verify-timeout", "30", "--json")
    (app,) = done.json()["applications"]
    (result,) = app["recordings"]
    assert result["outcome"] == "copied" and result["object"]["media"] == WHOLE, result
    assert app["requests"]["s3 GetObject (range)"] == 1  # the fixture's boxes all in one read
    stored = bed.ledger().read("rec-1").entry  # type: ignore[union-attr]
    assert stored is not None and stored.object is not None and stored.object["media"] == WHOLE
