"""The Sendbird emulator over raw HTTP: it must follow SENDBIRD_API.md, since the client, the smoke
test and the e2e tests trust it as the stand-in for Sendbird."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import pytest
import requests

from sendbird_copy.emulator import PART_SIZE, SendbirdEmulator, recording_bytes
from sendbird_copy.emulator.state import iter_parts
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
    with SendbirdEmulator(moto.endpoint, clock=lambda: now[0]) as emulator:
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
    with SendbirdEmulator(moto.endpoint, clock=lambda: 5.0) as emulator:
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

    assert pages == [["live-r0", "live-r1"], ["live-r2", "live-r3"], ["live-r4"]]
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

    assert [r["room_id"] for r in first["rooms"] + second["rooms"]] == ["room-a", "room-b"]
    assert second["next"] is None
    assert [c["recording_id"] for c in first["rooms"][0]["cloud_recordings"]] == ["a1", "a2"]
    assert {c["target_event_type"] for c in first["rooms"][0]["cloud_recordings"]} == {"room_video"}
    detail = requests.get(f"{app.base_url}/rooms/room-b", headers=headers, timeout=10).json()
    assert detail["room"]["cloud_recordings"][0]["room_id"] == "room-b"


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
        [sys.executable, "-m", "sendbird_copy.emulator", *args],
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
    code = "import sys; sys.modules['moto'] = None; import sendbird_copy.emulator"
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
    from sendbird_copy.emulator.__main__ import build

    with pytest.raises(SystemExit) as info:
        build(args)
    assert info.value.code == 2
    stderr = capsys.readouterr().err
    assert needle in stderr
    assert "Traceback" not in stderr


def test_fault_flags_configure_the_emulator():
    from sendbird_copy.emulator.__main__ import build

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
    from sendbird_copy.emulator.__main__ import build

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
