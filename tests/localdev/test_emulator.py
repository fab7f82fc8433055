"""The Sendbird emulator over raw HTTP: it must follow Sendbird's documented API
(sendbird_copy/facts.py), since the client, the smoke test and the e2e tests trust it as
the stand-in for Sendbird."""

from __future__ import annotations

import math
import os
import signal
import struct
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
import requests

from localdev.sendbird_emulator import (
    PART_SIZE,
    Recording,
    RequestEvent,
    SendbirdEmulator,
    recording_bytes,
    seed_application,
)
from localdev.sendbird_emulator.media import (
    DAMAGES,
    FIXTURE_DURATION_S,
    NO_MOOV,
    TRUNCATED,
    RecordingFile,
    fixture,
)
from localdev.sendbird_emulator.seeding import DEFAULT_SEED_BYTES
from localdev.sendbird_emulator.state import CALLS_STATUSES, LIVE_STATUSES, iter_parts, max_in_window
from sendbird_copy.facts import (
    GET_REQUESTS_PER_SECOND,
    RECORDING_RETENTION,
    WRITE_REQUESTS_PER_SECOND,
)
from sendbird_copy.sync.mp4 import Damaged, MediaFacts, inspect, s3_range_reader
from tests.sendbird_copy.cli_support import APP, ORG_KEY, TOKEN

OTHER_APP, OTHER_TOKEN = "APP-2", "emulator-token-2"
REGION = "ap-northeast-1"
MB = 1024 * 1024


def post_copy(emulator, recording_id: str, body: Any, token: str | None = TOKEN) -> requests.Response:
    headers = {"Api-Token": token} if token else {}
    url = f"{emulator.base_url}/cloud-recordings/{recording_id}/copy"
    if isinstance(body, bytes):
        return requests.post(url, data=body, headers=headers, timeout=30)
    return requests.post(url, json=body, headers=headers, timeout=30)


def copy_body(target, **overrides: Any) -> dict[str, Any]:
    return {
        "access_key": target.creds.access_key_id,
        "secret_key": target.creds.secret_access_key,
        "bucket": target.bucket,
        "region": target.region,
        **overrides,
    }


def assert_error(response: requests.Response, status: int, code: int, error_type: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] is True
    assert (body["code"], body["type"]) == (code, error_type)
    assert isinstance(body["message"], str) and body["message"]
    return str(body["message"])


# ----- rate limits ---------------------------------------------------------------------------------
def test_sixth_post_within_a_second_is_429_with_retry_after(moto):
    now = [1000.0]  # a frozen clock makes "within a second" exact, however slow the machine
    with SendbirdEmulator(moto.endpoint, rate_clock=lambda: now[0]) as emulator:
        emulator.add_application(APP, TOKEN, "ap-1")
        emulator.add_application(OTHER_APP, OTHER_TOKEN, "ap-1")

        answers = [post_copy(emulator, "unknown", {}) for _ in range(6)]

        assert [r.status_code for r in answers] == [400] * 5 + [429]
        limited = answers[-1]
        assert limited.headers["Retry-After"] == "1"
        body = limited.json()
        assert "error" not in body  # like the documented 429 example
        assert (body["code"], body["type"]) == (429100, "RATE_LIMIT_EXCEEDED")
        # Per application and per endpoint: GETs and another app are unaffected.
        assert requests.get(f"{emulator.base_url}/rooms", headers={"Api-Token": TOKEN}, timeout=10).ok
        assert post_copy(emulator, "unknown", {}, token=OTHER_TOKEN).status_code == 400
        now[0] += 0.5
        assert post_copy(emulator, "unknown", {}).status_code == 429  # still the same window
        now[0] += 0.51
        assert post_copy(emulator, "unknown", {}).status_code == 400  # the window slid past


def test_get_limit_is_ten_per_second(moto):
    with SendbirdEmulator(moto.endpoint, rate_clock=lambda: 5.0) as emulator:
        emulator.add_application(APP, TOKEN, "ap-1")
        url, headers = f"{emulator.base_url}/live-events", {"Api-Token": TOKEN}
        codes = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]


# ----- copy validation -----------------------------------------------------------------------------
def test_copy_rejects_a_recording_that_is_not_completed(app, make_copy_target):
    app.add_recording(APP, "live-now", status="recording")
    message = assert_error(
        post_copy(app, "live-now", copy_body(make_copy_target())), 400, 400100, "INVALID_PARAMS"
    )
    assert "completed" in message
    assert app.copies == []


def test_copy_rejects_a_region_other_than_the_applications(app, make_copy_target):
    app.add_recording(APP, "rec")
    target = make_copy_target(region="us-west-2")
    message = assert_error(post_copy(app, "rec", copy_body(target)), 400, 400100, "INVALID_PARAMS")
    assert "must equal the application's region" in message
    assert REGION in message and "us-west-2" in message
    assert app.copies == []


@pytest.mark.parametrize(
    ("body", "status", "code", "error_type", "needle"),
    [
        ({"access_key": "a", "bucket": "b"}, 400, 400111, "MISSING_PARAMS", "secret_key, region"),
        (
            {"access_key": "a", "secret_key": "s", "bucket": 7, "region": REGION},
            400,
            400100,
            "INVALID_PARAMS",
            "bucket",
        ),
        (b"not json", 400, 400100, "INVALID_PARAMS", "JSON"),
        ([1, 2], 400, 400100, "INVALID_PARAMS", "object"),
    ],
)
def test_copy_body_validation(app, body, status, code, error_type, needle):
    app.add_recording(APP, "rec")
    assert needle in assert_error(post_copy(app, "rec", body), status, code, error_type)


def test_copy_of_unknown_recording_or_another_apps_recording_is_400200(app, make_copy_target):
    app.add_application(OTHER_APP, OTHER_TOKEN, "ap-1")
    app.add_recording(OTHER_APP, "theirs")
    body = copy_body(make_copy_target())
    assert_error(post_copy(app, "nope", body), 400, 400200, "NOT_FOUND")
    assert_error(post_copy(app, "theirs", body), 400, 400200, "NOT_FOUND")


def test_missing_or_unknown_token_is_401121(app):
    assert_error(post_copy(app, "rec", {}, token=None), 401, 401121, "NOT_AUTHORIZED")
    assert_error(post_copy(app, "rec", {}, token="guess"), 401, 401121, "NOT_AUTHORIZED")


def test_unknown_path_is_404_with_the_documented_body(app):
    response = requests.get(f"{app.base_url}/cloud-records", headers={"Api-Token": TOKEN}, timeout=10)
    assert_error(response, 404, 400200, "NOT_FOUND")


# ----- the copy itself -----------------------------------------------------------------------------
def test_12_mb_recording_is_copied_in_three_5_mb_parts(app, make_copy_target, moto):
    target = make_copy_target()
    size = 12 * MB
    app.add_recording(APP, "big", byte_size=size)

    response = post_copy(app, "big", copy_body(target))

    assert response.status_code == 200, response.text
    assert response.json() == {
        "recording_id": "big",
        "bucket": target.bucket,
        "region": REGION,
        "status": "copying",
    }
    [done] = app.wait_for_copies(timeout=60)
    assert (done.status, done.parts, done.key) == ("completed", 3, "big.mp4")
    s3 = moto.client("s3", REGION)
    head = s3.head_object(Bucket=target.bucket, Key="big.mp4")
    assert head["ContentLength"] == size
    assert head["ETag"].strip('"').endswith("-3")  # S3's multipart ETag: md5-of-md5s "-" part count
    assert head["ContentType"] == "video/mp4"
    tail = s3.get_object(
        Bucket=target.bucket, Key="big.mp4", Range=f"bytes={2 * PART_SIZE}-{2 * PART_SIZE + 99}"
    )
    assert tail["Body"].read() == recording_bytes("big", 2 * PART_SIZE, 100)
    # The object is a real MP4 of exactly the recording's size: the fixture, padded with a free box.
    facts, _ = inspect(size, s3_range_reader(s3, target.bucket, "big.mp4", head["ETag"]))
    assert facts == MediaFacts(FIXTURE_DURATION_S, 1280, 720, 30.0)
    start = s3.get_object(Bucket=target.bucket, Key="big.mp4", Range=f"bytes=0-{len(fixture()) + 7}")
    assert start["Body"].read() == fixture() + struct.pack(">I4s", size - len(fixture()), b"free")


