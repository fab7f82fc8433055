"""smoke-test end to end: moto (IAM auth on) + the Sendbird emulator, both real HTTP servers.

The emulator copies the way Sendbird does (5 MB multipart upload with the copy user's keys, in the
background after answering 200), so the smoke test must find the object by listing and waiting.
"""

from __future__ import annotations

import itertools
import json

import pytest

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator import PART_SIZE
from sendbird_copy.aws import AwsClients, key_id
from sendbird_copy.checks.smoke import (
    NO_RECORDING_NOTE,
    Environment,
    SmokeOptions,
    Snapshot,
    wait_for_new_object,
)
from tests.sendbird_copy.aws_builders import Destination, documented_grant, objects_under
from tests.sendbird_copy.cli_support import API_TOKEN, CopyCli, closed_port

RECORDING_BYTES = 12 * 1024 * 1024  # three 5 MB parts
FAST = ("--poll-interval", "0.2", "--wait-timeout", "60")


@pytest.fixture
def dest(copy_cli: CopyCli, emulator) -> Destination:
    """A correct destination in ap-northeast-2 and its application (ap-2) with one 12 MB recording."""
    destination = copy_cli.destination(region="ap-northeast-2")
    emulator.add_application(destination.app_id, API_TOKEN, "ap-2")
    emulator.add_recording(destination.app_id, "rec-12mb", status="completed", byte_size=RECORDING_BYTES)
    return destination


def smoke_args(emulator, *extra: str) -> list[str]:
    return ["--api-base-url", emulator.base_url, "--org-api-base-url", emulator.org_base_url, *FAST, *extra]


def copy_requests(emulator) -> list[str]:
    return [path for method, path, _ in emulator.requests_log if method == "POST"]


def test_smoke_test_copies_and_finds_the_new_object(copy_cli: CopyCli, dest: Destination, emulator) -> None:
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb", "--json")
    )
    assert done.exit_code == 0, done.text
    document = done.json()
    assert document["verdict"] == "pass"
    (app,) = document["applications"]
    names = [c["name"] for c in app["checks"]]
    assert names[-5:] == ["recording", "copy accepted", "copied object", "object size", "object encryption"]
    assert app["object"]["size"] == RECORDING_BYTES
    assert key_id(app["object"]["kms_key_id"]) == key_id(dest.kms_key_arn)
    assert app["object"]["server_side_encryption"] == "aws:kms"
    # The key came from the listing; it is the one the emulator chose to write.
    (copy,) = emulator.copies
    assert app["object"]["key"] == copy.key
    assert copy.parts == -(-RECORDING_BYTES // PART_SIZE) == 3
    assert "waiting for the copied object" in done.stderr or copy.status == "completed"


def test_human_report_of_a_passing_smoke_test(copy_cli: CopyCli, dest: Destination, emulator) -> None:
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb")
    )
    assert done.exit_code == 0, done.text
    assert "PASS recording — recording rec-12mb is completed, 12582912 bytes" in done.stdout
    assert f"PASS object size — s3://{dest.bucket}/" in done.stdout
    assert "has 12582912 bytes (the recording's byte_size)" in done.stdout
    assert "  object: bucket=" in done.stdout
    assert done.stdout.rstrip().endswith("verdict: PASS (1 application(s))")


def test_a_second_run_finds_the_rewritten_object(copy_cli: CopyCli, emulator) -> None:
    """The same recording copied twice lands on the same key with the same bytes, within the same
    second of LastModified: in a versioned bucket (as the stack's is) the new version shows it."""
    dest = copy_cli.destination(versioning=True)
    emulator.add_application(dest.app_id, API_TOKEN, "ap-2")
    emulator.add_recording(dest.app_id, "rec-12mb", status="completed", byte_size=RECORDING_BYTES)
    outputs = copy_cli.outputs(dest)
    for _ in range(2):
        done = copy_cli.invoke("smoke-test", outputs, *smoke_args(emulator, "--recording-id", "rec-12mb"))
        assert done.exit_code == 0, done.text
    assert len(emulator.copies) == 2
    assert objects_under(copy_cli.moto, dest) == [emulator.copies[0].key]  # type: ignore[arg-type]


