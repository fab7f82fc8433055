"""The scheduled sync end to end: the emulator deploy of the local stack creates RecordingSync's
resources in moto, and its function runs as Lambda would (the deployed archive in ``python -I -S``
with only boto3 besides, its environment as moto's CreateFunction answered, credentials from
``sts:AssumeRole`` on its own role, so moto's IAM enforcement judges the role's real policy).

moto's Lambda and Scheduler GET calls fail signature checks with IAM auth on (DESIGN.md): those two
are read back through a short unauthenticated allowance (``unauthenticated``), said where used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from components.sync import policies as sp
from components.sync import recording_sync as rs
from localdev.deployed_function import run_deployed
from localdev.emulator_deploy.sync import DeployedFunction
from localdev.lambda_runner import LocalResult
from localdev.sendbird_emulator.seeding import seed_application
from sendbird_copy import facts
from sendbird_copy.outputs import SCHEDULED_SYNC
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
        facts.METRIC_WRITE_PATH_BROKEN,
        facts.METRIC_RECORDINGS_DAMAGED,
        "Invocations",
        "ApproximateNumberOfMessagesVisible",
    }
    # Read through a short unauthenticated allowance: moto refuses these GETs' signatures.
    with unauthenticated(moto, 4):
        schedule = moto.client("scheduler", region).get_schedule(Name=outputs["schedule_name"])
        configuration = moto.client("lambda", region).get_function_configuration(
            FunctionName=outputs["function_name"]
        )
        concurrency = moto.client("lambda", region).get_function_concurrency(
            FunctionName=outputs["function_name"]
        )
        invoke_config = moto.client("lambda", region).get_function_event_invoke_config(
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
    # Asynchronous invocation: no Lambda retry (the next scheduled run is the retry), events dropped
    # after the scheduler's own window, and no destination configured.
    assert invoke_config["FunctionArn"] == configuration["FunctionArn"]
    assert invoke_config["MaximumRetryAttempts"] == 0
    assert invoke_config["MaximumEventAgeInSeconds"] == rs.SCHEDULER_MAX_EVENT_AGE_SECONDS
    assert not invoke_config.get("DestinationConfig")

    dead_letter_arn = schedule["Target"]["DeadLetterConfig"]["Arn"]
    _assert_dead_letter_queue(local_stack, region, dead_letter_arn, alarms)
    _assert_scheduler_role(local_stack, schedule, configuration["FunctionArn"], dead_letter_arn)


def _assert_dead_letter_queue(
    local_stack: LocalStack, region: str, queue_arn: str, alarms: list[dict[str, Any]]
) -> None:
    """The schedule's dead-letter queue as moto keeps it: SSE-SQS on, 14 days' retention, watched."""
    sqs = local_stack.moto.client("sqs", region)
    queue_name = queue_arn.rsplit(":", 1)[1]
    url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["QueueArn"] == queue_arn
    assert attributes["SqsManagedSseEnabled"] == "true"
    assert int(attributes["MessageRetentionPeriod"]) == rs.DEAD_LETTER_RETENTION_SECONDS
    assert "KmsMasterKeyId" not in attributes  # SSE-SQS, not SSE-KMS
    (dead_letters,) = [a for a in alarms if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
    assert dead_letters["Dimensions"] == [{"Name": "QueueName", "Value": queue_name}]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _resources(statement: dict[str, Any]) -> list[str]:
    resources = statement["Resource"]
    return [resources] if isinstance(resources, str) else list(resources)


def _assert_scheduler_role(
    local_stack: LocalStack, schedule: dict[str, Any], function_arn: str, queue_arn: str
) -> None:
    """The schedule's role: trusted by EventBridge Scheduler for this account only (the emulator deploy
    rewrites only Lambda's trust, so this one is the real policy), allowed to invoke exactly this
    function and to send to exactly its dead-letter queue."""
    iam = local_stack.moto.client("iam")
    role_name = schedule["Target"]["RoleArn"].rsplit("/", 1)[1]
    assert role_name not in local_stack.result.trust_widened
    role = iam.get_role(RoleName=role_name)["Role"]
    assert role["Arn"] == schedule["Target"]["RoleArn"]
    account = function_arn.split(":")[4]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]  # boto3 decodes it
    assert trust["Effect"] == "Allow"
    assert trust["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert _actions(trust) == ["sts:AssumeRole"]
    assert trust.get("Condition") == {"StringEquals": {"aws:SourceAccount": account}}

    (policy_name,) = iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    policy = iam.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
    grants = {
        (action, resource)
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for action in _actions(statement)
        for resource in _resources(statement)
    }
    assert grants == {("lambda:InvokeFunction", function_arn), ("sqs:SendMessage", queue_arn)}
    assert all(s["Effect"] == "Allow" and "Condition" not in s for s in policy["Statement"])


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
    # Its role writes each copy's manifest and tags the recording with its parent (read back here
    # with the deployer's credentials: the role itself may neither read manifests nor tags).
    bucket = local_stack.app_outputs(app)["bucket_name"]
    s3 = local_stack.moto.client("s3", app.aws_region)
    manifests = s3.list_objects_v2(Bucket=bucket, Prefix=facts.MANIFEST_PREFIX).get("Contents", [])
    assert sorted(item["Key"].rsplit("/", 1)[1] for item in manifests) == [f"{rid}.json" for rid in completed]
    for item in manifests:
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
        tags = s3.get_object_tagging(Bucket=bucket, Key=manifest["object"]["key"])["TagSet"]
        assert [t["Value"] for t in tags] == [manifest["parent"]["id"]]
        assert manifest["object"]["kms_key_read"] is False  # listing-only: the role reads no recording

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
    # The error Lambda records names the permission (function.handler.with_permission_hint).
    message = result.error["errorMessage"]
    assert re.search(r"the function's role lacks s3:(GetObject|PutObject)", message), message
    assert local_stack.emulator.copy_posts(app.app_id) == {}  # nothing copied without a ledger
    assert_no_secrets(local_stack.secrets(), text)


def _everything(result: LocalResult) -> str:
    return "\n".join([*result.log_lines, result.stderr, json.dumps(result.error), json.dumps(result.value)])
