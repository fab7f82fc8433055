"""``sync --dry-run`` says what a backfill would cost, per application and in total (CLI, emulator, moto)."""

from __future__ import annotations

import math

from sendbird_copy import rules
from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync_bed import DAY, SyncBed

GIB, MIB = 1024**3, 1024**2


def _seed(bed: SyncBed) -> None:
    stopped = bed.emulator.clock() - DAY
    for rid, size in (("big", 6 * GIB), ("small", 1024), ("twelve", 12 * MIB)):
        bed.emulator.add_recording(bed.dest.app_id, rid, byte_size=size, stopped_at=stopped)
    bed.emulator.add_recording(bed.dest.app_id, "room-rec", kind="room", stopped_at=stopped)  # no byte_size


def test_a_dry_run_estimates_bytes_requests_time_and_storage(copy_cli: CopyCli, bed: SyncBed) -> None:
    _seed(bed)
    s3 = bed.moto.client("s3", bed.app.region)
    s3.put_bucket_lifecycle_configuration(
        Bucket=bed.app.bucket_name,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "recordings-retention",
                    "Status": "Enabled",
                    "Filter": {},
                    "Transitions": [{"Days": 30, "StorageClass": "GLACIER_IR"}],
                }
            ]
        },
    )
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--dry-run", "--json")
    assert done.exit_code == 0, done.text
    assert bed.copy_posts() == {}
    document = done.json()
    (app,) = document["applications"]
    estimate = app["estimate"]
    size = 6 * GIB + 1024 + 12 * MIB
    parts = math.ceil(6 * GIB / (5 * MIB)) + 1 + 3  # 5 MB parts; a small file is one part
    assert estimate["recordings"] == 4 and estimate["without_byte_size"] == 1
    assert estimate["bytes"] == size and estimate["upload_part_requests"] == parts == 1233
    assert estimate["s3_requests"] == parts + 2 * 3  # create and complete around each copy's parts
    assert estimate["copy_post_seconds"] == 1  # 4 copies at 5 a second
    standard, glacier = estimate["storage"]
    assert standard == {
        "storage_class": "STANDARD",
        "from_day": 0,
        "usd_per_month": round(size / GIB * 0.023, 2),
    }
    assert glacier["storage_class"] == "GLACIER_IR" and glacier["from_day"] == 30
    assert glacier["usd_per_month"] == round(size / GIB * rules.S3_STORAGE_USD_PER_GB_MONTH["GLACIER_IR"], 2)
    assert estimate["prices"] == {
        "as_of": "2024-11",
        "region": "us-east-1",
        "source": "https://aws.amazon.com/s3/pricing/",
    }
    assert document["estimate"]["recordings"] == 4 and document["estimate"]["bytes"] == size

    text = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--dry-run")
    assert (
        f"{bed.app.app_id}: estimate: 4 recordings, {size} bytes (6.01 GiB) (1 without a byte size"
        in text.stdout
    )
    assert "1233 upload requests of 5 MB by Sendbird" in text.stdout and "1 s at 5 copies/s" in text.stdout
    assert "/month in GLACIER_IR from day 30" in text.stdout
    assert "total estimate: 4 recordings" in text.stdout and "aws.amazon.com/s3/pricing" in text.stdout


def test_without_a_lifecycle_storage_is_priced_where_copies_land(copy_cli: CopyCli, bed: SyncBed) -> None:
    _seed(bed)
    done = copy_cli.invoke(
        "sync", copy_cli.outputs(bed.dest), "--api-base-url", bed.emulator.base_url, "--dry-run", "--json"
    )
    (app,) = done.json()["applications"]
    assert [s["storage_class"] for s in app["estimate"]["storage"]] == ["STANDARD"]


def test_a_real_run_has_no_estimate(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    done = copy_cli.invoke(
        "sync",
        copy_cli.outputs(bed.dest),
        "--api-base-url",
        bed.emulator.base_url,
        "--json",
        "--verify-timeout",
        "30",
    )
    assert done.exit_code == 0 and "estimate" not in done.json()
    assert "estimate" not in done.json()["applications"][0]
