"""The sync's CloudWatch dashboard: its body as a pure function (like the policies), and the one
Dashboard each RecordingSync registers, naming its own application's metrics, alarms and queue only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import RecordingSync
from components.naming import name_hash
from components.sync import dashboard as db
from components.type_tokens import DASHBOARD, LAMBDA_FUNCTION, LOG_GROUP, METRIC_ALARM, QUEUE, RECORDING_SYNC
from localdev.program_runner import ProgramError
from sendbird_copy import facts
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from sendbird_copy.facts import SUMMARY_MESSAGE
from sendbird_copy.outputs import SCHEDULED_SYNC
from tests.components.pulumi_mocks import RecordingMocks, Registration, run_component, run_stack
from tests.components.sync.test_recording_sync import REGION, plain_args

ALARMS = [f"arn:aws:cloudwatch:{REGION}:123456789012:alarm:a-{n}" for n in range(7)]


def body(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "app_id": "APP-1",
        "region": REGION,
        "function_name": "fn-1",
        "queue_name": "dlq-1",
        "log_group_name": "/sendbird-recordings/test/app-1/sync",
        "alarm_arns": ALARMS,
        **changes,
    }
    return db.dashboard_body(**values)


def widgets(of: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [w["properties"] for w in of["widgets"] if w["type"] == kind]


def metric_lines(of: dict[str, Any]) -> list[list[Any]]:
    return [line for props in widgets(of, "metric") for line in props["metrics"]]


# -- the pure body ---------------------------------------------------------------------------------
def test_every_run_metric_the_function_emits_is_plotted_with_its_namespace_and_dimension():
    runs = [line for line in metric_lines(body()) if line[0] == facts.METRICS_NAMESPACE]
    assert [line[1] for line in runs] == list(facts.METRICS)
    assert all(line[2:4] == [facts.METRIC_DIMENSION, "APP-1"] for line in runs)
    labels = {line[4]["label"] for line in runs}
    assert labels == {
        "copied",
        "at risk",
        "lost",
        "failed",
        "pending",
        "damaged state",
        "write path broken",
        "damaged copies",
    }


def test_the_function_duration_is_drawn_against_its_timeout_with_errors_and_throttles():
    props = widgets(body(), "metric")
    (duration,) = [p for p in props if any(line[1] == "Duration" for line in p["metrics"])]
    assert duration["metrics"][0][:4] == ["AWS/Lambda", "Duration", "FunctionName", "fn-1"]
    timeout = {"label": "timeout", "value": facts.TIMEOUT_SECONDS * 1000}
    assert duration["annotations"]["horizontal"] == [timeout]
    lambda_metrics = {line[1] for line in metric_lines(body()) if line[0] == "AWS/Lambda"}
    assert lambda_metrics == {"Duration", "Errors", "Throttles"}
    assert all(
        line[2:4] == ["FunctionName", "fn-1"] for line in metric_lines(body()) if line[0] == "AWS/Lambda"
    )


def test_the_queue_depth_alarms_and_problems_are_shown():
    board = body()
    (queue,) = [line for line in metric_lines(board) if line[0] == "AWS/SQS"]
    assert queue[:4] == ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", "dlq-1"]
    (alarms,) = widgets(board, "alarm")
    assert alarms["alarms"] == ALARMS
    (log,) = widgets(board, "log")
    assert log["query"].startswith("SOURCE '/sendbird-recordings/test/app-1/sync' |")
    assert f'filter message = "{SUMMARY_MESSAGE}"' in log["query"]
    assert "problems.0.recording_id" in log["query"] and "sort @timestamp desc" in log["query"]
    assert log["region"] == REGION
    assert {p["region"] for p in widgets(board, "metric")} == {REGION}


def test_widgets_fit_cloudwatchs_24_unit_grid_without_overlapping():
    cells: set[tuple[int, int]] = set()
    for widget in body()["widgets"]:
        assert widget["x"] >= 0 and widget["x"] + widget["width"] <= 24
        mine = {
            (x, y)
            for x in range(widget["x"], widget["x"] + widget["width"])
            for y in range(widget["y"], widget["y"] + widget["height"])
        }
        assert not cells & mine, widget
        cells |= mine


@pytest.mark.parametrize(
    ("project", "stack", "name", "expected"),
    [
        ("sendbird-recordings", "prod", "app-1", "sendbird-recordings-prod-app-1-sync"),
        ("p", "dev-eu", "a-b", "p-dev-eu-a-b-sync"),
        # Only A-Z a-z 0-9 - _ in a dashboard name: a cleaned name ends in a hash of the original, so it
        # never takes (and overwrites) the dashboard of the line above (issue 19 item 5).
        ("p", "dev.eu", "a b", f"p-dev-eu-a-b-sync-{name_hash('p', 'dev.eu', 'a b')}"),
    ],
)
def test_the_name_is_unique_per_stack_in_cloudwatchs_characters(project, stack, name, expected):
    assert db.dashboard_name(project, stack, name) == expected


def test_a_long_name_is_cut_to_255_with_a_hash():
    long = db.dashboard_name("p", "s", "x" * 300)
    assert len(long) == 255 and long != db.dashboard_name("p", "s", "x" * 301)


def test_the_url_opens_the_dashboard_in_its_regions_console():
    assert db.dashboard_url("eu-central-1", "a-b") == (
        "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1"
        "#dashboards/dashboard/a-b"
    )


# -- the component ---------------------------------------------------------------------------------
def _children(mocks: RecordingMocks, component: Registration) -> list[Registration]:
    return [r for r in mocks.registered if r.parent == component.urn]


def _one(children: list[Registration], typ: str) -> Registration:
    (record,) = [r for r in children if r.typ == typ]
    return record


def _assert_names_its_own(mocks: RecordingMocks, component: Registration, app_id: str) -> None:
    """The component's dashboard names exactly its own function, queue, log group and alarms."""
    children = _children(mocks, component)
    board = _one(children, DASHBOARD)
    parsed = json.loads(board.inputs["dashboardBody"])
    lines = metric_lines(parsed)
    function = _one(children, LAMBDA_FUNCTION).state["name"]
    queue = _one(children, QUEUE).state["name"]
    group = _one(children, LOG_GROUP).state["name"]
    alarm_arns = sorted(r.state["arn"] for r in children if r.typ == METRIC_ALARM)
    assert len(alarm_arns) == 7
    assert {line[3] for line in lines if line[0] == facts.METRICS_NAMESPACE} == {app_id}
    assert {line[3] for line in lines if line[0] == "AWS/Lambda"} == {function}
    assert {line[3] for line in lines if line[0] == "AWS/SQS"} == {queue}
    (alarms,) = widgets(parsed, "alarm")
    assert sorted(alarms["alarms"]) == alarm_arns
    (log,) = widgets(parsed, "log")
    assert log["query"].startswith(f"SOURCE '{group}' |")


