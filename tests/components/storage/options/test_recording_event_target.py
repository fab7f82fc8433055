"""Delivery of recording-arrived events (``recording_event_target_arn``): the rule, its pattern and
target, the event bus role's effective permissions, the exposed rule ARN, and every refusal."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components import InputError, RecordingStorage, RecordingStorageArgs
from components.config import parse_stack_config
from components.storage.bucket import RECORDING_EVENT_PATTERN
from components.storage.options.event_policies import EVENTS_SERVICE
from components.type_tokens import (
    BUCKET,
    BUCKET_NOTIFICATION,
    EVENT_RULE,
    EVENT_TARGET,
    IAM_ROLE,
    ROLE_POLICY,
)
from sendbird_copy.facts import CONFIG_NAMESPACE
from sendbird_copy.outputs import APPLICATIONS
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    NEUTRAL,
    RecordingMocks,
    conditional_identity_decision,
    identity_decision,
    resolve,
    run_component,
    run_stack,
)
from tests.components.storage.test_hardening import _decision

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
QUEUE = f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:recordings-arrived"
BUS = "arn:aws:events:eu-west-1:210987654321:event-bus/central-media"


def build(mocks: RecordingMocks, **kwargs: Any) -> RecordingStorage:
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


def test_no_rule_by_default(mocks):
    storage = build(mocks)
    assert not mocks.of_type(EVENT_RULE) and not mocks.of_type(EVENT_TARGET)
    assert storage.resources.recording_event_delivery is None
    assert storage.recording_event_rule_arn is None
    assert "recording_event_rule_arn" not in storage.public_outputs()


def test_a_queue_gets_this_buckets_recordings_from_the_default_bus(mocks):
    storage = build(mocks, recording_event_target_arn=QUEUE)
    rule, target = mocks.one(EVENT_RULE), mocks.one(EVENT_TARGET)
    bucket = mocks.one(BUCKET).state["bucket"]
    assert rule.inputs["region"] == REGION and target.inputs["region"] == REGION
    assert rule.inputs["eventBusName"] == "default" and target.inputs["eventBusName"] == "default"
    assert rule.inputs["state"] == "ENABLED"
    pattern = json.loads(rule.inputs["eventPattern"])
    # The documented pattern, narrowed to this bucket.
    assert pattern == {
        **RECORDING_EVENT_PATTERN,
        "detail": {**RECORDING_EVENT_PATTERN["detail"], "bucket": {"name": [bucket]}},
    }
    assert target.inputs["rule"] == rule.state["name"] and target.inputs["arn"] == QUEUE
    assert "roleArn" not in target.inputs  # the queue's own policy admits EventBridge
    assert not mocks.of_type(IAM_ROLE) and not mocks.of_type(ROLE_POLICY)
    assert mocks.one(BUCKET_NOTIFICATION).urn in rule.dependencies  # S3 sends the events first
    assert rule.parent == target.parent == mocks.one(BUCKET).parent
    assert resolve(storage.recording_event_rule_arn) == rule.state["arn"]
    assert resolve(storage.public_outputs()["recording_event_rule_arn"]) == rule.state["arn"]


def test_another_event_bus_is_reached_through_a_role_for_this_rule_only(mocks):
    storage = build(mocks, recording_event_target_arn=BUS)
    rule, target = mocks.one(EVENT_RULE), mocks.one(EVENT_TARGET)
    role, policy = mocks.one(IAM_ROLE), mocks.one(ROLE_POLICY)
    assert target.inputs["arn"] == BUS and target.inputs["roleArn"] == role.state["arn"]
    assert target.inputs["region"] == REGION  # the rule's region; the bus may be elsewhere
    assert policy.urn in target.dependencies  # the grant exists before EventBridge uses the role
    # The trust: EventBridge only, for this account's rule only.
    trust = json.loads(role.inputs["assumeRolePolicy"])
    events = {"Service": EVENTS_SERVICE}
    right = {"aws:SourceAccount": ACCOUNT_ID, "aws:SourceArn": rule.state["arn"]}
    assert _decision(trust, "sts:AssumeRole", "*", events, right) == ALLOW
    for context in (
        {**right, "aws:SourceArn": rule.state["arn"] + "-other"},
        {**right, "aws:SourceAccount": "210987654321"},
        {},
    ):
        assert _decision(trust, "sts:AssumeRole", "*", events, context) == NEUTRAL, context
    assert _decision(trust, "sts:AssumeRole", "*", f"arn:aws:iam::{ACCOUNT_ID}:root", right) == NEUTRAL
    # The grant: PutEvents on that bus, and nothing else.
    document = policy.inputs["policy"]
    assert identity_decision(document, "events:PutEvents", BUS) == ALLOW
    assert identity_decision(document, "events:PutEvents", BUS.replace("central-media", "other")) == NEUTRAL
    assert identity_decision(document, "events:PutRule", BUS) == NEUTRAL
    assert conditional_identity_decision(document, "sqs:SendMessage", QUEUE) == NEUTRAL
    delivery = storage.resources.recording_event_delivery
    assert delivery is not None and delivery.role is not None and delivery.role_policy is not None


def test_the_program_exports_the_rule_arn():
    config = {
        f"{CONFIG_NAMESPACE}:applications": [{"app_id": APP_ID, "region": "ap-2"}],
        f"{CONFIG_NAMESPACE}:recording_event_target_arn": QUEUE,
    }
    run = run_stack(config)
    rule = run.mocks.one(EVENT_RULE)
    assert run.outputs[APPLICATIONS][APP_ID]["recording_event_rule_arn"] == rule.state["arn"]


def test_an_output_event_bus_is_refused_when_it_resolves(mocks):
    def make() -> RecordingStorage:
        arn = pulumi.Output.from_input(BUS)
        return RecordingStorage(
            NAME, RecordingStorageArgs(app_id=APP_ID, region="ap-2", recording_event_target_arn=arn)
        )

    with pytest.raises(ValueError) as err:
        run_component(make, mocks)
    assert "recording_event_target_arn '" + BUS + "' is an event bus given as a pulumi Output" in str(
        err.value
    )


def test_an_output_queue_is_delivered_to(mocks):
    def make() -> RecordingStorage:
        arn = pulumi.Output.from_input(QUEUE)
        return RecordingStorage(
            NAME, RecordingStorageArgs(app_id=APP_ID, region="ap-2", recording_event_target_arn=arn)
        )

    run_component(make, mocks)
    assert mocks.one(EVENT_TARGET).inputs["arn"] == QUEUE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"recording_events": False, "recording_event_target_arn": QUEUE},
            f"recording_event_target_arn '{QUEUE}' is set but recording_events is false",
        ),
        (
            {"recording_event_target_arn": QUEUE.replace(REGION, "us-east-1")},
            "recording_event_target_arn 'arn:aws:sqs:us-east-1:123456789012:recordings-arrived' is in "
            "us-east-1, but the application's region is ap-northeast-2",
        ),
        (
            {"recording_event_target_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:layer:x"},
            "recording_event_target_arn 'arn:aws:lambda:ap-northeast-2:123456789012:layer:x' is not a target",
        ),
        (
            {"recording_event_target_arn": f"arn:aws:s3:::{NAME}"},
            "recording_event_target_arn 'arn:aws:s3:::recordings' is not a target EventBridge can deliver to",
        ),
        ({"recording_event_target_arn": 12}, "recording_event_target_arn 12 is not a string"),
    ],
)
def test_bad_targets_name_the_input(kwargs, message):
    with pytest.raises(InputError) as err:
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)
    assert str(err.value).startswith(message), str(err.value)
    assert "Allowed:" in str(err.value)


def test_topics_functions_and_buses_are_targets():
    for arn in (
        f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:recordings",
        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:on-recording",
        f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:on-recording:live",
        BUS,
    ):
        assert RecordingStorageArgs(app_id=APP_ID, region="ap-2", recording_event_target_arn=arn)


def test_stack_config_target_replaces_and_errors_are_relocated():
    apps = [
        {"app_id": "a1", "region": "ap-2"},
        {"app_id": "a2", "region": "ap-2", "recording_event_target_arn": None},
    ]
    first, second = parse_stack_config({"applications": apps, "recording_event_target_arn": QUEUE})
    assert (first.recording_event_target_arn, second.recording_event_target_arn) == (QUEUE, None)
    bad = {"app_id": "a1", "region": "ap-2", "recording_events": False}
    with pytest.raises(
        InputError, match=r"^recording_event_target_arn .* applications\[0\]\.recording_events is false"
    ):
        parse_stack_config({"applications": [bad], "recording_event_target_arn": QUEUE})