def test_a_copy_can_be_damaged_on_request_keeping_its_size(app, make_copy_target, moto):
    target = make_copy_target()
    size = 6 * MB
    for name in ("whole", *DAMAGES):
        app.add_recording(APP, name, byte_size=size)
    with pytest.raises(ValueError, match="how must be one of truncated, no-moov, not-mp4"):
        app.damage_next_copies("scrambled")
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        app.damage_next_copies(NO_MOOV, n=-1)
    for how in DAMAGES:
        app.damage_next_copies(how, recording_id=how)  # each only for its own recording
    for name in ("whole", *DAMAGES):
        assert post_copy(app, name, copy_body(target)).status_code == 200
    copies = {c.recording_id: c for c in app.wait_for_copies(timeout=60)}
    assert {name: c.damage for name, c in copies.items()} == {"whole": None, **{h: h for h in DAMAGES}}
    s3 = moto.client("s3", REGION)
    for name in ("whole", *DAMAGES):
        head = s3.head_object(Bucket=target.bucket, Key=f"{name}.mp4")
        assert head["ContentLength"] == size  # Sendbird's byte size, damaged or not
        facts, _ = inspect(size, s3_range_reader(s3, target.bucket, f"{name}.mp4", head["ETag"]))
        assert isinstance(facts, MediaFacts if name == "whole" else Damaged), (name, facts)
    # Spent: the next copy of a damaged recording is whole.
    assert post_copy(app, TRUNCATED, copy_body(target)).status_code == 200
    assert app.wait_for_copies(timeout=60)[-1].damage is None


@pytest.mark.parametrize("size", [0, 100, len(fixture()), len(fixture()) + 3, len(fixture()) + 8, 5 << 30])
def test_a_recording_file_has_its_exact_size_and_is_whole_when_it_can_be(size):
    file = RecordingFile("rec", size)
    if size < 100 * MB:  # (5 GiB is read by range only)
        assert sum(len(part) for part in file.parts(PART_SIZE)) == size
    assert len(file.read(max(0, size - 10), 100)) == min(size, 10)
    facts, _ = inspect(size, file.read)
    assert isinstance(facts, MediaFacts) == (size >= len(fixture())), facts  # smaller: no room for one


def test_s3_refusal_is_400100_naming_access_denied(app, make_copy_target, moto):
    target = make_copy_target(actions=("s3:ListBucket",))  # no s3:PutObject
    app.add_recording(APP, "rec")

    message = assert_error(post_copy(app, "rec", copy_body(target)), 400, 400100, "INVALID_PARAMS")

    assert "AccessDenied" in message
    assert target.creds.secret_access_key not in message
    assert app.copies == []
    assert moto.client("s3", REGION).list_objects_v2(Bucket=target.bucket)["KeyCount"] == 0


def test_missing_bucket_is_400100_naming_no_such_bucket(app, make_copy_target):
    target = make_copy_target()
    app.add_recording(APP, "rec")
    message = assert_error(
        post_copy(app, "rec", copy_body(target, bucket="absent")), 400, 400100, "INVALID_PARAMS"
    )
    assert "absent" in message and ("NoSuchBucket" in message or "AccessDenied" in message)


def test_stopping_mid_copy_records_a_failed_copy_and_leaves_the_upload(moto, make_copy_target):
    target = make_copy_target()
    emulator = SendbirdEmulator(moto.endpoint).start()
    emulator.add_application(APP, TOKEN, "ap-1")
    emulator.add_recording(APP, "long", byte_size=12 * PART_SIZE)
    try:
        assert post_copy(emulator, "long", copy_body(target)).status_code == 200
    finally:
        emulator.stop()  # cancels between parts, well before 12 parts of 5 MB went through

    [failed] = emulator.copies
    assert failed.status == "failed" and "stopped" in (failed.error or "")
    assert failed.parts < 12
    s3 = moto.client("s3", REGION)
    assert s3.list_objects_v2(Bucket=target.bucket)["KeyCount"] == 0
    # The copy identity may not AbortMultipartUpload: its parts stay (the bucket lifecycle's job).
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=target.bucket).get("Uploads", [])] == [
        "long.mp4"
    ]


def test_recording_bytes_are_generated_part_by_part():
    parts = list(iter_parts("rec", 12 * MB))
    assert [len(p) for p in parts] == [5 * MB, 5 * MB, 2 * MB]
    assert b"".join(parts) == recording_bytes("rec", 0, 12 * MB)
    assert recording_bytes("rec", 0, 64) != recording_bytes("other", 0, 64)
    assert [len(p) for p in iter_parts("empty", 0)] == [0]  # S3 needs at least one part


# ----- listings ------------------------------------------------------------------------------------
def test_live_events_page_with_next_and_detail_is_wrapped(app):
    for i in range(5):
        app.add_recording(APP, f"r{i}", kind="live", status="completed" if i else "recording")
    headers = {"Api-Token": TOKEN}
    url = f"{app.base_url}/live-events"

    pages, params = [], {"limit": "2"}
    while True:
        body = requests.get(url, params=params, headers=headers, timeout=10).json()
        pages.append([e["live_event_id"] for e in body["live_events"]])
        if not body["next"]:
            break
        params = {"limit": "2", "next": body["next"]}

    # Newest first: r1..r4 stopped an hour ago (the default), r0 is still recording, so it began last.
    assert pages == [["live-r0", "live-r4"], ["live-r3", "live-r2"], ["live-r1"]]
    detail = requests.get(f"{url}/live-r0", headers=headers, timeout=10).json()
    [recording] = detail["live_event"]["cloud_recordings"]
    expected = {"recording_id", "target_event_type", "live_event_id", "status", "started_at", "stopped_at"}
    assert expected | {"duration", "byte_size", "media_type"} <= set(recording)
    assert (recording["target_event_type"], recording["status"], recording["stopped_at"]) == (
        "live",
        "recording",
        None,
    )
    assert_error(requests.get(f"{url}/nope", headers=headers, timeout=10), 400, 400200, "NOT_FOUND")
    bad_next = requests.get(url, params={"next": "garbage!"}, headers=headers, timeout=10)
    assert_error(bad_next, 400, 400100, "INVALID_PARAMS")
    assert_error(
        requests.get(url, params={"limit": "0"}, headers=headers, timeout=10), 400, 400100, "INVALID_PARAMS"
    )


def test_rooms_page_and_group_recordings_by_room(app):
    app.add_recording(APP, "a1", kind="room", parent_id="room-a")
    app.add_recording(APP, "a2", kind="room", parent_id="room-a")
    app.add_recording(APP, "b1", kind="room", parent_id="room-b")
    app.add_recording(APP, "live", kind="live")
    headers = {"Api-Token": TOKEN}

    first = requests.get(f"{app.base_url}/rooms", params={"limit": 1}, headers=headers, timeout=10).json()
    second = requests.get(
        f"{app.base_url}/rooms", params={"limit": 1, "next": first["next"]}, headers=headers, timeout=10
    ).json()

    assert [r["room_id"] for r in first["rooms"] + second["rooms"]] == ["room-b", "room-a"]  # newest first
    assert second["next"] is None
    assert [c["recording_id"] for c in second["rooms"][0]["cloud_recordings"]] == ["a1", "a2"]
    assert {c["target_event_type"] for c in second["rooms"][0]["cloud_recordings"]} == {"room_video"}
    detail = requests.get(f"{app.base_url}/rooms/room-b", headers=headers, timeout=10).json()
    assert detail["room"]["cloud_recordings"][0]["room_id"] == "room-b"


def test_listing_filters_follow_the_documentation(fast_app):
    """state (several for live events, one for rooms), created_at/started_at ranges in Unix ms with an
    inclusive start and an exclusive end, id lists; a value Sendbird would refuse is 400/400100."""
    app = fast_app
    now = app.clock()
    app.add_parent(APP, "live", "old", created_at=now - 3000)
    app.add_recording(APP, "old-rec", kind="live", parent_id="old", stopped_at=now - 1000, duration_s=1000)
    app.add_parent(APP, "live", "going", created_at=now - 500)
    app.add_recording(APP, "going-rec", kind="live", parent_id="going", status="recording", duration_s=100)
    app.add_parent(APP, "live", "planned", created_at=now - 100)
    app.set_parent_state(APP, "live", "planned", "created")
    app.add_parent(APP, "room", "open-room", created_at=now - 50)
    app.add_parent(APP, "room", "gone-room", created_at=now - 40)
    app.set_parent_state(APP, "room", "gone-room", "deleted")

    def ids(path: str, **params: Any) -> list[str]:
        body = get(app, path, **params).json()
        key, field = ("live_events", "live_event_id") if path == "/live-events" else ("rooms", "room_id")
        return [item[field] for item in body[key]]

    assert ids("/live-events", state="ended") == ["old"]
    assert ids("/live-events", state="created,ongoing") == ["planned", "going"]
    started_old = get(app, "/live-events", state="ended").json()["live_events"][0]["started_at"]
    assert ids("/live-events", started_at_start_date=str(started_old)) == ["going", "old"]  # inclusive
    assert ids("/live-events", started_at_end_date=str(started_old)) == []  # exclusive
    assert ids("/live-events", started_at_start_date=str(started_old + 1)) == ["going"]  # "planned": no start
    created_going = int((now - 500) * 1000)
    assert ids("/live-events", created_at_start_date=str(created_going)) == ["planned", "going"]
    assert ids("/live-events", created_at_end_date=str(created_going)) == ["old"]
    assert ids("/live-events", live_event_ids="old,planned") == ["planned", "old"]
    assert ids("/rooms", state="open") == ["open-room"] and ids("/rooms", state="deleted") == ["gone-room"]
    assert ids("/rooms", room_ids="gone-room") == ["gone-room"]
    refused = [
        ("/live-events", {"state": "finished"}),
        ("/live-events", {"started_at_start_date": "yesterday"}),
        ("/live-events", {"created_at_end_date": "-5"}),
        ("/rooms", {"state": "open,deleted"}),
        ("/rooms", {"room_ids": ",".join(f"r{n}" for n in range(11))}),
    ]
    for path, params in refused:
        assert_error(get(app, path, **params), 400, 400100, "INVALID_PARAMS")