def test_without_recording_id_it_stops_after_preflight_and_says_so(
    copy_cli: CopyCli, dest: Destination, emulator
) -> None:
    done = copy_cli.invoke("smoke-test", copy_cli.outputs(dest), *smoke_args(emulator), token=None)
    assert done.exit_code == 0, done.text
    assert f"note: {NO_RECORDING_NOTE}" in done.stdout
    assert "s3:PutObject" in done.stdout and "copy accepted" not in done.stdout
    assert emulator.requests_log == []


def test_recording_not_completed_fails_before_the_copy(
    copy_cli: CopyCli, dest: Destination, emulator
) -> None:
    emulator.add_recording(dest.app_id, "rec-busy", status="uploading", byte_size=RECORDING_BYTES)
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-busy", "--json")
    )
    assert done.exit_code == 1
    check = done.check("recording")
    assert check["detail"].startswith("recording rec-busy is 'uploading', not 'completed'")
    assert copy_requests(emulator) == [] and emulator.copies == []


def test_unknown_recording_is_a_skip_then_the_copy_is_refused_with_400200(
    copy_cli: CopyCli, dest: Destination, emulator
) -> None:
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "no-such", "--json")
    )
    assert done.exit_code == 1
    recording = done.check("recording")
    assert recording["status"] == "skip"
    assert recording["detail"] == (
        f"recording no-such not found in the first 20 pages of application {dest.app_id}'s "
        "live events/rooms; the copy call decides"
    )
    copy = done.check("copy accepted")
    assert copy["status"] == "fail"
    assert "Sendbird refused to copy recording no-such" in copy["detail"]
    assert "HTTP 400 with code 400200 NOT_FOUND" in copy["detail"]
    assert "check the recording id" in copy["fix"]
    # The copy was attempted exactly once (a 4xx is never retried) and refused; nothing was written.
    posts = [(path, status) for method, path, status in emulator.requests_log if method == "POST"]
    assert posts == [("/v1/cloud-recordings/no-such/copy", 400)]
    assert emulator.copies == []
    (app,) = done.json()["applications"]
    assert "copied object" not in [c["name"] for c in app["checks"]]


def test_wrong_token_fails_with_sendbirds_code(copy_cli: CopyCli, dest: Destination, emulator) -> None:
    wrong = "sb-wrong-token-5ecr3t-999999999999"
    copy_cli.secrets.append(wrong)
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb", "--json"),
        token=wrong,
    )  # fmt: skip
    assert done.exit_code == 1
    assert done.check("recording")["status"] == "skip"  # the lookup failed; the copy call decides
    copy = done.check("copy accepted")
    assert copy["status"] == "fail"
    assert "HTTP 401 with code 401121 NOT_AUTHORIZED" in copy["detail"]
    assert "SENDBIRD_API_TOKEN" in copy["fix"]
    assert emulator.copies == []


def test_sendbird_refusing_the_region_fails_with_its_code(copy_cli: CopyCli, emulator) -> None:
    """Without an org key nobody can tell the app lives elsewhere; the copy call is the last judge."""
    dest = copy_cli.destination(region="ap-northeast-2")
    emulator.add_application(dest.app_id, API_TOKEN, "us-2")
    emulator.add_recording(dest.app_id, "rec-1", byte_size=1024)
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-1", "--json")
    )
    assert done.exit_code == 1
    assert "code 400100 INVALID_PARAMS" in done.check("copy accepted")["detail"]


