"""Has a copied recording reached the replica (``sendbird_copy.sync.replica``)? The pure mapping of S3's
ReplicationStatus, then moto (IAM auth on) with a real replica bucket in a second region, and the
``status`` command's ``replica`` column.

moto stores a replication configuration but never replicates and never sets ``ReplicationStatus``:
where these tests need an object "replicated", they put it into the replica bucket themselves, as
S3's replication would have.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from sendbird_copy.aws import mapped
from sendbird_copy.errors import AwsAccessDenied
from sendbird_copy.sync.replica import (
    FAILED,
    NOT_YET,
    PENDING,
    REACHED,
    UNKNOWN,
    replica_state,
    state_from_replica,
    state_from_status,
)
from tests.sendbird_copy.aws_builders import create_bucket, with_replica
from tests.sendbird_copy.cli_support import API_TOKEN, CopyCli
from tests.sendbird_copy.sync.test_status import FAST, StatusBed

REPLICA_REGION = "eu-west-1"


# -- pure ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("COMPLETED", REACHED),
        ("PENDING", PENDING),
        ("FAILED", FAILED),
        ("REPLICA", REACHED),
        ("completed", REACHED),
        ("SOMETHING-NEW", UNKNOWN),
        (None, None),
        ("", None),
    ],
)
def test_s3s_replication_status_maps_to_one_word(status, state):
    assert state_from_status(status) == state


def test_the_replicas_own_answer_maps_to_reached_or_not_yet():
    assert state_from_replica(True) == REACHED
    assert state_from_replica(False) == NOT_YET


class _NoCalls:
    def head_object(self, **_kwargs: Any) -> Any:
        raise AssertionError("the replica is asked only when S3 gave no status")


class _EmptyReplica(_NoCalls):
    """A replica bucket whose listing shows nothing (status lists it once before any HeadObject)."""

    def get_paginator(self, _name: str) -> Any:
        class Pages:
            def paginate(self, **_kwargs: Any) -> Any:
                return iter([{}])

        return Pages()


@pytest.mark.parametrize(
    ("status", "state"), [("COMPLETED", REACHED), ("PENDING", PENDING), ("FAILED", FAILED)]
)
def test_s3s_status_decides_without_asking_the_replica(status, state):
    found = replica_state(None, "src", "k.mp4", "dst", _NoCalls, source_head={"ReplicationStatus": status})
    assert found.state == state
    assert "s3://dst/k.mp4" in found.detail
    assert found.failed is (state == FAILED)


# -- moto: a real replica bucket in a second region ------------------------------------------------
@pytest.fixture
def pair(moto: MotoServer) -> tuple[Any, Any, str, str]:
    """(source client, replica client, source bucket, replica bucket): versioned buckets in two regions."""
    source, replica = "replica-test-source", "replica-test-replica"
    source_s3 = mapped(create_bucket(moto, source, "ap-northeast-2"))
    replica_s3 = mapped(create_bucket(moto, replica, REPLICA_REGION))
    for s3, bucket in ((source_s3, source), (replica_s3, replica)):
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    source_s3.put_object(Bucket=source, Key="rec-1.mp4", Body=b"recording")
    return source_s3, replica_s3, source, replica


def test_without_a_status_the_replica_is_asked_not_yet_then_reached(pair):
    source_s3, replica_s3, source, replica = pair
    head = source_s3.head_object(Bucket=source, Key="rec-1.mp4")
    assert "ReplicationStatus" not in head  # moto never sets it: the fallback is what runs here
    before = replica_state(source_s3, source, "rec-1.mp4", replica, lambda: replica_s3)
    assert before.state == NOT_YET and "does not exist yet" in before.detail
    replica_s3.put_object(Bucket=replica, Key="rec-1.mp4", Body=b"recording")  # S3's replication
    after = replica_state(source_s3, source, "rec-1.mp4", replica, lambda: replica_s3)
    assert after.state == REACHED and f"s3://{replica}/rec-1.mp4 exists" in after.detail


def test_a_replica_that_cannot_be_read_is_unknown_never_a_traceback(pair):
    source_s3, _replica_s3, source, replica = pair

    class Refusing:
        def head_object(self, **_kwargs: Any) -> Any:
            raise AwsAccessDenied("HeadObject: AccessDenied (403)", code="403", status=403)

    found = replica_state(source_s3, source, "rec-1.mp4", replica, Refusing)
    assert found.state == UNKNOWN and "AccessDenied" in found.detail
    missing = replica_state(source_s3, source, "no-such.mp4", replica, Refusing)
    assert missing.state == UNKNOWN and f"s3://{source}/no-such.mp4" in missing.detail


# -- status: the replica column, against moto and the emulator ------------------------------------
@pytest.fixture
def bed(copy_cli: CopyCli, moto: MotoServer, make_emulator: Callable[..., SendbirdEmulator]) -> StatusBed:
    """As test_status.py's ``status_bed``: one application in ap-1 and its versioned bucket."""
    emulator = make_emulator(rate_limits=FAST)
    dest = copy_cli.destination(region="ap-northeast-1", versioning=True)
    emulator.add_application(dest.app_id, API_TOKEN, "ap-1")
    return StatusBed(copy_cli, moto, emulator, dest, copy_cli.outputs(dest))