def test_a_filtered_listing_pages_with_its_filter(app):
    for n in range(5):
        app.add_recording(APP, f"rec-{n}", kind="live", status="recording" if n % 2 else "completed")
    pages, params = [], {"limit": "1", "state": "ongoing"}
    while True:
        body = get(app, "/live-events", **params).json()
        pages.append([e["live_event_id"] for e in body["live_events"]])
        if not body["next"]:
            break
        params = {"limit": "1", "state": "ongoing", "next": body["next"]}
    assert pages == [["live-rec-3"], ["live-rec-1"]]


def test_a_long_history_is_seeded_in_bulk_and_lists_no_recording(app):
    from localdev.sendbird_emulator.seeding import seed_history

    pairs = seed_history(app, APP, events=20_000)
    assert len(pairs) == 20_000 and len({event for event, _ in pairs}) == 20_000
    page = get(app, "/live-events", state="ended", limit="100").json()
    assert len(page["live_events"]) == 100 and page["next"]
    # Past Sendbird's two weeks: the events are listed, their recordings are gone.
    assert all(event["cloud_recordings"] == [] for event in page["live_events"])
    recent = str(int((app.clock() - 14 * 86_400) * 1000))
    assert get(app, "/live-events", state="ended", started_at_start_date=recent).json()["live_events"] == []


# ----- organization API ----------------------------------------------------------------------------
def test_organization_api_reports_the_region_and_rejects_bad_keys(app):
    app.add_application(OTHER_APP, OTHER_TOKEN, "us-2", org_api_key="another-org")
    url = f"{app.org_base_url}/api/v2/applications"

    body = requests.get(f"{url}/{APP}", headers={"SENDBIRDORGANIZATIONAPITOKEN": ORG_KEY}, timeout=10).json()

    assert body["app_id"] == APP
    assert body["region"] == {"region_key": "ap-1", "region_name": "Tokyo, Japan"}
    assert "api_token" not in body
    for headers in ({}, {"SENDBIRDORGANIZATIONAPITOKEN": "wrong"}, {"Api-Token": TOKEN}):
        assert_error(requests.get(f"{url}/{APP}", headers=headers, timeout=10), 401, 401121, "NOT_AUTHORIZED")
    other = requests.get(f"{url}/{OTHER_APP}", headers={"SENDBIRDORGANIZATIONAPITOKEN": ORG_KEY}, timeout=10)
    assert_error(other, 400, 400200, "NOT_FOUND")  # another organization's app is not visible


def test_unknown_region_key_needs_an_explicit_aws_region(emulator):
    with pytest.raises(ValueError, match="aws_region"):
        emulator.add_application("NEW", "tok-new-app", "tokyo-1")
    app = emulator.add_application("NEW", "tok-new-app", "tokyo-1", aws_region="ap-northeast-1")
    assert (app.region_key, app.aws_region) == ("tokyo-1", "ap-northeast-1")
    assert "tok-new-app" not in repr(app)


# ----- faults --------------------------------------------------------------------------------------
def test_faults_switch_on_and_off_at_runtime(app):
    url, headers = f"{app.base_url}/rooms", {"Api-Token": TOKEN}

    app.fail_next(2, status=500)
    codes = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    assert requests.get(f"{app.base_url}/nothing", timeout=10).status_code == 404

    app.error_rate = 1.0
    failures = [requests.get(url, headers=headers, timeout=10) for _ in range(3)]
    assert all(500 <= r.status_code <= 599 for r in failures)
    assert_error(failures[0], failures[0].status_code, 500999, "UNKNOWN_ERROR")
    app.error_rate = 0.0
    assert requests.get(url, headers=headers, timeout=10).status_code == 200
    with pytest.raises(ValueError):
        app.error_rate = 1.5
    with pytest.raises(ValueError):
        app.fail_next(1, status=404)
    assert len(app.requests_log) == 8  # 3 + 1 + 3 + 1, faults included


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "error_type"),
    [
        ({"code": 400201}, 400, 400201, "UNIQUE_CONSTRAINT"),
        ({"code": 400800}, 400, 400800, "FREE_PLAN_ENDED"),
        ({"code": 401120}, 401, 401120, "NOT_ALLOWED"),
        ({"code": 500999, "status": 502}, 502, 500999, "UNKNOWN_ERROR"),
        ({}, 503, 500999, "UNKNOWN_ERROR"),
    ],
)
def test_fail_next_answers_any_documented_error_body(app, kwargs, status, code, error_type):
    url, headers = f"{app.base_url}/rooms", {"Api-Token": TOKEN}
    app.fail_next(2, **kwargs)
    answers = [requests.get(url, headers=headers, timeout=10) for _ in range(3)]
    assert_error(answers[0], status, code, error_type)
    assert answers[1].status_code == status
    assert answers[2].status_code == 200


def test_fail_next_429_has_the_documented_429_body_and_custom_text(app):
    app.fail_next(1, code=429100, message="slow down")
    response = requests.get(f"{app.base_url}/rooms", headers={"Api-Token": TOKEN}, timeout=10)
    assert response.status_code == 429
    assert response.json() == {"code": 429100, "type": "RATE_LIMIT_EXCEEDED", "message": "slow down"}


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"n": 1, "code": 400999}, "not documented"),
        ({"n": 1, "code": 400200, "status": 404}, "documented with HTTP 400, not 404"),
        ({"n": 1, "code": 401121, "status": 500}, "documented with HTTP 401"),
        ({"n": 1, "status": 400}, "5xx"),
        ({"n": -1}, "n must be >= 0"),
    ],
)
def test_fail_next_refuses_undocumented_errors(app, kwargs, needle):
    with pytest.raises(ValueError, match=needle):
        app.fail_next(**kwargs)
    assert requests.get(f"{app.base_url}/rooms", headers={"Api-Token": TOKEN}, timeout=10).ok


# ----- standalone ----------------------------------------------------------------------------------
def _emulator_cli(*args: str, **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "localdev.sendbird_emulator", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--app", "APP:TOKEN"], "APP_ID:TOKEN:REGION_KEY"),
        (["--app", "APP:TOKEN:mars-1"], "mars-1"),
        (["--app", "APP:T:ap-1", "--recording", "APP:rec:done:10"], "status 'done'"),
        (["--app", "APP:T:ap-1", "--recording", "APP:rec:completed:ten"], "byte size"),
        (["--recording", "GHOST:rec:completed:10"], "unknown application 'GHOST'"),
        (["--port", "70000"], "--port"),
        (["--app", "A:t1:ap-1", "--app", "A:t2:ap-1"], "application id 'A' is given more than once"),
        (["--app", "A:t:tokyo-1"], "--region-key-aws tokyo-1=AWS_REGION"),
        (["--error-rate", "2"], "--error-rate: '2' must be between 0 and 1"),
        (["--latency", "-1"], "--latency"),
        (["--fail-next", "x"], "--fail-next"),
    ],
)
def test_cli_rejects_bad_arguments_with_exit_2(args, needle):
    process = _emulator_cli(*args)
    try:
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()  # no-op once it exited; a regression must not leave an emulator serving
    assert process.returncode == 2
    assert needle in stderr