def test_region_mismatch_is_reported_alone_and_nothing_is_copied(copy_cli: CopyCli, emulator) -> None:
    """The checks run at once (the recording's lookup too), but a failed stage hides the later ones
    and no copy is asked for."""
    dest = copy_cli.destination(region="ap-northeast-2", bucket_region="us-west-2")
    emulator.add_application(dest.app_id, API_TOKEN, "ap-2")
    emulator.add_recording(dest.app_id, "rec-1", byte_size=1024)
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-1")
    )
    assert done.exit_code == 1
    assert "regions differ: stack outputs ap-northeast-2, bucket us-west-2" in done.stdout
    assert "s3:PutObject" not in done.stdout and "PASS recording" not in done.stdout
    assert copy_requests(emulator) == [] and emulator.copies == []


def test_too_wide_grant_stops_before_the_copy(copy_cli: CopyCli, emulator) -> None:
    dest = copy_cli.destination(
        grant=lambda bucket: [
            *documented_grant(bucket),
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        ]
    )
    emulator.add_application(dest.app_id, API_TOKEN, "ap-2")
    emulator.add_recording(dest.app_id, "rec-1", byte_size=1024)
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-1")
    )
    assert done.exit_code == 1
    assert "grant too wide: s3:GetObject is allowed" in done.stdout
    assert "PASS recording" not in done.stdout
    assert copy_requests(emulator) == [] and emulator.copies == []


def test_several_apps_without_app_id_each_run_and_any_failure_fails(copy_cli: CopyCli, emulator) -> None:
    good = copy_cli.destination(region="ap-northeast-2")
    bad = copy_cli.destination(region="us-west-2", grant=lambda bucket: documented_grant(bucket)[1:])
    done = copy_cli.invoke("smoke-test", copy_cli.outputs(good, bad), *smoke_args(emulator, "--json"))
    assert done.exit_code == 1
    apps = {app["app_id"]: app for app in done.json()["applications"]}
    assert apps[good.app_id]["passed"] is True and apps[bad.app_id]["passed"] is False
    assert apps[good.app_id]["notes"] == [NO_RECORDING_NOTE]


def test_copy_command_asks_sendbird_once(copy_cli: CopyCli, dest: Destination, emulator) -> None:
    done = copy_cli.invoke(
        "copy", copy_cli.outputs(dest), "--recording-id", "rec-12mb", "--api-base-url", emulator.base_url
    )
    assert done.exit_code == 0, done.text
    assert "PASS copy accepted — Sendbird accepted the copy of recording rec-12mb" in done.stdout
    (copy,) = emulator.wait_for_copies(timeout=60)
    assert copy.status == "completed" and copy.bucket == dest.bucket and copy.region == dest.region


def test_python_dash_m_smoke_test_in_a_real_process(copy_cli: CopyCli, dest: Destination, emulator) -> None:
    done = copy_cli.run_module(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb", "--json")
    )
    assert done.exit_code == 0, done.text
    assert done.json()["applications"][0]["object"]["size"] == RECORDING_BYTES


# -- waiting for the object, without a copy in flight -----------------------------------------------


def test_waiting_times_out_with_progress_on_a_fake_clock(copy_cli: CopyCli, moto: MotoServer) -> None:
    dest = copy_cli.destination()
    s3 = moto.client("s3", dest.region)
    s3.put_object(Bucket=dest.bucket, Key="old.mp4", Body=b"old")
    s3.put_object(Bucket=dest.bucket, Key="_preflight/probe-x.txt", Body=b"probe")
    now = [0.0]
    progress: list[str] = []
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    env = Environment(
        aws=AwsClients(moto.endpoint), progress=progress.append, sleep=sleep, clock=lambda: now[0]
    )
    before = Snapshot("", {"old.mp4": ("null", "x", "y")})  # a stale snapshot: old.mp4 looks rewritten
    found = wait_for_new_object(s3, dest.bucket, before, "rec", env, SmokeOptions("rec", 30, 10))
    assert found == "old.mp4"

    from sendbird_copy.checks.watch import FIRST_POLL, POLL_GROWTH, STEADY_POLLING_SECONDS, snapshot

    before = snapshot(s3, dest.bucket, "rec")
    assert list(before.stamps) == ["old.mp4"]  # probes under _preflight/ never count
    sleeps.clear()
    progress.clear()
    found = wait_for_new_object(s3, dest.bucket, before, "rec", env, SmokeOptions("rec", 120, 10))
    assert found is None
    assert now[0] == pytest.approx(120)
    # Polls come every fifth of a second for the first seconds, then back off to the 10 s interval;
    # the last wait ends at the timeout.
    steady = round(STEADY_POLLING_SECONDS / FIRST_POLL) + 1
    assert sleeps[:steady] == [FIRST_POLL] * steady and max(sleeps) == 10
    for shorter, longer in itertools.pairwise(sleeps[steady - 1 : -1]):
        assert longer == pytest.approx(min(shorter * POLL_GROWTH, 10))
    # A progress line at the first wait, then every 10 s at most: never one per poll.
    shown = [float(line.split("(")[1].split("s of")[0]) for line in progress]
    assert progress[0] == f"waiting for the copied object in s3://{dest.bucket} (0s of 120s)"
    assert len(progress) < len(sleeps) and all(b - a >= 9.5 for a, b in itertools.pairwise(shown))
    assert all(b - a <= 20 for a, b in itertools.pairwise([*shown, 120.0]))


