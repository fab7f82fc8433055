"""Issue 24: nothing lost when Sendbird's answers are not what we expect. Each case as the trial met
it: ``sendbird-copy sync`` (or ``status``) against a stub of Sendbird's API on 127.0.0.1, or the
emulator, with the destination in moto (IAM auth on). The clock cases (items 2, 3) are elsewhere."""

from __future__ import annotations

import json
import re
import shlex
import time
from collections.abc import Callable
from typing import Any

import pytest

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from sendbird_copy import facts
from sendbird_copy.api import SendbirdClient
from sendbird_copy.errors import SendbirdApiError
from sendbird_copy.sync.bucket.ledger import Ledger
from sendbird_copy.sync.bucket.state import SyncStateStore
from sendbird_copy.sync.function.handler import Invocation, ScheduledSyncError, run_scheduled_sync
from tests.markdown import DOCS_DIR, code_blocks
from tests.sendbird_copy.aws_builders import Destination
from tests.sendbird_copy.cli_support import CliRun, CopyCli
from tests.sendbird_copy.scheduled_support import REGION, function_world
from tests.sendbird_copy.stub_sendbird import (
    Reply,
    StubSendbird,
    empty_listing,
    live_event,
    ms,
    recording,
)
from tests.sendbird_copy.sync_bed import SyncBed

FAST = {"GET": 10_000, "POST": 10_000}


def sync_stub(copy_cli: CopyCli, stub: StubSendbird, *extra: str) -> tuple[CliRun, Destination]:
    dest = copy_cli.destination(region=REGION)
    done = copy_cli.invoke("sync", copy_cli.outputs(dest), "--api-base-url", stub.url, "--json", *extra)
    return done, dest


def app_report(done: CliRun) -> dict[str, Any]:
    (app,) = done.json()["applications"]
    return app


def nothing_marked(copy_cli: CopyCli, dest: Destination) -> bool:
    assert copy_cli.moto is not None
    s3 = copy_cli.moto.client("s3", dest.region)
    ledger = Ledger(s3, dest.bucket, dest.app_id)
    return ledger.list_entries() == [] and SyncStateStore(s3, dest.bucket, ledger.prefix).load() is None


def listing_of(live_events: Any) -> Callable[[str, str, dict[str, str]], Reply]:
    """``GET /live-events`` answers ``live_events`` (the whole body); every room listing is empty."""

    def answer(_method: str, path: str, _query: dict[str, str]) -> Reply:
        return Reply(body=live_events if path == "/live-events" else empty_listing(path))

    return answer


def completed(**fields: Any) -> dict[str, Any]:
    return {"live_events": [live_event("e1", recording("r1", "completed", **fields))], "next": None}


# -- items 1, 4, 9: an answer of another shape fails the application's run, nothing marked ---------
MALFORMED = [
    ("renamed list key", {"events": [], "next": None}, "the list 'live_events' is missing (its keys: events"),
    ("a JSON list", [], "the answer is a list, not a JSON object"),
    ("an empty object", {}, "the list 'live_events' is missing (it is an empty object)"),
    (
        "an error object with 200",
        {"error": True, "code": 400100, "type": "INVALID_PARAMS", "message": "bad"},
        "the answer is Sendbird's error object (code 400100), with a 2xx status",
    ),
    ("live_events: 7", {"live_events": 7, "next": None}, "'live_events' is an integer, not a list"),
    (
        "cloud_recordings: 5",
        {"live_events": [{"live_event_id": "e1", "state": "ongoing", "cloud_recordings": 5}]},
        "live_events[0]: 'cloud_recordings' is an integer, not a list",
    ),
    (
        "stopped_at in seconds",
        completed(stopped_at=int(time.time()) - 60, byte_size=10),
        "live_events[0].cloud_recordings[0]: 'stopped_at' is 1",  # then the number, then:
        ": not Unix milliseconds between 2001 and 3000 (seconds instead of ms?)",
    ),
    ("next an integer", {"live_events": [], "next": 3}, "'next' is an integer, not a string or null"),
]