def test_cli_serves_until_interrupted():
    process = _emulator_cli(
        "--app", f"{APP}:{TOKEN}:ap-1:{ORG_KEY}", "--recording", f"{APP}:a:b:completed:2048",
        "--fail-next", "1",
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Sendbird API base URL:"), first + (
            process.stderr.read() if process.stderr else ""
        )
        base_url = first.split()[-1]
        failed = requests.get(f"{base_url}/live-events", headers={"Api-Token": TOKEN}, timeout=10)
        assert_error(failed, 503, 500999, "UNKNOWN_ERROR")  # --fail-next 1: the first answer only
        body = requests.get(f"{base_url}/live-events", headers={"Api-Token": TOKEN}, timeout=10).json()
        [recording] = body["live_events"][0]["cloud_recordings"]
        assert (recording["recording_id"], recording["byte_size"]) == ("a:b", 2048)
        assert TOKEN not in first
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=30)
    assert process.returncode == 0


def test_emulator_imports_without_moto():
    code = "import sys; sys.modules['moto'] = None; import localdev.sendbird_emulator"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 0, result.stderr


# ----- command line, called in-process with argv -----------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--error-rate", "1.5"], "--error-rate: '1.5' must be between 0 and 1"),
        (["--error-rate", "nan"], "--error-rate: 'nan' must be between 0 and 1"),
        (["--error-rate", "lots"], "--error-rate: 'lots' is not a number"),
        (["--latency", "-0.1"], "--latency: '-0.1' must be between 0 and 600"),
        (["--latency", "inf"], "--latency: 'inf' must be between 0 and 600"),
        (["--fail-next", "-1"], "--fail-next: '-1' is not a non-negative integer"),
        (["--fail-next", "two"], "--fail-next: 'two' is not a non-negative integer"),
        (["--damage-next", "scrambled"], "--damage-next: 'scrambled' is not one of: truncated, no-moov"),
        (
            ["--app", "A:tok-1:ap-1", "--app", "A:tok-2:us-2"],
            "--app: application id 'A' is given more than once",
        ),
        (["--app", "N:tok:tokyo-1"], "pass its AWS region with --region-key-aws tokyo-1=AWS_REGION"),
        (["--app", "N:tok:tokyo-1", "--region-key-aws", "tokyo-1"], "expected REGION_KEY=AWS_REGION"),
        (["--app", "N:tok:tokyo-1", "--region-key-aws", "tokyo-1=mars-9"], "'mars-9' is not an AWS region"),
        (
            ["--app", "N:tok:tokyo-1", "--region-key-aws", "tokyo-1=ap-northeast-1",
             "--region-key-aws", "tokyo-1=ap-northeast-3"],
            "region key 'tokyo-1' is given more than once",
        ),
        (
            ["--app", "N:tok:ap-1", "--region-key-aws", "tokio-1=ap-northeast-1"],
            "no --app uses region key(s) tokio-1",
        ),
    ],
)  # fmt: skip
def test_bad_arguments_exit_2_before_anything_listens(capsys, args, needle):
    # build() is main() without the serving: a regression fails here instead of serving forever.
    from localdev.sendbird_emulator.__main__ import build

    with pytest.raises(SystemExit) as info:
        build(args)
    assert info.value.code == 2
    stderr = capsys.readouterr().err
    assert needle in stderr
    assert "Traceback" not in stderr


def test_fault_flags_configure_the_emulator():
    from localdev.sendbird_emulator.__main__ import build

    emulator = build(
        ["--app", f"{APP}:{TOKEN}:ap-1", "--error-rate", "0.25", "--latency", "0.05", "--fail-next", "2"]
    )
    assert (emulator.error_rate, emulator.latency) == (0.25, 0.05)
    emulator.error_rate = 0.0  # keep only --fail-next, so the answers below are certain
    with emulator:
        url, headers = f"{emulator.base_url}/rooms", {"Api-Token": TOKEN}
        codes = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(3)]
    assert codes == [503, 503, 200]
    assert build([]).error_rate == 0.0 and build([]).latency == 0.0


def test_unknown_region_key_runs_in_the_mapped_aws_region():
    from localdev.sendbird_emulator.__main__ import build

    emulator = build(
        [
            "--app", f"{APP}:{TOKEN}:tokyo-1:{ORG_KEY}", "--recording", f"{APP}:rec:completed:10",
            "--region-key-aws", "tokyo-1=ap-northeast-3",
        ]
    )  # fmt: skip
    with emulator:
        body = {"access_key": "AK", "secret_key": "SK", "bucket": "b", "region": "ap-northeast-1"}
        message = assert_error(post_copy(emulator, "rec", body), 400, 400100, "INVALID_PARAMS")
        org = requests.get(
            f"{emulator.org_base_url}/api/v2/applications/{APP}",
            headers={"SENDBIRDORGANIZATIONAPITOKEN": ORG_KEY},
            timeout=10,
        ).json()
    # The copy is checked against the mapped AWS region; Sendbird still reports its own key.
    assert "application's region 'ap-northeast-3' (Sendbird region tokyo-1)" in message
    assert org["region"]["region_key"] == "tokyo-1"


# =====================================================================================================
# What a sync needs: time and expiry, statuses, real pagination, configurable limits, copy speed,
# timed request events, faults it must survive, and a realistic seeded application.
# =====================================================================================================
DAY = 86_400.0
NOW = 1_800_000_000.0  # a fixed "now" (January 2027) for tests that move time
CALLS_FIELDS = {
    "recording_id",
    "target_event_type",
    "room_id",
    "status",
    "started_at",
    "stopped_at",
    "duration",
}


def get(emulator, path: str, token: str = TOKEN, **params: Any) -> requests.Response:
    return requests.get(f"{emulator.base_url}{path}", params=params, headers={"Api-Token": token}, timeout=10)


def all_pages(emulator, kind: str = "live-events", limit: int = 100, token: str = TOKEN) -> list[list[dict]]:
    """Every page of a listing, following ``next``."""
    key = "live_events" if kind == "live-events" else "rooms"
    pages, params = [], {"limit": limit}
    while True:
        response = get(emulator, f"/{kind}", token=token, **params)
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body[key])
        if not body["next"]:
            return pages
        params = {"limit": limit, "next": body["next"]}


def listed_recordings(emulator, token: str = TOKEN) -> dict[str, dict]:
    """Every recording the listings show (both kinds), by id."""
    found: dict[str, dict] = {}
    for kind in ("live-events", "rooms"):
        for page in all_pages(emulator, kind, token=token):
            for parent in page:
                for recording in parent["cloud_recordings"]:
                    assert recording["recording_id"] not in found
                    found[recording["recording_id"]] = recording
    return found


def frozen(emulator, at: float = NOW) -> list[float]:
    """Set the emulator's clock to a value the test moves: ``now[0] += DAY``."""
    now = [at]
    emulator.clock = lambda: now[0]
    return now