def test_status_says_whether_each_safe_copy_reached_the_replica(bed: StatusBed, moto: MotoServer):
    replica = f"{bed.dest.bucket}-replica"
    replica_s3 = create_bucket(moto, replica, REPLICA_REGION)
    outputs = with_replica(bed.outputs, bed.dest, replica, REPLICA_REGION)
    bed.add("safe-1", 1)
    synced = bed.cli.invoke(
        "sync", outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30"
    )
    assert synced.exit_code == 0, synced.text

    done = bed.status("--json", "--offline")
    assert done.exit_code == 0, done.text  # not yet: reported, not failed
    [row] = done.json()["applications"][0]["recordings"]
    assert row["state"] == "safe" and row["replica"] == NOT_YET

    replica_s3.put_object(Bucket=replica, Key=row["key"], Body=b"as S3 replication would")
    done = bed.status("--offline")
    assert done.exit_code == 0, done.text
    assert "replica" in done.stdout.splitlines()[1]  # the column's header
    assert REACHED in done.stdout
    assert bed.status("--json", "--offline").json()["applications"][0]["recordings"][0]["replica"] == REACHED


def test_status_without_a_replica_has_no_replica_column(bed: StatusBed):
    bed.add("safe-1", 1)
    synced = bed.cli.invoke(
        "sync", bed.outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30"
    )
    assert synced.exit_code == 0, synced.text
    done = bed.status("--offline")
    assert done.exit_code == 0, done.text
    assert "replica" not in done.stdout
    assert bed.status("--json", "--offline").json()["applications"][0]["recordings"][0]["replica"] is None


def test_a_failed_replication_is_a_problem_of_the_status_report_and_shown_in_html():
    """S3's FAILED (which moto never gives: a stand-in S3 here) fails ``status``; rows other than
    safe ones are never asked about."""
    from datetime import UTC, datetime

    from sendbird_copy.cli.status_html import render_status_html
    from sendbird_copy.outputs import AppOutputs
    from sendbird_copy.sync.status import SAFE, TO_COPY, StatusReport, StatusRow, _with_replica

    asked: list[str] = []

    class SourceS3:
        def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
            asked.append(Key)
            return {"ReplicationStatus": "FAILED"}

    app = AppOutputs(
        "APP", "ap-northeast-2", "src", "arn:aws:s3:::src", "arn:aws:kms:ap-northeast-2:1:key/k", "alias/k",
        "u", "AKIA0000000000000000", "secret", replica_bucket_name="dst", replica_region=REPLICA_REGION,
    )  # fmt: skip
    now = datetime(2026, 12, 1, tzinfo=UTC)
    report = StatusReport("APP", "src", now, offline=True)
    report.rows = [
        StatusRow("r1", "live event", "p1", SAFE, None, None, key="r1.mp4"),
        StatusRow("r2", "live event", "p2", TO_COPY, None, None),
    ]
    report.rows = _with_replica(app, SourceS3(), lambda _app: _EmptyReplica(), report)
    assert [row.replica for row in report.rows] == [FAILED, None] and asked == ["r1.mp4"]
    assert not report.passed and "recording r1: S3 could not replicate it" in report.problems[0]
    page = render_status_html([report])
    assert "<th>replica</th>" in page and "<td>failed</td>" in page