@pytest.mark.parametrize(
    ("body", "problem"), [(m[1], list(m[2:])) for m in MALFORMED], ids=[str(m[0]) for m in MALFORMED]
)
def test_a_listing_of_another_shape_fails_the_run_naming_the_endpoint_and_marks_nothing(
    copy_cli: CopyCli, stub: StubSendbird, body: Any, problem: list[str]
) -> None:
    stub.answer = listing_of(body)
    done, dest = sync_stub(copy_cli, stub)
    assert done.exit_code == 1, done.text
    error = app_report(done)["error"]
    assert error.startswith(
        f"could not list the recordings of application {dest.app_id}: Sendbird's answer to GET "
        "/live-events is not what the sync relies on: "
    ), error
    for fragment in problem:
        assert fragment in error, error
    assert "\n" not in error
    assert nothing_marked(copy_cli, dest)
    assert all(method == "GET" for method, _, _ in stub.received)  # no copy requested


def test_status_refuses_a_time_in_seconds_instead_of_calling_the_recording_lost(
    copy_cli: CopyCli, stub: StubSendbird
) -> None:
    stub.answer = listing_of(completed(stopped_at=int(time.time()) - 60))
    dest = copy_cli.destination(region=REGION)
    done = copy_cli.invoke("status", copy_cli.outputs(dest), "--api-base-url", stub.url, "--json")
    assert done.exit_code == 1
    (app,) = done.json()["applications"]
    assert "'stopped_at' is" in app["error"] and "seconds instead of ms" in app["error"]
    assert "lost" not in done.stdout.replace('"lost": 0', "")


def test_a_single_parent_of_another_shape_is_an_error_too(stub: StubSendbird) -> None:
    stub.answer = lambda _m, _p, _q: Reply(body={"live_event_id": "e1", "state": "ended"})  # not wrapped
    with pytest.raises(Exception, match="GET /live-events/e1 is not what the sync relies on: 'live_event'"):
        SendbirdClient("APP-1", "token", base_url=stub.url, retries=0).get_live_event("e1")


def test_the_scheduled_function_fails_the_application_and_raises_for_its_error_alarm(
    moto: MotoServer, make_emulator: Callable[..., SendbirdEmulator], stub: StubSendbird
) -> None:
    """The function's Errors metric (its error alarm) counts a raise: it raises, after logging the
    summary line that names the application and what was wrong."""
    world = function_world(moto, make_emulator(rate_limits=FAST))
    world.environment[facts.ENV_API_BASE_URL] = stub.url
    stub.answer = listing_of({"events": [], "next": None})
    lines: list[str] = []
    invocation = Invocation(
        environ={**world.environment, facts.ENV_REGION: REGION},
        remaining_ms=lambda: 600_000,
        client=lambda service, region: moto.client(service, region),
        write=lines.append,
        event={"source": "aws.scheduler"},
    )
    with pytest.raises(ScheduledSyncError, match="GET /live-events is not what the sync relies on"):
        run_scheduled_sync(invocation)
    documents = [json.loads(line) for line in lines]
    (summary,) = [d for d in documents if d.get("message") == facts.SUMMARY_MESSAGE]
    # The only metric a failed listing emits is the write path's (its probe ran): no counts of zeros.
    emitted = {
        m["Name"] for d in documents if "_aws" in d for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }
    assert emitted <= {facts.METRIC_WRITE_PATH_BROKEN}
    assert summary["app_id"] == world.app_id and summary["passed"] is False
    assert "the list 'live_events' is missing" in summary["error"]


# -- the window: a listing that lists nothing where the last run found parents ---------------------
def test_a_window_that_lists_nothing_where_the_last_run_listed_parents_fails(
    copy_cli: CopyCli, stub: StubSendbird
) -> None:
    event = live_event("e1", recording("r1"))
    stub.answer = listing_of({"live_events": [event], "next": None})
    first, dest = sync_stub(copy_cli, stub)
    assert first.exit_code == 0, first.text
    outputs = copy_cli.outputs(dest)

    def nothing_listed(_method: str, path: str, _query: dict[str, str]) -> Reply:
        if path == "/live-events/e1":  # the watched event, read by id, is still there
            return Reply(body={"live_event": event})
        return Reply(body=empty_listing(path))

    stub.answer = nothing_listed
    second = copy_cli.invoke("sync", outputs, "--api-base-url", stub.url, "--json")
    assert second.exit_code == 1, second.text
    assert "they listed no live event or room, but the last run listed 1" in app_report(second)["error"]


