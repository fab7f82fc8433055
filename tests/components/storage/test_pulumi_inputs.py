"""Pulumi values as arguments, under recording mocks: an Output (a secret one too) builds exactly what
the plain value builds, a secret stays secret, and a bad Output value fails naming the input once it
resolves; app_id and region take no Output."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest

from components import InputError, RecordingStorage, RecordingStorageArgs, Replication, Retention, UploadRole
from components.type_tokens import BUCKET, IAM_ROLE, LIFECYCLE
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from sendbird_copy.outputs import APPLICATIONS, SECRET_KEYS
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    RecordingMocks,
    identity_decision,
    is_secret,
    registration_snapshot,
    resolve,
    run_component,
    run_stack,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
EXISTING_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"
EXTERNAL_ID = "sb-ext-42"

# Every argument that takes a pulumi Input, with a valid plain value.
PLAIN: dict[str, Any] = {
    "bucket_name": "my-recordings-bucket",
    "tags": {"team": "media", "cost-center": "rec"},
    "transition_days": 45,
    "expiration_days": 400,
    "noncurrent_expiration_days": 10,
    "abort_incomplete_multipart_days": 2,
    "sendbird_principal": "111122223333",
    "external_id": EXTERNAL_ID,
}


def _args(values: dict[str, Any], kms_key_arn: Any = None) -> RecordingStorageArgs:
    return RecordingStorageArgs(
        app_id=APP_ID,
        region="ap-2",
        bucket_name=values["bucket_name"],
        kms_key_arn=kms_key_arn,
        tags=values["tags"],
        retention=Retention(
            transition_days=values["transition_days"],
            transition_storage_class="GLACIER_IR",
            expiration_days=values["expiration_days"],
            noncurrent_expiration_days=values["noncurrent_expiration_days"],
            abort_incomplete_multipart_days=values["abort_incomplete_multipart_days"],
        ),
        upload_role=UploadRole(
            sendbird_principal=values["sendbird_principal"], external_id=values["external_id"]
        ),
    )


def _as_outputs() -> dict[str, Any]:
    """PLAIN with every value an Output; the external id a secret, as Config().require_secret gives."""
    values: dict[str, Any] = {k: pulumi.Output.from_input(v) for k, v in PLAIN.items() if k != "tags"}
    values["tags"] = {k: pulumi.Output.from_input(v) for k, v in PLAIN["tags"].items()}
    values["external_id"] = pulumi.Output.secret(EXTERNAL_ID)
    return values


def _build(mocks: RecordingMocks, make_args: Any) -> RecordingStorage:
    """Construct the args inside the run (an Output needs the mocks' event loop)."""
    return run_component(lambda: RecordingStorage(NAME, make_args()), mocks)


@pytest.mark.parametrize("kms_key_arn", [None, EXISTING_KEY], ids=["own key", "existing key"])
def test_outputs_build_exactly_what_plain_values_build(kms_key_arn):
    plain_mocks, output_mocks = RecordingMocks(), RecordingMocks()
    _build(plain_mocks, lambda: _args(PLAIN, kms_key_arn))
    key = None if kms_key_arn is None else pulumi.Output.from_input(kms_key_arn)
    _build(output_mocks, lambda: _args(_as_outputs(), key))
    plain, outputs = (
        registration_snapshot(plain_mocks, secrets=False),
        registration_snapshot(output_mocks, secrets=False),
    )
    assert list(outputs) == list(plain)  # the same resources
    for resource, received in plain.items():
        assert outputs[resource] == received, resource
    # The values really arrived (not, say, an unknown): the retention rule as the plain one has it.
    rules = {rule["id"]: rule for rule in output_mocks.one(LIFECYCLE).inputs["rules"]}
    assert rules["recordings-retention"]["transitions"] == [{"days": 45, "storageClass": "GLACIER_IR"}]
    assert output_mocks.one(BUCKET).inputs["bucket"] == "my-recordings-bucket"


def test_a_secret_external_id_keeps_the_trust_policy_secret_and_nothing_else():
    mocks = RecordingMocks()
    storage = _build(mocks, lambda: _args(_as_outputs()))
    role = mocks.one(IAM_ROLE)
    assert mocks.secret_input_names(role) == {"assumeRolePolicy"}
    assert storage.resources.upload_role is not None
    assert is_secret(storage.resources.upload_role.assume_role_policy)
    trust = role.inputs["assumeRolePolicy"]  # what the provider would see: the plain document
    assert identity_decision(trust, "sts:AssumeRole", "*", {"sts:ExternalId": EXTERNAL_ID}) == ALLOW
    # The external id is in no other input, and no output is secret but the access key's.
    for record in mocks.registered:
        if record is not role:
            assert EXTERNAL_ID not in json.dumps(record.inputs), record.name
            assert not mocks.secret_input_names(record), record.name
    for name, output in storage.public_outputs().items():
        assert not is_secret(output), name


def test_a_plain_external_id_is_not_made_secret(mocks):
    storage = _build(mocks, lambda: _args(PLAIN))
    assert not mocks.secret_input_names(mocks.one(IAM_ROLE))
    assert storage.resources.upload_role is not None
    assert not is_secret(storage.resources.upload_role.assume_role_policy)


def _reported(exc: BaseException) -> str:
    """What the deployment reports for an exception an apply raised: Pulumi wraps it once per
    resource and input it reached (``While processing input ... has risen: <message>``); the
    component's own message is the last line."""
    return str(exc).splitlines()[-1].split(" has risen: ")[-1]


OUT = pulumi.Output.from_input

# case -> (the arguments, built inside the run; what the deployment reports)
BAD_OUTPUTS: dict[str, tuple[Callable[[], dict[str, Any]], str]] = {
    "secret external id": (
        lambda: {"upload_role": UploadRole("111122223333", pulumi.Output.secret("x"))},
        "upload_role.external_id [secret] is invalid. Allowed: 2-1224 characters",
    ),
    "principal": (
        lambda: {"upload_role": UploadRole(OUT("12345"), "ext-1")},
        "upload_role.sendbird_principal '12345' is not an AWS principal. Allowed:",
    ),
    "key in another region": (
        lambda: {"kms_key_arn": OUT(EXISTING_KEY.replace(REGION, "us-east-1"))},
        "kms_key_arn 'arn:aws:kms:us-east-1:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b' is in "
        "us-east-1, but the application's region is ap-northeast-2",
    ),
    "key of the wrong type": (
        lambda: {"kms_key_arn": OUT([EXISTING_KEY])},
        f"kms_key_arn ['{EXISTING_KEY}'] is not a string. Allowed: a KMS key ARN",
    ),
    "bucket name": (
        lambda: {"bucket_name": OUT("Recordings.Prod")},
        "bucket_name 'Recordings.Prod' is not a valid bucket name: it contains a dot",
    ),
    "tag value of the wrong type": (
        lambda: {"tags": {"team": OUT(object())}},
        "tags.team (an object) is invalid: it is not a string. Allowed: a string of at most 256",
    ),
    "expiry before an Output transition": (
        lambda: {"retention": Retention(transition_days=OUT(90), expiration_days=60)},
        "retention.expiration_days 60 contradicts retention.transition_days 90",
    ),
    "transition too early for the class": (
        lambda: {"retention": Retention(transition_days=OUT(10))},
        "retention.transition_days 10 is too early for STANDARD_IA",
    ),
    "abort window": (
        lambda: {"retention": Retention(abort_incomplete_multipart_days=OUT(14))},
        "retention.abort_incomplete_multipart_days 14 is out of range. Allowed: a whole number of days",
    ),
    "replica bucket name": (
        lambda: {"replication": Replication(region="eu-west-1", bucket_name=OUT("Replica.Bucket"))},
        "replication.bucket_name 'Replica.Bucket' is not a valid bucket name: it contains a dot",
    ),
    "replica alarm topic in the replica's region": (
        lambda: {
            "replication": Replication(
                region="eu-west-1", alarm_topic_arn=OUT("arn:aws:sns:eu-west-1:123456789012:alarms")
            )
        },
        "replication.alarm_topic_arn 'arn:aws:sns:eu-west-1:123456789012:alarms' is in eu-west-1, but the "
        "application's region is ap-northeast-2",
    ),
}


@pytest.mark.parametrize("case", BAD_OUTPUTS)
def test_a_bad_output_value_fails_naming_the_input_when_it_resolves(case, mocks):
    make, expected = BAD_OUTPUTS[case]
    built: list[RecordingStorageArgs] = []

    def build() -> RecordingStorage:
        args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", **make())
        built.append(args)  # construction passed: the value is not known yet
        return RecordingStorage(NAME, args)

    with pytest.raises(ValueError) as err:  # Pulumi's, raised by the registrations the value reached
        run_component(build, mocks)
    assert built, f"{case}: failed at construction, not when the Output resolved"
    message = _reported(err.value)
    assert message.startswith(expected), message  # the input's name first
    assert "Allowed:" in message and " at 0x" not in message
    if case == "secret external id":
        assert "'x'" not in str(err.value)  # a secret is never printed


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"app_id": APP_ID, "region": OUT("ap-2")}, "region is (an Output), not a plain value: it pins"),
        ({"app_id": OUT(APP_ID), "region": "ap-2"}, "app_id is (an Output), not a plain value: it names"),
        (
            {"app_id": APP_ID, "region": "ap-2", "protect": OUT(True)},
            "protect is (an Output), not a plain value",
        ),
    ],
)
def test_app_id_region_and_settings_take_no_output(kwargs, expected, mocks):
    """They decide the resource graph (names, regions) and must be checked before any resource."""
    with pytest.raises(InputError) as err:
        run_component(lambda: RecordingStorage(NAME, RecordingStorageArgs(**kwargs)), mocks)
    assert str(err.value).startswith(expected)
    assert "Allowed:" in str(err.value)
    assert mocks.registered == []


