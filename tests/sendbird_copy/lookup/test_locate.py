"""``locate_in_any``: the application whose bucket holds a recording, for ``link`` and ``hold``. A
bucket that cannot be read never hides the recording in another, and never reads as "not copied"."""

from __future__ import annotations

import pytest

from sendbird_copy.aws import mapped
from sendbird_copy.lookup.link import AppBucket, NotInBucket, locate_in_any
from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync_bed import SyncBed


def _buckets(bed: SyncBed) -> list[AppBucket]:
    s3 = mapped(bed.moto.client("s3", bed.app.region))
    unreadable = AppBucket(s3, "no-such-bucket-of-app-a", "app-a")  # listed first: looked in first
    return [unreadable, AppBucket(s3, bed.app.bucket_name, bed.app.app_id)]


def test_an_unreadable_bucket_does_not_hide_the_recording_in_the_next(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30")
    assert done.exit_code == 0, done.text

    app, place = locate_in_any(_buckets(bed), "rec-1")
    assert (app.app_id, place.bucket, place.key, place.source) == (
        bed.app.app_id,
        bed.app.bucket_name,
        "rec-1.mp4",
        "manifest",
    )


def test_not_found_with_an_unreadable_bucket_says_it_may_be_there(bed: SyncBed) -> None:
    with pytest.raises(NotInBucket) as refused:
        locate_in_any(_buckets(bed), "rec-404")
    message = str(refused.value)
    assert "no manifest or copied ledger entry names recording rec-404" in message
    assert f"(applications: app-a, {bed.app.app_id})" in message
    assert "could not be looked in, so it may be there: app-a: " in message
    assert f"{bed.app.app_id}:" not in message.split("so it may be there")[1]  # its bucket was read