class TestTimeAndExpiry:
    def test_times_are_unix_ms_from_stopped_at_and_duration(self, fast_app):
        frozen(fast_app)
        recording = fast_app.add_recording(APP, "r", stopped_at=NOW - 7200, duration_s=600, parent_id="ev")
        shown = listed_recordings(fast_app)["r"]
        assert (shown["started_at"], shown["stopped_at"], shown["duration"]) == (
            (NOW - 7800) * 1000,
            (NOW - 7200) * 1000,
            600_000,
        )
        assert all(isinstance(shown[k], int) for k in ("started_at", "stopped_at", "duration"))
        assert (recording.started_at, recording.stopped_at, recording.duration_s) == (
            NOW - 7800,
            NOW - 7200,
            600,
        )

    def test_a_fresh_recording_stopped_an_hour_ago_by_the_real_clock(self, fast_app):
        before = time.time()
        fast_app.add_recording(APP, "r", byte_size=MB)
        shown = listed_recordings(fast_app)["r"]
        assert (before - 3600) * 1000 - 1 <= shown["stopped_at"] <= (time.time() - 3600) * 1000 + 1
        assert abs(shown["duration"] - MB / (2_500_000 / 8) * 1000) <= 1  # ~2.5 Mbit/s by default
        assert shown["started_at"] == shown["stopped_at"] - shown["duration"]

    @pytest.mark.parametrize("status", ["ready", "recording", "paused"])
    def test_a_recording_not_stopped_has_no_stopped_at(self, fast_app, status):
        frozen(fast_app)
        fast_app.add_recording(APP, "r", status=status, duration_s=120)
        shown = listed_recordings(fast_app)["r"]
        assert (shown["stopped_at"], shown["duration"]) == (None, None)
        assert shown["started_at"] == (None if status == "ready" else (NOW - 120) * 1000)
        fast_app.add_recording(APP, "r2", status=status, stopped_at=NOW - 60, duration_s=120)
        seen_running = listed_recordings(fast_app)["r2"]  # a stopped_at given means "running then"
        assert seen_running["stopped_at"] is None
        assert seen_running["started_at"] == (None if status == "ready" else (NOW - 180) * 1000)
        frozen(fast_app, NOW + 30 * DAY)
        assert "r" in listed_recordings(fast_app)  # never expires while it has not stopped

    def test_an_expired_recording_is_gone_and_its_copy_is_400200(self, fast_app, make_copy_target):
        now = frozen(fast_app)
        fast_app.add_recording(APP, "old", stopped_at=NOW - 10 * DAY, parent_id="ev")
        fast_app.add_recording(APP, "fresh", stopped_at=NOW - 3600, parent_id="ev")
        assert set(listed_recordings(fast_app)) == {"old", "fresh"}

        now[0] += 4 * DAY + 1  # "old" stopped 14 days and 1 s ago
        assert set(listed_recordings(fast_app)) == {"fresh"}
        detail = get(fast_app, "/live-events/ev").json()["live_event"]
        assert [r["recording_id"] for r in detail["cloud_recordings"]] == ["fresh"]
        body = copy_body(make_copy_target())
        message = assert_error(post_copy(fast_app, "old", body), 400, 400200, "NOT_FOUND")
        assert "old" in message
        assert post_copy(fast_app, "fresh", body).status_code == 200
        assert [c.recording_id for c in fast_app.wait_for_copies()] == ["fresh"]

    def test_a_recording_copies_until_its_last_second(self, fast_app, make_copy_target, moto):
        target = make_copy_target()
        now = frozen(fast_app)
        fast_app.add_recording(APP, "edge", stopped_at=NOW - 14 * DAY + 1, byte_size=1000)
        assert post_copy(fast_app, "edge", copy_body(target)).status_code == 200
        [copy] = fast_app.wait_for_copies()
        assert copy.status == "completed"
        assert (
            moto.client("s3", REGION).head_object(Bucket=target.bucket, Key="edge.mp4")["ContentLength"]
            == 1000
        )
        now[0] += 2
        assert_error(post_copy(fast_app, "edge", copy_body(target)), 400, 400200, "NOT_FOUND")

    def test_retention_is_sendbirds_two_weeks(self, fast_app):
        frozen(fast_app)
        recording = fast_app.add_recording(APP, "r", stopped_at=NOW)
        assert timedelta(days=14) == RECORDING_RETENTION
        assert recording.expires_at == NOW + 14 * DAY
        assert not recording.expired(NOW + 14 * DAY) and recording.expired(NOW + 14 * DAY + 0.001)
        assert fast_app.add_recording(APP, "going", status="recording").expires_at is None

    @pytest.mark.parametrize(
        ("kwargs", "needle"),
        [
            ({"stopped_at": math.nan}, "stopped_at must be a finite"),
            ({"stopped_at": math.inf}, "stopped_at must be a finite"),
            ({"duration_s": -1}, "duration_s must be >= 0"),
            ({"duration_s": math.nan}, "duration_s must be a finite"),
            ({"byte_size": -1}, "byte_size must be an integer >= 0"),
            ({"byte_size": 1.5}, "byte_size must be an integer >= 0"),
        ],
    )
    def test_bad_times_and_sizes_are_refused(self, kwargs, needle):
        emulator = SendbirdEmulator(None)  # never started: seeding needs no server
        emulator.add_application(APP, TOKEN, "ap-1")
        with pytest.raises(ValueError, match=needle):
            emulator.add_recording(APP, "r", **kwargs)
        assert emulator.recordings() == []


class TestStatuses:
    @pytest.mark.parametrize("status", sorted(LIVE_STATUSES))
    def test_every_live_status_is_listed_and_only_completed_copies(self, fast_app, make_copy_target, status):
        fast_app.add_recording(APP, "r", status=status, byte_size=100)
        assert listed_recordings(fast_app)["r"]["status"] == status
        response = post_copy(fast_app, "r", copy_body(make_copy_target()))
        if status == "completed":
            assert response.status_code == 200, response.text
        else:
            assert f"is '{status}'" in assert_error(response, 400, 400100, "INVALID_PARAMS")
        assert len(fast_app.wait_for_copies()) == (status == "completed")

    @pytest.mark.parametrize("status", sorted(CALLS_STATUSES))
    def test_every_calls_status_is_listed_for_rooms_and_only_completed_copies(
        self, fast_app, make_copy_target, status
    ):
        fast_app.add_recording(APP, "r", status=status, kind="room", byte_size=100)
        assert listed_recordings(fast_app)["r"]["status"] == status
        response = post_copy(fast_app, "r", copy_body(make_copy_target()))
        assert response.status_code == (200 if status == "completed" else 400)
        if status != "completed":
            assert_error(response, 400, 400100, "INVALID_PARAMS")
        fast_app.wait_for_copies()

    def test_live_only_statuses_are_refused_for_rooms(self):
        emulator = SendbirdEmulator(None)
        emulator.add_application(APP, TOKEN, "ap-1")
        for status in ("ready", "paused"):
            with pytest.raises(ValueError, match=r"not a Calls \(room\) status"):
                emulator.add_recording(APP, "r", status=status, kind="room")
        with pytest.raises(ValueError, match=r"not a Live \(live event\) status"):
            emulator.add_recording(APP, "r", status="done")
        assert {"ready", "paused"} == LIVE_STATUSES - CALLS_STATUSES

    def test_room_recordings_show_the_calls_fields_only(self, fast_app):
        fast_app.add_recording(APP, "room-rec", kind="room", parent_id="room-1")
        fast_app.add_recording(APP, "live-rec", parent_id="event-1")
        shown = listed_recordings(fast_app)
        assert set(shown["room-rec"]) == CALLS_FIELDS
        assert shown["room-rec"]["target_event_type"] == "room_video"
        live_fields = CALLS_FIELDS - {"room_id"} | {"live_event_id", "byte_size", "media_type"}
        assert set(shown["live-rec"]) == live_fields

    def test_a_recording_moves_on_and_stops_when_the_clock_says(self, fast_app):
        now = frozen(fast_app)
        fast_app.add_recording(APP, "r", status="recording", duration_s=60, parent_id="ev")
        assert get(fast_app, "/live-events/ev").json()["live_event"]["state"] == "ongoing"
        now[0] += 120
        fast_app.set_recording_status(APP, "r", "uploading")
        now[0] += 300
        fast_app.set_recording_status(APP, "r", "completed")
        shown = listed_recordings(fast_app)["r"]
        assert (shown["status"], shown["started_at"], shown["stopped_at"]) == (
            "completed",
            (NOW - 60) * 1000,
            (NOW + 120) * 1000,
        )
        assert get(fast_app, "/live-events/ev").json()["live_event"]["state"] == "ended"
        with pytest.raises(ValueError, match="unknown recording"):
            fast_app.set_recording_status(APP, "nope", "completed")


