"""The scheduled sync's handler in this process: its environment (errors name the variable), its
metrics line (CloudWatch embedded metric format), its time budget, when it raises, and that no secret
reaches a log line. Against moto (IAM auth on) and the emulator; the function's own role and the
archive in an isolated interpreter are tests/localdev/test_lambda_runner.py's job."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from localdev.moto_server import Credentials, MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from localdev.sendbird_emulator.media import NO_MOOV
from sendbird_copy import facts, rules
from sendbird_copy.errors import OptionError
from sendbird_copy.facts import SUMMARY_MESSAGE
from sendbird_copy.sync.bucket.ledger import FAILED, Ledger, LedgerEntry
from sendbird_copy.sync.function.handler import (
    MAX_VERIFY_TIMEOUT_S,
    SAFETY_MARGIN_S,
    FunctionConfig,
    Invocation,
    ScheduledSyncError,
    TimeBudget,
    emf_document,
    metric_values,
    run_scheduled_sync,
    with_permission_hint,
)
from sendbird_copy.sync.run import ALREADY_SAFE, COPIED_NOW, IN_PROGRESS, PENDING
from tests.sendbird_copy.conftest import FAST_LIMITS
from tests.sendbird_copy.scheduled_support import REGION, SIZE, FunctionWorld, function_world

KMS_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
SECRET_ARN = "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:sendbird-token-AbCdEf"
GOOD_ENV = {
    facts.ENV_APP_ID: "APP-1",
    facts.ENV_BUCKET_NAME: "recordings-bucket",
    facts.ENV_KMS_KEY_ARN: KMS_ARN,
    facts.ENV_API_TOKEN_SECRET_ARN: SECRET_ARN,
    facts.ENV_COPY_KEY_SECRET_ARN: SECRET_ARN.replace("token", "copy-key"),
    facts.ENV_REGION: REGION,
}


# -- the environment ------------------------------------------------------------------------------
def test_a_good_environment_gives_the_defaults_for_what_is_optional() -> None:
    config = FunctionConfig.from_environ(GOOD_ENV)
    assert config.app_id == "APP-1" and config.region == REGION and config.bucket_name == "recordings-bucket"
    assert config.warn_days == rules.WARN_DAYS_DEFAULT
    assert config.metrics_namespace == facts.METRICS_NAMESPACE and config.api_base_url is None


@pytest.mark.parametrize(
    "name",
    [
        facts.ENV_APP_ID,
        facts.ENV_BUCKET_NAME,
        facts.ENV_KMS_KEY_ARN,
        facts.ENV_API_TOKEN_SECRET_ARN,
        facts.ENV_COPY_KEY_SECRET_ARN,
        facts.ENV_REGION,
    ],
)
def test_a_missing_variable_is_named(name: str) -> None:
    environ = {k: v for k, v in GOOD_ENV.items() if k != name}
    with pytest.raises(OptionError, match=f"missing or empty environment variable: {name}\\."):
        FunctionConfig.from_environ(environ)
    with pytest.raises(OptionError, match=name):
        FunctionConfig.from_environ({**GOOD_ENV, name: "  "})


@pytest.mark.parametrize(
    ("name", "value", "allowed"),
    [
        (facts.ENV_APP_ID, "app_with_underscore", "letters, digits and hyphens"),
        # The component's rules (sendbird_copy.rules), so the messages are the component's too.
        (facts.ENV_BUCKET_NAME, "Recordings_Bucket", "3-63 characters of lowercase letters"),
        (facts.ENV_BUCKET_NAME, "recordings.bucket", "contains a dot"),
        (facts.ENV_KMS_KEY_ARN, "alias/recordings", "a KMS key ARN (arn:aws:kms:ap-northeast-1:"),
        (facts.ENV_API_TOKEN_SECRET_ARN, KMS_ARN, "a Secrets Manager secret ARN"),
        (facts.ENV_COPY_KEY_SECRET_ARN, "my-secret", "a Secrets Manager secret ARN"),
        (facts.ENV_REGION, "ap-2", "an AWS region code"),
        (facts.ENV_WARN_DAYS, "three", "a number of days from 0 up to, not including, 14"),
        (facts.ENV_WARN_DAYS, "-1", "a number of days from 0 up to, not including, 14"),
        (facts.ENV_WARN_DAYS, "nan", "a number of days from 0 up to, not including, 14"),
        (facts.ENV_WARN_DAYS, "14", "a number of days from 0 up to, not including, 14"),
        (facts.ENV_METRICS_NAMESPACE, ":Sendbird", "up to 255 ASCII characters"),
        (facts.ENV_API_BASE_URL, "ftp://emulator", "not an http(s) URL"),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable_and_what_is_allowed(
    name: str, value: str, allowed: str
) -> None:
    with pytest.raises(OptionError) as refused:
        FunctionConfig.from_environ({**GOOD_ENV, name: value})
    message = str(refused.value)
    assert f"environment variable {name}" in message and allowed in message


# -- metrics, budget, hints -----------------------------------------------------------------------
def test_the_metrics_line_is_embedded_metric_format_with_every_metric_and_the_app_dimension() -> None:
    counts = {
        COPIED_NOW: 4,
        "at risk": 2,
        "lost": 1,
        "failed": 3,
        PENDING: 5,
        IN_PROGRESS: 6,
        ALREADY_SAFE: 9,
        "damaged state": 2,
        "damaged": 1,
    }
    values = metric_values(counts)
    assert values == {
        facts.METRIC_COPIED: 4, facts.METRIC_AT_RISK: 2, facts.METRIC_LOST: 1, facts.METRIC_FAILED: 3,
        facts.METRIC_PENDING: 11,  # not claimed in time, or requested and not verified yet
        facts.METRIC_DAMAGED: 2,  # the sync's own objects that could not be read, named in the summary
        facts.METRIC_WRITE_PATH_BROKEN: 0,  # the handler sets it from its probe
        facts.METRIC_RECORDINGS_DAMAGED: 1,  # copies that are not whole MP4s
    }  # fmt: skip
    document = emf_document("Custom/Ns", "APP-1", values, 1_764_417_600_000)
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert document["_aws"]["Timestamp"] == 1_764_417_600_000
    assert directive["Namespace"] == "Custom/Ns" and directive["Dimensions"] == [[facts.METRIC_DIMENSION]]
    assert [m["Name"] for m in directive["Metrics"]] == list(facts.METRICS)
    assert {m["Unit"] for m in directive["Metrics"]} == {"Count"}
    # EMF: every metric and dimension named in the directive is a top-level member of the document.
    assert document[facts.METRIC_DIMENSION] == "APP-1"
    assert all(isinstance(document[name], int) for name in facts.METRICS)
    assert set(facts.METRIC_DESCRIPTIONS) == set(facts.METRICS)


def test_the_time_budget_ends_the_run_before_lambdas_timeout() -> None:
    full = TimeBudget.from_remaining(facts.TIMEOUT_SECONDS * 1000)
    assert full.stop_claiming_after_s == facts.TIMEOUT_SECONDS - SAFETY_MARGIN_S
    assert full.verify_timeout_s == MAX_VERIFY_TIMEOUT_S
    short = TimeBudget.from_remaining((SAFETY_MARGIN_S + 90) * 1000)
    assert short.stop_claiming_after_s == 90 and short.verify_timeout_s == 90
    assert TimeBudget.from_remaining(1000) == TimeBudget(0.0, 0.0)  # nothing left: claim nothing


def test_an_aws_refusal_names_the_permission_the_role_lacks() -> None:
    refused = "PutObject: AccessDenied (HTTP 403) Access Denied"
    assert with_permission_hint(refused).endswith("[the function's role lacks s3:PutObject here]")
    assert "lacks secretsmanager:GetSecretValue" in with_permission_hint(
        "GetSecretValue: AccessDeniedException (HTTP 400) not allowed"
    )
    assert with_permission_hint("Sendbird answered HTTP 400") == "Sendbird answered HTTP 400"


# -- runs against moto and the emulator ------------------------------------------------------------
@pytest.fixture
def world(moto: MotoServer, make_emulator: Callable[..., SendbirdEmulator]) -> FunctionWorld:
    return function_world(moto, make_emulator(rate_limits=FAST_LIMITS))


class Run:
    """One in-process invocation with the deployer's clients; its log lines kept."""

    def __init__(
        self, world: FunctionWorld, remaining_s: float = facts.TIMEOUT_SECONDS, **limits: int
    ) -> None:
        self.lines: list[str] = []
        deadline = time.monotonic() + remaining_s
        self.invocation = Invocation(
            environ={**world.environment, facts.ENV_REGION: REGION},
            remaining_ms=lambda: (deadline - time.monotonic()) * 1000,
            client=lambda service, region: world.moto.client(service, region),
            copy_client=self._copy_client,
            write=self.lines.append,
            event={"source": "aws.scheduler", "time": "2026-11-29T12:00:00Z"},
            get_limit=limits.get("get_limit", 10_000),
            post_limit=limits.get("post_limit", 10_000),
        )

        self.world = world
        self.copy_keys: list[str] = []  # the access key id of each copy-identity client made

    def _copy_client(self, region: str, access_key_id: str, secret_access_key: str) -> Any:
        self.copy_keys.append(access_key_id)
        return self.world.moto.client("s3", region, Credentials(access_key_id, secret_access_key))

    def __call__(self) -> dict[str, Any]:
        return run_scheduled_sync(self.invocation)

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines]


