"""The emulator deploy applies each RecordingSync's dashboard to moto (CloudWatch PutDashboard); read
back with GetDashboard, it is the body the component built: its application's metrics, its function,
queue, log group and alarms (as moto created them)."""

from __future__ import annotations

import json

from sendbird_copy import facts
from sendbird_copy.outputs import SCHEDULED_SYNC
from tests.localdev.local_stack import LocalStack


def test_the_dashboard_reads_back_from_moto_naming_its_own_resources(local_stack: LocalStack) -> None:
    (app,) = local_stack.apps
    outputs = local_stack.result.outputs[SCHEDULED_SYNC][app.app_id]
    cloudwatch = local_stack.moto.client("cloudwatch", app.aws_region)
    (listed,) = cloudwatch.list_dashboards()["DashboardEntries"]
    assert listed["DashboardName"] == outputs["dashboard_name"]
    assert outputs["dashboard_url"].startswith(f"https://{app.aws_region}.console.aws.amazon.com/")
    board = cloudwatch.get_dashboard(DashboardName=outputs["dashboard_name"])
    # Dashboard ARNs carry no region (AWS's form too): its region shows in where it is listed.
    other = "us-west-2" if app.aws_region != "us-west-2" else "eu-central-1"
    assert local_stack.moto.client("cloudwatch", other).list_dashboards()["DashboardEntries"] == []
    assert board["DashboardArn"].endswith(f":dashboard/{outputs['dashboard_name']}")
    body = json.loads(board["DashboardBody"])
    metrics = [line for w in body["widgets"] if w["type"] == "metric" for line in w["properties"]["metrics"]]
    runs = [line for line in metrics if line[0] == facts.METRICS_NAMESPACE]
    assert [line[1] for line in runs] == list(facts.METRICS)
    assert {line[3] for line in runs} == {app.app_id}
    assert {line[3] for line in metrics if line[0] == "AWS/Lambda"} == {outputs["function_name"]}
    (queue_line,) = [line for line in metrics if line[0] == "AWS/SQS"]
    alarms = cloudwatch.describe_alarms()["MetricAlarms"]
    (dead_letters,) = [a for a in alarms if a["MetricName"] == "ApproximateNumberOfMessagesVisible"]
    assert queue_line[3] == dead_letters["Dimensions"][0]["Value"]
    (alarm_widget,) = [w["properties"] for w in body["widgets"] if w["type"] == "alarm"]
    assert sorted(alarm_widget["alarms"]) == sorted(a["AlarmArn"] for a in alarms)
    (log_widget,) = [w["properties"] for w in body["widgets"] if w["type"] == "log"]
    assert log_widget["query"].startswith(f"SOURCE '{outputs['log_group_name']}' |")
