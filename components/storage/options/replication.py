"""The ``replication`` argument of RecordingStorage: a replica of the recordings bucket in a second
region (the resources are ``replica.py``'s).

What it can check alone it checks when constructed (the region's form, the booleans, the bucket
name, the alarm threshold); what needs the source (a region other than the bucket's, a topic in the
bucket's region, where the alarms live) ``RecordingStorageArgs`` checks, naming ``replication.*``.

No ``from __future__ import annotations``: the component package's analyzer reads these annotations
at runtime, as ``args.py``'s. ``args.py`` imports this module for its field's type, so this one
imports nothing from it (no cycles between a package's modules): its two small checks of a plain
value are its own, and ``args.py`` hands ``checked`` its ``_when_resolved``.
"""

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from sendbird_copy.errors import Input, InputError
from sendbird_copy.rules import check_bool, check_bucket_name, check_topic_arn, shown
from sendbird_copy.rules.storage import (
    REPLICATION_LATENCY_ALARM_RANGE,
    check_replica_region,
    check_replication_latency_alarm_seconds,
    default_replication_latency_alarm_seconds,
)

_PLAIN_SETTING = "a setting of the component itself, not a value another resource provides"
_REGION_PLAIN = (
    "it pins the replica bucket, its KMS key and every condition of the replication role, all "
    "before any Output resolves"
)


def _is_deferred(value: Any) -> bool:
    """Known only later: a pulumi Output or another awaitable (as ``args.is_deferred``)."""
    return isinstance(value, pulumi.Output) or inspect.isawaitable(value)


def _require_plain(value: Any, input_name: str, allowed: str, why: str) -> None:
    if _is_deferred(value):
        raise InputError(
            Input(input_name), f" is {shown(value)}, not a plain value: {why}. Allowed: {allowed}"
        )


@dataclass(frozen=True)
class Replication:
    """A replica of every object of the recordings bucket in a second region (S3 Replication): its
    own bucket, versioned and SSE-KMS with its own key there, the same public-access blocks and TLS
    rules, written only by a replication role that may do nothing else; delete markers are not
    replicated, so a delete in the source never reaches the replica. CloudWatch alarms (in the
    source's region) on failed replication and on latency.
    """

    region: str
    """The replica's region: an AWS region code (eu-west-1) or a Sendbird region key (eu-1), other than
    the bucket's. Plain only: it pins the replica's resources."""
    replication_time_control: bool = False
    """S3 Replication Time Control: 99.99% of objects within 15 minutes, under an SLA (extra cost per
    GB). Off: S3 replicates most objects within minutes, with no promise."""
    bucket_name: pulumi.Input[str] | None = None
    """The replica bucket's name. None: a unique name from the component name (``<name>-replica-...``)."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """An SNS topic in the bucket's region that the two replication alarms notify (on alarm and on
    recovery). None: the alarms only change state."""
    latency_alarm_seconds: int | None = None
    """The replication-latency alarm's threshold in seconds (60 to 86400). None: 900 with
    ``replication_time_control`` (its SLA), else 3600."""

    def __post_init__(self) -> None:
        allowed = "a Sendbird region key or an AWS region code"
        _require_plain(self.region, "replication.region", allowed, _REGION_PLAIN)
        # The source region is not known here: ``check_source`` refuses the bucket's own region.
        check_replica_region("replication.region", self.region, source_region="")
        _require_plain(
            self.replication_time_control,
            "replication.replication_time_control",
            "true or false",
            _PLAIN_SETTING,
        )
        check_bool("replication.replication_time_control", self.replication_time_control)
        if self.bucket_name is not None and not _is_deferred(self.bucket_name):
            check_bucket_name("replication.bucket_name", self.bucket_name)
        if self.latency_alarm_seconds is not None:
            low, high = REPLICATION_LATENCY_ALARM_RANGE
            seconds = f"a whole number of seconds from {low} to {high}"
            _require_plain(
                self.latency_alarm_seconds, "replication.latency_alarm_seconds", seconds, _PLAIN_SETTING
            )
            check_replication_latency_alarm_seconds(
                "replication.latency_alarm_seconds", self.latency_alarm_seconds
            )

    def check_source(self, source_region: str, source_bucket_name: Any) -> None:
        """What needs the source: another region, a topic in the source's region (the alarms are
        there), a bucket name other than the source's."""
        check_replica_region("replication.region", self.region, source_region)
        if self.alarm_topic_arn is not None and not _is_deferred(self.alarm_topic_arn):
            check_topic_arn("replication.alarm_topic_arn", self.alarm_topic_arn, source_region)
        name = self.bucket_name
        if name is not None and not _is_deferred(name) and name == source_bucket_name:
            raise InputError(
                Input("replication.bucket_name"),
                f" {shown(name)} is the recordings bucket itself. Allowed: another bucket name",
            )

    def checked(
        self, source_region: str, when_resolved: Callable[[Any, Callable[[Any], Any]], Any]
    ) -> "Replication":
        """This replication with each Pulumi value replaced by one checked when it resolves
        (``when_resolved``: ``args._when_resolved``)."""
        return dataclasses.replace(
            self,
            bucket_name=when_resolved(
                self.bucket_name, lambda name: check_bucket_name("replication.bucket_name", name)
            ),
            alarm_topic_arn=when_resolved(
                self.alarm_topic_arn,
                lambda arn: check_topic_arn("replication.alarm_topic_arn", arn, source_region),
            ),
        )

    @property
    def aws_region(self) -> str:
        """The replica's AWS region (``region`` may be a Sendbird key)."""
        return check_replica_region("replication.region", self.region, source_region="")

    @property
    def effective_latency_alarm_seconds(self) -> int:
        """The latency alarm's threshold: the one given, else the default for RTC on or off."""
        if self.latency_alarm_seconds is not None:
            return self.latency_alarm_seconds
        return default_replication_latency_alarm_seconds(self.replication_time_control)
