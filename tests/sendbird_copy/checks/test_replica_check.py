"""The smoke test's ``replica`` check (the storage's ``replication`` option): end to end with moto (IAM
auth on) and the Sendbird emulator, and with S3's own ReplicationStatus given directly.

moto stores a replication configuration but never replicates and never sets ``ReplicationStatus``:
the check falls back to a HeadObject in the replica bucket, and these tests put the copy there
themselves to stand for S3's replication.
"""

from __future__ import annotations

from typing import Any

import pytest

from sendbird_copy.checks.report import AppReport
from sendbird_copy.checks.smoke import Environment, replica_check
from sendbird_copy.outputs import AppOutputs
from tests.sendbird_copy.aws_builders import Destination, create_bucket, with_replica
from tests.sendbird_copy.checks.test_smoke import RECORDING_BYTES, smoke_args
from tests.sendbird_copy.cli_support import API_TOKEN, CopyCli

REPLICA_REGION = "eu-west-1"


@pytest.fixture
def dest(copy_cli: CopyCli, emulator) -> Destination:
    destination = copy_cli.destination(region="ap-northeast-2", versioning=True)
    emulator.add_application(destination.app_id, API_TOKEN, "ap-2")
    emulator.add_recording(destination.app_id, "rec-12mb", status="completed", byte_size=RECORDING_BYTES)
    return destination


def test_smoke_test_reports_the_replica_not_yet_then_reached(
    copy_cli: CopyCli, dest: Destination, emulator, moto
):
    replica = f"{dest.bucket}-replica"
    replica_s3 = create_bucket(moto, replica, REPLICA_REGION)
    outputs = with_replica(copy_cli.outputs(dest), dest, replica, REPLICA_REGION)
    args = smoke_args(emulator, "--recording-id", "rec-12mb", "--json")

    done = copy_cli.invoke("smoke-test", outputs, *args)
    assert done.exit_code == 0, done.text  # not there yet: reported, never a failure
    check = done.check("replica")
    assert check["status"] == "skip" and "does not exist yet" in check["detail"]
    (app,) = done.json()["applications"]
    assert app["object"]["replica"] == "not yet"

    replica_s3.put_object(Bucket=replica, Key=app["object"]["key"], Body=b"as S3 replication would")
    again = copy_cli.invoke("smoke-test", outputs, *args)
    assert again.exit_code == 0, again.text
    assert again.check("replica")["status"] == "pass"
    assert again.json()["applications"][0]["object"]["replica"] == "reached"


def test_smoke_test_without_a_replica_has_no_replica_check(copy_cli: CopyCli, dest: Destination, emulator):
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb", "--json")
    )
    assert done.exit_code == 0, done.text
    assert "replica" not in [c["name"] for c in done.json()["applications"][0]["checks"]]


class _Clients:
    """An ``AwsClients`` stand-in whose deployer client must not be asked: S3's status decides."""

    def deployer(self, *_args: Any) -> Any:
        raise AssertionError("no request when S3 gave a ReplicationStatus")


APP = AppOutputs(
    app_id="APP",
    region="ap-northeast-2",
    bucket_name="src",
    bucket_arn="arn:aws:s3:::src",
    kms_key_arn="arn:aws:kms:ap-northeast-2:123456789012:key/k",
    kms_alias="alias/k",
    copy_user_name="u",
    copy_access_key_id="AKIA0000000000000000",
    copy_secret_access_key="secret",
    replica_bucket_name="dst",
    replica_region=REPLICA_REGION,
)


@pytest.mark.parametrize(
    ("status", "verdict"), [("COMPLETED", "pass"), ("PENDING", "skip"), ("FAILED", "fail"), ("NEW", "fail")]
)
def test_s3s_replication_status_decides_the_check(status, verdict):
    env = Environment(aws=_Clients())  # type: ignore[arg-type]
    report = AppReport("APP", object={"key": "rec.mp4"})
    check = replica_check(APP, env, report, "rec.mp4", {"ReplicationStatus": status})
    assert check.status == verdict, check
    assert report.object is not None and report.object["replica"] in (
        "reached",
        "pending",
        "failed",
        "unknown",
    )
    if status == "FAILED":
        assert check.fix is not None and "replication role" in check.fix