def test_a_new_key_is_found_by_the_plain_listing_and_a_rewrite_by_its_version(
    copy_cli: CopyCli, moto: MotoServer
) -> None:
    from sendbird_copy.checks.watch import snapshot

    dest = copy_cli.destination(versioning=True)
    s3 = moto.client("s3", dest.region)
    s3.put_object(Bucket=dest.bucket, Key="rec-1.mp4", Body=b"same bytes")
    s3.put_object(Bucket=dest.bucket, Key="other.mp4", Body=b"other")
    before = snapshot(s3, dest.bucket, "rec-1")
    s3.put_object(Bucket=dest.bucket, Key="rec-1.mp4", Body=b"same bytes")  # same ETag, same second
    after = snapshot(s3, dest.bucket, "rec-1").stamps
    assert after["other.mp4"] == before.stamps["other.mp4"]
    assert after["rec-1.mp4"] != before.stamps["rec-1.mp4"]  # the new version shows the rewrite


def test_unreachable_sendbird_stops_the_smoke_test_before_the_copy(
    copy_cli: CopyCli, dest: Destination
) -> None:
    port = closed_port()
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), "--recording-id", "rec-12mb",
        "--api-base-url", f"http://127.0.0.1:{port}/v1", "--json",
    )  # fmt: skip
    assert done.exit_code == 1
    recording = done.check("recording")
    assert (
        recording["detail"]
        == f"cannot reach Sendbird at 127.0.0.1:{port}: could not look up recording rec-12mb"
    )
    (app,) = done.json()["applications"]
    assert "copy accepted" not in [c["name"] for c in app["checks"]]


def test_a_404_from_a_server_that_is_not_sendbird_says_the_url_looks_wrong(copy_cli: CopyCli) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotSendbird(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<html>Not Found</html>"
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotSendbird)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        dest = copy_cli.destination()
        url = f"http://127.0.0.1:{server.server_port}/"
        done = copy_cli.invoke("copy", copy_cli.outputs(dest), "--recording-id", "r1", "--api-base-url", url)
    finally:
        server.shutdown()
    assert done.exit_code == 1
    assert f"127.0.0.1:{server.server_port} answered 404 Not Found" in done.stdout
    assert "the API base URL looks wrong" in done.stdout and "fix: check --api-base-url" in done.stdout


# -- issue 19: ids that would move the request, a secret pasted with a space ------------------------
@pytest.mark.parametrize("recording_id", ["..", ".", " .. ", "a/../../copy", "a\\b"])
@pytest.mark.parametrize("command", ["copy", "smoke-test"])
def test_a_recording_id_that_would_change_the_api_path_is_refused_before_any_request(
    copy_cli: CopyCli, dest: Destination, emulator, command: str, recording_id: str
) -> None:
    """``..`` used to reach ``POST /v1/copy`` with the copy key in its body (requests removes dot
    segments); now exit 2 and the emulator sees no request at all."""
    urls = ["--api-base-url", emulator.base_url, "--org-api-base-url", emulator.org_base_url]
    done = copy_cli.invoke(command, copy_cli.outputs(dest), *urls, "--recording-id", recording_id)
    assert done.exit_code == 2, done.text
    assert "--recording-id" in done.stderr and "Allowed: the id as Sendbird lists it" in done.stderr
    assert emulator.requests_log == []


