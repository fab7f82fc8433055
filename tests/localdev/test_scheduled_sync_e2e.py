"""The scheduled sync end to end: the emulator deploy of the local stack creates RecordingSync's
resources in moto, and its function runs as Lambda would (the deployed archive in ``python -I -S``
with only boto3 besides, its environment as moto's CreateFunction answered, credentials from
``sts:AssumeRole`` on its own role, so moto's IAM enforcement judges the role's real policy).

moto's Lambda and Scheduler GET calls fail signature checks with IAM auth on (DESIGN.md): those two
are read back through a short unauthenticated allowance (``unauthenticated``), said where used.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from components import sync_policies as sp
from localdev.deployed_function import run_deployed
from localdev.emulator_sync import DeployedFunction
from localdev.lambda_runner import LocalResult
from sendbird_copy import scheduled_facts as facts
from sendbird_copy.emulator.seeding import seed_application
from sendbird_copy.stack_outputs import SCHEDULED_SYNC
from tests.leaks import assert_no_secrets
from tests.localdev.local_stack import LocalStack


@contextmanager
def unauthenticated(moto: Any, requests_allowed: int) -> Iterator[None]:
    """Let the next ``requests_allowed`` requests through without authentication, then none."""
    requests.post(f"{moto.endpoint}/moto-api/reset-auth", data=str(requests_allowed).encode(), timeout=10)
    try:
        yield
    finally:
        requests.post(f"{moto.endpoint}/moto-api/reset-auth", data=b"0", timeout=10)


@pytest.fixture
def function(local_stack: LocalStack) -> DeployedFunction:
    (deployed,) = local_stack.result.functions
    return deployed


def _sync_outputs(local_stack: LocalStack) -> dict[str, Any]:
    (app,) = local_stack.apps
    return local_stack.result.outputs[SCHEDULED_SYNC][app.app_id]


def test_every_sync_resource_reads_back_from_moto_as_configured(local_stack: LocalStack, function) -> None:
    (app,) = local_stack.apps
    moto, region = local_stack.moto, app.aws_region
    outputs, storage = _sync_outputs(local_stack), local_stack.app_outputs(app)
    secrets = moto.client("secretsmanager", region)
    for arn in (outputs["api_token_secret_arn"], outputs["copy_key_secret_arn"]):
        assert secrets.describe_secret(SecretId=arn)["KmsKeyId"] == storage["kms_key_arn"]
    (group,) = moto.client("logs", region).describe_log_groups(logGroupNamePrefix=outputs["log_group_name"])[
        "logGroups"
    ]
    assert group["retentionInDays"] == 30
    alarms = moto.client("cloudwatch", region).describe_alarms()["MetricAlarms"]
    assert {a["MetricName"] for a in alarms} == {
        "Errors",
        facts.METRIC_AT_RISK,
        facts.METRIC_LOST,
        "Invocations",
        "ApproximateNumberOfMessagesVisible",
    }
    # Read through a short unauthenticated allowance: moto refuses these GETs' signatures.
    with unauthenticated(moto, 3):
        schedule = moto.client("scheduler", region).get_schedule(Name=outputs["schedule_name"])
        configuration = moto.client("lambda", region).get_function_configuration(
            FunctionName=outputs["function_name"]
        )
        concurrency = moto.client("lambda", region).get_function_concurrency(
            FunctionName=outputs["function_name"]
        )
    assert schedule["ScheduleExpression"] == "rate(1 hour)"
    assert schedule["Target"]["Arn"] == configuration["FunctionArn"]
    assert schedule["Target"]["DeadLetterConfig"]["Arn"].startswith(f"arn:aws:sqs:{region}:")
    assert configuration["Runtime"] == facts.RUNTIME
    assert configuration["Architectures"] == [facts.ARCHITECTURE]
    assert configuration["Timeout"] == facts.TIMEOUT_SECONDS
    assert concurrency["ReservedConcurrentExecutions"] == 1
    assert configuration["CodeSha256"] == function.configuration["CodeSha256"]
    # Names and ARNs only in its environment: no secret of the run.
    environment = json.dumps(configuration["Environment"])
    assert_no_secrets(local_stack.secrets(), environment)


def _completed(local_stack: LocalStack) -> list[str]:
    (app,) = local_stack.apps
    recordings = seed_application(local_stack.emulator, app.app_id, events=3, rooms=2, seed=7)
    now = local_stack.emulator.clock()
    live = {r.recording_id for r in recordings if r.status == "completed" and not r.expired(now)}
    return sorted(live | {app.recording_id})


def test_the_deployed_function_copies_every_recording_once_as_its_own_role(local_stack: LocalStack, function):
    (app,) = local_stack.apps
    completed = _completed(local_stack)
    first = run_deployed(local_stack.moto, function)
    assert first.ok, first.error
    assert first.value["counts"]["copied"] == len(completed)
    posts = local_stack.emulator.copy_posts(app.app_id)
    assert sorted(posts) == completed and set(posts.values()) == {1}
    # Its logs carry the embedded metrics (CloudWatch turns them into the alarms' metrics).
    (metrics,) = [doc for doc in first.json_lines() if "_aws" in doc]
    assert metrics[facts.METRIC_COPIED] == len(completed)
    assert metrics[facts.METRIC_DIMENSION] == app.app_id

    second = run_deployed(local_stack.moto, function)
    assert second.ok, second.error
    assert second.value["counts"]["copied"] == 0
    assert local_stack.emulator.copy_posts(app.app_id) == posts  # no new copy request
    for result in (first, second):
        assert_no_secrets(local_stack.secrets(), _everything(result))


def test_without_its_ledger_permission_the_function_fails_naming_it(local_stack: LocalStack, function):
    (app,) = local_stack.apps
    _completed(local_stack)
    role = function.configuration["Role"].rsplit("/", 1)[1]
    iam = local_stack.moto.client("iam")
    (policy_name,) = iam.list_role_policies(RoleName=role)["PolicyNames"]
    policy = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]  # boto3 decodes it
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != sp.SID_LEDGER]
    iam.put_role_policy(RoleName=role, PolicyName=policy_name, PolicyDocument=json.dumps(policy))

    result = run_deployed(local_stack.moto, function)
    assert not result.ok
    assert result.error is not None
    text = _everything(result)
    assert "s3:GetObject" in text or "s3:PutObject" in text, text[-2000:]
    assert local_stack.emulator.copy_posts(app.app_id) == {}  # nothing copied without a ledger
    assert_no_secrets(local_stack.secrets(), text)


def _everything(result: LocalResult) -> str:
    return "\n".join([*result.log_lines, result.stderr, json.dumps(result.error), json.dumps(result.value)])
