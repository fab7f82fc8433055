"""Bad stack config fails the program (as at ``pulumi preview``) before any resource, and says which
input, which value and what is allowed."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest

from components import InputError
from components.type_tokens import RECORDING_STORAGE
from localdev.program_runner import ProgramError, load_stack_config
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from tests.components.pulumi_mocks import run_stack

APP_A = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
APP_B = "8C1F5A3E-7B2D-4E9A-8F4C-6A3B1D9E2F7C"
APPS = f"{NAMESPACE}:applications"
KEY_SEOUL = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


def _config(*apps: dict[str, Any], **settings: Any) -> dict[str, Any]:
    return {APPS: list(apps), **{f"{NAMESPACE}:{k}": v for k, v in settings.items()}}


CASES = {
    "unknown region": (
        _config({"app_id": APP_A, "region": "ap-7"}),
        ["applications[0].region", "'ap-7'", "is not a known region", "Allowed:", "ap-2 (ap-northeast-2)"],
    ),
    "region Sendbird does not run in": (
        _config({"app_id": APP_A, "region": "ap-2"}, {"app_id": APP_B, "region": "eu-west-1"}),
        ["applications[1].region", "'eu-west-1'", "Sendbird does not run in", "eu-1 (eu-central-1)"],
    ),
    "invalid bucket name": (
        _config({"app_id": APP_A, "region": "ap-2", "bucket_name": "recordings.example.com"}),
        ["applications[0].bucket_name", "'recordings.example.com'", "contains a dot", "Allowed: 3-63"],
    ),
    "missing app id": (
        _config({"region": "ap-2"}),
        ["applications[0].app_id is missing", "Allowed"],
    ),
    "duplicate app id": (
        _config({"app_id": APP_A, "region": "ap-2"}, {"app_id": APP_A, "region": "us-1"}),
        ["applications[1].app_id", APP_A, "duplicates applications[0].app_id"],
    ),
    "two applications sharing one bucket": (
        _config(
            {"app_id": APP_A, "region": "ap-2", "bucket_name": "shared-recordings"},
            {"app_id": APP_B, "region": "ap-2", "bucket_name": "shared-recordings"},
        ),
        ["applications[1].bucket_name", "'shared-recordings'", "applications[0].bucket_name", "one bucket"],
    ),
    "expiry before transition": (
        _config(
            {"app_id": APP_A, "region": "ap-2"}, retention={"transition_days": 90, "expiration_days": 30}
        ),
        ["retention.expiration_days 30", "contradicts retention.transition_days 90", "Allowed"],
    ),
    "expiry before Sendbird's two weeks (stack-wide)": (
        _config({"app_id": APP_A, "region": "ap-2"}, retention={"expiration_days": 7}),
        [
            "retention.expiration_days 7",
            "shorter than Sendbird's own 14 days",
            "copy those expired recordings again",
            "Allowed: 14 or more",
        ],
    ),
    "expiry before Sendbird's two weeks (one application)": (
        _config({"app_id": APP_A, "region": "ap-2", "retention": {"expiration_days": 13}}),
        ["applications[0].retention.expiration_days 13", "while Sendbird still holds them"],
    ),
    "infrequent access too early": (
        _config({"app_id": APP_A, "region": "ap-2", "retention": {"transition_days": 14}}),
        ["applications[0].retention.transition_days 14", "too early for STANDARD_IA", "30 or more"],
    ),
    "abort window too long": (
        _config({"app_id": APP_A, "region": "ap-2"}, retention={"abort_incomplete_multipart_days": 14}),
        ["retention.abort_incomplete_multipart_days 14", "from 1 to 7"],
    ),
    "negative days": (
        _config({"app_id": APP_A, "region": "ap-2"}, retention={"noncurrent_expiration_days": -1}),
        ["retention.noncurrent_expiration_days -1", ">= 1"],
    ),
    "deletion window out of range": (
        _config({"app_id": APP_A, "region": "ap-2"}, kms_deletion_window_days=90),
        ["kms_deletion_window_days 90", "from 7 to 30"],
    ),
    "not a boolean": (
        _config({"app_id": APP_A, "region": "ap-2"}, protect="maybe"),
        ["protect 'maybe' is not a boolean", "true or false"],
    ),
    "typo in a retention key": (
        _config({"app_id": APP_A, "region": "ap-2"}, retention={"expiry_days": 30}),
        ["retention has unknown key(s) expiry_days", "Allowed keys:", "expiration_days"],
    ),
    "typo in an application key": (
        _config({"app_id": APP_A, "region": "ap-2", "bucketName": "x-recordings"}),
        ["applications[0] has unknown key(s) bucketName", "bucket_name"],
    ),
    "typo in a stack key": (
        {**_config({"app_id": APP_A, "region": "ap-2"}), f"{NAMESPACE}:force_destory": True},
        ["has unknown key(s) force_destory", "force_destroy"],
    ),
    "no applications": (
        {f"{NAMESPACE}:force_destroy": True},
        ["applications is missing or empty", "app_id and region"],
    ),
    "key in another region": (
        _config(
            {
                "app_id": APP_A,
                "region": "us-1",
                "kms_key_arn": KEY_SEOUL,
            }
        ),
        ["applications[0].kms_key_arn", "is in ap-northeast-2", "region is us-east-1"],
    ),
    "half an upload role": (
        _config({"app_id": APP_A, "region": "ap-2"}, upload_role={"external_id": "ext-123"}),
        ["upload_role.sendbird_principal is missing", "required together"],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_bad_input_fails_before_any_resource_and_names_the_input(case, mocks):
    config, fragments = CASES[case]
    with pytest.raises(ProgramError) as err:
        run_stack(config, mocks=mocks, preview=True)
    for fragment in fragments:
        assert fragment in str(err.value), f"{case}: {fragment!r} not in {err.value}"
    assert mocks.registered == [], f"{case}: resources were registered before the error"
    assert isinstance(err.value.__cause__, pulumi.RunError), f"{case}: would print a traceback"


def test_a_bad_second_application_stops_the_first_too(mocks):
    config = copy.deepcopy(load_stack_config("prod"))
    config[APPS][1]["bucket_name"] = "Not_A_Bucket"
    with pytest.raises(ProgramError, match=r"applications\[1\]\.bucket_name 'Not_A_Bucket'"):
        run_stack(config, mocks=mocks)
    assert mocks.registered == []


def test_bad_config_leaves_the_program_as_a_run_error():
    """The Pulumi CLI prints a RunError as its message alone; any other exception with a traceback."""
    config = _config({"app_id": APP_A, "region": "ap-7"})
    with pytest.raises(ProgramError) as err:
        run_stack(config, preview=True)
    raised = err.value.__cause__
    assert type(raised) is pulumi.RunError
    assert str(raised) == str(err.value)
    assert "applications[0].region 'ap-7'" in str(raised)
    assert isinstance(raised.__cause__, InputError)  # kept for debugging, not shown by the CLI


LEGACY_APPS = f"{NAMESPACE}:config:applications"


def test_a_key_in_both_the_current_and_the_legacy_form_is_refused(mocks):
    config = {
        APPS: [{"app_id": APP_A, "region": "ap-2"}],
        LEGACY_APPS: [{"app_id": APP_B, "region": "us-1"}],
    }
    with pytest.raises(ProgramError) as err:
        run_stack(config, mocks=mocks, preview=True)
    message = str(err.value)
    assert f"'{APPS}'" in message and f"'{LEGACY_APPS}'" in message
    assert "Allowed: one of them" in message
    assert isinstance(err.value.__cause__, pulumi.RunError)
    assert mocks.registered == []


@pytest.mark.parametrize("key", [APPS, LEGACY_APPS])
def test_either_form_alone_still_works(key):
    run = run_stack({key: [{"app_id": APP_A, "region": "ap-2"}]}, preview=True)
    assert len(run.mocks.of_type(RECORDING_STORAGE)) == 1