@pytest.mark.parametrize("suffix", ["?x=1", "#part", "?"])
def test_an_api_base_url_with_a_query_or_fragment_is_refused_before_any_request(
    copy_cli: CopyCli, dest: Destination, emulator, suffix: str
) -> None:
    """It was blamed on the recording (every path went after the query); now the URL is refused."""
    done = copy_cli.invoke(
        "copy",
        copy_cli.outputs(dest),
        "--recording-id",
        "rec-12mb",
        "--api-base-url",
        emulator.base_url + suffix,
    )
    assert done.exit_code == 2, done.text
    assert "Invalid value for '--api-base-url': has a query or fragment" in done.stderr
    assert suffix not in done.stderr or suffix == "?"
    assert emulator.requests_log == []


def test_a_copy_secret_with_spaces_around_it_is_trimmed_like_its_key_id(
    copy_cli: CopyCli, dest: Destination, emulator
) -> None:
    """The key id was trimmed, the secret not: Sendbird (the emulator, with moto) then said the key is
    not valid. Both are trimmed now (rules.check_copy_secret says why)."""
    path = copy_cli.outputs(dest)
    document = json.loads(path.read_text())
    document["copy_secret_access_keys"][dest.app_id] = f" {dest.secret_access_key} \n"
    document["applications"][dest.app_id]["copy_access_key_id"] += " "
    path.write_text(json.dumps(document))
    done = copy_cli.invoke("copy", path, "--recording-id", "rec-12mb", "--api-base-url", emulator.base_url)
    assert done.exit_code == 0, done.text
    (copy,) = emulator.wait_for_copies(timeout=60)
    assert copy.status == "completed", copy


def test_sigterm_while_waiting_for_the_object_ends_like_ctrl_c_with_the_json_document(
    copy_cli: CopyCli, dest: Destination, emulator
) -> None:
    import signal
    import time

    emulator.drop_next_copies(1)  # accepted, never lands: the smoke test waits for it
    process = copy_cli.start_module(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb", "--json")
    )
    deadline = time.monotonic() + 60
    while not copy_requests(emulator) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)  # into the wait for the object
    process.send_signal(signal.SIGTERM)
    done = copy_cli.finish(process)
    assert done.exit_code == 130, done.text
    document = done.json()
    assert document["verdict"] == "error" and document["error"]["message"] == "interrupted"
    (app,) = document["applications"]
    names = [c["name"] for c in app["checks"]]
    assert "regions match" in names and "copy accepted" in names