class TestPagination:
    def test_hundreds_of_parents_page_newest_first_without_repeats(self, fast_app):
        frozen(fast_app)
        for i in range(250):  # event-000 is the newest
            fast_app.add_parent(APP, "live", f"event-{i:03d}", created_at=NOW - (i + 1) * 600)
            for j in range(2):
                stopped = NOW - (i + 1) * 600 + 300 + j * 60
                fast_app.add_recording(APP, f"r-{i:03d}-{j}", parent_id=f"event-{i:03d}", stopped_at=stopped)

        pages = all_pages(fast_app, "live-events", limit=100)

        assert [len(p) for p in pages] == [100, 100, 50]
        ids = [e["live_event_id"] for page in pages for e in page]
        assert ids == [f"event-{i:03d}" for i in range(250)]
        assert [e["created_at"] for page in pages for e in page] == [
            (NOW - (i + 1) * 600) * 1000 for i in range(250)
        ]
        recordings = [r["recording_id"] for page in pages for e in page for r in e["cloud_recordings"]]
        assert len(recordings) == len(set(recordings)) == 500
        assert all_pages(fast_app, "rooms") == [[]]

    def test_default_limit_is_ten_and_the_limit_is_checked(self, fast_app):
        for i in range(15):
            fast_app.add_recording(APP, f"r{i}")
        first = get(fast_app, "/live-events").json()
        assert len(first["live_events"]) == 10 and first["next"]
        assert len(get(fast_app, "/live-events", next=first["next"]).json()["live_events"]) == 5
        assert len(get(fast_app, "/live-events", limit=100).json()["live_events"]) == 15
        for bad in ("0", "101", "ten", "-1"):
            assert_error(get(fast_app, "/live-events", limit=bad), 400, 400100, "INVALID_PARAMS")
            assert_error(get(fast_app, "/rooms", limit=bad), 400, 400100, "INVALID_PARAMS")

    def test_parents_added_between_pages_are_never_repeated_and_never_skip_one(self, fast_app):
        frozen(fast_app)
        for i in range(5):
            fast_app.add_parent(APP, "room", f"room-{i}", created_at=NOW - i * 60)
        first = get(fast_app, "/rooms", limit=2).json()
        fast_app.add_parent(APP, "room", "brand-new", created_at=NOW + 60)  # before the cursor: next run
        fast_app.add_parent(APP, "room", "backdated", created_at=NOW - DAY)  # after it: still this pass
        seen = [r["room_id"] for r in first["rooms"]]
        params = {"limit": 2, "next": first["next"]}
        while params["next"]:
            body = get(fast_app, "/rooms", **params).json()
            seen += [r["room_id"] for r in body["rooms"]]
            params["next"] = body["next"]
        assert seen == [f"room-{i}" for i in range(5)] + ["backdated"]

    def test_details_are_wrapped_and_show_every_recording_of_the_parent(self, fast_app):
        now = frozen(fast_app)
        for j in range(3):
            fast_app.add_recording(APP, f"e{j}", parent_id="event", stopped_at=NOW - 3600 + j * 600)
            fast_app.add_recording(
                APP, f"m{j}", kind="room", parent_id="room", stopped_at=NOW - 3600 + j * 600
            )
        fast_app.add_parent(APP, "live", "no-recordings")

        event = get(fast_app, "/live-events/event").json()
        room = get(fast_app, "/rooms/room").json()

        assert set(event) == {"live_event"} and set(room) == {"room"}
        assert [r["recording_id"] for r in event["live_event"]["cloud_recordings"]] == ["e0", "e1", "e2"]
        assert [r["recording_id"] for r in room["room"]["cloud_recordings"]] == ["m0", "m1", "m2"]
        assert get(fast_app, "/live-events/no-recordings").json()["live_event"]["cloud_recordings"] == []
        assert_error(get(fast_app, "/rooms/event"), 400, 400200, "NOT_FOUND")  # a live event is no room
        now[0] += 15 * DAY  # every recording expired; the parents stay
        assert get(fast_app, "/live-events/event").json()["live_event"]["cloud_recordings"] == []
        assert len(all_pages(fast_app)[0]) == 2

    @pytest.mark.parametrize("token", ["garbage!", "YmVmb3JlOng6MQ", "b2Zmc2V0OjE"])  # before:x:1, offset:1
    def test_a_next_token_the_emulator_did_not_make_is_400100(self, fast_app, token):
        fast_app.add_recording(APP, "r")
        assert_error(get(fast_app, "/live-events", next=token), 400, 400100, "INVALID_PARAMS")


class TestRateLimits:
    def test_the_defaults_are_the_documented_limits(self):
        assert SendbirdEmulator(None).rate_limits == {"GET": 10, "POST": 5, "PUT": 5, "DELETE": 5}
        assert (GET_REQUESTS_PER_SECOND, WRITE_REQUESTS_PER_SECOND) == (10, 5)

    def test_get_limit_is_per_endpoint_and_per_application(self, make_emulator):
        emulator = make_emulator(rate_clock=lambda: 5.0)
        emulator.add_application(APP, TOKEN, "ap-1")
        emulator.add_application(OTHER_APP, OTHER_TOKEN, "ap-1")
        emulator.add_recording(APP, "r", parent_id="ev")
        codes = [get(emulator, "/live-events").status_code for _ in range(11)]
        assert codes == [200] * 10 + [429]
        limited = get(emulator, "/live-events")
        assert limited.headers["Retry-After"] == "1"
        assert limited.json() == {
            "code": 429100,
            "type": "RATE_LIMIT_EXCEEDED",
            "message": limited.json()["message"],
        }
        assert get(emulator, "/rooms").status_code == 200  # another endpoint
        assert get(emulator, "/live-events/ev").status_code == 200  # the detail is another one too
        assert get(emulator, "/live-events", token=OTHER_TOKEN).status_code == 200  # another app

    def test_raised_limits_let_a_test_send_many_requests(self, make_emulator):
        emulator = make_emulator(rate_clock=lambda: 5.0, rate_limits={"GET": 1000, "POST": 1000})
        emulator.add_application(APP, TOKEN, "ap-1")
        assert emulator.rate_limits == {"GET": 1000, "POST": 1000, "PUT": 5, "DELETE": 5}
        assert {get(emulator, "/rooms").status_code for _ in range(40)} == {200}
        assert {post_copy(emulator, "nope", {}).status_code for _ in range(20)} == {400}

    def test_limits_can_change_while_running(self, make_emulator):
        emulator = make_emulator(rate_clock=lambda: 5.0)
        emulator.add_application(APP, TOKEN, "ap-1")
        emulator.rate_limits = {"POST": 2}  # applied over the documented ones
        assert [post_copy(emulator, "nope", {}).status_code for _ in range(3)] == [400, 400, 429]
        assert emulator.rate_limits["GET"] == 10
        emulator.rate_limits = {"POST": 3}
        assert post_copy(emulator, "nope", {}).status_code == 400

    @pytest.mark.parametrize(
        ("limits", "needle"),
        [
            ({"PATCH": 3}, "method 'PATCH' is not one of GET, POST, PUT, DELETE"),
            ({"GET": 0}, r"rate_limits\['GET'\] must be an integer >= 1"),
            ({"POST": 1.5}, r"rate_limits\['POST'\] must be an integer >= 1"),
            ({"POST": True}, r"rate_limits\['POST'\] must be an integer >= 1"),
        ],
    )
    def test_bad_limits_are_refused(self, limits, needle):
        with pytest.raises(ValueError, match=needle):
            SendbirdEmulator(None, rate_limits=limits)
        emulator = SendbirdEmulator(None)
        with pytest.raises(ValueError, match=needle):
            emulator.rate_limits = limits
        assert emulator.rate_limits["GET"] == 10


class TestCopySpeed:
    def test_a_copy_takes_its_size_over_the_rate(self, fast_app, make_copy_target, moto):
        target = make_copy_target()
        fast_app.copy_mbps = 8.0  # 1,000,000 bytes/s
        fast_app.add_recording(APP, "r", byte_size=600_000)
        started = time.monotonic()
        assert post_copy(fast_app, "r", copy_body(target)).status_code == 200
        [copy] = fast_app.wait_for_copies(timeout=30)
        elapsed = time.monotonic() - started
        assert copy.status == "completed"
        assert 0.6 <= elapsed < 10
        assert (
            moto.client("s3", REGION).head_object(Bucket=target.bucket, Key="r.mp4")["ContentLength"]
            == 600_000
        )

    def test_stop_ends_a_slow_copy_promptly(self, moto, make_copy_target):
        target = make_copy_target()
        emulator = SendbirdEmulator(moto.endpoint, copy_mbps=0.01).start()  # 100 kB would take 80 s
        emulator.add_application(APP, TOKEN, "ap-1")
        emulator.add_recording(APP, "slow", byte_size=100_000)
        try:
            assert post_copy(emulator, "slow", copy_body(target)).status_code == 200
            deadline = time.monotonic() + 10
            while emulator.copies[0].parts < 1 and time.monotonic() < deadline:
                time.sleep(0.02)  # the part is up; the copy now waits out its rate
        finally:
            stopping = time.monotonic()
            emulator.stop()
        assert time.monotonic() - stopping < 3
        [failed] = emulator.copies
        assert failed.status == "failed" and "stopped" in (failed.error or "")
        assert moto.client("s3", REGION).list_objects_v2(Bucket=target.bucket)["KeyCount"] == 0

    def test_a_new_rate_applies_to_a_running_copy(self, fast_app, make_copy_target, moto):
        target = make_copy_target()
        fast_app.copy_mbps = 0.01
        fast_app.add_recording(APP, "r", byte_size=100_000)
        assert post_copy(fast_app, "r", copy_body(target)).status_code == 200
        time.sleep(0.3)
        assert fast_app.copies[0].status == "in_progress"
        fast_app.copy_mbps = None
        [copy] = fast_app.wait_for_copies(timeout=5)
        assert copy.status == "completed"
        assert moto.client("s3", REGION).list_objects_v2(Bucket=target.bucket)["KeyCount"] == 1

    @pytest.mark.parametrize("value", [0, -1, math.nan, math.inf, 1e9, True, "fast"])
    def test_bad_rates_are_refused(self, value):
        with pytest.raises(ValueError, match="copy_mbps"):
            SendbirdEmulator(None, copy_mbps=value)
        emulator = SendbirdEmulator(None, copy_mbps=100)
        with pytest.raises(ValueError, match="copy_mbps"):
            emulator.copy_mbps = value
        assert emulator.copy_mbps == 100.0