def test_the_component_registers_one_dashboard_in_the_applications_region(mocks):
    sync = run_component(lambda: RecordingSync("recordings", plain_args()), mocks)
    component = mocks.one(RECORDING_SYNC)
    board = _one(_children(mocks, component), DASHBOARD)
    assert board.inputs["region"] == REGION
    assert board.inputs["dashboardName"] == "sendbird-recordings-test-recordings-sync"
    assert sync.resources.dashboard is not None
    _assert_names_its_own(mocks, component, plain_args().app_id)


def test_dashboard_false_creates_none(mocks):
    sync = run_component(lambda: RecordingSync("recordings", plain_args(dashboard=False)), mocks)
    assert not mocks.of_type(DASHBOARD) and sync.resources.dashboard is None


def test_dashboard_must_be_a_boolean():
    from components import InputError

    with pytest.raises(InputError, match=r"dashboard 'yes' is not a boolean. Allowed: true or false"):
        plain_args(dashboard="yes")


APP_A = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
APP_B = "8C1F5A3E-7B2D-4E9A-8F4C-6A3B1D9E2F7C"
TOKENS = f"{NAMESPACE}:sendbird_api_tokens"


def _two_apps(**sync: Any) -> dict[str, Any]:
    return {
        f"{NAMESPACE}:applications": [
            {"app_id": APP_A, "region": "ap-2"},
            {"app_id": APP_B, "region": "eu-1", **({"sync": sync} if sync else {})},
        ],
        f"{NAMESPACE}:sync": {},
        TOKENS: {APP_A: "token-a-0123456789abcdef", APP_B: "token-b-0123456789abcdef"},
    }


def test_with_two_applications_each_dashboard_names_only_its_own_and_both_are_stack_outputs():
    run = run_stack(_two_apps(), secret_keys=[TOKENS])
    components = {r.name: r for r in run.mocks.of_type(RECORDING_SYNC)}
    assert len(components) == 2
    regions = {}
    for component in components.values():
        app_id = next(a for a in (APP_A, APP_B) if a.lower() in component.name.lower())
        _assert_names_its_own(run.mocks, component, app_id)
        regions[app_id] = _one(_children(run.mocks, component), DASHBOARD).inputs["region"]
    assert regions == {APP_A: "ap-northeast-2", APP_B: "eu-central-1"}
    for app_id, region in regions.items():
        outputs = run.outputs[SCHEDULED_SYNC][app_id]
        assert outputs["dashboard_name"].startswith("sendbird-recordings-test-")
        assert outputs["dashboard_url"] == db.dashboard_url(region, outputs["dashboard_name"])


def test_sync_dashboard_false_in_the_stack_config_opts_one_application_out():
    run = run_stack(_two_apps(dashboard=False), secret_keys=[TOKENS])
    assert len(run.mocks.of_type(DASHBOARD)) == 1
    assert run.outputs[SCHEDULED_SYNC][APP_B]["dashboard_name"] is None
    assert run.outputs[SCHEDULED_SYNC][APP_A]["dashboard_name"]


def test_a_non_boolean_sync_dashboard_fails_naming_the_config_key():
    with pytest.raises(ProgramError, match=r"applications\[1\]\.sync\.dashboard 'no' is not a boolean"):
        run_stack(_two_apps(dashboard="no"), secret_keys=[TOKENS])
