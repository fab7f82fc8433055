"""Manifests, tags, ``find`` and ``link`` through the CLI, against the emulator and moto (IAM on)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import requests

from localdev.moto_server import Credentials
from sendbird_copy.aws import unpacked
from sendbird_copy.facts import MANIFEST_PREFIX, TAG_LIVE_EVENT_ID, TAG_ROOM_ID
from tests.sendbird_copy.cli_support import CopyCli
from tests.sendbird_copy.sync_bed import SyncBed


def _sync(copy_cli: CopyCli, bed: SyncBed) -> Any:
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke(
        "sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", "--verify-timeout", "30"
    )
    assert done.exit_code == 0, done.text
    return outputs, done.json()


def _manifests(bed: SyncBed) -> dict[str, dict[str, Any]]:
    s3 = bed.moto.client("s3", bed.app.region)
    listed = s3.list_objects_v2(Bucket=bed.app.bucket_name, Prefix=MANIFEST_PREFIX).get("Contents", [])
    return {
        item["Key"]: json.loads(s3.get_object(Bucket=bed.app.bucket_name, Key=item["Key"])["Body"].read())
        for item in listed
    }


def _tags(bed: SyncBed, key: str) -> dict[str, str]:
    s3 = bed.moto.client("s3", bed.app.region)
    tags = s3.get_object_tagging(Bucket=bed.app.bucket_name, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in tags}


def test_each_verified_copy_gets_a_manifest_and_its_parent_tag(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-live", parent_id="event-1")
    bed.add("rec-room", kind="room", parent_id="room-1")
    _, document = _sync(copy_cli, bed)
    (app,) = document["applications"]
    manifests = {m["recording_id"]: (key, m) for key, m in _manifests(bed).items()}
    assert set(manifests) == {"rec-live", "rec-room"}

    key, live = manifests["rec-live"]
    recording = next(r for r in bed.emulator.recordings(bed.dest.app_id) if r.recording_id == "rec-live")
    # Filed by the recording's start: <app>/<YYYY>/<MM>/<DD>/<HHMMSS>Z/<kind>/<parent>/<recording>.json
    assert key.startswith(f"{MANIFEST_PREFIX}{bed.app.app_id}/") and key.endswith(
        "/live-event/event-1/rec-live.json"
    )
    assert live["parent"] == {
        "kind": "live event",
        "id": "event-1",
        "title": "Live event event-1",
        "host_type": "single_host",
        "user_ids_for_host": ["host-of-event-1"],
    }
    assert live["sendbird_byte_size"] == recording.byte_size == live["object"]["size"]
    assert live["object"]["bucket"] == bed.app.bucket_name and live["object"]["key"] == "rec-live.mp4"
    assert live["object"]["etag"] and live["object"]["kms_key_read"] is True
    assert live["object"]["kms_key_id"].endswith(bed.app.kms_key_arn.rsplit("/", 1)[-1])
    assert live["started_at"] and live["stopped_at"] and live["filed_by"] == "started_at"
    # The file facts, as verification read them from the MP4 (the emulator's 1280 x 720, 30 fps fixture).
    assert live["file"] == {
        "duration_s": 2.0,
        "width": 1280,
        "height": 720,
        "fps": 30.0,
        "default_format": True,
    }
    copied = next(r for r in app["recordings"] if r["recording_id"] == "rec-live")
    assert copied["object"]["manifest"] == key  # the report names it too
    assert live["run_id"] and live["copied_at"]

    assert _tags(bed, "rec-live.mp4") == {TAG_LIVE_EVENT_ID: "event-1"}
    assert _tags(bed, "rec-room.mp4") == {TAG_ROOM_ID: "room-1"}
    assert manifests["rec-room"][0].endswith("/room/room-1/rec-room.json")


def test_a_refused_manifest_write_is_loud_and_the_copy_stays_copied(copy_cli: CopyCli, bed: SyncBed) -> None:
    """The operator may not write manifests (an explicit Deny): the copy is still copied, the run
    names the manifest it could not write and exits 1."""
    bed.deny_operator(
        "no-manifests", ("s3:PutObject", f"arn:aws:s3:::{bed.app.bucket_name}/{MANIFEST_PREFIX}*")
    )
    bed.add("rec-1")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--verify-timeout", "30")
    assert done.exit_code == 1, done.text
    assert "DAMAGED _sendbird-manifests/" in done.stdout and "could not be written" in done.stdout
    assert "copied" in done.stdout


def test_find_answers_by_parent_recording_and_time_even_without_the_ledger(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-a", parent_id="event-1", age_days=3.0)
    bed.add("rec-b", parent_id="event-1", age_days=1.0)
    bed.add("rec-c", kind="room", parent_id="room-9", age_days=1.0)
    outputs, _ = _sync(copy_cli, bed)
    # The ledger expires weeks after Sendbird's deadline: find never needs it.
    s3 = bed.moto.client("s3", bed.app.region)
    for rid in ("rec-a", "rec-b", "rec-c"):
        s3.delete_object(Bucket=bed.app.bucket_name, Key=bed.ledger().key(rid))

    by_event = copy_cli.invoke("find", outputs, "--live-event", "event-1", "--json")
    assert by_event.exit_code == 0, by_event.text
    (app,) = by_event.json()["applications"]
    assert [r["recording_id"] for r in app["recordings"]] == ["rec-a", "rec-b"]  # oldest first
    assert app["recordings"][0]["duration_s"] == 2.0 and app["recordings"][0]["size"] > 0
    assert {r["state"] for r in app["recordings"]} == {"present"}
    assert (
        app["recordings"][0]["key"] == "rec-a.mp4" and app["recordings"][0]["bucket"] == bed.app.bucket_name
    )

    by_id = copy_cli.invoke("find", outputs, "--recording-id", "rec-c")
    assert by_id.exit_code == 0 and "rec-c (room room-9)" in by_id.stdout and "present" in by_id.stdout
    assert f"s3://{bed.app.bucket_name}/rec-c.mp4" in by_id.stdout and ", 2 s, present" in by_id.stdout

    recent = copy_cli.invoke("find", outputs, "--since", "2", "--json")
    (app,) = recent.json()["applications"]
    assert sorted(r["recording_id"] for r in app["recordings"]) == ["rec-b", "rec-c"]

    s3.delete_object(Bucket=bed.app.bucket_name, Key="rec-c.mp4")
    gone = copy_cli.invoke("find", outputs, "--room", "room-9")
    assert gone.exit_code == 1 and "missing" in gone.stdout

    nothing = copy_cli.invoke("find", outputs, "--live-event", "no-such-event")
    assert nothing.exit_code == 1 and "0 found" in nothing.stdout


def test_find_refuses_a_query_that_says_nothing_or_a_backward_range(copy_cli: CopyCli, bed: SyncBed) -> None:
    outputs = copy_cli.outputs(bed.dest)
    bare = copy_cli.invoke("find", outputs)
    assert bare.exit_code == 2 and "find needs --live-event" in bare.stderr
    backward = copy_cli.invoke("find", outputs, "--since", "2026-03-02", "--until", "2026-03-01")
    assert backward.exit_code == 2 and "--since must be before --until" in backward.stderr
    bad = copy_cli.invoke("find", outputs, "--until", "next week")
    assert bad.exit_code == 2 and "--until 'next week'" in bad.stderr


def test_link_downloads_the_object_with_the_deployers_credentials(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1", parent_id="event-1")
    outputs, _ = _sync(copy_cli, bed)
    # The key comes from the manifest: the ledger entry is gone.
    s3 = bed.moto.client("s3", bed.app.region)
    s3.delete_object(Bucket=bed.app.bucket_name, Key=bed.ledger().key("rec-1"))

    done = copy_cli.invoke("link", outputs, "rec-1")
    assert done.exit_code == 0, done.text
    url = done.stdout.strip()
    assert "\n" not in url and "X-Amz-Signature=" in url and "X-Amz-Expires=86400" in url  # 24 h
    assert copy_cli.moto is not None
    assert copy_cli.moto.deployer.access_key_id in url  # the key id, never the secret
    assert copy_cli.moto.deployer.secret_access_key not in done.text
    assert f"%2F{bed.app.region}%2Fs3%2Faws4_request" in url  # SigV4, scoped to the bucket's region
    expected = s3.get_object(Bucket=bed.app.bucket_name, Key="rec-1.mp4")["Body"].read()
    # moto 5 cannot check a query-string signature with IAM auth on (it reads the Authorization
    # header and answers 500): the download spends a one-request unauthenticated allowance, so it
    # proves the URL's endpoint, bucket and key, not the signature (botocore's SigV4 presigner).
    requests.post(f"{copy_cli.moto.endpoint}/moto-api/reset-auth", data=b"1", timeout=10).raise_for_status()
    answer = requests.get(url, timeout=30)
    assert answer.status_code == 200 and answer.content == expected

    week = copy_cli.invoke("link", outputs, "rec-1", "--expires", "7d", "--json")
    (app,) = week.json()["applications"]
    assert (
        "X-Amz-Expires=604800" in app["url"] and app["key"] == "rec-1.mp4" and app["key_from"] == "manifest"
    )


def test_link_from_the_ledger_when_there_is_no_manifest(copy_cli: CopyCli, bed: SyncBed) -> None:
    """A copy made before manifests: its key comes from its ledger entry while that lasts."""
    bed.add("rec-1")
    outputs, _ = _sync(copy_cli, bed)
    s3 = bed.moto.client("s3", bed.app.region)
    for key in _manifests(bed):
        s3.delete_object(Bucket=bed.app.bucket_name, Key=key)
    done = copy_cli.invoke("link", outputs, "rec-1", "--json")
    (app,) = done.json()["applications"]
    assert done.exit_code == 0 and app["key_from"] == "ledger" and app["key"] == "rec-1.mp4"


@pytest.mark.parametrize("expires", ["8d", "0", "soon"])
def test_link_refuses_an_expiry_past_sigv4s_week(copy_cli: CopyCli, bed: SyncBed, expires: str) -> None:
    done = copy_cli.invoke("link", copy_cli.outputs(bed.dest), "rec-1", "--expires", expires)
    assert done.exit_code == 2 and f"'--expires': '{expires}'" in done.stderr and "7 days" in done.stderr


def test_link_without_usable_credentials_fails_in_one_line(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.add("rec-1")
    outputs, _ = _sync(copy_cli, bed)
    none = copy_cli.invoke(
        "link",
        outputs,
        "rec-1",
        env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None, "AWS_PROFILE": "none-here"},
    )
    assert none.exit_code == 2 and none.stdout == "", none.text
    assert len(none.stderr.strip().splitlines()) == 1 and none.stderr.startswith("error: ")

    wrong = copy_cli.invoke(
        "link", outputs, "rec-1", env={"AWS_SECRET_ACCESS_KEY": "not-the-deployers-secret-key"}
    )
    assert wrong.exit_code == 1 and wrong.stdout == "", wrong.text
    assert len(wrong.stderr.strip().splitlines()) == 1 and "error: " in wrong.stderr

    unknown = copy_cli.invoke("link", outputs, "rec-never-copied")
    assert (
        unknown.exit_code == 1
        and "no manifest or copied ledger entry names recording rec-never-copied" in unknown.stderr
    )


def test_the_copy_identity_can_neither_write_nor_read_manifests_nor_tags(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    """With the component's own copy-identity policy (IAM auth on in moto)."""
    from components.storage.policies import copy_identity_policy

    bed.add("rec-1", parent_id="event-1")
    _sync(copy_cli, bed)
    bucket = bed.app.bucket_name
    policy = copy_identity_policy(
        bucket_arn=f"arn:aws:s3:::{bucket}", kms_key_arn=bed.app.kms_key_arn, region=bed.app.region
    )
    iam = bed.moto.client("iam")
    for name in iam.list_user_policies(UserName=bed.dest.user)["PolicyNames"]:
        iam.delete_user_policy(UserName=bed.dest.user, PolicyName=name)
    iam.put_user_policy(UserName=bed.dest.user, PolicyName="copy", PolicyDocument=json.dumps(policy))
    copy_s3 = bed.moto.client(
        "s3", bed.app.region, Credentials(bed.dest.access_key_id, bed.dest.secret_access_key)
    )
    (manifest_key,) = _manifests(bed)

    copy_s3.put_object(Bucket=bucket, Key="another-recording.mp4", Body=b"x")  # its grant still works
    refused = {
        "write a manifest": lambda: copy_s3.put_object(Bucket=bucket, Key=manifest_key, Body=b"{}"),
        "read a manifest": lambda: copy_s3.get_object(Bucket=bucket, Key=manifest_key),
        "tag a recording": lambda: copy_s3.put_object_tagging(
            Bucket=bucket, Key="rec-1.mp4", Tagging={"TagSet": [{"Key": TAG_LIVE_EVENT_ID, "Value": "evil"}]}
        ),
        "read a tag": lambda: copy_s3.get_object_tagging(Bucket=bucket, Key="rec-1.mp4"),
    }
    for what, call in refused.items():
        with pytest.raises(Exception) as raised:
            call()
        assert "AccessDenied" in str(raised.value), what
    assert _tags(bed, "rec-1.mp4") == {TAG_LIVE_EVENT_ID: "event-1"}