def test_a_200_html_page_from_a_server_that_is_not_sendbird_is_one_line_never_html(
    copy_cli: CopyCli,
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class WebSite(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = b"<!doctype html><html><head><title>Welcome</title></head><body>" + b"x" * 400
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), WebSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        outputs = copy_cli.outputs(copy_cli.destination())
        url = f"http://127.0.0.1:{server.server_port}/v1"
        done = copy_cli.invoke("copy", outputs, "--recording-id", "r1", "--api-base-url", url, "--json")
    finally:
        server.shutdown()
    assert done.exit_code == 1
    detail = done.check("copy accepted")["detail"]
    assert detail == (
        f"could not copy recording r1: 127.0.0.1:{server.server_port} answered HTTP 200 (not a Sendbird "
        "API answer: an HTML page); the API base URL looks wrong"
    )
    assert "html>" not in done.text and "check --api-base-url" in done.check("copy accepted")["fix"]


def test_copy_into_a_deleted_bucket_says_so_in_its_fix(
    copy_cli: CopyCli, dest: Destination, emulator
) -> None:
    assert copy_cli.moto is not None
    s3 = copy_cli.moto.client("s3", dest.region)
    s3.delete_bucket(Bucket=dest.bucket)
    api = ("--api-base-url", emulator.base_url)
    done = copy_cli.invoke("copy", copy_cli.outputs(dest), *api, "--recording-id", "rec-12mb", "--json")
    assert done.exit_code == 1
    check = done.check("copy accepted")
    assert "NoSuchBucket" in check["detail"]
    assert "does not exist" in check["fix"] and "only completed recordings" not in check["fix"]


def test_the_checks_before_the_copy_run_at_once_and_the_copy_waits_for_all(monkeypatch) -> None:
    """Each pre-copy stage waits at one barrier for the other three: run one after another, the
    first would time out there and the run would fail. The copy comes only after all four."""
    import threading

    from sendbird_copy.checks import smoke
    from sendbird_copy.checks.report import passed
    from tests.sendbird_copy.cli.test_cli import app

    barrier = threading.Barrier(4, timeout=10)
    order: list[str] = []

    def stage(name: str, result: object):
        def run(*_args: object) -> object:
            barrier.wait()
            order.append(name)
            return result

        return run

    monkeypatch.setattr(smoke, "region_stage", stage("region", [passed("region", "same")]))
    monkeypatch.setattr(smoke, "preflight_stage", stage("preflight", [passed("preflight", "ok")]))
    monkeypatch.setattr(smoke, "recording_stage", stage("recording", ([passed("recording", "ok")], None)))
    monkeypatch.setattr(smoke, "_watched_listing", stage("listing", Snapshot("", {})))

    def copy(*_args: object) -> list:
        order.append("copy")
        return [passed("copy", "ok")]

    monkeypatch.setattr(smoke, "copy_stage", copy)
    monkeypatch.setattr(smoke, "wait_for_new_object", lambda *_: "rec.mp4")
    monkeypatch.setattr(smoke, "object_stage", lambda *_: [])

    report = smoke.run_smoke(app(), Environment(aws=AwsClients()), SmokeOptions("rec"))
    assert [check.name for check in report.checks] == [
        "region",
        "preflight",
        "recording",
        "copy",
        "copied object",
    ]
    assert sorted(order[:4]) == ["listing", "preflight", "recording", "region"] and order[4:] == ["copy"]


def test_a_key_layout_a_sync_learned_bounds_the_watch_to_one_key(
    copy_cli: CopyCli, dest: Destination, emulator, moto: MotoServer, monkeypatch
) -> None:
    """With the sync's state holding the layout, no listing of the smoke test reads the whole bucket:
    each poll costs one request whatever the bucket holds."""
    from sendbird_copy.sync.bucket.ledger import Ledger
    from sendbird_copy.sync.bucket.state import KeyLayout, SyncState, SyncStateStore

    s3 = moto.client("s3", dest.region)
    for n in range(3):
        s3.put_object(Bucket=dest.bucket, Key=f"older-{n}.mp4", Body=b"an older copy")
    store = SyncStateStore(s3, dest.bucket, Ledger(s3, dest.bucket, dest.app_id).prefix)
    store.save(SyncState(layout=KeyLayout("", ".mp4")), None)
    prefixes: list[str] = []
    new_client = AwsClients._new_client

    def counted(self: AwsClients, service: str, region: str, keys: object) -> object:
        client = new_client(self, service, region, keys)  # type: ignore[arg-type]
        if service == "s3":
            client.meta.events.register(
                "provide-client-params.s3.ListObjectsV2",
                lambda params, **_: prefixes.append(params["Prefix"]),
            )
        return client

    monkeypatch.setattr(AwsClients, "_new_client", counted)
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", "rec-12mb", "--json")
    )
    assert done.exit_code == 0, done.text
    (app,) = done.json()["applications"]
    assert app["object"]["key"] == "rec-12mb.mp4"
    assert f"watched s3://{dest.bucket}/rec-12mb.mp4 for the copy" in " ".join(app["notes"])
    assert set(prefixes) == {"_preflight/", "rec-12mb.mp4"} and prefixes.count("rec-12mb.mp4") >= 2


