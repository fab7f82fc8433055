"""Delivery of the recordings bucket's recording-arrived events (``recording_event_target_arn``).

With ``recording_events`` on, S3 sends every event of the bucket to the region's default EventBridge
bus. This adds the rule a user would otherwise write: ``RECORDING_EVENT_PATTERN`` narrowed to this
bucket, on the default bus, in the application's region, with one target. A queue, topic or function
admits EventBridge in its own resource policy (``aws:SourceArn`` = the rule's ARN, exposed as
``recording_event_rule_arn``); another event bus is reached through a role EventBridge assumes for
this rule only, allowed ``events:PutEvents`` on that bus only.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from sendbird_copy.rules import EVENT_BUS_SERVICE, event_target_service

from ...context import StorageContext
from ...naming import MAX_IAM_NAME, NOT_IN_IAM_NAME, NOT_IN_SCHEDULE_NAME, autoname_or_shortened
from ..bucket import RECORDING_EVENT_PATTERN
from ..copy_identity import IAM_PATH
from . import event_policies

MAX_RULE_NAME = 64  # EventBridge rule names: [.-_A-Za-z0-9], at most 64
RULE_SUFFIX = "recording-events"
ROLE_SUFFIX = "recording-events-role"
DEFAULT_BUS = "default"  # where S3 sends the bucket's events


@dataclass(frozen=True)
class RecordingEventDelivery:
    """The rule, its target, and (for an event bus target only) the role EventBridge assumes and
    its one inline policy."""

    rule: aws.cloudwatch.EventRule
    target: aws.cloudwatch.EventTarget
    role: aws.iam.Role | None
    role_policy: aws.iam.RolePolicy | None


def bucket_event_pattern(bucket_name: str) -> dict[str, Any]:
    """``RECORDING_EVENT_PATTERN`` for one bucket's events only."""
    pattern = copy.deepcopy(RECORDING_EVENT_PATTERN)
    pattern["detail"]["bucket"] = {"name": [bucket_name]}
    return pattern


def _name(ctx: StorageContext, suffix: str, limit: int, not_allowed: Any) -> str | None:
    return autoname_or_shortened(
        ctx.child_name(suffix), limit, pulumi.get_project(), pulumi.get_stack(), not_allowed=not_allowed
    )


def _bus_role(
    ctx: StorageContext, rule: aws.cloudwatch.EventRule, bus_arn: str
) -> tuple[aws.iam.Role, aws.iam.RolePolicy]:
    trust = pulumi.Output.all(ctx.account_id, rule.arn).apply(
        lambda v: json.dumps(event_policies.event_delivery_trust_policy(account_id=v[0], rule_arn=v[1]))
    )
    role = aws.iam.Role(
        ctx.child_name(ROLE_SUFFIX),
        name=_name(ctx, ROLE_SUFFIX, MAX_IAM_NAME, NOT_IN_IAM_NAME),
        path=IAM_PATH,
        description=f"EventBridge delivers recording-arrived events of application {ctx.app_id}",
        assume_role_policy=trust,
        tags=ctx.tags,
        opts=ctx.opts(),
    )
    policy = aws.iam.RolePolicy(
        f"{ctx.child_name(ROLE_SUFFIX)}-policy",
        role=role.id,
        name="put-recording-events",
        policy=json.dumps(event_policies.event_delivery_role_policy(event_bus_arn=bus_arn)),
        opts=ctx.opts(),
    )
    return role, policy


def deliver_recording_events(
    ctx: StorageContext, *, bucket: aws.s3.Bucket, target_arn: pulumi.Input[str], after: pulumi.Resource
) -> RecordingEventDelivery:
    """The rule on the default bus and its target ``target_arn`` (checked already: a plain ARN when
    it is an event bus), after ``after`` (the bucket's notification, which sends the events)."""
    rule = aws.cloudwatch.EventRule(
        ctx.child_name(RULE_SUFFIX),
        name=_name(ctx, RULE_SUFFIX, MAX_RULE_NAME, NOT_IN_SCHEDULE_NAME),
        description=f"Recordings arriving in the bucket of Sendbird application {ctx.app_id}",
        event_bus_name=DEFAULT_BUS,
        event_pattern=bucket.bucket.apply(lambda name: json.dumps(bucket_event_pattern(name))),
        state="ENABLED",
        tags=ctx.tags,
        region=ctx.region,
        opts=ctx.opts(after),
    )
    role = role_policy = None
    if isinstance(target_arn, str) and event_target_service(target_arn) == EVENT_BUS_SERVICE:
        role, role_policy = _bus_role(ctx, rule, target_arn)
    target = aws.cloudwatch.EventTarget(
        ctx.child_name(f"{RULE_SUFFIX}-target"),
        rule=rule.name,
        event_bus_name=DEFAULT_BUS,
        arn=target_arn,
        role_arn=role.arn if role is not None else None,
        region=ctx.region,
        opts=ctx.opts(*(r for r in (role_policy,) if r is not None)),
    )
    return RecordingEventDelivery(rule, target, role, role_policy)