def test_a_valid_output_is_checked_and_passed_through(mocks):
    arn = pulumi.Output.secret(EXISTING_KEY)
    storage = run_component(
        lambda: RecordingStorage(NAME, RecordingStorageArgs(app_id=APP_ID, region="ap-2", kms_key_arn=arn)),
        mocks,
    )
    assert resolve(storage.kms_key_arn) == EXISTING_KEY
    assert is_secret(storage.kms_key_arn)  # secret in, secret out


@pytest.mark.parametrize("secret_key", [None, "upload_role", "applications"])
def test_the_program_keeps_an_external_id_from_a_secret_setting_secret(secret_key, monkeypatch):
    """Stack config reaches the program as text; a setting made with ``pulumi config set --secret``
    is listed in PULUMI_CONFIG_SECRET_KEYS, and its external id stays a secret in the trust policy."""
    role = {"sendbird_principal": "111122223333", "external_id": EXTERNAL_ID}
    config = {
        f"{NAMESPACE}:applications": [{"app_id": APP_ID, "region": "ap-2"}],
        f"{NAMESPACE}:upload_role": role,
    }
    secret_keys = [] if secret_key is None else [f"{NAMESPACE}:{secret_key}"]
    monkeypatch.setenv("PULUMI_CONFIG_SECRET_KEYS", json.dumps(secret_keys))
    run = run_stack(config)
    trust = run.mocks.one(IAM_ROLE)
    assert run.mocks.secret_input_names(trust) == ({"assumeRolePolicy"} if secret_key else set())
    assert EXTERNAL_ID in trust.inputs["assumeRolePolicy"]  # the provider still gets the value
    assert (run.secret[APPLICATIONS], run.secret[SECRET_KEYS]) == (False, True)  # public outputs stay public


def test_the_args_hold_exactly_what_the_caller_passed() -> None:
    # No field is overwritten with a checking Output: what a caller reads back is what it passed.
    # The component checks a copy (``checked()``), whose Pulumi values are new, checking Outputs.
    name, days, external_id = (
        pulumi.Output.from_input("b-1"),
        pulumi.Output.from_input(40),
        pulumi.Output.secret("ext-id"),
    )
    tag = pulumi.Output.from_input("media")
    args = RecordingStorageArgs(
        app_id="APP-1",
        region="ap-2",
        bucket_name=name,
        tags={"team": tag},
        retention=Retention(expiration_days=days),
        upload_role=UploadRole("111122223333", external_id),
    )
    assert args.bucket_name is name and args.tags["team"] is tag
    assert args.retention.expiration_days is days and args.upload_role is not None
    assert args.upload_role.external_id is external_id
    checked = args.checked()
    assert checked.bucket_name is not name and isinstance(checked.bucket_name, pulumi.Output)
    assert checked.retention.expiration_days is not days and checked.tags["team"] is not tag