# -- item 7: bounded listings ------------------------------------------------------------------------
def test_a_cursor_that_hands_out_a_fresh_next_on_every_page_ends_the_run(
    copy_cli: CopyCli, stub: StubSendbird
) -> None:
    def runaway(_method: str, path: str, query: dict[str, str]) -> Reply:
        if path != "/live-events":
            return Reply(body=empty_listing(path))
        page = int(query.get("next", "t0")[1:]) + 1
        following = f"t{page}" if page < 200 else None  # ends after 200 pages: never in this test
        return Reply(body={"live_events": [live_event("e1")], "next": following})

    stub.answer = runaway
    done, dest = sync_stub(copy_cli, stub)
    assert done.exit_code == 1
    assert "5 pages in a row gave a new next token and no new parent" in app_report(done)["error"]
    assert stub.gets("/live-events") == 6
    assert nothing_marked(copy_cli, dest)


def test_a_repeated_next_token_ends_the_run(copy_cli: CopyCli, stub: StubSendbird) -> None:
    stub.answer = lambda _m, path, _q: Reply(
        body={"live_events": [], "next": "same"} if path == "/live-events" else empty_listing(path)
    )
    done, _ = sync_stub(copy_cli, stub)
    assert done.exit_code == 1
    assert (
        "GET /live-events is not what the sync relies on: its next token repeated"
        in app_report(done)["error"]
    )


