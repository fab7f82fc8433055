"""The stack config's ``sync`` blocks and API tokens: which applications get a RecordingSync, and bad
values failing the program before any resource, naming the config key."""

from __future__ import annotations

from typing import Any

import pytest

from components.type_tokens import RECORDING_SYNC, SCHEDULE
from localdev.program_runner import ProgramError
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from sendbird_copy.outputs import SCHEDULED_SYNC
from tests.components.pulumi_mocks import run_stack

APP_A = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
APP_B = "8C1F5A3E-7B2D-4E9A-8F4C-6A3B1D9E2F7C"
TOKENS = f"{NAMESPACE}:sendbird_api_tokens"
SECRET_IN_SEOUL = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:sendbird/token-Ab12Cd"


def _config(*apps: dict[str, Any], tokens: dict[str, str] | None = None, **settings: Any) -> dict[str, Any]:
    config = {f"{NAMESPACE}:applications": list(apps), **{f"{NAMESPACE}:{k}": v for k, v in settings.items()}}
    if tokens is not None:
        config[TOKENS] = tokens
    return config


def _run(config: dict[str, Any], tokens_secret: bool = True) -> Any:
    return run_stack(config, secret_keys=[TOKENS] if tokens_secret else [])


A = {"app_id": APP_A, "region": "ap-2"}
B = {"app_id": APP_B, "region": "eu-1"}


def test_a_stack_wide_block_turns_it_on_for_every_application_and_an_app_can_opt_out():
    run = _run(
        _config(A, {**B, "sync": {"enabled": False}}, sync={"schedule": "rate(2 hours)"}, tokens={APP_A: "t"})
    )
    assert set(run.outputs[SCHEDULED_SYNC]) == {APP_A}
    assert len(run.mocks.of_type(RECORDING_SYNC)) == 1
    assert run.mocks.one(SCHEDULE).inputs["scheduleExpression"] == "rate(2 hours)"


def test_an_applications_own_block_merges_over_the_stack_wide_one():
    own = {"sync": {"warn_days": 5, "api_token_secret_arn": SECRET_IN_SEOUL}}
    run = _run(_config({**A, **own}, sync={"schedule": "rate(3 hours)"}))
    assert run.mocks.one(SCHEDULE).inputs["scheduleExpression"] == "rate(3 hours)"
    assert run.outputs[SCHEDULED_SYNC][APP_A]["api_token_secret_arn"] == SECRET_IN_SEOUL


def test_without_a_block_there_is_no_sync():
    run = _run(_config(A))
    assert run.outputs[SCHEDULED_SYNC] == {} and not run.mocks.of_type(RECORDING_SYNC)


def test_the_token_from_config_stays_secret():
    token = "token-from-config-0123456789abcdef"
    run = _run(_config(A, sync={}, tokens={APP_A: token}))
    for record in run.mocks.registered:
        for key, value in record.inputs.items():
            if token in str(value):
                assert key in run.mocks.secret_input_names(record), f"{record.typ}.{key}"
    assert token not in str(run.outputs)


@pytest.mark.parametrize(
    ("config", "tokens_secret", "expected"),
    [
        (
            _config(A, sync={"schedule": "hourly"}, tokens={APP_A: "t"}),
            True,
            ["sync.schedule 'hourly' is not a schedule expression", "Allowed: rate("],
        ),
        (
            _config({**A, "sync": {"schedule": "rate(1 minute)"}}, tokens={APP_A: "t"}),
            True,
            ["applications[0].sync.schedule", "more often than every 15 minutes"],
        ),
        (
            _config(A, sync={"warn_days": 20}, tokens={APP_A: "t"}),
            True,
            ["sync.warn_days 20 is out of range", "up to, not including, 14"],
        ),
        (
            _config(A, sync={"log_retention_days": 45}, tokens={APP_A: "t"}),
            True,
            ["sync.log_retention_days 45", "Allowed: one of 1, 3, 5"],
        ),
        (
            _config(A, sync={"shedule": "rate(1 hour)"}, tokens={APP_A: "t"}),
            True,
            ["sync has unknown key(s) shedule", "Allowed keys: enabled, schedule"],
        ),
        (
            _config(A, B, sync={}, tokens={APP_A: "t"}),
            True,
            [f"sendbird_api_tokens.{APP_B} is missing", "pulumi config set --secret --path"],
        ),
        (
            _config(A, sync={}, tokens={APP_A: "t"}),
            False,
            ["sendbird_api_tokens is stored in plain text", "--secret"],
        ),
        (
            _config({**B, "sync": {"api_token_secret_arn": SECRET_IN_SEOUL}}),
            True,
            ["applications[0].sync.api_token_secret_arn", "is in ap-northeast-2", "eu-central-1"],
        ),
        (
            _config(A, sync={"alarm_topic_arn": "arn:aws:sns:ap-northeast-2:123:x"}, tokens={APP_A: "t"}),
            True,
            ["sync.alarm_topic_arn", "is not an SNS topic ARN"],
        ),
        (
            _config(A, sync={"enabled": "yes"}, tokens={APP_A: "t"}),
            True,
            ["sync.enabled 'yes' is not a boolean"],
        ),
        (
            _config(A, sync={}, tokens={APP_A: "tok\nen"}),
            True,
            [f"sendbird_api_tokens.{APP_A} contains control characters", "not shown"],
        ),
        (
            _config(A, sync={}, tokens={APP_A: "tøken🙂"}),
            True,
            [f"sendbird_api_tokens.{APP_A} contains characters an HTTP header cannot carry"],
        ),
        (
            _config(A, sync={"schedule": "rate(1 hour)" * 500}, tokens={APP_A: "t"}),
            True,
            ["sync.schedule 'rate(1 hour)rate(1 hour)", "… (6000 characters)", "not a schedule expression"],
        ),
        (
            _config(A, sync={"warn_days": float("inf")}, tokens={APP_A: "t"}),
            True,
            ["sync.warn_days inf is not a finite number"],
        ),
    ],
)
def test_bad_sync_config_fails_before_any_resource_naming_the_key(config, tokens_secret, expected):
    from tests.components.pulumi_mocks import RecordingMocks

    mocks = RecordingMocks()
    with pytest.raises(ProgramError) as caught:
        run_stack(config, mocks=mocks, secret_keys=[TOKENS] if tokens_secret else [])
    message = str(caught.value)
    for part in expected:
        assert part in message, message
    assert len(message) < 1200  # a huge value is shortened
    assert "🙂" not in message and "tok\nen" not in message  # a token is never shown
    assert not mocks.registered  # nothing was created