class TestRequestEvents:
    def test_every_answer_is_an_event_with_its_times_and_application(self, fast_app):
        started, wall = time.monotonic(), time.time()
        get(fast_app, "/rooms")
        get(fast_app, "/rooms", token="wrong")
        get(fast_app, "/cloud-records")
        events = fast_app.request_events
        assert [(e.method, e.path, e.status, e.app_id) for e in events] == [
            ("GET", "/v1/rooms", 200, APP),
            ("GET", "/v1/rooms", 401, None),
            ("GET", "/v1/cloud-records", 404, APP),
        ]
        assert fast_app.requests_log == [(e.method, e.path, e.status) for e in events]
        assert all(started <= e.time <= time.monotonic() for e in events)
        assert all(wall - 1 <= e.at <= time.time() + 1 for e in events)
        assert isinstance(events[0], RequestEvent)
        with pytest.raises(AttributeError):
            events[0].status = 500  # type: ignore[misc]  # frozen

    def test_copy_posts_counts_accepted_copies_per_recording(self, fast_app, make_copy_target):
        target = make_copy_target()
        fast_app.add_application(OTHER_APP, OTHER_TOKEN, "ap-1")
        for recording_id in ("a", "b", "a b/c"):
            fast_app.add_recording(APP, recording_id, byte_size=100)
        fast_app.add_recording(OTHER_APP, "theirs", byte_size=100)
        body = copy_body(target)
        for recording_id in ("a", "a", "b", "nope"):
            post_copy(fast_app, recording_id, body)
        post_copy(fast_app, "a b/c".replace("/", "%2F"), body)
        post_copy(fast_app, "theirs", body, token=OTHER_TOKEN)
        post_copy(fast_app, "b", {})  # refused: 400111

        assert fast_app.copy_posts() == {"a": 2, "b": 1, "a b/c": 1, "theirs": 1}
        assert fast_app.copy_posts(APP) == {"a": 2, "b": 1, "a b/c": 1}
        assert fast_app.copy_posts("nobody") == {}
        every_attempt = {"a": 2, "b": 2, "a b/c": 1, "nope": 1}  # refused ones too (400200, 400111)
        assert fast_app.copy_posts(APP, accepted_only=False) == every_attempt
        fast_app.wait_for_copies()

    def test_the_post_rate_over_any_window(self, make_emulator):
        clock = [0.0]
        emulator = make_emulator(rate_clock=lambda: clock[0], rate_limits={"POST": 1000})
        emulator.add_application(APP, TOKEN, "ap-1")
        emulator.add_application(OTHER_APP, OTHER_TOKEN, "ap-1")
        for at in (0.0, 0.1, 0.5, 0.99, 1.0, 1.5, 1.6, 1.7):
            clock[0] = at
            post_copy(emulator, "any", {})  # counted whatever the answer (here 400111)
        get(emulator, "/rooms")
        post_copy(emulator, "any", {}, token=OTHER_TOKEN)

        assert emulator.max_posts_in_any_window(APP) == 5  # 0.99, 1.0, 1.5, 1.6, 1.7
        assert emulator.max_posts_in_any_window(APP, seconds=0.5) == 3  # 1.5, 1.6, 1.7
        assert emulator.max_posts_in_any_window(APP, seconds=0.01) == 1  # 0.99 and 1.0 are 0.01 apart
        assert emulator.max_posts_in_any_window(APP, seconds=2.0) == 8
        assert emulator.max_posts_in_any_window(OTHER_APP) == 1
        assert emulator.max_posts_in_any_window("nobody") == 0

    def test_a_client_too_fast_is_caught_by_the_limit_and_by_the_measure(self, make_emulator):
        emulator = make_emulator(rate_clock=lambda: 5.0)  # the documented POST limit, one instant
        emulator.add_application(APP, TOKEN, "ap-1")
        codes = [post_copy(emulator, "any", {}).status_code for _ in range(8)]
        assert codes == [400] * 5 + [429] * 3
        assert emulator.max_posts_in_any_window(APP) == 8  # what the client sent, refused or not
        assert emulator.copy_posts() == {}

    def test_max_in_window_counts_half_open_windows(self):
        assert max_in_window([], 1.0) == 0
        assert max_in_window([0.0, 0.5, 1.0], 1.0) == 2
        assert max_in_window([3.0, 0.0, 0.2, 2.9, 3.1], 1.0) == 3  # order does not matter
        assert max_in_window([1.0] * 6, 1.0) == 6


class TestFaultsSyncMustSurvive:
    def test_rate_limit_next_can_target_posts_only(self, fast_app):
        fast_app.rate_limit_next(2, retry_after=7, method="POST")
        assert get(fast_app, "/rooms").status_code == 200
        limited = [post_copy(fast_app, "any", {}) for _ in range(2)]
        assert {r.status_code for r in limited} == {429}
        assert limited[0].headers["Retry-After"] == "7"
        assert limited[0].json()["code"] == 429100
        assert post_copy(fast_app, "any", {}).status_code == 400  # through to the body check

    def test_rate_limit_next_can_target_gets_only(self, fast_app):
        fast_app.rate_limit_next(1, method="GET")
        assert post_copy(fast_app, "any", {}).status_code == 400
        assert [get(fast_app, "/live-events").status_code for _ in range(2)] == [429, 200]
        fast_app.rate_limit_next(1)  # any method, as before
        assert post_copy(fast_app, "any", {}).status_code == 429

    @pytest.mark.parametrize(
        ("kwargs", "needle"),
        [
            ({"n": -1}, "n must be"),
            ({"n": 1, "retry_after": -1}, "retry_after must be"),
            ({"n": 1, "method": "PATCH"}, "method must be one of"),
            ({"n": 1, "method": "get"}, "method must be one of"),
        ],
    )
    def test_rate_limit_next_refuses_bad_arguments(self, kwargs, needle):
        with pytest.raises(ValueError, match=needle):
            SendbirdEmulator(None).rate_limit_next(**kwargs)

    def test_a_dropped_copy_answers_200_but_never_lands(self, fast_app, make_copy_target, moto):
        target = make_copy_target()
        for recording_id in ("a", "b", "not-yet"):
            fast_app.add_recording(APP, recording_id, byte_size=100)
        fast_app.set_recording_status(APP, "not-yet", "uploading")
        fast_app.drop_next_copies(1)
        assert (
            post_copy(fast_app, "not-yet", copy_body(target)).status_code == 400
        )  # not accepted: not dropped
        first = post_copy(fast_app, "a", copy_body(target))
        assert first.status_code == 200 and first.json()["status"] == "copying"
        assert post_copy(fast_app, "b", copy_body(target)).status_code == 200

        assert {c.recording_id: c.status for c in fast_app.wait_for_copies()} == {
            "a": "dropped",
            "b": "completed",
        }
        s3 = moto.client("s3", REGION)
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=target.bucket)["Contents"]] == ["b.mp4"]
        assert fast_app.copy_posts() == {"a": 1, "b": 1}
        assert post_copy(fast_app, "a", copy_body(target)).status_code == 200  # a retry lands
        fast_app.wait_for_copies()
        assert s3.head_object(Bucket=target.bucket, Key="a.mp4")["ContentLength"] == 100
        with pytest.raises(ValueError, match="n must be"):
            fast_app.drop_next_copies(-1)


def _summary(recordings, now: float) -> dict[str, int]:
    kinds = {"expired": 0, "at_risk": 0, "recent": 0, "going": 0}
    for r in recordings:
        if r.stopped_at is None:
            kinds["going"] += 1
        elif r.expired(now):
            kinds["expired"] += 1
        elif now - r.stopped_at > 11 * DAY:  # within 3 days of the 14-day deadline
            kinds["at_risk"] += 1
        else:
            kinds["recent"] += 1
    return kinds


