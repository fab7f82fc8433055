"""RecordingSync built directly under recording mocks: every resource pinned to the region, the
function's role judged by effective permissions, no secret outside Pulumi secrets, bad input."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components import InputError, RecordingStorage, RecordingStorageArgs, RecordingSync, RecordingSyncArgs
from components.sync import policies as sp
from components.sync.args import StorageOutputs, sync_args_with_storage_values
from components.sync.monitoring import not_running_window
from components.sync.recording_sync import SYNC_OUTPUT_FIELDS
from components.type_tokens import (
    DASHBOARD,
    FUNCTION_EVENT_INVOKE_CONFIG,
    IAM_ROLE,
    LAMBDA_FUNCTION,
    LOG_GROUP,
    METRIC_ALARM,
    QUEUE,
    RECORDING_SYNC,
    ROLE_POLICY,
    SCHEDULE,
    SECRET,
    SECRET_VERSION,
    SYNC_REGIONAL_TYPES,
)
from sendbird_copy import facts
from sendbird_copy.facts import LEDGER_PREFIX
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    RecordingMocks,
    conditional_identity_decision,
    identity_decision,
    resolve,
    run_component,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
TOKEN = "sendbird-api-token-0123456789abcdef0123456789abcdef"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"
BUCKET = "recordings-bucket-test"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:oncall"
EXISTING_SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:sendbird/token-Ab12Cd"


def plain_args(**changes: Any) -> RecordingSyncArgs:
    """Args with plain storage values (as a stack reading another stack's outputs would pass)."""
    values: dict[str, Any] = {
        "app_id": APP_ID,
        "region": "ap-2",
        "bucket_name": BUCKET,
        "bucket_arn": f"arn:aws:s3:::{BUCKET}",
        "kms_key_arn": KEY_ARN,
        "copy_access_key_id": "AKIAEXAMPLEEXAMPLE00",
        "copy_secret_access_key": "copy-secret-key-EXAMPLE-0123456789abcdefgh",
        "api_token": TOKEN,
        **changes,
    }
    return sync_args_with_storage_values(values)


def storage_and_sync(mocks: RecordingMocks, **sync_changes: Any) -> tuple[RecordingStorage, RecordingSync]:
    """A RecordingStorage and the RecordingSync fed by its outputs, as the program builds them."""

    def build() -> tuple[RecordingStorage, RecordingSync]:
        storage = RecordingStorage(NAME, RecordingStorageArgs(app_id=APP_ID, region="ap-2"))
        sync = RecordingSync(
            NAME,
            RecordingSyncArgs(storage=storage, **{"api_token": pulumi.Output.secret(TOKEN), **sync_changes}),
        )
        return storage, sync

    return run_component(build, mocks)


@pytest.fixture
def built(mocks: RecordingMocks) -> tuple[RecordingStorage, RecordingSync]:
    return storage_and_sync(mocks, alarm_topic_arn=TOPIC)


def _sync_children(mocks: RecordingMocks) -> list[Any]:
    component = next(r for r in mocks.registered if r.typ == RECORDING_SYNC)
    return [r for r in mocks.registered if r.parent == component.urn]


# -- what it creates -----------------------------------------------------------------------------------
def test_it_creates_every_resource_once_under_the_component(built, mocks):
    counts: dict[str, int] = {}
    for record in _sync_children(mocks):
        counts[record.typ] = counts.get(record.typ, 0) + 1
    assert counts == {
        SECRET: 2,
        SECRET_VERSION: 2,
        LOG_GROUP: 1,
        IAM_ROLE: 2,
        ROLE_POLICY: 2,
        LAMBDA_FUNCTION: 1,
        FUNCTION_EVENT_INVOKE_CONFIG: 1,
        QUEUE: 1,
        SCHEDULE: 1,
        METRIC_ALARM: 7,
        DASHBOARD: 1,
    }


def test_every_regional_resource_is_pinned_to_the_applications_region(built, mocks):
    children = _sync_children(mocks)
    regional = [r for r in children if r.typ in SYNC_REGIONAL_TYPES]
    assert len(regional) == 17
    assert {r.inputs.get("region") for r in regional} == {REGION}
    # IAM is global: a region there would be refused by the provider.
    assert all("region" not in r.inputs for r in children if r.typ not in SYNC_REGIONAL_TYPES)


def test_the_function_is_what_the_issue_asks(built, mocks):
    function = mocks.one(LAMBDA_FUNCTION)
    inputs = function.inputs
    assert inputs["runtime"] == "python3.13" and inputs["architectures"] == ["arm64"]
    assert inputs["handler"] == "sendbird_copy.sync.function.handler.handler"
    assert inputs["timeout"] == 900 and inputs["reservedConcurrentExecutions"] == 1
    assert inputs["sourceCodeHash"]
    log_group = mocks.one(LOG_GROUP)
    assert inputs["loggingConfig"]["logGroup"] == log_group.state["name"]
    assert log_group.inputs["retentionInDays"] == 30
    # Created after its log group, its role's policy and both secret values.
    after = {mocks.by_urn(urn).typ for urn in function.dependencies}
    assert {LOG_GROUP, ROLE_POLICY, SECRET_VERSION} <= after


def test_the_environment_holds_names_and_arns_only(built, mocks):
    variables = mocks.one(LAMBDA_FUNCTION).inputs["environment"]["variables"]
    secrets = {r.state["arn"] for r in mocks.of_type(SECRET)}
    assert variables[facts.ENV_API_TOKEN_SECRET_ARN] in secrets
    assert variables[facts.ENV_COPY_KEY_SECRET_ARN] in secrets
    assert variables[facts.ENV_APP_ID] == APP_ID
    assert variables[facts.ENV_KMS_KEY_ARN].startswith(f"arn:aws:kms:{REGION}:")
    assert set(variables) == {
        facts.ENV_APP_ID,
        facts.ENV_BUCKET_NAME,
        facts.ENV_KMS_KEY_ARN,
        facts.ENV_API_TOKEN_SECRET_ARN,
        facts.ENV_COPY_KEY_SECRET_ARN,
        facts.ENV_WARN_DAYS,
        facts.ENV_EVENT_MARGIN_HOURS,
        facts.ENV_METRICS_NAMESPACE,
    }


def test_no_secret_outside_pulumi_secrets(built, mocks):
    """The token and the copy secret key reach resources only as secret inputs (the two secret
    values), never an environment variable, a plain input or an output."""
    _, sync = built
    secrets = [TOKEN, *mocks.secrets]
    assert len(secrets) == 2
    carriers = []
    for record in mocks.registered:
        for key, value in record.inputs.items():
            if any(s in json.dumps(value, default=str) for s in secrets):
                carriers.append((record.typ, key))
                assert key in mocks.secret_input_names(record), (
                    f"{record.typ}.{key} carries a secret in plain"
                )
    assert sorted(carriers) == [
        ("aws:secretsmanager/secretVersion:SecretVersion", "secretString"),
        ("aws:secretsmanager/secretVersion:SecretVersion", "secretString"),
    ]
    outputs = json.dumps({k: resolve(v) for k, v in sync.public_outputs().items()})
    assert not any(s in outputs for s in secrets)


def test_the_secrets_are_encrypted_with_the_stacks_key(built, mocks):
    storage, _ = built
    key_arn = resolve(storage.kms_key_arn)
    assert [r.inputs["kmsKeyId"] for r in mocks.of_type(SECRET)] == [key_arn, key_arn]
    copy_value = next(r for r in mocks.of_type(SECRET_VERSION) if "copy" in r.name)
    pair = json.loads(copy_value.inputs["secretString"])
    assert set(pair) == {facts.COPY_KEY_ID_FIELD, facts.COPY_KEY_SECRET_FIELD}
    assert pair[facts.COPY_KEY_ID_FIELD] == resolve(storage.copy_access_key_id)


def test_the_schedule_invokes_the_function_with_retries_and_a_dead_letter_queue(built, mocks):
    schedule = mocks.one(SCHEDULE).inputs
    function, queue = mocks.one(LAMBDA_FUNCTION), mocks.one(QUEUE)
    assert schedule["scheduleExpression"] == "rate(1 hour)"
    assert schedule["flexibleTimeWindow"] == {"mode": "OFF"}
    target = schedule["target"]
    assert target["arn"] == function.state["arn"]
    assert target["retryPolicy"]["maximumRetryAttempts"] >= 1
    assert target["deadLetterConfig"]["arn"] == queue.state["arn"]
    assert queue.inputs["sqsManagedSseEnabled"] is True
    # Lambda's own async retries are off: the next scheduled run is the retry.
    assert mocks.one(FUNCTION_EVENT_INVOKE_CONFIG).inputs["maximumRetryAttempts"] == 0


def test_the_scheduler_role_may_invoke_exactly_this_function(built, mocks):
    function, queue = mocks.one(LAMBDA_FUNCTION).state["arn"], mocks.one(QUEUE).state["arn"]
    policy = next(r for r in mocks.of_type(ROLE_POLICY) if "scheduler" in r.name).inputs["policy"]
    assert identity_decision(policy, "lambda:InvokeFunction", function) == ALLOW
    assert identity_decision(policy, "lambda:InvokeFunction", function + "-other") != ALLOW
    assert identity_decision(policy, "lambda:InvokeFunction", function + ":1") != ALLOW
    assert identity_decision(policy, "sqs:SendMessage", queue) == ALLOW
    assert identity_decision(policy, "lambda:UpdateFunctionCode", function) != ALLOW
    trust = json.loads(
        next(r for r in mocks.of_type(IAM_ROLE) if "scheduler" in r.name).inputs["assumeRolePolicy"]
    )
    (statement,) = trust["Statement"]
    assert statement["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}


def test_alarms_watch_errors_risk_losses_damage_silence_and_dead_letters_and_notify_the_topic(built, mocks):
    alarms = {r.inputs["metricName"]: r.inputs for r in mocks.of_type(METRIC_ALARM)}
    assert set(alarms) == {
        "Errors",
        facts.METRIC_AT_RISK,
        facts.METRIC_LOST,
        facts.METRIC_WRITE_PATH_BROKEN,
        facts.METRIC_RECORDINGS_DAMAGED,
        "Invocations",
        "ApproximateNumberOfMessagesVisible",
    }
    assert alarms[facts.METRIC_AT_RISK]["namespace"] == facts.METRICS_NAMESPACE
    assert alarms[facts.METRIC_AT_RISK]["dimensions"] == {facts.METRIC_DIMENSION: APP_ID}
    broken = alarms[facts.METRIC_WRITE_PATH_BROKEN]
    assert broken["namespace"] == facts.METRICS_NAMESPACE and broken["statistic"] == "Maximum"
    assert broken["dimensions"] == {facts.METRIC_DIMENSION: APP_ID}
    function_name = mocks.one(LAMBDA_FUNCTION).state["name"]
    assert alarms["Errors"]["dimensions"] == {"FunctionName": function_name}
    for alarm in alarms.values():
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
        assert alarm["threshold"] == 1
    # Between two runs a run's verdict stands (no "recovered" an hour after an at-risk run).
    for metric in (
        "Errors",
        facts.METRIC_AT_RISK,
        facts.METRIC_LOST,
        facts.METRIC_WRITE_PATH_BROKEN,
        facts.METRIC_RECORDINGS_DAMAGED,
    ):
        assert alarms[metric]["treatMissingData"] == "ignore"
        assert alarms[metric]["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
    # No invocation for the hourly schedule's gap plus an hour: the function is not running.
    silence = alarms["Invocations"]
    assert silence["dimensions"] == {"FunctionName": function_name}
    assert silence["comparisonOperator"] == "LessThanThreshold" and silence["treatMissingData"] == "breaching"
    assert silence["period"] == 3600 and silence["evaluationPeriods"] == silence["datapointsToAlarm"] == 2


@pytest.mark.parametrize(
    ("schedule", "hours"),
    [("rate(1 hour)", 2), ("rate(6 hours)", 7), ("rate(1 day)", 25), ("cron(0 */4 * * ? *)", 5)],
)
def test_the_not_running_window_follows_the_schedule(schedule, hours):
    assert not_running_window(schedule) == hours


def test_without_a_topic_alarms_still_exist_with_no_actions(mocks):
    storage_and_sync(mocks)
    alarms = mocks.of_type(METRIC_ALARM)
    assert len(alarms) == 7 and all(not a.inputs.get("alarmActions") for a in alarms)


def test_an_existing_token_secret_creates_no_token_secret(mocks):
    _, sync = storage_and_sync(mocks, api_token=None, api_token_secret_arn=EXISTING_SECRET)
    assert len(mocks.of_type(SECRET)) == 1  # the copy key's only
    variables = mocks.one(LAMBDA_FUNCTION).inputs["environment"]["variables"]
    assert variables[facts.ENV_API_TOKEN_SECRET_ARN] == EXISTING_SECRET
    assert resolve(sync.api_token_secret_arn) == EXISTING_SECRET


def test_outputs_name_the_function_schedule_and_secrets(built, mocks):
    _, sync = built
    outputs = {k: resolve(v) for k, v in sync.public_outputs().items()}
    assert set(outputs) == set(SYNC_OUTPUT_FIELDS)
    assert outputs["function_name"] == mocks.one(LAMBDA_FUNCTION).state["name"]
    assert outputs["schedule_name"] == mocks.one(SCHEDULE).state["name"]
    assert {outputs["api_token_secret_arn"], outputs["copy_key_secret_arn"]} == {
        r.state["arn"] for r in mocks.of_type(SECRET)
    }


# -- the function's role, by effective permissions (moto's IAM evaluator) ---------------------------------
@pytest.fixture
def role_policy(built, mocks) -> dict[str, Any]:
    record = next(r for r in mocks.of_type(ROLE_POLICY) if "scheduler" not in r.name)
    return json.loads(record.inputs["policy"])


def _arns(mocks: RecordingMocks) -> dict[str, str]:
    bucket_arn = mocks.one("aws:s3/bucket:Bucket").state["arn"]
    token, copy = sorted((r.state["arn"] for r in mocks.of_type(SECRET)), key=lambda a: "copy" in a)
    return {
        "bucket": bucket_arn,
        "token": token,
        "copy": copy,
        "log_group": mocks.one(LOG_GROUP).state["arn"],
    }


def test_the_function_role_may_do_its_job(role_policy, built, mocks):
    arns = _arns(mocks)
    ledger_key = f"{arns['bucket']}/{LEDGER_PREFIX}{APP_ID}/rec-1.json"
    key_arn = resolve(built[0].kms_key_arn)  # the storage's key, not read from the policy under test
    allowed = [
        ("secretsmanager:GetSecretValue", arns["token"], {}),
        ("secretsmanager:GetSecretValue", arns["copy"], {}),
        ("kms:Decrypt", key_arn, {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
        ("s3:ListBucket", arns["bucket"], {}),
        ("s3:GetObject", ledger_key, {}),
        ("s3:PutObject", ledger_key, {}),
        # Ranged reads of a copy's MP4 structure before it counts as copied (sync/mp4.py).
        ("s3:GetObject", f"{arns['bucket']}/{APP_ID}/rec-1.mp4", {}),
        ("kms:GenerateDataKey", key_arn, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}),
        ("kms:Decrypt", key_arn, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}),
        ("logs:CreateLogStream", f"{arns['log_group']}:log-stream:2026/11/29/abc", {}),
        ("logs:PutLogEvents", f"{arns['log_group']}:log-stream:2026/11/29/abc", {}),
    ]
    for action, resource, context in allowed:
        assert conditional_identity_decision(role_policy, action, resource, context) == ALLOW, (
            action,
            resource,
        )


def test_the_function_role_may_not_write_recordings_or_anything_else(role_policy, built, mocks):
    arns = _arns(mocks)
    recording = f"{arns['bucket']}/{APP_ID}/rec-1.mp4"
    other_secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:someone-else-Zz99Yy"
    key_arn = resolve(built[0].kms_key_arn)
    other_key = KEY_ARN  # a key of the same account and region that is not the storage's
    denied = [
        ("s3:DeleteObject", recording, {}),
        ("s3:PutObject", recording, {}),
        ("s3:DeleteObject", f"{arns['bucket']}/{LEDGER_PREFIX}{APP_ID}/rec-1.json", {}),
        ("s3:DeleteObjectVersion", recording, {}),
        ("s3:PutBucketPolicy", arns["bucket"], {}),
        ("s3:ListBucket", "arn:aws:s3:::another-bucket", {}),
        ("s3:GetObject", f"arn:aws:s3:::another-bucket/{LEDGER_PREFIX}x", {}),
        ("secretsmanager:GetSecretValue", other_secret, {}),
        ("secretsmanager:PutSecretValue", arns["token"], {}),
        ("kms:Decrypt", key_arn, {"kms:ViaService": f"ec2.{REGION}.amazonaws.com"}),
        ("kms:Decrypt", key_arn, {"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}),
        ("kms:Decrypt", other_key, {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
        ("kms:GenerateDataKey", other_key, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}),
        ("iam:PassRole", "*", {}),
        ("iam:CreateUser", "*", {}),
        ("iam:AttachRolePolicy", "*", {}),
        ("logs:DeleteLogGroup", arns["log_group"], {}),
    ]
    for action, resource, context in denied:
        assert conditional_identity_decision(role_policy, action, resource, context) != ALLOW, (
            action,
            resource,
        )
        # moto's own evaluator agrees where it can judge (it cannot tell two conditional Allows apart)
        if not context:
            assert identity_decision(role_policy, action, resource) != ALLOW, (action, resource)


def test_no_statement_grants_every_resource(role_policy):
    """No "*", in a list or inside an ARN: each resource names its service, region and account (S3's
    ARNs have none) and starts with a named thing, a wildcard only after a fixed prefix."""
    for statement in role_policy["Statement"]:
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            arn, partition, service, region, account, name = (resource.split(":", 5) + [""] * 6)[:6]
            assert (arn, partition) == ("arn", "aws") and service and "*" not in f"{service}{region}{account}"
            assert name and not name.startswith("*"), (statement["Sid"], resource)
    assert [s["Sid"] for s in role_policy["Statement"]] == list(sp.FUNCTION_POLICY_SIDS)


def test_the_function_role_trusts_lambda_only(built, mocks):
    role = next(r for r in mocks.of_type(IAM_ROLE) if "scheduler" not in r.name)
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "lambda.amazonaws.com"}


# -- bad input fails before any resource, naming the input ------------------------------------------
@pytest.mark.parametrize(
    ("changes", "named", "says"),
    [
        ({"schedule": "every hour"}, "schedule", "not a schedule expression"),
        ({"schedule": "rate(5 minutes)"}, "schedule", "more often than every 15 minutes"),
        ({"schedule": "rate(1 hours)"}, "schedule", "singular"),
        ({"schedule": "rate(2 hour)"}, "schedule", "plural"),
        ({"schedule": "cron(0 * * * ?)"}, "schedule", "not a schedule expression"),
        ({"schedule": "cron(* * * * ? *)"}, "schedule", "more often than every 15 minutes"),
        ({"schedule": "cron(0 * * * * *)"}, "schedule", "does not fire every day"),
        ({"schedule": "cron(a b * * ? *)"}, "schedule", "would not read"),
        ({"schedule": "rate(2 days)"}, "schedule", "less often than daily"),
        ({"schedule": "rate(1 hour)\n"}, "schedule", "not a schedule expression"),
        ({"schedule": None}, "schedule", "not a string"),
        ({"warn_days": None}, "warn_days", "not a number"),
        ({"log_retention_days": None}, "log_retention_days", "not a retention period"),
        ({"warn_days": -1}, "warn_days", "out of range"),
        ({"warn_days": 14}, "warn_days", "out of range"),
        ({"warn_days": float("nan")}, "warn_days", "not a finite number"),
        ({"warn_days": "three"}, "warn_days", "not a number"),
        ({"warn_days": True}, "warn_days", "not a number"),
        ({"log_retention_days": 31}, "log_retention_days", "not a retention period"),
        (
            {"api_token": None, "api_token_secret_arn": "arn:aws:secretsmanager:ap-northeast-2:12:secret:x"},
            "api_token_secret_arn",
            "not a Secrets Manager secret ARN",
        ),
        (
            {"api_token": None, "api_token_secret_arn": EXISTING_SECRET.replace(REGION, "us-east-1")},
            "api_token_secret_arn",
            "is in us-east-1",
        ),
        ({"api_token_secret_arn": EXISTING_SECRET}, "api_token", "both are set"),
        ({"api_token": None}, "api_token", "neither is set"),
        ({"api_token": " "}, "api_token", "empty"),
        ({"alarm_topic_arn": TOPIC.replace(REGION, "eu-central-1")}, "alarm_topic_arn", "is in eu-central-1"),
        ({"alarm_topic_arn": TOPIC + ".fifo"}, "alarm_topic_arn", "not an SNS topic ARN"),
        ({"alarm_topic_arn": TOPIC + "\n"}, "alarm_topic_arn", "not an SNS topic ARN"),
        (
            {"api_token": None, "api_token_secret_arn": EXISTING_SECRET.removesuffix("-Ab12Cd")},
            "api_token_secret_arn",
            "not a Secrets Manager secret ARN",
        ),
        ({"api_token": "x" * 5000}, "api_token", "at most 4096"),
        ({"copy_secret_access_key": ""}, "copy_secret_access_key", "is empty"),
        ({"copy_secret_access_key": 5}, "copy_secret_access_key", "is not a string (int)"),
        (
            {"sendbird_api_base_url": "https://user:pw@api.example.com/v1"},
            "sendbird_api_base_url",
            "user or password",
        ),
        ({"sendbird_api_base_url": "http://api.example.com/v1"}, "sendbird_api_base_url", "cleartext"),
        ({"sendbird_api_base_url": "https://x" + "y" * 5000}, "sendbird_api_base_url", "at most 2048"),
        ({"kms_key_arn": KEY_ARN.replace(REGION, "us-west-2")}, "kms_key_arn", "is in us-west-2"),
        ({"bucket_arn": "arn:aws:s3:::other-bucket"}, "bucket_arn", "bucket_name is"),
        ({"region": "mars-1"}, "region", "mars-1"),
        ({"app_id": "APP_1"}, "app_id", "not a Sendbird application id"),
        ({"copy_access_key_id": None}, "copy_access_key_id", "missing"),
        ({"sendbird_api_base_url": "ftp://x"}, "sendbird_api_base_url", "http(s)"),
    ],
)
def test_bad_input_names_the_input(changes, named, says):
    with pytest.raises(InputError) as caught:
        plain_args(**changes)
    message = str(caught.value)
    assert message.startswith(named), message
    assert says in message and "Allowed" in message, message


def test_a_bad_value_that_resolves_later_fails_naming_the_input(mocks):
    def build() -> None:
        RecordingSync(NAME, plain_args(alarm_topic_arn=pulumi.Output.from_input("arn:aws:sns:us-east-1:1:t")))

    # Pulumi wraps the error of an input's Output in its own ValueErrors; the message is ours.
    with pytest.raises(
        ValueError, match=r"alarm_topic_arn 'arn:aws:sns:us-east-1:1:t' is not an SNS topic ARN"
    ):
        run_component(build, mocks)


def test_the_args_keep_what_was_passed_and_the_component_makes_the_secrets_secret():
    # Args hold what the caller passed (no field overwritten with an Output), and their repr never
    # shows a secret; what the component builds from holds both secrets as Outputs.
    args = plain_args()
    assert args.api_token == TOKEN
    assert isinstance(args.storage, StorageOutputs)
    assert args.storage.copy_secret_access_key == "copy-secret-key-EXAMPLE-0123456789abcdefgh"
    assert TOKEN not in repr(args) and "copy-secret-key" not in repr(args)
    resolved = args.checked()
    assert isinstance(resolved.api_token, pulumi.Output)
    assert isinstance(resolved.storage.copy_secret_access_key, pulumi.Output)