def test_a_replica_without_its_region_is_looked_for_as_the_smoke_test_does(bed: StatusBed, moto: MotoServer):
    """Outputs that name the replica bucket but not its region (``replica_region`` is optional): the
    replica is asked about in the application's region, as the smoke test does, never a traceback."""
    replica = f"{bed.dest.bucket}-replica"
    create_bucket(moto, replica, bed.dest.region)
    outputs = with_replica(bed.outputs, bed.dest, replica, REPLICA_REGION)
    document = json.loads(outputs.read_text())
    del document["applications"][bed.dest.app_id]["replica_region"]
    outputs.write_text(json.dumps(document))
    bed.add("safe-1", 1)
    synced = bed.cli.invoke(
        "sync", outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30"
    )
    assert synced.exit_code == 0, synced.text
    done = bed.cli.invoke("status", outputs, "--offline", "--json")
    assert done.exit_code == 0, done.text
    [row] = done.json()["applications"][0]["recordings"]
    assert row["state"] == "safe" and row["replica"] == NOT_YET


def _status_requests(bed: StatusBed, moto: MotoServer, outputs: Path) -> tuple[int, list[str]]:
    """(S3 requests of one offline status run, each row's replica word), counted on both clients."""
    from collections import Counter

    from sendbird_copy.outputs import parse_stack_outputs
    from sendbird_copy.sync.status import StatusOptions, StatusServices, app_status

    (app,) = parse_stack_outputs(json.loads(outputs.read_text()), str(outputs)).values()
    made: Counter[str] = Counter()
    clients = {}
    for region in {app.region, REPLICA_REGION}:
        client = moto.client("s3", region)
        client.meta.events.register("before-call.s3.*", lambda event_name, **_: made.update([event_name]))
        clients[region] = client
    services = StatusServices(
        deployer_s3=lambda a: clients[a.region], replica_s3=lambda a: clients[REPLICA_REGION]
    )
    report = app_status(app, services, StatusOptions(offline=True))
    assert report.passed, report.problems
    return sum(made.values()), [str(row.replica) for row in report.rows]


def test_status_requests_for_the_replica_do_not_grow_with_the_recordings(bed: StatusBed, moto: MotoServer):
    """status reads the bucket with a request per 1,000 keys, not one per recording (bucket/view.py):
    with a replica, every copy there is known from one listing of the replica, not two HeadObjects each."""
    replica = f"{bed.dest.bucket}-replica"
    replica_s3 = create_bucket(moto, replica, REPLICA_REGION)
    outputs = with_replica(bed.outputs, bed.dest, replica, REPLICA_REGION)
    measured = []
    for count in (2, 6):
        for n in range(count):
            bed.add(f"safe-{count}-{n}", 1)
        synced = bed.cli.invoke(
            "sync", outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30"
        )
        assert synced.exit_code == 0, synced.text
        source_s3 = moto.client("s3", bed.dest.region)
        for row in bed.status("--json", "--offline").json()["applications"][0]["recordings"]:
            body = source_s3.get_object(Bucket=bed.dest.bucket, Key=row["key"])["Body"].read()
            replica_s3.put_object(Bucket=replica, Key=row["key"], Body=body)  # as S3 replication would
        requests, words = _status_requests(bed, moto, outputs)
        assert words and set(words) == {REACHED}
        measured.append(requests)
    assert measured[0] == measured[1], measured