def test_the_tools_own_objects_never_count_as_the_copy(copy_cli: CopyCli, moto: MotoServer) -> None:
    """A sync running meanwhile writes its lease, state and ledger; a preflight writes probes."""
    from sendbird_copy.checks.watch import snapshot

    dest = copy_cli.destination()
    s3 = moto.client("s3", dest.region)
    s3.put_object(Bucket=dest.bucket, Key="rec-1.mp4", Body=b"copy")
    for key in (
        "_sendbird-sync/app/rec-1.json",
        "_sendbird-sync/app/_run/lease.json",
        "_preflight/probe-rec-1.txt",
    ):
        s3.put_object(Bucket=dest.bucket, Key=key, Body=b"{}")
    assert list(snapshot(s3, dest.bucket, "rec-1").stamps) == ["rec-1.mp4"]


def learn_layout(moto: MotoServer, dest: Destination, layout: tuple[str, str]) -> None:
    """The sync's state, as a sync that found a copy at ``prefix + id + suffix`` leaves it."""
    from sendbird_copy.sync.bucket.ledger import Ledger
    from sendbird_copy.sync.bucket.state import KeyLayout, SyncState, SyncStateStore

    s3 = moto.client("s3", dest.region)
    SyncStateStore(s3, dest.bucket, Ledger(s3, dest.bucket, dest.app_id).prefix).save(
        SyncState(layout=KeyLayout(*layout)), None
    )


def test_a_stale_learned_layout_fails_saying_where_the_copy_is_and_what_to_do(
    copy_cli: CopyCli, dest: Destination, emulator, moto: MotoServer
) -> None:
    learn_layout(moto, dest, ("recordings/", ".mp4"))  # the emulator writes rec-12mb.mp4
    done = copy_cli.invoke(
        "smoke-test",
        copy_cli.outputs(dest),
        *smoke_args(emulator, "--recording-id", "rec-12mb", "--json", "--wait-timeout", "4"),
    )
    assert done.exit_code == 1
    check = done.check("copied object")
    assert f"nothing at s3://{dest.bucket}/recordings/rec-12mb.mp4" in check["detail"]
    assert "rec-12mb.mp4 holds the recording's id: Sendbird's key layout may have changed" in check["detail"]
    assert "_run/state.json" in check["fix"]


def test_a_padded_recording_id_is_watched_trimmed_as_it_is_copied(
    copy_cli: CopyCli, dest: Destination, emulator, moto: MotoServer
) -> None:
    learn_layout(moto, dest, ("", ".mp4"))
    done = copy_cli.invoke(
        "smoke-test", copy_cli.outputs(dest), *smoke_args(emulator, "--recording-id", " rec-12mb ", "--json")
    )
    assert done.exit_code == 0, done.text
    assert done.json()["applications"][0]["object"]["key"] == "rec-12mb.mp4"


def test_a_learned_key_is_matched_exactly_never_a_longer_id_under_it(
    copy_cli: CopyCli, moto: MotoServer
) -> None:
    from sendbird_copy.checks.watch import snapshot

    dest = copy_cli.destination()
    s3 = moto.client("s3", dest.region)
    env = Environment(aws=AwsClients(moto.endpoint), sleep=lambda _s: None)
    before = snapshot(s3, dest.bucket, "rec-1", "recordings/rec-1")  # a layout with no suffix
    s3.put_object(Bucket=dest.bucket, Key="recordings/rec-10", Body=b"another recording")
    assert wait_for_new_object(s3, dest.bucket, before, "rec-1", env, SmokeOptions("rec-1", 0.0)) is None
    s3.put_object(Bucket=dest.bucket, Key="recordings/rec-1", Body=b"this one")
    found = wait_for_new_object(s3, dest.bucket, before, "rec-1", env, SmokeOptions("rec-1", 0.0))
    assert found == "recordings/rec-1"