def test_a_run_copies_everything_once_logs_a_summary_and_metrics_and_no_secret(
    world: FunctionWorld, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    for n in range(8):
        world.add(f"rec-{n}", kind="live" if n % 2 else "room")
    world.add("at-risk-uploading", status="uploading", age_days=12.5)  # at risk, nothing to copy yet
    run = Run(world)
    summary = run()
    assert summary["counts"][COPIED_NOW] == 8 and summary["metrics"][facts.METRIC_AT_RISK] == 1
    assert summary["passed"] is False  # at risk, yet no Error: it has its own metric and alarm
    assert summary["trigger"] == {"source": "aws.scheduler", "time": "2026-11-29T12:00:00Z"}
    assert world.copy_posts() == {f"rec-{n}": 1 for n in range(8)}

    summary_line, emf = run.documents()
    assert summary_line["message"] == SUMMARY_MESSAGE and summary_line["app_id"] == world.app_id
    assert [p["recording_id"] for p in summary_line["problems"]] == ["at-risk-uploading"]
    assert emf["_aws"]["CloudWatchMetrics"][0]["Namespace"] == facts.METRICS_NAMESPACE
    assert emf[facts.METRIC_DIMENSION] == world.app_id
    assert emf[facts.METRIC_COPIED] == 8 and emf[facts.METRIC_AT_RISK] == 1 and emf[facts.METRIC_LOST] == 0

    again = Run(world)
    assert again()["counts"][ALREADY_SAFE] == 8
    assert world.copy_posts() == {f"rec-{n}": 1 for n in range(8)}  # no second copy

    everything = "\n".join([*run.lines, *again.lines, caplog.text, *capsys.readouterr()])
    for secret in world.secrets():
        assert secret not in everything


def test_a_short_budget_claims_what_it_can_and_leaves_the_rest_pending_for_the_next_run(
    world: FunctionWorld,
) -> None:
    for n in range(10):
        world.add(f"rec-{n}")
    started = time.monotonic()
    # Half a second of claiming at 2 copy POSTs per second: most recordings are left pending.
    summary = Run(world, remaining_s=SAFETY_MARGIN_S + 0.5, post_limit=2)()
    assert time.monotonic() - started < 10  # it stopped claiming, and did not wait for objects
    counts = summary["counts"]
    requested = sum(world.copy_posts().values())
    assert 1 <= requested < 10 and counts[PENDING] == 10 - requested
    assert counts[PENDING] + counts[IN_PROGRESS] + counts[COPIED_NOW] == 10
    assert summary["metrics"][facts.METRIC_PENDING] == counts[PENDING] + counts[IN_PROGRESS]

    finished = Run(world)()
    assert finished["counts"][COPIED_NOW] == 10 - counts[COPIED_NOW]
    assert world.copy_posts() == {f"rec-{n}": 1 for n in range(10)}  # every one exactly once


def test_a_failed_recording_raises_with_the_summary_after_logging_it(world: FunctionWorld) -> None:
    world.add("rec-ok")
    world.add("rec-given-up")
    ledger = Ledger(world.moto.client("s3", REGION), world.dest.bucket, world.app_id)
    given_up = LedgerEntry(
        "rec-given-up", world.app_id, FAILED, "live event x", "old-run", "2026-11-28T00:00:00+00:00",
        attempts=3, last_error="no object ever appeared",
    )  # fmt: skip
    ledger.create(given_up)
    run = Run(world)
    with pytest.raises(ScheduledSyncError, match="1 failed, 0 lost; first: rec-given-up") as raised:
        run()
    assert raised.value.summary["counts"][COPIED_NOW] == 1
    summary_line, emf = run.documents()  # logged before raising: the metrics still reach CloudWatch
    assert summary_line["metrics"][facts.METRIC_FAILED] == 1 and emf[facts.METRIC_FAILED] == 1


@pytest.mark.parametrize("damage", [b"\x00\x01 not json", b'{"state": "copied", "recording_id": ', b"[1, 2]"])
def test_an_unreadable_ledger_entry_is_reported_by_key_alarmed_and_never_copies_twice(
    world: FunctionWorld, damage: bytes
) -> None:
    """Issue 23: damaged state through a full function run. rec-1's copy is in the bucket; its entry
    is then damaged, and the compact record of checked copies is gone (with it, a no-op run would
    not read the entry at all). The next run names the entry's key, emits DamagedState, raises
    (Lambda's Errors metric and the function's error alarm) and never asks for a second copy."""
    world.add("rec-1")
    assert Run(world)()["counts"][COPIED_NOW] == 1
    ledger = Ledger(world.moto.client("s3", REGION), world.dest.bucket, world.app_id)
    key = ledger.key("rec-1")
    s3 = world.moto.client("s3", REGION)
    s3.put_object(Bucket=world.dest.bucket, Key=key, Body=damage)
    s3.delete_object(Bucket=world.dest.bucket, Key=f"{ledger.prefix}_run/verified.json")

    run = Run(world)
    with pytest.raises(ScheduledSyncError, match="of the sync's own objects are unreadable") as raised:
        run()
    summary = raised.value.summary
    assert [d["key"] for d in summary["damaged"]] == [key], summary["damaged"]
    assert summary["passed"] is False and summary["metrics"][facts.METRIC_DAMAGED] == 1
    assert key in str(raised.value)
    summary_line, emf = run.documents()  # logged before raising: the metrics reach CloudWatch
    assert [d["key"] for d in summary_line["damaged"]] == [key]
    assert emf[facts.METRIC_DAMAGED] == 1
    assert world.copy_posts() == {"rec-1": 1}  # its object is in the bucket: never copied again


def test_a_secret_the_function_cannot_read_stops_the_run_naming_the_variable(world: FunctionWorld) -> None:
    world.environment[facts.ENV_COPY_KEY_SECRET_ARN] = world.copy_key_secret_arn[:-6] + "Nope00"
    with pytest.raises(ScheduledSyncError, match=f"the secret named by {facts.ENV_COPY_KEY_SECRET_ARN}"):
        Run(world)()
    assert world.copy_posts() == {}

    secrets = world.moto.client("secretsmanager", REGION)
    secrets.put_secret_value(SecretId=world.copy_key_secret_arn, SecretString='{"access_key_id": "AKIA"}')
    world.environment[facts.ENV_COPY_KEY_SECRET_ARN] = world.copy_key_secret_arn
    with pytest.raises(OptionError, match="field secret_access_key is missing") as refused:
        Run(world)()
    assert "AKIA" not in str(refused.value)  # the secret's content is never shown


def test_the_function_runs_the_same_bounded_discovery_as_the_cli(world: FunctionWorld) -> None:
    """Its first run scans in full (no state yet), capped to a third of its budget in pages; every
    later run is bounded by the two-week window: four listings, whatever the history, and a long
    event seen open by an earlier run is read by id once it has ended."""
    from localdev.sendbird_emulator.seeding import seed_history

    day = 86_400.0
    now = world.emulator.clock()
    seed_history(world.emulator, world.app_id, events=300, byte_size=1024)  # a long, settled past
    world.emulator.add_parent(world.app_id, "live", "long-event", created_at=now - 20 * day)
    world.emulator.add_recording(
        world.app_id, "long-rec", status="recording", kind="live", parent_id="long-event",
        byte_size=SIZE, duration_s=19 * day,
    )  # fmt: skip
    first = Run(world)()
    assert first["discovery"]["mode"] == "full scan" and first["discovery"]["complete"]
    assert first["requests"]["sendbird GET"] >= 4 + 3  # the window's listings and 3+ history pages
    world.emulator.add_recording(
        world.app_id, "long-rec", status="completed", kind="live", parent_id="long-event",
        byte_size=SIZE, stopped_at=now - day, duration_s=18 * day,
    )  # fmt: skip
    second = Run(world)()
    assert second["discovery"]["mode"] == "bounded"
    assert second["discovery"]["fetched_by_id"] == 1
    assert second["requests"]["sendbird GET"] == 4 + 1  # four listings, one watched event by id
    assert second["counts"][COPIED_NOW] == 1 and world.copy_posts() == {"long-rec": 1}


# -- the write path, as the copy identity ----------------------------------------------------------
def _emf(run: Run) -> dict[str, Any]:
    (document,) = [doc for doc in run.documents() if "_aws" in doc]
    return document


def test_each_run_writes_its_probe_as_the_copy_identity_and_reports_the_path_whole(
    world: FunctionWorld,
) -> None:
    world.add("rec-1")
    run = Run(world)
    summary = run()
    probe = f"{facts.PREFLIGHT_PREFIX}sync-probe/{world.app_id}.txt"
    assert summary["write_path"] == {"probe_key": probe, "ok": True, "problem": None}
    assert run.copy_keys == [world.dest.access_key_id]  # signed with the copy key from its secret
    head = world.moto.client("s3", REGION).head_object(Bucket=world.dest.bucket, Key=probe)
    assert head["ServerSideEncryption"] == "aws:kms"  # the bucket's default, as Sendbird's copy gets
    assert _emf(run)[facts.METRIC_WRITE_PATH_BROKEN] == 0 and summary["counts"][COPIED_NOW] == 1


def test_a_copy_identity_that_lost_its_grant_is_alarmed_before_a_recording_fails_on_it(
    world: FunctionWorld,
) -> None:
    """No recording to copy yet: the probe alone shows the path broken (the WritePathBroken alarm)."""
    world.moto.client("iam").delete_user_policy(UserName=world.dest.user, PolicyName="sendbird-copy")
    run = Run(world)
    summary = run()
    problem = summary["write_path"]["problem"]
    assert summary["write_path"]["ok"] is False
    assert (
        f"the copy identity may not write s3://{world.dest.bucket}/{facts.PREFLIGHT_PREFIX}sync-probe/"
        in problem
    )
    assert "PutObject: AccessDenied" in problem
    assert _emf(run)[facts.METRIC_WRITE_PATH_BROKEN] == 1
    assert summary["counts"].get("failed", 0) == 0 and world.copy_posts() == {}  # nothing failed on it yet
    for secret in world.secrets():
        assert secret not in "\n".join(run.lines)


def test_a_deleted_copy_key_is_named_as_the_key_itself(world: FunctionWorld) -> None:
    world.moto.client("iam").delete_access_key(UserName=world.dest.user, AccessKeyId=world.dest.access_key_id)
    run = Run(world)
    summary = run()
    assert summary["write_path"]["problem"].startswith(
        "AWS refuses the copy key itself: PutObject: InvalidAccessKeyId"
    )
    assert _emf(run)[facts.METRIC_WRITE_PATH_BROKEN] == 1


def test_a_damaged_copy_is_an_error_with_its_metric_and_the_next_run_copies_it_whole(
    world: FunctionWorld,
) -> None:
    """The function checks each copy's MP4 as the CLI does: a copy without its moov is damaged (never
    copied, its metric and the run's Error), and the next run requests it again and copies it whole."""
    world.add("rec-ok")
    world.add("rec-broken")
    world.emulator.damage_next_copies(NO_MOOV, recording_id="rec-broken")
    run = Run(world)
    with pytest.raises(ScheduledSyncError, match="0 failed, 0 lost, 1 damaged copies; first: rec-broken"):
        run()
    summary_line, emf = run.documents()
    assert emf[facts.METRIC_RECORDINGS_DAMAGED] == 1 and emf[facts.METRIC_COPIED] == 1
    (problem,) = summary_line["problems"]
    assert problem["outcome"] == "damaged" and "no 'moov' box" in problem["reason"]
    ledger = Ledger(world.moto.client("s3", REGION), world.dest.bucket, world.app_id)
    assert ledger.read("rec-broken").entry.state == FAILED  # type: ignore[union-attr]

    again = Run(world)
    summary = again()
    assert summary["counts"][COPIED_NOW] == 1 and summary["metrics"][facts.METRIC_RECORDINGS_DAMAGED] == 0
    assert world.copy_posts() == {"rec-ok": 1, "rec-broken": 2}
    media = ledger.read("rec-broken").entry.object["media"]  # type: ignore[union-attr,index]
    assert (media["width"], media["height"], media["fps"], media["duration_s"]) == (1280, 720, 30.0, 2.0)
