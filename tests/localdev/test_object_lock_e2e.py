"""Object Lock in COMPLIANCE mode, end to end: the main job's own steps on a variant of the local
stack with ``object_lock`` (deploy into moto, smoke test, the scheduled function's sync as Lambda would
run it, then the CLI's sync, then status), and moto read back before the servers stop.

What it shows (issue 27): the emulator deploy applies Object Lock to moto (read back); every
completed recording is copied exactly once (the damaged copy the main job plants: twice, the second
whole); the sync's own objects (ledger, state, lease, manifests) keep working; every copied recording
version carries the COMPLIANCE retention from its own LastModified; the deployer can neither delete
that version nor replace it (an upload makes a new version, the retained one stays).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from localdev.local_run import LocalOptions, deployed_locally, prepare_run
from localdev.main_job import SyncSeed, keep_every_recording, smoke_test_streamed, status_streamed
from localdev.moto_server import MotoServer
from localdev.program_runner import PROJECT_DIR
from sendbird_copy.cli.reporter import Reporter
from sendbird_copy.facts import CONFIG_NAMESPACE, LEDGER_PREFIX, MANIFEST_PREFIX
from sendbird_copy.sync.retention import retain_until

pytestmark = pytest.mark.slow

MODE, YEARS = "COMPLIANCE", 7


def _locked_stack_file(tmp_path: Path) -> Path:
    """stacks/Pulumi.local.yaml with ``object_lock`` stack-wide: the variant a user would try."""
    document = yaml.safe_load((PROJECT_DIR / "stacks" / "Pulumi.local.yaml").read_text())
    document["config"][f"{CONFIG_NAMESPACE}:object_lock"] = {"mode": MODE, "years": YEARS}
    path = tmp_path / "Pulumi.local-locked.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _recording_versions(s3: Any, bucket: str) -> list[dict[str, Any]]:
    versions = s3.list_object_versions(Bucket=bucket).get("Versions", [])
    return [v for v in versions if not v["Key"].startswith("_")]  # the tool's prefixes start with "_"


def test_compliance_lock_keeps_every_copy_and_the_sync_state_still_works(
    tmp_path: Path, moto: MotoServer
) -> None:
    # ``moto`` only for its reset: moto's backends are global to the process, so the moto server
    # ``deployed_locally`` starts here would otherwise hold what an earlier test in this worker
    # deployed (the same application's log group: "already exists").
    options = LocalOptions("local", _locked_stack_file(tmp_path), tmp_path / "runs", recording_mb=1)
    (tmp_path / "runs").mkdir()
    local = prepare_run(options)
    reporter = Reporter()
    with deployed_locally(reporter, local) as deployment:
        (app,) = local.apps
        s3 = deployment.moto.client("s3", app.aws_region)
        bucket = deployment.result.outputs["applications"][app.app_id]["bucket_name"]
        # The emulator deploy applied the program's Object Lock: enabled, no default retention.
        configuration = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
        assert configuration == {"ObjectLockEnabled": "Enabled"}
        outputs = deployment.result.outputs["applications"][app.app_id]
        assert (outputs["object_lock_mode"], outputs["object_lock_period"]) == (MODE, f"P{YEARS}Y")

        # The smoke test (its preflight probes are written and removed: no default retention).
        assert smoke_test_streamed(reporter, deployment, app) == 0
        smoke = Counter(deployment.emulator.copy_posts(app.app_id))  # the smoke test's own copy
        # The main job's sync: the function as Lambda would run it, then the CLI; damage caught.
        assert keep_every_recording(reporter, deployment, app, SyncSeed(events=4, rooms=2)) == 0
        assert status_streamed(reporter, deployment, app) == 0

        # The sync's copies: each recording once (the damaged one twice, the second whole).
        posts = Counter(deployment.emulator.copy_posts(app.app_id)) - smoke
        damaged = [c.recording_id for c in deployment.emulator.copies if c.damage is not None]
        assert posts and all(n == (2 if rid in damaged else 1) for rid, n in posts.items()), posts

        versions = _recording_versions(s3, bucket)
        latest = {v["Key"]: v for v in versions if v["IsLatest"]}
        # One recording object per copied recording; its latest version is the sync's, retained
        # (the smoke test's copy and the damaged one, never counted safe, are older versions).
        assert len(latest) == len(posts)
        for key, version in latest.items():
            head = s3.head_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
            assert head.get("ObjectLockMode") == MODE, key
            assert head["ObjectLockRetainUntilDate"] == retain_until(version["LastModified"], f"P{YEARS}Y"), (
                key
            )

        # The sync's own objects are there and never retained.
        tools = [
            v
            for v in s3.list_object_versions(Bucket=bucket).get("Versions", [])
            if v["Key"].startswith((LEDGER_PREFIX, MANIFEST_PREFIX))
        ]
        assert any(v["Key"].startswith(MANIFEST_PREFIX) for v in tools)
        assert all(
            "ObjectLockMode" not in s3.head_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
            for v in tools
        )

        # The deployer cannot delete a retained version, nor replace it.
        key, version = next(iter(latest.items()))
        with pytest.raises(ClientError) as refused:
            s3.delete_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
        s3.put_object(Bucket=bucket, Key=key, Body=b"not the recording")  # a new version, on top
        kept = s3.head_object(Bucket=bucket, Key=key, VersionId=version["VersionId"])
        assert kept["ContentLength"] == version["Size"] and kept["ObjectLockMode"] == MODE