# -- every path to a verified copy writes its manifest once; a failed write is retried ---------------
def _forget_manifests(bed: SyncBed, *object_keys: str) -> None:
    """As if the copies were made before manifests: no manifest, no tag, no record of checked copies."""
    s3 = bed.moto.client("s3", bed.app.region)
    for key in _manifests(bed):
        s3.delete_object(Bucket=bed.app.bucket_name, Key=key)
    for key in object_keys:
        s3.delete_object_tagging(Bucket=bed.app.bucket_name, Key=key)
    s3.delete_object(Bucket=bed.app.bucket_name, Key=f"{bed.ledger().prefix}_run/verified.json")


def _earlier_release_entry(bed: SyncBed, recording_id: str, object_key: str) -> None:
    """A ``copied`` entry as an earlier release wrote it (no version field)."""
    s3 = bed.moto.client("s3", bed.app.region)
    size = s3.head_object(Bucket=bed.app.bucket_name, Key=f"{recording_id}.mp4")["ContentLength"]
    entry = {
        "recording_id": recording_id, "app_id": bed.app.app_id, "state": "copied",
        "where": "live event event-1", "run_id": "old-release", "updated_at": "2026-01-01T00:00:00+00:00",
        "attempts": 1, "object": {"key": object_key, "size": size},
    }  # fmt: skip
    s3.put_object(
        Bucket=bed.app.bucket_name, Key=bed.ledger().key(recording_id), Body=json.dumps(entry).encode()
    )


