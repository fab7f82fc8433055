"""The Sendbird API client against real local servers: the emulator (copying into moto) and a tiny
echo server for what the emulator never does (echo secrets, answer non-JSON)."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from localdev.sendbird_emulator.media import RecordingFile
from sendbird_copy.api import OrganizationClient, SendbirdClient
from sendbird_copy.errors import (
    NotSendbirdAnswerError,
    RateLimitedError,
    SendbirdApiError,
    SendbirdConnectionError,
    SendbirdCopyError,
    SendbirdTimeoutError,
    UnexpectedAnswerError,
    UsageError,
    describe,
)
from sendbird_copy.facts import APP_ID_ALLOWED
from tests.sendbird_copy.cli_support import APP, ORG_KEY, TOKEN

REGION = "ap-northeast-1"  # Sendbird region ap-1
FAST = 0.01  # backoff factor: keeps retry sleeps short; Retry-After still applies


def client_for(emulator, retries: int = 4, backoff_factor: float = FAST, **kwargs: Any) -> SendbirdClient:
    return SendbirdClient(
        APP, TOKEN, base_url=emulator.base_url, retries=retries, backoff_factor=backoff_factor, **kwargs
    )


def copy(client: SendbirdClient, recording_id: str, target, **overrides: str) -> dict[str, Any]:
    fields = {
        "access_key": target.creds.access_key_id,
        "secret_key": target.creds.secret_access_key,
        "bucket": target.bucket,
        "region": target.region,
        **overrides,
    }
    return client.copy_recording(recording_id, **fields)


def statuses(emulator) -> list[int]:
    return [status for _, _, status in emulator.requests_log]


# ----- success -------------------------------------------------------------------------------------
def test_copy_lands_the_recording_in_the_bucket_with_the_narrow_identity(app, make_copy_target, moto):
    target = make_copy_target()  # exactly s3:PutObject + s3:ListBucket, IAM auth on
    size = 1024 * 1024 + 17
    app.add_recording(APP, "rec-1", byte_size=size)

    with client_for(app) as client:
        answer = copy(client, "rec-1", target)

    assert answer["recording_id"] == "rec-1"
    assert answer["bucket"] == target.bucket
    [done] = app.wait_for_copies(timeout=30)
    assert (done.status, done.error, done.parts) == ("completed", None, 1)
    s3 = moto.client("s3", REGION)
    listed = s3.list_objects_v2(Bucket=target.bucket)["Contents"]
    assert [(o["Key"], o["Size"]) for o in listed] == [("rec-1.mp4", size)]
    obj = s3.get_object(Bucket=target.bucket, Key="rec-1.mp4")
    assert obj["ContentType"] == "video/mp4"
    assert obj["Body"].read() == RecordingFile("rec-1", size).read(0, size)  # the emulator's real MP4
    assert app.requests_log == [("POST", "/v1/cloud-recordings/rec-1/copy", 200)]


def test_recording_id_is_url_encoded_and_arrives_intact(app, make_copy_target, moto):
    target = make_copy_target()
    odd_id = "live/2024 05?part=1#x"
    app.add_recording(APP, odd_id, byte_size=1000)

    copy(client_for(app), odd_id, target)

    [(_, path, status)] = app.requests_log
    assert status == 200
    assert path == "/v1/cloud-recordings/live%2F2024%2005%3Fpart%3D1%23x/copy"
    [done] = app.wait_for_copies(timeout=30)
    assert (done.recording_id, done.status) == (odd_id, "completed")
    keys = [o["Key"] for o in moto.client("s3", REGION).list_objects_v2(Bucket=target.bucket)["Contents"]]
    assert keys == [f"{odd_id}.mp4"]


# ----- documented errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "status", "code", "error_type"),
    [
        ("missing field", 400, 400111, "MISSING_PARAMS"),
        ("not completed", 400, 400100, "INVALID_PARAMS"),
        ("wrong region", 400, 400100, "INVALID_PARAMS"),
        ("unknown recording", 400, 400200, "NOT_FOUND"),
        ("bad token", 401, 401121, "NOT_AUTHORIZED"),
    ],
)
def test_documented_errors_surface_with_their_code_and_are_not_retried(
    app, make_copy_target, case, status, code, error_type
):
    target = make_copy_target()
    app.add_recording(APP, "done", status="completed")
    app.add_recording(APP, "running", status="recording")
    client = client_for(app, retries=4)
    if case == "bad token":
        client = SendbirdClient(APP, "not-the-token", base_url=app.base_url, retries=4, backoff_factor=FAST)
    rid = {"not completed": "running", "unknown recording": "nope"}.get(case, "done")
    overrides = {"missing field": {"bucket": ""}, "wrong region": {"region": "us-west-2"}}.get(case, {})

    with pytest.raises(SendbirdApiError) as info:
        copy(client, rid, target, **overrides)

    err = info.value
    assert (err.status, err.code, err.type) == (status, code, error_type)
    assert str(err).startswith(f"Sendbird API {status} {error_type} ({code}): ")
    assert not isinstance(err, RateLimitedError)
    assert statuses(app) == [status]  # a 4xx is never retried
    assert app.copies == []


def test_rate_limit_with_no_retries_raises_rate_limited(app, make_copy_target):
    app.add_recording(APP, "rec")
    app.rate_limit_next(1, retry_after=1)

    with pytest.raises(RateLimitedError) as info:
        copy(client_for(app, retries=0), "rec", make_copy_target())

    assert (info.value.status, info.value.code, info.value.type) == (429, 429100, "RATE_LIMIT_EXCEEDED")
    assert statuses(app) == [429]


# Every error code Sendbird documents for the Calls/Live API: (code, HTTP status, type).
DOCUMENTED_CODES = [
    (400100, 400, "INVALID_PARAMS"),
    (400111, 400, "MISSING_PARAMS"),
    (400200, 400, "NOT_FOUND"),
    (400201, 400, "UNIQUE_CONSTRAINT"),
    (400800, 400, "FREE_PLAN_ENDED"),
    (401120, 401, "NOT_ALLOWED"),
    (401121, 401, "NOT_AUTHORIZED"),
    (429100, 429, "RATE_LIMIT_EXCEEDED"),
    (500999, 500, "UNKNOWN_ERROR"),
]


def test_the_emulator_injects_exactly_the_documented_codes():
    from localdev.sendbird_emulator.state import DOCUMENTED_ERRORS

    assert {code: (status, kind) for code, status, kind in DOCUMENTED_CODES} == DOCUMENTED_ERRORS


@pytest.mark.parametrize("call", ["copy", "list"])
@pytest.mark.parametrize(
    ("code", "status", "error_type"), DOCUMENTED_CODES, ids=[str(c[0]) for c in DOCUMENTED_CODES]
)
def test_every_documented_error_is_typed_and_only_429_and_5xx_are_retried(
    app, call, code, status, error_type
):
    app.fail_next(10, code=code)  # more than the budget: the last answer is the error
    client = client_for(app, retries=2)

    with pytest.raises(SendbirdApiError) as info:
        if call == "copy":
            client.copy_recording("rec", access_key="AK", secret_key=SECRET, bucket="b", region=REGION)
        else:
            client.list_page("rooms", {})

    err = info.value
    assert (err.status, err.code, err.type) == (status, code, error_type)
    assert err.message == f"{error_type} (injected by the emulator)."
    assert isinstance(err, RateLimitedError) is (status == 429)
    # A copy POST is repeated on a 429 only: after a 5xx it may have been accepted.
    retried = status == 429 or (status >= 500 and call == "list")
    assert statuses(app) == [status] * (3 if retried else 1)  # 1 + 2 retries, or once


# ----- retries -------------------------------------------------------------------------------------
def test_429_is_retried_after_retry_after_then_succeeds(app, make_copy_target):
    app.add_recording(APP, "rec")
    app.rate_limit_next(1, retry_after=1)
    client = client_for(app, retries=4, backoff_factor=0.0)  # any wait must come from Retry-After

    started = time.monotonic()
    copy(client, "rec", make_copy_target())
    waited = time.monotonic() - started

    assert statuses(app) == [429, 200]
    assert waited >= 0.9  # a lower bound only: Retry-After: 1 was honoured
    assert len(app.wait_for_copies(timeout=30)) == 1


def test_5xx_burst_shorter_than_the_budget_is_retried_for_a_listing(app):
    app.add_recording(APP, "rec")
    app.fail_next(3, status=503)

    page = client_for(app, retries=4).list_page("live-events", {})

    assert statuses(app) == [503, 503, 503, 200]
    assert [r.recording_id for p in page.parents for r in p.recordings] == ["rec"]


def test_5xx_burst_longer_than_the_budget_raises_the_last_error(app):
    app.fail_next(10, status=502)

    with pytest.raises(SendbirdApiError) as info:
        client_for(app, retries=2).list_page("rooms", {})

    assert (info.value.status, info.value.code, info.value.type) == (502, 500999, "UNKNOWN_ERROR")
    assert statuses(app) == [502, 502, 502]


def test_a_copy_answered_5xx_is_never_repeated(app, make_copy_target):
    """A copy POST is not idempotent: a 5xx may hide an accepted copy, so it is sent once."""
    app.add_recording(APP, "rec")
    app.fail_next(3, status=503)

    with pytest.raises(SendbirdApiError) as info:
        copy(client_for(app, retries=4), "rec", make_copy_target())

    assert info.value.status == 503
    assert statuses(app) == [503]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_base_url_raises_connection_error_naming_the_host():
    port = _closed_port()
    client = SendbirdClient(
        APP, TOKEN, base_url=f"http://127.0.0.1:{port}/v1", retries=2, backoff_factor=FAST
    )

    with pytest.raises(SendbirdConnectionError) as info:
        client.copy_recording("rec", access_key="AK", secret_key="SECRET-KEY-XYZ", bucket="b", region=REGION)

    message = str(info.value)
    assert f"127.0.0.1:{port}" in message
    assert "after 2 retries" in message
    assert TOKEN not in message and "SECRET-KEY-XYZ" not in message
    assert info.value.__cause__ is None and info.value.__context__ is None  # no request object rides along


def test_read_timeout_raises_timeout_error_and_the_post_is_not_repeated(app, make_copy_target):
    app.add_recording(APP, "rec")
    app.latency = 1.5

    with pytest.raises(SendbirdTimeoutError) as info:
        copy(client_for(app, retries=4, timeout=(2.0, 0.3)), "rec", make_copy_target())

    assert "did not answer within 0.3 s" in str(info.value)
    assert "read timeout" in str(info.value)
    deadline = time.monotonic() + 10
    while not app.requests_log and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    # The server did get (and accept) the copy: repeating it on a read timeout would start a second.
    assert statuses(app) == [200]


# ----- listings ------------------------------------------------------------------------------------
def test_listings_follow_next_across_pages_and_find_recording_searches_both(app):
    for i in range(5):
        app.add_recording(APP, f"live-{i}", kind="live")
    for i in range(3):
        app.add_recording(APP, f"room-{i}", kind="room", parent_id="room-A" if i < 2 else "room-B")
    client = client_for(app)

    def every(kind: str, limit: int) -> list[Any]:
        parents: list[Any] = []
        token: str | None = None
        while True:
            page = client.list_page(kind, {}, token, limit=limit)
            parents += page.parents
            if page.next is None:
                return parents
            token = page.next

    events = every("live-events", 2)
    rooms = every("rooms", 1)

    assert [e.parent_id for e in events] == [f"live-live-{i}" for i in (4, 3, 2, 1, 0)]  # newest first
    assert [len(r.recordings) for r in rooms] == [1, 2]  # room-B (newest), then room-A
    assert [p for m, p, _ in app.requests_log if m == "GET"].count("/v1/live-events") == 3  # 2 + 2 + 1
    found = client.find_recording("room-1")
    assert found is not None and found.status == "completed"
    assert found.byte_size is None  # Sendbird documents no byte_size for a Calls (room) recording
    live = client.find_recording("live-3")
    assert live is not None and live.byte_size == 1024 * 1024
    assert client.find_recording("nope") is None
    with pytest.raises(ValueError, match="limit"):
        client.list_page("rooms", {}, limit=0)


def test_find_recording_reads_at_most_max_pages_of_each_listing(app):
    # 101 live events, newest first: the oldest recording sits on the second page of 100.
    for i in range(101):
        app.add_recording(APP, f"live-{i:03d}", kind="live")
    client = client_for(app)

    def gets() -> list[str]:
        return [path for method, path, _ in app.requests_log if method == "GET"]

    assert client.find_recording("live-000", max_pages=1) is None
    assert gets() == ["/v1/live-events", "/v1/rooms"]  # one page each, then it gives up
    found = client.find_recording("live-000", max_pages=2)
    assert found is not None and found.recording_id == "live-000"
    assert gets()[2:] == ["/v1/live-events", "/v1/live-events"]  # found on page 2: rooms not read
    with pytest.raises(ValueError, match="max_pages"):
        client.find_recording("live-000", max_pages=0)
    from sendbird_copy.api import FIND_MAX_PAGES

    assert FIND_MAX_PAGES == 20  # the number the smoke test's skip message names


# ----- organization API ----------------------------------------------------------------------------
def test_organization_client_reads_the_region_and_maps_401(app):
    good = OrganizationClient(ORG_KEY, base_url=app.org_base_url, backoff_factor=FAST)
    application = good.get_application(APP)
    assert application["region"] == {"region_key": "ap-1", "region_name": "Tokyo, Japan"}
    assert application["app_id"] == APP

    bad = OrganizationClient("wrong-key", base_url=app.org_base_url, backoff_factor=FAST)
    with pytest.raises(SendbirdApiError) as info:
        bad.get_application(APP)
    assert (info.value.status, info.value.code) == (401, 401121)
    assert ORG_KEY not in repr(good) and ORG_KEY not in str(good)
    assert statuses(app) == [200, 401]


# ----- inputs, headers, secrets --------------------------------------------------------------------
def test_inputs_are_validated_and_base_url_is_formatted():
    with pytest.raises(ValueError, match="api_token"):
        SendbirdClient(APP, "   ")
    with pytest.raises(ValueError, match="api_token") as info:
        SendbirdClient(APP, "zq-secret-part\nmore")
    assert "zq-secret" not in str(info.value)
    with pytest.raises(ValueError, match="application_id"):
        SendbirdClient("", TOKEN)
    with pytest.raises(ValueError, match="org_api_key"):
        OrganizationClient("")
    assert SendbirdClient(APP, TOKEN).base_url == f"https://api-{APP}.calls.sendbird.com/v1"
    assert (
        SendbirdClient(APP, TOKEN, base_url="http://h:1/{application_id}/v1/").base_url
        == f"http://h:1/{APP}/v1"
    )
    assert SendbirdClient(APP, TOKEN, base_url="http://h:1/v1").base_url == "http://h:1/v1"
    assert OrganizationClient(ORG_KEY).base_url == "https://gate.sendbird.com"
    with pytest.raises(ValueError, match="application_id"):
        SendbirdClient("evil.com/x", TOKEN)


class EchoServer:
    """Answers every request with a canned response and remembers what it received."""

    def __init__(self) -> None:
        self.answer: tuple[int, str, bytes] = (200, "application/json", b"{}")
        self.headers: dict[str, str] = {}  # sent with every answer (Retry-After...)
        self.received: list[dict[str, Any]] = []
        echo = self

        class Handler(BaseHTTPRequestHandler):
            def do_any(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                echo.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status, content_type, data = echo.answer
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in echo.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_any

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


SECRET = "aws-secret-key-never-shown"


def test_request_carries_documented_headers_and_body(echo):
    echo.answer = (200, "text/plain", b"")
    client = SendbirdClient(APP, TOKEN, base_url=echo.url + "/v1")

    result = client.copy_recording("r 1", access_key="AK", secret_key=SECRET, bucket="b", region=REGION)

    assert result == {}  # any 2xx is "accepted"; an empty body parses to {}
    [request] = echo.received
    assert request["path"] == "/v1/cloud-recordings/r%201/copy"
    assert request["headers"]["Api-Token"] == TOKEN
    assert request["headers"]["Content-Type"] == "application/json; charset=utf8"
    assert json.loads(request["body"]) == {
        "access_key": "AK",
        "secret_key": SECRET,
        "bucket": "b",
        "region": REGION,
    }


@pytest.mark.parametrize(
    ("content_type", "body", "code"),
    [
        ("text/html", b"<h1>Bad gateway</h1> token=%s secret=%s " + b"x" * 400, None),
        # The token straddles the 200-character cut: redaction must happen before truncation.
        ("text/plain", b"y" * 190 + b"%s %s", None),
        (
            "application/json",
            b'{"error": true, "code": 400100, "type": "INVALID_PARAMS", "message": "%s / %s"}',
            400100,
        ),
    ],
)
def test_secrets_never_appear_in_errors_logs_or_reprs(echo, caplog, content_type, body, code):
    echo.answer = (400, content_type, body % (TOKEN.encode(), SECRET.encode()))
    client = SendbirdClient(APP, TOKEN, base_url=echo.url + "/v1", retries=0)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SendbirdApiError) as info:
        client.copy_recording("rec", access_key="AK", secret_key=SECRET, bucket="b", region=REGION)

    err = info.value
    assert err.code == code
    if code is None:  # a non-JSON body is never shown: one line, status and content type
        kind = {"text/html": "an HTML page", "text/plain": "plain text"}[content_type]
        assert err.message == f"not a Sendbird API answer: {kind}"
        assert str(err) == f"Sendbird answered HTTP 400 (not a Sendbird API answer: {kind})"
    else:
        assert "***" in err.message
    assert TOKEN[:6] not in err.message  # not even a prefix cut off by truncation
    for text in (str(err), repr(err), err.message, repr(client), str(client), caplog.text):
        assert TOKEN not in text and SECRET not in text
    assert repr(client) == f"SendbirdClient(application_id='{APP}', base_url='{echo.url}/v1')"


def test_secret_key_refused_by_s3_is_not_echoed(app, make_copy_target):
    target = make_copy_target()
    app.add_recording(APP, "rec")
    wrong_secret = "wrong-secret-" + target.creds.secret_access_key[:8]

    with pytest.raises(SendbirdApiError) as info:
        copy(client_for(app), "rec", target, secret_key=wrong_secret)

    assert (info.value.status, info.value.code) == (400, 400100)
    assert "SignatureDoesNotMatch" in info.value.message
    assert wrong_secret not in str(info.value)


def test_every_error_is_a_sendbird_copy_error():
    for cls in (SendbirdApiError, RateLimitedError, SendbirdConnectionError, SendbirdTimeoutError):
        assert issubclass(cls, SendbirdCopyError)
    err = SendbirdApiError(500, None, None, "boom")
    assert str(err) == "Sendbird API 500: boom"


def test_api_module_imports_neither_pulumi_nor_boto3():
    code = (
        "import sys, sendbird_copy.api; "
        "bad = [m for m in ('pulumi', 'boto3', 'botocore') if m in sys.modules]; "
        "sys.exit(repr(bad) if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_redacting_filter_masks_message_args_and_traceback():
    import io

    from sendbird_copy.redact import RedactingFilter, redact

    assert redact("a-secret and a-secret-longer", ["a-secret", "a-secret-longer", None, ""]) == "*** and ***"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    redacting = RedactingFilter([TOKEN])
    redacting.add(SECRET)
    handler.addFilter(redacting)
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"boom {SECRET}")
        except RuntimeError:
            logger.error("token %s in %s", TOKEN, "args", exc_info=True)
    finally:
        logger.removeHandler(handler)
    output = stream.getvalue()
    assert "token *** in args" in output
    assert "RuntimeError: boom ***" in output
    assert TOKEN not in output and SECRET not in output


ORG_ENDPOINT = "GET /api/v2/applications/{app_id}"
TOKYO = {"region_key": "ap-1", "region_name": "Tokyo, Japan"}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"app_id": APP, "region": {"region_key": 1}}, "region: 'region_key' is an integer, not a non-empty"),
        ({"app_id": APP, "region": {}}, "region: 'region_key' is missing or null, not a non-empty string"),
        ({"app_id": APP, "region": "ap-1"}, "'region' is a string, not an object"),
        ({"app_id": APP}, "'region' is missing or null, not an object"),
        ({"app_id": APP, "region": {**TOKYO, "region_name": 5}}, "'region_name' is an integer, not a string"),
        ({"app_id": "ANOTHER-APP", "region": TOKYO}, "'app_id' is another application, not the application"),
        ({"region": TOKYO}, "'app_id' is missing or null, not the application asked for"),
        ([TOKYO], "the answer is a list, not a JSON object"),
    ],
)
def test_an_organization_answer_of_another_shape_names_the_endpoint(echo, body, problem):
    echo.answer = (200, "application/json", json.dumps(body).encode())
    organization = OrganizationClient(ORG_KEY, base_url=echo.url, retries=0)

    with pytest.raises(UnexpectedAnswerError) as info:
        organization.get_application(APP)

    assert info.value.endpoint == ORG_ENDPOINT
    assert problem in str(info.value)
    assert str(info.value).startswith(f"Sendbird's answer to {ORG_ENDPOINT} is not what the sync relies on")


def test_an_organization_answer_of_the_documented_shape_is_handed_back(echo):
    body = {"app_id": APP, "app_name": "x", "region": TOKYO, "new_field": [1]}
    echo.answer = (200, "application/json", json.dumps(body).encode())
    assert OrganizationClient(ORG_KEY, base_url=echo.url, retries=0).get_application(APP) == body


# ----- credentials in a base URL -------------------------------------------------------------------
URL_PASSWORD = "pw-5ecr3t-in-url"


def test_base_url_credentials_never_appear_in_reprs_or_errors():
    port = _closed_port()
    url = f"http://user:{URL_PASSWORD}@127.0.0.1:{port}/v1?token={URL_PASSWORD}"
    client = SendbirdClient(APP, TOKEN, base_url=url, retries=0)
    organization = OrganizationClient(ORG_KEY, base_url=url, retries=0)

    with pytest.raises(SendbirdConnectionError) as copy_error:
        client.copy_recording("rec", access_key="AK", secret_key=SECRET, bucket="b", region=REGION)
    with pytest.raises(SendbirdConnectionError) as org_error:
        organization.get_application(APP)

    assert repr(client) == f"SendbirdClient(application_id='{APP}', base_url='http://127.0.0.1:{port}/v1')"
    assert repr(organization) == f"OrganizationClient(base_url='http://127.0.0.1:{port}/v1')"
    for err in (copy_error.value, org_error.value):
        assert f"at 127.0.0.1:{port}" in str(err)
    for text in (repr(client), repr(organization), str(copy_error.value), str(org_error.value)):
        assert URL_PASSWORD not in text and "user:" not in text


@pytest.mark.parametrize(
    ("url", "shown", "host"),
    [
        ("http://user:pw@127.0.0.1:9/v1?x=1#f", "http://127.0.0.1:9/v1", "127.0.0.1:9"),
        ("https://a@b@host/p@q", "https://host/p@q", "host"),  # userinfo ends at its last '@'
        ("user:pw@host:9/v1", "host:9/v1", "host:9"),  # no scheme: still no userinfo
        ("http://user:pw@h:port/v1", "http://h:port/v1", "h:port"),  # a bad port does not raise
        ("not-a-url", "not-a-url", "not-a-url"),
        (
            "https://api-X.calls.sendbird.com/v1",
            "https://api-X.calls.sendbird.com/v1",
            "api-X.calls.sendbird.com",
        ),
    ],
)
def test_display_url_drops_userinfo_query_and_fragment(url, shown, host):
    from sendbird_copy.redact import display_host, display_url

    assert (display_url(url), display_host(url)) == (shown, host)


@pytest.mark.parametrize("app_id", ["0f8e7d6c-5b4a-4392-8170-6a5b4c3d2e1f", "APP-1", "app-2", "a" * 59])
def test_application_ids_the_host_name_can_carry_are_accepted(app_id):
    assert SendbirdClient(app_id, TOKEN).base_url == f"https://api-{app_id}.calls.sendbird.com/v1"


@pytest.mark.parametrize("app_id", ["evil.com/x", "a@b", "app.1", "APP_1", "-app", "app-", "a" * 60])
def test_refused_application_id_is_named_with_what_is_allowed(app_id):
    with pytest.raises(ValueError) as info:
        SendbirdClient(app_id, TOKEN)
    assert str(info.value) == f"application_id '{app_id}' is invalid. Allowed: {APP_ID_ALLOWED}"
    assert isinstance(info.value, UsageError)  # the CLI's exit code 2
    # With a base URL override the id is not part of a host name, so it is not refused.
    assert SendbirdClient(app_id, TOKEN, base_url="http://127.0.0.1:1/v1").application_id == app_id


@pytest.mark.parametrize(
    ("status", "content_type", "body"),
    [
        (200, "text/html; charset=utf-8", b"<!doctype html><html><body><h1>Welcome</h1>" + b"x" * 500),
        (502, "text/plain", b"upstream connect error or disconnect/reset before headers"),
        (200, "application/json", b"<html>not json after all</html>"),
    ],
)
def test_an_answer_that_is_not_json_is_described_in_one_line_never_shown(echo, status, content_type, body):
    echo.answer = (status, content_type, body)
    client = SendbirdClient(APP, TOKEN, base_url=echo.url + "/v1", retries=0)

    with pytest.raises(NotSendbirdAnswerError) as info:
        client.copy_recording("rec", access_key="AK", secret_key=SECRET, bucket="b", region=REGION)

    kind = {"text/html": "an HTML page", "text/plain": "plain text"}.get(
        content_type.split(";")[0], "an answer of type application/json"
    )
    assert str(info.value) == f"Sendbird answered HTTP {status} (not a Sendbird API answer: {kind})"
    assert describe(info.value) == str(info.value)  # one plain line, said once
    assert isinstance(info.value, SendbirdApiError) and info.value.status == status


def test_a_long_retry_after_is_said_not_slept_in_silence(echo, caplog, monkeypatch):
    monkeypatch.setattr("sendbird_copy.api.transport.RETRY_WAIT_WORTH_A_LINE", 1.0)
    echo.answer = (429, "application/json", b'{"code": 429100, "message": "slow down"}')
    echo.headers = {"Retry-After": "1"}
    client = SendbirdClient(APP, TOKEN, base_url=echo.url + "/v1", retries=1)
    caplog.set_level(logging.WARNING, logger="sendbird_copy")

    with pytest.raises(RateLimitedError):
        client.list_page("live-events", {}, limit=1)

    assert len(echo.received) == 2  # retried once, after the Retry-After it was told
    assert "Sendbird answered HTTP 429; retrying in 1 s, as its Retry-After says" in caplog.text
