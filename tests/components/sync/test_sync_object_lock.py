"""RecordingSync over a storage with Object Lock: the function is told the mode and period (names
only, in its environment), its role may retain a recording version and nothing more of Object Lock;
without the option, neither."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components import (
    InputError,
    ObjectLock,
    RecordingStorage,
    RecordingStorageArgs,
    RecordingSync,
    RecordingSyncArgs,
)
from components.type_tokens import BUCKET, LAMBDA_FUNCTION, ROLE_POLICY
from sendbird_copy import facts
from sendbird_copy.errors import UsageError
from sendbird_copy.sync.function.config import FunctionConfig
from tests.components.pulumi_mocks import ALLOW, RecordingMocks, identity_decision, run_component
from tests.components.sync.test_recording_sync import APP_ID, NAME, TOKEN, plain_args

LOCK = ObjectLock("COMPLIANCE", years=7)


def build(mocks: RecordingMocks, object_lock: ObjectLock | None) -> None:
    def make() -> Any:
        storage = RecordingStorage(
            NAME, RecordingStorageArgs(app_id=APP_ID, region="ap-2", object_lock=object_lock)
        )
        return RecordingSync(NAME, RecordingSyncArgs(storage=storage, api_token=pulumi.Output.secret(TOKEN)))

    run_component(make, mocks)


def _function_policy(mocks: RecordingMocks) -> dict[str, Any]:
    policy = next(r for r in mocks.custom if r.typ == ROLE_POLICY and r.name.endswith("sync-role-policy"))
    return json.loads(policy.inputs["policy"])


@pytest.mark.parametrize("object_lock", [None, LOCK], ids=["without", "with"])
def test_the_function_may_retain_a_recording_only_with_object_lock(mocks, object_lock):
    build(mocks, object_lock)
    variables = mocks.one(LAMBDA_FUNCTION).inputs["environment"]["variables"]
    policy = _function_policy(mocks)
    recording = f"{mocks.one(BUCKET).state['arn']}/recordings/rec-1.mp4"
    retain = identity_decision(policy, "s3:PutObjectRetention", recording)
    if object_lock is None:
        assert facts.ENV_OBJECT_LOCK_MODE not in variables and facts.ENV_OBJECT_LOCK_PERIOD not in variables
        assert retain != ALLOW
    else:
        assert variables[facts.ENV_OBJECT_LOCK_MODE] == "COMPLIANCE"
        assert variables[facts.ENV_OBJECT_LOCK_PERIOD] == "P7Y"
        assert retain == ALLOW
    # Never a legal hold, a bypass of a governance retention, or the bucket's lock configuration.
    for action in ("s3:PutObjectLegalHold", "s3:BypassGovernanceRetention", "s3:GetObjectRetention"):
        assert identity_decision(policy, action, recording) != ALLOW, action
    bucket_arn = mocks.one(BUCKET).state["arn"]
    assert identity_decision(policy, "s3:PutBucketObjectLockConfiguration", bucket_arn) != ALLOW


def test_a_storage_given_by_its_values_carries_the_lock_too(mocks):
    run_component(
        lambda: RecordingSync(NAME, plain_args(object_lock_mode="GOVERNANCE", object_lock_period="P30D")),
        mocks,
    )
    variables = mocks.one(LAMBDA_FUNCTION).inputs["environment"]["variables"]
    assert (variables[facts.ENV_OBJECT_LOCK_MODE], variables[facts.ENV_OBJECT_LOCK_PERIOD]) == (
        "GOVERNANCE",
        "P30D",
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"object_lock_mode": "COMPLIANCE"}, "object_lock_period is missing"),
        ({"object_lock_period": "P7Y"}, "object_lock_mode is missing"),
        (
            {"object_lock_mode": "WORM", "object_lock_period": "P7Y"},
            "object_lock_mode 'WORM' is not an Object Lock mode",
        ),
        (
            {"object_lock_mode": "COMPLIANCE", "object_lock_period": "7y"},
            "object_lock_period '7y' is not an Object Lock period",
        ),
    ],
)
def test_a_half_or_bad_lock_given_by_values_is_refused(changes, message):
    with pytest.raises(InputError) as caught:
        plain_args(**changes)
    assert str(caught.value).startswith(message)


# -- the function's side: its environment -------------------------------------------------------------
ENV = {
    facts.ENV_APP_ID: "APP-1",
    facts.ENV_BUCKET_NAME: "recordings-bucket",
    facts.ENV_KMS_KEY_ARN: "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b",
    facts.ENV_API_TOKEN_SECRET_ARN: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:token-Ab12Cd",
    facts.ENV_COPY_KEY_SECRET_ARN: "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:copy-Ab12Cd",
    facts.ENV_REGION: "ap-northeast-2",
}


def test_the_function_reads_the_lock_from_its_environment():
    assert FunctionConfig.from_environ(ENV).object_lock_mode is None
    locked = {**ENV, facts.ENV_OBJECT_LOCK_MODE: "COMPLIANCE", facts.ENV_OBJECT_LOCK_PERIOD: "P7Y"}
    config = FunctionConfig.from_environ(locked)
    assert (config.object_lock_mode, config.object_lock_period) == ("COMPLIANCE", "P7Y")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({facts.ENV_OBJECT_LOCK_MODE: "COMPLIANCE"}, "go together"),
        ({facts.ENV_OBJECT_LOCK_PERIOD: "P7Y"}, "go together"),
        (
            {facts.ENV_OBJECT_LOCK_MODE: "compliance", facts.ENV_OBJECT_LOCK_PERIOD: "P7Y"},
            f"environment variable {facts.ENV_OBJECT_LOCK_MODE} 'compliance' is not an Object Lock mode",
        ),
        (
            {facts.ENV_OBJECT_LOCK_MODE: "COMPLIANCE", facts.ENV_OBJECT_LOCK_PERIOD: "P0D"},
            f"environment variable {facts.ENV_OBJECT_LOCK_PERIOD} 'P0D' is not an Object Lock period",
        ),
    ],
)
def test_a_half_or_bad_lock_in_the_environment_is_refused_by_name(extra, message):
    with pytest.raises(UsageError) as caught:
        FunctionConfig.from_environ({**ENV, **extra})
    assert message in str(caught.value)