class TestSeeding:
    def _seeded(self, app_id: str = APP, **kwargs: Any) -> tuple[SendbirdEmulator, list[Recording]]:
        emulator = SendbirdEmulator(None, clock=lambda: NOW)
        emulator.add_application(app_id, TOKEN, "ap-1")
        return emulator, seed_application(emulator, app_id, **kwargs)

    def test_the_same_seed_gives_the_same_application(self):
        def shape(recordings):
            return [
                (r.recording_id, r.status, r.byte_size, r.kind, r.parent_id, r.stopped_at) for r in recordings
            ]

        _, first = self._seeded(seed=3)
        _, again = self._seeded(seed=3)
        _, other = self._seeded(seed=4)
        _, other_app = self._seeded(app_id=OTHER_APP, seed=3)
        assert shape(first) == shape(again)
        assert {r.recording_id for r in first}.isdisjoint({r.recording_id for r in other})
        assert {r.recording_id for r in first}.isdisjoint({r.recording_id for r in other_app})

    def test_a_realistic_mix_of_statuses_and_ages(self):
        emulator, recordings = self._seeded()
        live = [r for r in recordings if r.kind == "live"]
        rooms = [r for r in recordings if r.kind == "room"]
        assert len({r.parent_id for r in live}) == 40 and len({r.parent_id for r in rooms}) == 20
        per_parent = Counter(r.parent_id for r in recordings)
        assert set(per_parent.values()) <= {1, 2, 3} and len(set(per_parent.values())) > 1
        statuses = Counter(r.status for r in recordings)
        assert statuses["completed"] > 0.7 * len(recordings)
        assert {r.status for r in live} == LIVE_STATUSES
        assert {r.status for r in rooms} == CALLS_STATUSES
        summary = _summary(recordings, NOW)
        assert summary["expired"] >= 3 and summary["at_risk"] >= 3
        assert summary["expired"] + summary["at_risk"] < 0.3 * len(recordings)
        ages = sorted((NOW - r.stopped_at) / DAY for r in recordings if r.stopped_at is not None)
        assert not [a for a in ages if 9.5 < a < 11.5 or 13.9 < a <= 14.0]  # every category is clear-cut
        assert all(r.stopped_at is None for r in recordings if r.status in {"recording", "paused", "ready"})
        assert all(DEFAULT_SEED_BYTES // 2 <= r.byte_size <= DEFAULT_SEED_BYTES for r in recordings)
        assert emulator.recordings(APP) == recordings

    def test_sizes_counts_and_bad_arguments(self):
        _, recordings = self._seeded(events=3, rooms=0, byte_size=1000)
        assert {r.kind for r in recordings} == {"live"}
        assert all(500 <= r.byte_size <= 1000 for r in recordings)
        assert self._seeded(events=0, rooms=0)[1] == []
        cases: list[tuple[dict[str, Any], str]] = [
            ({"events": -1}, "events must be"),
            ({"rooms": 10_001}, "rooms must be"),
            ({"byte_size": -5}, "byte_size must be"),
        ]
        for kwargs, needle in cases:
            with pytest.raises(ValueError, match=needle):
                self._seeded(**kwargs)
        with pytest.raises(ValueError, match="unknown application"):
            seed_application(SendbirdEmulator(None), "GHOST", events=1)

    def test_the_listings_show_every_parent_and_the_recordings_not_expired(self, fast_app, make_copy_target):
        recordings = seed_application(fast_app, APP, events=30, rooms=12, byte_size=1000)
        live_pages = all_pages(fast_app, "live-events", limit=7)
        assert len(live_pages) == 5 and sum(len(p) for p in live_pages) == 30
        assert sum(len(p) for p in all_pages(fast_app, "rooms", limit=7)) == 12
        now = fast_app.clock()
        shown = listed_recordings(fast_app)
        assert set(shown) == {r.recording_id for r in recordings if not r.expired(now)}
        expired = next(r for r in recordings if r.expired(now))
        assert_error(
            post_copy(fast_app, expired.recording_id, copy_body(make_copy_target())), 400, 400200, "NOT_FOUND"
        )

    def test_a_sync_like_pass_copies_each_completed_recording_once(self, fast_app, make_copy_target, moto):
        target = make_copy_target()
        seed_application(fast_app, APP, events=12, rooms=6, byte_size=4096, seed=1)
        shown = listed_recordings(fast_app)
        completed = {rid for rid, r in shown.items() if r["status"] == "completed"}
        assert len(completed) >= 15

        for recording_id in sorted(completed):
            assert post_copy(fast_app, recording_id, copy_body(target)).status_code == 200
        copies = fast_app.wait_for_copies(timeout=60)

        assert fast_app.copy_posts(APP) == dict.fromkeys(completed, 1)
        assert {c.status for c in copies} == {"completed"}
        s3 = moto.client("s3", REGION)
        objects = s3.list_objects_v2(Bucket=target.bucket)["Contents"]
        assert {o["Key"] for o in objects} == {f"{rid}.mp4" for rid in completed}
        sizes = {r.recording_id: r.byte_size for r in fast_app.recordings(APP)}
        assert all(o["Size"] == sizes[o["Key"].removesuffix(".mp4")] for o in objects)


class TestCommandLineSeeding:
    def test_seed_flags_seed_every_app_and_set_the_copy_rate(self):
        from localdev.sendbird_emulator.__main__ import build

        args = ["--app", f"{APP}:{TOKEN}:ap-1", "--app", f"{OTHER_APP}:{OTHER_TOKEN}:us-2"]
        emulator = build(
            [*args, "--seed-events", "4", "--seed-rooms", "2", "--seed", "7", "--copy-mbps", "50"]
        )
        assert emulator.copy_mbps == 50.0
        for app_id in (APP, OTHER_APP):
            recordings = emulator.recordings(app_id)
            assert len({(r.kind, r.parent_id) for r in recordings}) == 6
            reference, _ = self._reference(app_id)
            assert [r.recording_id for r in recordings] == reference
        with emulator:
            assert len(get(emulator, "/live-events", limit=100).json()["live_events"]) == 4
            assert len(get(emulator, "/rooms", token=OTHER_TOKEN, limit=100).json()["rooms"]) == 2
        assert build([]).copy_mbps is None and build(args).recordings() == []

    @staticmethod
    def _reference(app_id: str) -> tuple[list[str], SendbirdEmulator]:
        emulator = SendbirdEmulator(None)
        emulator.add_application(app_id, "tok", "ap-1")
        return [
            r.recording_id for r in seed_application(emulator, app_id, events=4, rooms=2, seed=7)
        ], emulator

    def test_recordings_given_by_flag_come_after_the_seeded_ones(self):
        from localdev.sendbird_emulator.__main__ import build

        emulator = build(
            ["--app", f"{APP}:{TOKEN}:ap-1", "--seed-events", "3", "--recording", f"{APP}:mine:completed:10"]
        )
        with emulator:
            first = get(emulator, "/live-events", limit=1).json()["live_events"][0]
        assert first["cloud_recordings"][0]["recording_id"] == "mine"  # newest: listed first

    @pytest.mark.parametrize(
        ("args", "needle"),
        [
            (["--copy-mbps", "0"], "--copy-mbps: '0' must be between 0.001 and 100000"),
            (["--copy-mbps", "nan"], "--copy-mbps: 'nan' must be between"),
            (["--copy-mbps", "inf"], "--copy-mbps: 'inf' must be between"),
            (["--copy-mbps", "fast"], "--copy-mbps: 'fast' is not a number"),
            (["--seed-events", "-1"], "--seed-events: '-1' is not a non-negative integer"),
            (["--seed-events", "10001"], "--seed-events: '10001' must be between 0 and 10000"),
            (["--seed-rooms", "x"], "--seed-rooms: 'x' is not a non-negative integer"),
            (["--seed-rooms", "٣"], "--seed-rooms: '٣' is not a non-negative integer"),
            (["--seed", "2.5"], "--seed: '2.5' is not a non-negative integer"),
            (["--seed", "4294967296"], "--seed: '4294967296' must be between 0 and 4294967295"),
            (["--seed-events", "3"], "--seed-events/--seed-rooms: there is no --app to seed"),
        ],
    )
    def test_bad_seeding_flags_exit_2_naming_the_flag(self, capsys, args, needle):
        from localdev.sendbird_emulator.__main__ import build

        with pytest.raises(SystemExit) as info:
            build(args)
        assert info.value.code == 2
        stderr = capsys.readouterr().err
        assert needle in stderr and "Traceback" not in stderr


def test_copy_clients_are_kept_per_key_pair_and_bounded():
    from localdev.sendbird_emulator.copier import S3Copier

    copier = S3Copier("http://127.0.0.1:1")  # never contacted: making a client sends nothing
    first = copier.client(REGION, "AK", "secret-1")
    assert copier.client(REGION, "AK", "secret-1") is first
    assert copier.client(REGION, "AK", "secret-2") is not first  # another secret: another client
    assert copier.client("us-west-2", "AK", "secret-1") is not first
    for n in range(S3Copier.MAX_CLIENTS):
        copier.client(REGION, f"AK-{n}", "s")
    assert copier.client(REGION, "AK", "secret-1") is not first  # the oldest was let go


def test_the_damage_flag_damages_the_next_copy_of_the_recording_it_names():
    from localdev.sendbird_emulator.__main__ import build

    emulator = build(["--damage-next", "no-moov:rec-2", "--damage-next", "not-mp4"])
    assert emulator._damage == [("rec-2", NO_MOOV), (None, "not-mp4")]
    assert emulator._take_damage("rec-1") == "not-mp4"  # the one for any recording
    assert emulator._take_damage("rec-1") is None
    assert emulator._take_damage("rec-2") == NO_MOOV
