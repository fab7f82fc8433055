"""Object Lock retention per verified recording version (sync/retention.py), in the step that writes
each copy's manifest and tag: the date from the version's own LastModified, the tool's objects never
retained, a refused retention loud (exit 1) and applied by the next run; against moto (IAM on) and
the Sendbird emulator through the CLI, as an operator runs it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sendbird_copy.errors import InputError
from sendbird_copy.facts import LEDGER_PREFIX, MANIFEST_PREFIX
from sendbird_copy.sync.retention import retain_until
from tests.sendbird_copy.aws_builders import stack_outputs
from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync_bed import SyncBed


# -- the date ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("written", "period", "until"),
    [
        (datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC), "P30D", datetime(2026, 3, 31, 12, 0, 0, tzinfo=UTC)),
        (datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC), "P7Y", datetime(2033, 3, 1, 12, 0, 0, tzinfo=UTC)),
        # 29 February, a leap year's: the next 1 March, never a day short.
        (datetime(2028, 2, 29, 9, 0, 0, tzinfo=UTC), "P1Y", datetime(2029, 3, 1, 9, 0, 0, tzinfo=UTC)),
        (datetime(2028, 2, 29, 9, 0, 0, tzinfo=UTC), "P4Y", datetime(2032, 2, 29, 9, 0, 0, tzinfo=UTC)),
        # Part of a second rounds up; another zone is the same moment.
        (datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC), "P1D", datetime(2026, 1, 2, 0, 0, 1, tzinfo=UTC)),
        (
            datetime(2026, 1, 1, 9, 0, 0, tzinfo=UTC).astimezone(),
            "P1D",
            datetime(2026, 1, 2, 9, 0, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_retain_until_date_counts_from_the_versions_own_time(written, period, until):
    assert retain_until(written, period) == until


@pytest.mark.parametrize("period", ["30", "P0D", "P101Y", "P36501D", "P1M", "p1d", "P1D "])
def test_a_period_the_outputs_cannot_carry_is_refused(period):
    with pytest.raises(InputError, match="Allowed: P<days>D"):
        retain_until(datetime(2026, 1, 1, tzinfo=UTC), period)


# -- against moto, through the CLI -------------------------------------------------------------------
MODE, PERIOD = "COMPLIANCE", "P7Y"


def _lock_bucket(bed: SyncBed) -> None:
    """Object Lock on, no default retention: as the component configures it (moto needs the bucket
    versioned and empty, which the bed's is)."""
    bed.moto.client("s3", bed.app.region).put_object_lock_configuration(
        Bucket=bed.app.bucket_name, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}
    )


def _outputs(copy_cli: CopyCli, bed: SyncBed, mode: str = MODE, period: str = PERIOD) -> Path:
    data = stack_outputs(bed.dest)
    data["applications"][bed.app.app_id].update(object_lock_mode=mode, object_lock_period=period)
    path = copy_cli.tmp_path / "outputs-locked.json"
    path.write_text(json.dumps(data))
    return path


def _sync(copy_cli: CopyCli, bed: SyncBed, outputs: Path) -> Any:
    return copy_cli.invoke(
        "sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", "--verify-timeout", "30"
    )


def _versions(bed: SyncBed, prefix: str = "") -> list[dict[str, Any]]:
    s3 = bed.moto.client("s3", bed.app.region)
    return s3.list_object_versions(Bucket=bed.app.bucket_name, Prefix=prefix).get("Versions", [])


def _lock_of(bed: SyncBed, key: str, version: str) -> tuple[str | None, datetime | None]:
    head = bed.moto.client("s3", bed.app.region).head_object(
        Bucket=bed.app.bucket_name, Key=key, VersionId=version
    )
    return head.get("ObjectLockMode"), head.get("ObjectLockRetainUntilDate")


def _requests(done: Any) -> dict[str, int]:
    (app,) = done.json()["applications"]
    return dict(app["requests"])