def _found_without_the_ledger(copy_cli: CopyCli, outputs: Any, bed: SyncBed, recording_id: str) -> None:
    s3 = bed.moto.client("s3", bed.app.region)
    s3.delete_object(Bucket=bed.app.bucket_name, Key=bed.ledger().key(recording_id))
    found = copy_cli.invoke("find", outputs, "--recording-id", recording_id, "--json")
    assert found.exit_code == 0, found.text
    (app,) = found.json()["applications"]
    (recording,) = app["recordings"]
    assert recording["key"] == f"{recording_id}.mp4" and recording["state"] == "present", recording


def _sync_result(document: dict[str, Any], recording_id: str) -> dict[str, Any]:
    (app,) = document["applications"]
    return next(r for r in app["recordings"] if r["recording_id"] == recording_id)


def test_an_earlier_releases_copied_entry_gets_its_manifest_after_the_first_sync(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1", parent_id="event-1")
    outputs, _ = _sync(copy_cli, bed)
    _forget_manifests(bed, "rec-1.mp4")
    _earlier_release_entry(bed, "rec-1", "rec-1.mp4")

    _, document = _sync(copy_cli, bed)
    assert _sync_result(document, "rec-1")["outcome"] == "already safe"
    (manifest,) = _manifests(bed).values()
    assert manifest["recording_id"] == "rec-1" and manifest["object"]["key"] == "rec-1.mp4"
    assert manifest["parent"]["id"] == "event-1"
    assert _tags(bed, "rec-1.mp4") == {TAG_LIVE_EVENT_ID: "event-1"}

    _, again = _sync(copy_cli, bed)  # written once: the next run writes nothing
    (app,) = again["applications"]
    assert "s3 PutObjectTagging" not in app["requests"], app["requests"]
    _found_without_the_ledger(copy_cli, outputs, bed, "rec-1")


def test_a_copy_found_by_the_recovery_path_gets_its_manifest(copy_cli: CopyCli, bed: SyncBed) -> None:
    """An earlier release's entry names another object: the recording's own object is found in the
    bucket by a later run (no second copy) and gets its manifest."""
    bed.add("rec-1", parent_id="event-1")
    outputs, _ = _sync(copy_cli, bed)
    _forget_manifests(bed, "rec-1.mp4")
    _earlier_release_entry(bed, "rec-1", "somewhere-else.mp4")

    _, document = _sync(copy_cli, bed)
    recovered = _sync_result(document, "rec-1")
    assert recovered["outcome"] == "already safe" and "is checked" in recovered["reason"], recovered
    assert bed.copy_posts() == Counter({"rec-1": 1})
    (manifest,) = _manifests(bed).values()
    assert manifest["object"]["key"] == "rec-1.mp4" and manifest["file"]["width"] == 1280
    assert _tags(bed, "rec-1.mp4") == {TAG_LIVE_EVENT_ID: "event-1"}
    _found_without_the_ledger(copy_cli, outputs, bed, "rec-1")


def test_a_manifest_and_tag_refused_once_are_written_by_the_next_run(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.deny_operator(
        "no-manifests",
        ("s3:PutObject", f"arn:aws:s3:::{bed.app.bucket_name}/{MANIFEST_PREFIX}*"),
        ("s3:PutObjectTagging", "*"),
    )
    bed.add("rec-1", parent_id="event-1")
    outputs = copy_cli.outputs(bed.dest)
    args = ("sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", "--verify-timeout", "30")
    refused = copy_cli.invoke(*args)
    assert refused.exit_code == 1 and _sync_result(refused.json(), "rec-1")["outcome"] == "copied", (
        refused.text
    )
    assert _manifests(bed) == {}
    s3 = bed.moto.client("s3", bed.app.region)
    kept = f"{bed.ledger().prefix}_run/unwritten/rec-1.json"  # what to write, kept for the next run
    assert set(json.loads(s3.get_object(Bucket=bed.app.bucket_name, Key=kept)["Body"].read())) == {
        "manifest",
        "tag",
    }
    bed.lift_denial("no-manifests")

    retried = copy_cli.invoke(*args)
    assert retried.exit_code == 0, retried.text
    assert _sync_result(retried.json(), "rec-1")["outcome"] == "already safe"
    (manifest,) = _manifests(bed).values()
    assert manifest["recording_id"] == "rec-1" and manifest["file"]["fps"] == 30.0  # as verification read it
    assert _tags(bed, "rec-1.mp4") == {TAG_LIVE_EVENT_ID: "event-1"}
    (app,) = retried.json()["applications"]
    assert any("could not write, written now" in note for note in app["notes"]), app["notes"]

    record = f"{bed.ledger().prefix}_run/verified.json"  # names no write left
    stored = s3.get_object(Bucket=bed.app.bucket_name, Key=record)["Body"].read()
    assert "unwritten" not in unpacked(stored, None).decode()  # stored gzipped

    _, again = _sync(copy_cli, bed)  # written: nothing left to retry
    assert "s3 PutObjectTagging" not in again["applications"][0]["requests"]
    _found_without_the_ledger(copy_cli, outputs, bed, "rec-1")
