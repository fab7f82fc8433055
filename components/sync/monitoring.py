"""What watches RecordingSync's function: its seven alarms (on errors, on recordings at risk or
lost, on a broken write path, on damaged copies, on a function that stopped running, on dead
letters) and its CloudWatch
dashboard (the body: ``dashboard.py``). Each alarm notifies the sync's ``alarm_topic_arn``, on alarm
and on recovery.
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from sendbird_copy import facts
from sendbird_copy.rules import parse_schedule

from ..context import StorageContext
from . import dashboard as dashboards
from .args import ResolvedSync

ALARM_PERIOD_SECONDS = 3600

# The alarms, by the suffix of their names (README "Operating it" says what each means).
ALARM_ERRORS = "errors"
ALARM_AT_RISK = "at-risk"
ALARM_LOST = "lost"
ALARM_WRITE_PATH = "write-path"
ALARM_DAMAGED = "damaged-copies"
ALARM_NOT_RUNNING = "not-running"
ALARM_DEAD_LETTERS = "dead-letters"


def _alarm(
    ctx: StorageContext,
    suffix: str,
    description: str,
    metric: dict[str, Any],
    topic: pulumi.Input[str] | None,
) -> aws.cloudwatch.MetricAlarm:
    """An alarm on ``metric`` (which may override the defaults below), notifying ``topic`` on alarm
    and on recovery."""
    actions = [topic] if topic is not None else []
    settings: dict[str, Any] = {
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "threshold": 1,
        "evaluation_periods": 1,
        # A run reports once per schedule interval, which may be longer than the period: between runs
        # the alarm keeps the state the last run left (not "OK" an hour after an at-risk run).
        "treat_missing_data": "ignore",
        **metric,
    }
    return aws.cloudwatch.MetricAlarm(
        ctx.child_name(f"sync-{suffix}"),
        alarm_description=description,
        alarm_actions=actions,
        ok_actions=actions,
        tags=ctx.tags,
        **settings,
        **ctx.regional(),
    )


def not_running_window(schedule: str) -> int:
    """Hours without any invocation after which the function counts as not running: the schedule's
    longest gap, rounded up, plus an hour of slack (the scheduler's retries and the run itself)."""
    return -(-parse_schedule("schedule", schedule).max_gap_minutes // 60) + 1


def create_alarms(
    ctx: StorageContext, args: ResolvedSync, function: aws.lambda_.Function, queue: aws.sqs.Queue
) -> dict[str, aws.cloudwatch.MetricAlarm]:
    """The seven alarms, by the suffix of their names (``ALARM_*``)."""
    topic = args.alarm_topic_arn
    synced = {
        "namespace": facts.METRICS_NAMESPACE,
        "dimensions": {facts.METRIC_DIMENSION: args.app_id},
        "statistic": "Maximum",
        "period": ALARM_PERIOD_SECONDS,
    }
    invocations = {
        "namespace": "AWS/Lambda",
        "dimensions": {"FunctionName": function.name},
        "statistic": "Sum",
    }
    window = not_running_window(args.schedule)
    return {
        ALARM_ERRORS: _alarm(
            ctx,
            ALARM_ERRORS,
            f"The scheduled sync of {args.app_id} failed: a recording could not be copied, was lost, or the "
            "application could not be listed. Its log group says which.",
            {**invocations, "metric_name": "Errors", "period": ALARM_PERIOD_SECONDS},
            topic,
        ),
        ALARM_AT_RISK: _alarm(
            ctx,
            ALARM_AT_RISK,
            f"A recording of {args.app_id} is not copied yet and Sendbird deletes it within "
            f"{args.warn_days:g} days.",
            {**synced, "metric_name": facts.METRIC_AT_RISK},
            topic,
        ),
        ALARM_LOST: _alarm(
            ctx,
            ALARM_LOST,
            f"A recording of {args.app_id} passed Sendbird's deletion date without being copied.",
            {**synced, "metric_name": facts.METRIC_LOST},
            topic,
        ),
        # Before a recording fails on it: each run writes a probe as the copy identity.
        ALARM_WRITE_PATH: _alarm(
            ctx,
            ALARM_WRITE_PATH,
            f"The copy identity of {args.app_id} (the key Sendbird copies with) could not write its "
            "probe object: Sendbird's copies will fail too. The run's summary (write_path) in the log "
            "group says why.",
            {**synced, "metric_name": facts.METRIC_WRITE_PATH_BROKEN},
            topic,
        ),
        ALARM_DAMAGED: _alarm(
            ctx,
            ALARM_DAMAGED,
            f"A copy of a recording of {args.app_id} is damaged (a missing or truncated MP4 box, or not "
            "an MP4): it is not counted safe, and the next run requests it again while Sendbird holds it.",
            {**synced, "metric_name": facts.METRIC_RECORDINGS_DAMAGED},
            topic,
        ),
        ALARM_NOT_RUNNING: _alarm(
            ctx,
            ALARM_NOT_RUNNING,
            f"The sync function of {args.app_id} has not run for {window} hours (its schedule "
            f"{args.schedule} is disabled or deleted, or every invocation was dropped).",
            {
                **invocations,
                "metric_name": "Invocations",
                "period": ALARM_PERIOD_SECONDS,
                "comparison_operator": "LessThanThreshold",
                "evaluation_periods": window,
                "datapoints_to_alarm": window,
                # No invocation in an hour publishes no data point: that is what this alarm is for.
                "treat_missing_data": "breaching",
            },
            topic,
        ),
        ALARM_DEAD_LETTERS: _alarm(
            ctx,
            ALARM_DEAD_LETTERS,
            f"EventBridge Scheduler could not invoke the sync function of {args.app_id}; the failed "
            "invocations wait in the dead-letter queue.",
            {
                "namespace": "AWS/SQS",
                "metric_name": "ApproximateNumberOfMessagesVisible",
                "dimensions": {"QueueName": queue.name},
                "statistic": "Maximum",
                "period": 300,
                # SQS reports an active queue every 5 minutes; no data is an empty queue.
                "treat_missing_data": "notBreaching",
            },
            topic,
        ),
    }


def create_dashboard(
    ctx: StorageContext,
    args: ResolvedSync,
    function: aws.lambda_.Function,
    queue: aws.sqs.Queue,
    log_group: aws.cloudwatch.LogGroup,
    alarms: dict[str, aws.cloudwatch.MetricAlarm],
) -> aws.cloudwatch.Dashboard:
    """One dashboard of this application's sync, in its region (the body: ``dashboard.py``)."""
    region, app_id = ctx.region, args.app_id
    body = pulumi.Output.all(
        function.name, queue.name, log_group.name, *(alarm.arn for alarm in alarms.values())
    ).apply(
        lambda v: json.dumps(
            dashboards.dashboard_body(
                app_id=app_id,
                region=region,
                function_name=v[0],
                queue_name=v[1],
                log_group_name=v[2],
                alarm_arns=v[3:],
            )
        )
    )
    return aws.cloudwatch.Dashboard(
        ctx.child_name("sync-dashboard"),
        dashboard_name=dashboards.dashboard_name(pulumi.get_project(), pulumi.get_stack(), ctx.name),
        dashboard_body=body,
        **ctx.regional(),
    )
