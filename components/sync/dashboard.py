"""The CloudWatch dashboard of one RecordingSync, as a plain dict (the ``DashboardBody`` JSON).

Pure, like ``policies.py``: the component passes the names and ARNs once they resolve and serialises
the result. Every metric name, namespace and dimension comes from ``sendbird_copy.facts``
(what the function emits) and the log query's message from ``sendbird_copy.sync.function.handler``, so the
dashboard cannot drift from the function. One dashboard shows one application: nothing of another
application's appears in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from sendbird_copy import facts

from ..naming import distinct

# CloudWatch's limit on a dashboard's name, and the characters it allows.
MAX_DASHBOARD_NAME = 255
_NOT_ALLOWED = re.compile(r"[^A-Za-z0-9_-]+")
# One data point per run: an hour's bucket shows each hourly run; a shorter schedule's runs are
# folded into their hour by the statistic (Maximum: the worst run of the hour, as the alarms judge).
PERIOD_SECONDS = 3600
# The last runs the Logs Insights widget lists (newest first).
LOG_ROWS = 20
# The grid is 24 units wide; two widgets a row.
_HALF, _HEIGHT = 12, 6
# Shown labels of the run metrics (legend), in the function's order.
METRIC_LABELS = {
    facts.METRIC_COPIED: "copied",
    facts.METRIC_AT_RISK: "at risk",
    facts.METRIC_LOST: "lost",
    facts.METRIC_FAILED: "failed",
    facts.METRIC_PENDING: "pending",
    facts.METRIC_DAMAGED: "damaged state",
    facts.METRIC_WRITE_PATH_BROKEN: "write path broken",
    facts.METRIC_RECORDINGS_DAMAGED: "damaged copies",
}
LAMBDA_NAMESPACE = "AWS/Lambda"
SQS_NAMESPACE = "AWS/SQS"
QUEUE_DEPTH_METRIC = "ApproximateNumberOfMessagesVisible"


def dashboard_name(project: str, stack: str, component_name: str) -> str:
    """``<project>-<stack>-<name>-sync``: unique per stack in an account's region (dashboard names are
    per account and region), in CloudWatch's characters, at most 255 long (else cut and hashed)."""

    def clean(part: str) -> str:
        return _NOT_ALLOWED.sub("-", part).strip("-") or "default"

    full = f"{clean(project)}-{clean(stack)}-{clean(component_name)}-sync"
    original = f"{project}-{stack}-{component_name}-sync"
    return distinct(full, original, MAX_DASHBOARD_NAME, project, stack, component_name)


def dashboard_url(region: str, name: str) -> str:
    """The dashboard in the CloudWatch console (Sendbird runs in commercial AWS regions only)."""
    return (
        f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}"
        f"#dashboards/dashboard/{quote(name, safe='')}"
    )


def _metric_widget(
    title: str, region: str, metrics: list[list[Any]], x: int, y: int, **properties: Any
) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": _HALF,
        "height": _HEIGHT,
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "period": PERIOD_SECONDS,
            "metrics": metrics,
            **properties,
        },
    }


def summary_query(log_group_name: str) -> str:
    """The last runs' summary lines, with the first problems each names (Logs Insights flattens the
    ``problems`` list into ``problems.0.recording_id`` ...; the full list is in ``@message``)."""
    first = ", ".join(
        f"problems.{i}.{field}" for i in range(3) for field in ("recording_id", "where", "outcome", "reason")
    )
    return (
        f"SOURCE '{log_group_name}' | filter message = \"{facts.SUMMARY_MESSAGE}\" "
        f"| fields @timestamp, run_id, passed, error, {first}, problems_not_named "
        f"| sort @timestamp desc | limit {LOG_ROWS}"
    )


def dashboard_body(
    *,
    app_id: str,
    region: str,
    function_name: str,
    queue_name: str,
    log_group_name: str,
    alarm_arns: Sequence[str],
) -> dict[str, Any]:
    """The dashboard of one application's scheduled sync: its run metrics over time, the function's
    duration against its timeout, its errors and throttles, the dead-letter queue's depth, the alarms'
    states and the last runs' problems."""
    runs = [
        [facts.METRICS_NAMESPACE, name, facts.METRIC_DIMENSION, app_id, {"label": METRIC_LABELS[name]}]
        for name in facts.METRICS
    ]
    function = ["FunctionName", function_name]
    timeout_ms = facts.TIMEOUT_SECONDS * 1000
    return {
        "widgets": [
            {
                "type": "text",
                "x": 0,
                "y": 0,
                "width": 24,
                "height": 2,
                "properties": {
                    "markdown": f"## Recording sync of Sendbird application {app_id}\n"
                    f"One data point per run of function `{function_name}` ({region}); "
                    f"logs in `{log_group_name}`."
                },
            },
            _metric_widget(
                "Recordings per run", region, runs, 0, 2, stat="Maximum", yAxis={"left": {"min": 0}}
            ),
            {
                "type": "alarm",
                "x": _HALF,
                "y": 2,
                "width": _HALF,
                "height": _HEIGHT,
                "properties": {"title": "Alarms", "alarms": list(alarm_arns)},
            },
            _metric_widget(
                "Function duration against its timeout (ms)",
                region,
                [[LAMBDA_NAMESPACE, "Duration", *function, {"stat": "Maximum", "label": "longest run"}]],
                0,
                2 + _HEIGHT,
                annotations={"horizontal": [{"label": "timeout", "value": timeout_ms}]},
                yAxis={"left": {"min": 0, "max": timeout_ms}},
            ),
            _metric_widget(
                "Function errors and throttles",
                region,
                [
                    [LAMBDA_NAMESPACE, "Errors", *function, {"label": "errors"}],
                    [LAMBDA_NAMESPACE, "Throttles", *function, {"label": "throttles"}],
                ],
                _HALF,
                2 + _HEIGHT,
                stat="Sum",
                yAxis={"left": {"min": 0}},
            ),
            _metric_widget(
                "Dead-letter queue depth (invocations the scheduler could not deliver)",
                region,
                [[SQS_NAMESPACE, QUEUE_DEPTH_METRIC, "QueueName", queue_name, {"label": "messages"}]],
                0,
                2 + 2 * _HEIGHT,
                stat="Maximum",
                yAxis={"left": {"min": 0}},
            ),
            {
                "type": "log",
                "x": _HALF,
                "y": 2 + 2 * _HEIGHT,
                "width": _HALF,
                "height": _HEIGHT,
                "properties": {
                    "title": f"Last {LOG_ROWS} runs and their problems",
                    "region": region,
                    "view": "table",
                    "query": summary_query(log_group_name),
                },
            },
        ]
    }