def test_the_window_reads_at_most_its_page_limit(
    copy_cli: CopyCli, stub: StubSendbird, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sendbird_copy.sync.discovery.WINDOW_PAGES_FLOOR", 3, raising=False)

    def endless(_method: str, path: str, query: dict[str, str]) -> Reply:
        if path != "/live-events":
            return Reply(body=empty_listing(path))
        page = int(query.get("next", "0")) + 1  # a new event on every page
        return Reply(body={"live_events": [live_event(f"e{page}")], "next": str(page) if page < 10 else None})

    stub.answer = endless
    done, _ = sync_stub(copy_cli, stub)
    assert done.exit_code == 1
    assert "the window's listings went past 3 pages this run" in app_report(done)["error"]
    assert stub.gets("/live-events") == 3


# -- what to build: a listing that cannot show it reached the window's start does not pass ----------
DAY_S = 86_400


@pytest.mark.parametrize(
    ("path", "item", "problem"),
    [
        (
            "/live-events",
            {
                **live_event("old", recording("r-old", "completed"), state="ended"),
                "started_at": ms(time.time() - 30 * DAY_S),
            },
            "live event old began at ",
        ),
        ("/live-events", {**live_event("nostart", state="ended"), "started_at": None}, "has no 'started_at'"),
        (
            "/rooms",
            {"room_id": "room-old", "state": "deleted", "created_at": ms(time.time() - 40 * DAY_S)},
            "room room-old began at ",
        ),
    ],
)
def test_a_window_listing_holding_a_parent_outside_its_start_filter_fails_the_run(
    copy_cli: CopyCli, stub: StubSendbird, path: str, item: dict[str, Any], problem: str
) -> None:
    """Sendbird's order is undocumented; what shows a listing reached the window's start is its end
    (``next`` null) and every parent within the start filter it was asked for (discovery.py)."""
    name = "started_at_start_date" if path == "/live-events" else "created_at_start_date"

    def ignores_the_filter(_method: str, asked: str, query: dict[str, str]) -> Reply:
        if asked == path and name in query:
            return Reply(body={path.strip("/").replace("-", "_"): [item], "next": None})
        return Reply(body=empty_listing(asked))

    stub.answer = ignores_the_filter
    done, dest = sync_stub(copy_cli, stub)
    assert done.exit_code == 1, done.text
    error = app_report(done)["error"]
    assert f"GET {path}?{name}" in error and problem in error, error
    assert "the sync asked for: the listing is not the one asked for" in error
    assert done.json()["verdict"] != "pass"
    assert nothing_marked(copy_cli, dest)
    text = copy_cli.invoke("sync", copy_cli.outputs(dest), "--api-base-url", stub.url)
    assert text.exit_code == 1 and f"outside the {name}=" in text.text


def test_a_window_listing_within_its_start_filter_passes(copy_cli: CopyCli, stub: StubSendbird) -> None:
    ended = live_event("e-new", recording("r-new", "recording"), state="ended")  # started an hour ago
    stub.answer = lambda _m, path, query: Reply(
        body={"live_events": [ended], "next": None}
        if path == "/live-events" and "started_at_start_date" in query
        else empty_listing(path)
    )
    done, _ = sync_stub(copy_cli, stub)
    assert done.exit_code == 0, done.text


# -- item 8: every request has a total deadline ------------------------------------------------------
def test_a_body_trickled_a_byte_at_a_time_ends_at_the_deadline(
    copy_cli: CopyCli, stub: StubSendbird, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sendbird_copy.api.client.DEFAULT_DEADLINE", 1.0, raising=False)
    trickled: list[int] = []

    def slow(_method: str, path: str, _query: dict[str, str]) -> Reply:
        if path == "/live-events" and not trickled:
            trickled.append(1)  # 0.25 s a byte: each read well inside the 30 s read timeout
            return Reply(body={"live_events": [], "next": None, "pad": "x" * 20}, trickle_s=0.25)
        return Reply(body=empty_listing(path))

    stub.answer = slow
    done, _ = sync_stub(copy_cli, stub)
    assert done.exit_code == 1
    assert "did not send its whole answer within 1 s" in app_report(done)["error"]


def test_a_status_line_and_headers_trickled_a_byte_at_a_time_end_at_the_deadline(
    copy_cli: CopyCli, stub: StubSendbird, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The headers alone would take about 20 s at 0.25 s a byte; each read is well inside the 30 s
    # read timeout, so only a total deadline (here 1 s) ends the wait.
    monkeypatch.setattr("sendbird_copy.api.client.DEFAULT_DEADLINE", 1.0, raising=False)

    def slow(_method: str, path: str, _query: dict[str, str]) -> Reply:
        if path == "/live-events":
            return Reply(body=empty_listing(path), trickle_s=0.25, trickle_headers=True)
        return Reply(body=empty_listing(path))

    stub.answer = slow
    began = time.monotonic()
    done, dest = sync_stub(copy_cli, stub)
    assert time.monotonic() - began < 10, "waited for the trickled headers"
    assert done.exit_code == 1
    error = app_report(done)["error"]
    assert "The Sendbird API at 127.0.0.1:" in error and "did not send its whole answer within 1 s" in error
    assert nothing_marked(copy_cli, dest)


def test_a_copy_whose_answer_headers_trickle_stays_requested(
    copy_cli: CopyCli, stub: StubSendbird, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy POST past its deadline may have been accepted: never re-POSTed on the spot, the
    recording is recorded requested and verification decides."""
    monkeypatch.setattr("sendbird_copy.api.client.DEFAULT_DEADLINE", 1.0, raising=False)
    listing = {"live_events": [live_event("e1", recording("r1", "completed"))], "next": None}

    def slow_copy(method: str, path: str, _query: dict[str, str]) -> Reply:
        if method == "POST":
            return Reply(body={}, trickle_s=0.25, trickle_headers=True)
        return Reply(body=listing if path == "/live-events" else empty_listing(path))

    stub.answer = slow_copy
    began = time.monotonic()
    done, dest = sync_stub(copy_cli, stub, "--verify-timeout", "0")
    assert time.monotonic() - began < 10, "waited for the trickled headers"
    (result,) = app_report(done)["recordings"]
    assert result["outcome"] == "in progress", result
    assert sum(1 for method, _p, _q in stub.received if method == "POST") == 1
    assert copy_cli.moto is not None
    ledger = Ledger(copy_cli.moto.client("s3", dest.region), dest.bucket, dest.app_id)
    stored = ledger.read("r1")
    assert stored is not None and stored.entry is not None and stored.entry.state == "requested"


# -- item 5: a copy answered by a gateway's 504 is never POSTed again ---------------------------------
def test_a_copy_accepted_behind_a_gateways_504_is_posted_once_and_verified(
    copy_cli: CopyCli, bed: SyncBed
) -> None:
    bed.add("rec-1")
    bed.emulator.gateway_answer_next(1, status=504, method="POST")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--json")
    assert done.exit_code == 0, done.text
    (result,) = app_report(done)["recordings"]
    assert result["outcome"] == "copied", result
    # The 504 hid an acceptance: one POST (answered 504), one copy, never a second.
    assert bed.emulator.copy_posts(accepted_only=False) == {"rec-1": 1}
    assert [c.recording_id for c in bed.emulator.copies] == ["rec-1"]


# -- item 11: a 5xx HTML page reads as one plain line -------------------------------------------------
def test_a_5xx_html_page_reads_as_one_plain_line(copy_cli: CopyCli, bed: SyncBed) -> None:
    bed.emulator.gateway_answer_next(100, status=503, method="GET")
    outputs = copy_cli.outputs(bed.dest)
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url)
    assert done.exit_code == 1
    line = "Sendbird answered HTTP 503 (not a Sendbird API answer: an HTML page)"
    assert done.text.count(line) == 1, done.text
    assert "code None" not in done.text and "<html" not in done.text


# -- item 10: secrets masked as whole values, never JSON keys ----------------------------------------
@pytest.mark.parametrize("short", ["e", "app"])
def test_a_short_secret_is_masked_as_a_whole_value_only(copy_cli: CopyCli, bed: SyncBed, short: str) -> None:
    outputs = copy_cli.outputs(bed.dest)
    # A token Sendbird refuses, then an organization key: one letter, or a word inside our keys.
    done = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", token=short)
    org = copy_cli.invoke("sync", outputs, "--api-base-url", bed.emulator.base_url, "--json", org_key=short)
    for run in (done, org):
        document = run.json()  # still JSON, its keys whole
        assert set(document) == {"verdict", "applications"}
        assert "app_id" in document["applications"][0] and "counts" in document["applications"][0]
        assert re.search(r"\w\*\*\*|\*\*\*\w", run.stdout) is None, run.stdout
    assert done.exit_code == 1 and "401" in app_report(done)["error"]


# -- item 6: a token per application ------------------------------------------------------------------
TOKEN_A, TOKEN_B = "tok-a-5ecr3t-0123456789", "tok-b-5ecr3t-9876543210"


def two_apps(copy_cli: CopyCli, emulator: SendbirdEmulator) -> tuple[Destination, Destination]:
    copy_cli.secrets += [TOKEN_A, TOKEN_B]
    a, b = (copy_cli.destination(region=REGION, versioning=True) for _ in range(2))
    for dest, token in ((a, TOKEN_A), (b, TOKEN_B)):
        emulator.add_application(dest.app_id, token, "ap-1")
        emulator.add_recording(
            dest.app_id, f"rec-{dest.app_id}", byte_size=8 * 1024, stopped_at=time.time() - 3600
        )
    return a, b


def env_name(app_id: str) -> str:
    return "SENDBIRD_API_TOKEN_" + app_id.replace("-", "_")


def test_a_run_over_several_applications_needs_a_token_for_each(
    copy_cli: CopyCli, make_emulator: Callable[..., SendbirdEmulator]
) -> None:
    emulator = make_emulator(rate_limits=FAST)
    a, b = two_apps(copy_cli, emulator)
    outputs = copy_cli.outputs(a, b)
    base = ("--api-base-url", emulator.base_url_template)

    one_token = copy_cli.invoke("sync", outputs, *base, token=TOKEN_A)
    assert one_token.exit_code == 2
    assert f"no Sendbird API token for application {a.app_id}, {b.app_id}" in one_token.stderr
    assert emulator.copy_posts() == {}

    half = copy_cli.invoke("sync", outputs, *base, token=None, env={env_name(a.app_id): TOKEN_A})
    assert half.exit_code == 2 and f"no Sendbird API token for application {b.app_id}:" in half.stderr
    assert env_name(b.app_id) in half.stderr

    tokens = copy_cli.tmp_path / "tokens.json"
    tokens.write_text(json.dumps({a.app_id: TOKEN_A, b.app_id: TOKEN_B}))
    done = copy_cli.invoke("sync", outputs, *base, "--json", "--api-tokens-file", str(tokens), token=None)
    assert done.exit_code == 0, done.text
    for dest in (a, b):
        assert emulator.copy_posts(dest.app_id) == {f"rec-{dest.app_id}": 1}

    # From the environment, B's from Secrets Manager (the scheduled function's own secret, say).
    assert copy_cli.moto is not None
    arn = copy_cli.moto.client("secretsmanager", REGION).create_secret(Name="b-token", SecretString=TOKEN_B)[
        "ARN"
    ]
    env = {env_name(a.app_id): TOKEN_A, env_name(b.app_id): arn}
    again = copy_cli.invoke("sync", outputs, *base, "--json", token=None, env=env)
    assert again.exit_code == 0, again.text
    assert [r["counts"]["already safe"] for r in again.json()["applications"]] == [1, 1]


def test_the_emulator_refuses_a_token_on_another_applications_host(
    copy_cli: CopyCli, make_emulator: Callable[..., SendbirdEmulator]
) -> None:
    emulator = make_emulator(rate_limits=FAST)
    a, b = two_apps(copy_cli, emulator)
    with pytest.raises(SendbirdApiError) as refused:
        SendbirdClient(b.app_id, TOKEN_A, base_url=emulator.base_url_template, retries=0).list_page(
            "rooms", {}
        )
    assert (refused.value.status, refused.value.code) == (401, 401121)
    own = SendbirdClient(b.app_id, TOKEN_B, base_url=emulator.base_url_template, retries=0)
    assert own.list_page("live-events", {}).parents[0].recordings[0].recording_id == f"rec-{b.app_id}"

    # Through the CLI: A's token given for B fails B (and only B), with Sendbird's own 401.
    tokens = copy_cli.tmp_path / "swapped.json"
    tokens.write_text(json.dumps({a.app_id: TOKEN_A, b.app_id: TOKEN_A}))
    outputs = copy_cli.outputs(a, b)
    base = ("--api-base-url", emulator.base_url_template)
    done = copy_cli.invoke("sync", outputs, *base, "--json", "--api-tokens-file", str(tokens), token=None)
    assert done.exit_code == 1
    errors = {app["app_id"]: app["error"] for app in done.json()["applications"]}
    assert errors[a.app_id] is None and "401" in errors[b.app_id] and "401121" in errors[b.app_id]
    assert emulator.copy_posts(b.app_id) == {}


# -- item 12: development.md's emulator examples run as written --------------------------------------
def test_every_emulator_command_in_development_md_runs_as_written() -> None:
    from localdev.sendbird_emulator.__main__ import build

    commands = []
    for block in code_blocks(DOCS_DIR / "development.md", "bash"):
        joined = re.sub(r"\\\n\s*", " ", block)
        commands += [line for line in joined.splitlines() if "-m localdev.sendbird_emulator" in line]
    flags = " ".join(commands)
    assert "--region-key-aws tokyo-1=ap-northeast-1" in flags and "--fail-next" in flags
    for command in commands:
        args = shlex.split(command, comments=True)
        emulator = build(args[args.index("localdev.sendbird_emulator") + 1 :])  # exits 2 on a refusal
        assert emulator.recordings() or emulator.error_rate > 0


@pytest.mark.parametrize(
    ("secret", "text", "shown"),
    [
        (
            "test",
            "AWS_SECRET_ACCESS_KEY=test latest smoke-test",
            "AWS_SECRET_ACCESS_KEY=*** latest smoke-***",
        ),
        ("e", '{"exit_code": 1, "error": "e"}', '{"exit_code": 1, "error": "***"}'),
        ("verdict", '{"verdict": "verdict"}', '{"verdict": "***"}'),  # a key stays a key
        # A long secret is masked anywhere: glued to other text it is a leak all the same.
        ("tok-5ecr3t-0123456789", "yyytok-5ecr3t-0123456789zz", "yyy***zz"),
    ],
)
def test_secrets_are_masked_as_whole_values_never_inside_words_or_keys(
    secret: str, text: str, shown: str
) -> None:
    from sendbird_copy.redact import redact

    assert redact(text, [secret]) == shown
