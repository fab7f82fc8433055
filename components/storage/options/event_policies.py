"""Pure builders of the policy documents of recording-event delivery to another event bus (plain
dicts, no Pulumi): the role EventBridge assumes, and its one grant."""

from __future__ import annotations

from ..policies import Policy, _document

# EventBridge, which assumes the role that delivers recording-arrived events to another event bus.
EVENTS_SERVICE = "events.amazonaws.com"


def event_delivery_trust_policy(*, account_id: str, rule_arn: str) -> Policy:
    """Only EventBridge may assume the role, and only for this account's rule (confused-deputy guard)."""
    return _document(
        {
            "Sid": "EventBridgeDeliversRecordingEvents",
            "Effect": "Allow",
            "Principal": {"Service": EVENTS_SERVICE},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id, "aws:SourceArn": rule_arn}},
        }
    )


def event_delivery_role_policy(*, event_bus_arn: str) -> Policy:
    """Put events on the target bus, and nothing else."""
    return _document(
        {
            "Sid": "PutRecordingEvents",
            "Effect": "Allow",
            "Action": "events:PutEvents",
            "Resource": event_bus_arn,
        }
    )