def test_each_verified_copy_is_retained_and_the_tools_objects_are_not(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    _lock_bucket(bed)
    for n in (1, 2, 3):
        bed.add(f"rec-{n}")
    outputs = _outputs(copy_cli, bed)
    done = _sync(copy_cli, bed, outputs)
    assert done.exit_code == 0, done.text
    assert bed.copy_posts() == Counter({"rec-1": 1, "rec-2": 1, "rec-3": 1})
    assert _requests(done)["s3 PutObjectRetention"] == 3

    recordings = [v for v in _versions(bed) if not v["Key"].startswith("_")]
    assert sorted(v["Key"] for v in recordings) == ["rec-1.mp4", "rec-2.mp4", "rec-3.mp4"]
    for version in recordings:
        mode, until = _lock_of(bed, version["Key"], version["VersionId"])
        written = version["LastModified"]  # S3's clock, not the machine's
        assert mode == MODE and until == retain_until(written, PERIOD), version["Key"]
    # The ledger, state, lease and manifests change and are deleted: never retained.
    tools = [v for v in _versions(bed) if v["Key"].startswith((LEDGER_PREFIX, MANIFEST_PREFIX))]
    assert tools and all(_lock_of(bed, v["Key"], v["VersionId"]) == (None, None) for v in tools)

    # The deployer cannot delete a retained version (moto refuses it with the lock).
    first = recordings[0]
    s3 = bed.moto.client("s3", bed.app.region)
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bed.app.bucket_name, Key=first["Key"], VersionId=first["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    again = _sync(copy_cli, bed, outputs)  # each copy once: nothing copied or retained again
    assert again.exit_code == 0, again.text
    assert bed.copy_posts() == Counter({"rec-1": 1, "rec-2": 1, "rec-3": 1})
    assert "s3 PutObjectRetention" not in _requests(again)


def test_without_object_lock_nothing_is_retained(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    done = _sync(copy_cli, bed, copy_cli.outputs(bed.dest))
    assert done.exit_code == 0, done.text
    assert "s3 PutObjectRetention" not in _requests(done)
    (version,) = [v for v in _versions(bed) if v["Key"] == "rec-1.mp4"]
    assert _lock_of(bed, "rec-1.mp4", version["VersionId"]) == (None, None)


def test_a_refused_retention_is_loud_and_applied_by_the_next_run(copy_cli: CopyCli, bed: SyncBed) -> None:
    """The operator refused the retention: the copy stays copied (with its manifest and tag), the run
    names what it could not retain and exits 1; the next run retains that very version."""
    _lock_bucket(bed)
    # moto authorises PutObjectRetention as s3:PutObject (its action map): deny that on the recording's
    # key only, which the deployer never writes (the copy is the emulator's, as the copy identity).
    bed.deny_operator("no-retention", ("s3:PutObject", f"arn:aws:s3:::{bed.app.bucket_name}/rec-*"))
    bed.add("rec-1")
    outputs = _outputs(copy_cli, bed, "GOVERNANCE", "P30D")
    refused = _sync(copy_cli, bed, outputs)
    assert refused.exit_code == 1, refused.text
    (app,) = refused.json()["applications"]
    [result] = [r for r in app["recordings"] if r["recording_id"] == "rec-1"]
    assert result["outcome"] == "copied"
    problems = [d["problem"] for d in app["damaged"] if d["key"] == "rec-1.mp4"]
    assert problems and "the GOVERNANCE retention (P30D) of rec-1 could not be applied" in problems[0]
    (version,) = [v for v in _versions(bed) if v["Key"] == "rec-1.mp4"]
    assert _lock_of(bed, "rec-1.mp4", version["VersionId"]) == (None, None)
    # status never vouches for a copy the lock does not hold yet (it can still be deleted).
    pending = copy_cli.invoke("status", outputs, "--offline", "--json")
    assert pending.exit_code == 1, pending.text
    (shown,) = pending.json()["applications"]
    assert any("rec-1" in p and "retention" in p for p in shown["problems"]), shown["problems"]

    bed.lift_denial("no-retention")
    retried = _sync(copy_cli, bed, outputs)
    assert retried.exit_code == 0, retried.text
    mode, until = _lock_of(bed, "rec-1.mp4", version["VersionId"])
    assert mode == "GOVERNANCE" and until == version["LastModified"] + timedelta(days=30)
    (app,) = retried.json()["applications"]
    assert any("its retention, which an earlier run could not write, written now" in n for n in app["notes"])
    assert bed.copy_posts() == Counter({"rec-1": 1})
    assert copy_cli.invoke("status", outputs, "--offline").exit_code == 0


def test_the_verified_version_is_retained_though_a_later_write_took_its_key(
    copy_cli: CopyCli, bed: SyncBed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone with the copy identity's key writes over the recording's key between its verification
    and its retention: the version verification read is the one retained, never the newer object, and
    never left unretained (a noncurrent version the lifecycle would expire)."""
    from sendbird_copy.sync import manifest

    _lock_bucket(bed)
    bed.add("rec-1")
    copy_s3 = bed.moto.client("s3", bed.app.region, bed.dest.copy_credentials)
    record = manifest.ManifestWriter.record

    def overwritten_first(self: Any, report: Any) -> None:
        copy_s3.put_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4", Body=b"not the recording")
        record(self, report)

    monkeypatch.setattr(manifest.ManifestWriter, "record", overwritten_first)
    done = _sync(copy_cli, bed, _outputs(copy_cli, bed))
    assert done.exit_code == 0, done.text
    versions = sorted(_versions(bed, "rec-1.mp4"), key=lambda v: v["LastModified"])
    verified, newer = [v for v in versions if not v["IsLatest"]], [v for v in versions if v["IsLatest"]]
    assert len(verified) == 1 and len(newer) == 1
    mode, until = _lock_of(bed, "rec-1.mp4", verified[0]["VersionId"])
    assert mode == MODE and until == retain_until(verified[0]["LastModified"], PERIOD)
    assert _lock_of(bed, "rec-1.mp4", newer[0]["VersionId"]) == (None, None)
    # The parent's tag too: on the verified version, never on the later write.
    s3 = bed.moto.client("s3", bed.app.region)
    tags = {
        v["VersionId"]: s3.get_object_tagging(
            Bucket=bed.app.bucket_name, Key="rec-1.mp4", VersionId=v["VersionId"]
        )["TagSet"]
        for v in versions
    }
    assert tags[verified[0]["VersionId"]] and not tags[newer[0]["VersionId"]]
