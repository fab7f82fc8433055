"""``sendbird-copy hold RECORDING_ID [--release]``: an Object Lock legal hold with the operator's
credentials, against moto (IAM on) and the Sendbird emulator; its refusals, each with its exit code."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync_bed import SyncBed


def _copied(copy_cli: CopyCli, bed: SyncBed, lock: bool = True) -> Any:
    """rec-1 copied by a sync (its manifest written), in a bucket with Object Lock (``lock``)."""
    if lock:
        bed.moto.client("s3", bed.app.region).put_object_lock_configuration(
            Bucket=bed.app.bucket_name, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"}
        )
    bed.add("rec-1")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30")
    assert done.exit_code == 0, done.text
    return outputs


def _version(bed: SyncBed) -> str:
    s3 = bed.moto.client("s3", bed.app.region)
    (version,) = s3.list_object_versions(Bucket=bed.app.bucket_name, Prefix="rec-1.mp4")["Versions"]
    return str(version["VersionId"])


def _legal_hold(bed: SyncBed, version: str) -> Any:
    head = bed.moto.client("s3", bed.app.region).head_object(
        Bucket=bed.app.bucket_name, Key="rec-1.mp4", VersionId=version
    )
    return head.get("ObjectLockLegalHoldStatus")


def test_hold_keeps_the_version_until_released(copy_cli: CopyCli, bed: SyncBed) -> None:
    outputs = _copied(copy_cli, bed)
    version = _version(bed)
    held = copy_cli.invoke("hold", outputs, "rec-1", "--json")
    assert held.exit_code == 0, held.text
    (app,) = held.json()["applications"]
    assert (app["legal_hold"], app["key"], app["version_id"], app["key_from"]) == (
        "ON",
        "rec-1.mp4",
        version,
        "manifest",
    )
    assert _legal_hold(bed, version) == "ON"
    s3 = bed.moto.client("s3", bed.app.region)
    with pytest.raises(ClientError) as refused:  # the deployer cannot delete the held version
        s3.delete_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4", VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    released = copy_cli.invoke("hold", outputs, "rec-1", "--release")
    assert released.exit_code == 0, released.text
    assert "legal hold OFF on s3://" in released.stdout and f"version {version}" in released.stdout
    assert _legal_hold(bed, version) == "OFF"
    s3.delete_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4", VersionId=version)  # no retention: allowed


def test_hold_refuses_what_it_cannot_do_each_with_its_exit_code(copy_cli: CopyCli, bed: SyncBed) -> None:
    outputs = _copied(copy_cli, bed, lock=False)
    no_lock = copy_cli.invoke("hold", outputs, "rec-1")
    assert no_lock.exit_code == 1, no_lock.text
    assert f"the bucket {bed.app.bucket_name} has no Object Lock" in no_lock.text
    assert "object_lock" in no_lock.text

    missing = copy_cli.invoke("hold", outputs, "rec-404")
    assert (
        missing.exit_code == 1
        and "no manifest or copied ledger entry names recording rec-404" in missing.text
    )

    bad = copy_cli.invoke("hold", outputs, "rec/../1")
    assert bad.exit_code == 2 and "RECORDING_ID" in bad.stderr, bad.text


def test_hold_refused_to_the_operator_says_which_right_is_missing(copy_cli: CopyCli, bed: SyncBed) -> None:
    outputs = _copied(copy_cli, bed)
    # moto authorises PutObjectLegalHold as s3:PutObject (its action map): a Deny of that on the
    # recording's key stands for a missing s3:PutObjectLegalHold.
    bed.deny_operator("no-hold", ("s3:PutObject", f"arn:aws:s3:::{bed.app.bucket_name}/rec-*"))
    refused = copy_cli.invoke("hold", outputs, "rec-1", "--json")
    assert refused.exit_code == 1, refused.text
    error = refused.json()["error"]
    assert error["exit_code"] == 1 and "s3:PutObjectLegalHold" in error["message"]
    assert _legal_hold(bed, _version(bed)) is None


def test_the_copy_identity_cannot_lift_a_hold_or_delete_the_version(copy_cli: CopyCli, bed: SyncBed) -> None:
    """What moto can show of the copy identity's refusal, with IAM on: it may not delete a version, nor
    configure the bucket's Object Lock. moto authorises PutObjectLegalHold and PutObjectRetention as
    s3:PutObject (its action map), which the copy identity has, so moto cannot show those two refused:
    the mocks tests prove them with the policy evaluator
    (tests/components/storage/options/test_object_lock.py: no grant in its identity policy, and an
    explicit Deny in the bucket policy)."""
    outputs = _copied(copy_cli, bed)
    assert copy_cli.invoke("hold", outputs, "rec-1").exit_code == 0
    version = _version(bed)
    copy_s3 = bed.moto.client("s3", bed.app.region, bed.dest.copy_credentials)
    for call in (
        lambda: copy_s3.delete_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4", VersionId=version),
        lambda: copy_s3.put_object_lock_configuration(
            Bucket=bed.app.bucket_name,
            ObjectLockConfiguration={
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}},
            },
        ),
    ):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
    assert _legal_hold(bed, version) == "ON"


def test_hold_goes_on_the_verified_copy_not_a_later_write(copy_cli: CopyCli, bed: SyncBed) -> None:
    """Someone with the copy identity's key wrote over the recording's key after the sync verified it:
    the hold goes on the version the manifest names (its ETag), never silently on the newer object."""
    outputs = _copied(copy_cli, bed)
    verified = _version(bed)
    copy_s3 = bed.moto.client("s3", bed.app.region, bed.dest.copy_credentials)
    copy_s3.put_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4", Body=b"not the recording")
    s3 = bed.moto.client("s3", bed.app.region)
    newer = s3.head_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4")["VersionId"]
    assert newer != verified

    held = copy_cli.invoke("hold", outputs, "rec-1", "--json")
    assert held.exit_code == 0, held.text
    (app,) = held.json()["applications"]
    assert app["version_id"] == verified
    assert any("not the copy the sync verified" in note for note in app["notes"]), app["notes"]
    assert _legal_hold(bed, verified) == "ON"
    assert _legal_hold(bed, newer) is None
