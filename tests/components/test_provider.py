"""The component package's construct path, under the recording mocks: what a program in another
language sends (camelCase names, nested objects, numbers as floats, secrets and other resources'
outputs as output values) builds the same RecordingStorage, and the same RecordingSync, as the Python
constructor given the same values, with the same outputs; a bad value fails with the Python message
naming the input."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from google.protobuf import struct_pb2
from pulumi.errors import InputPropertyError
from pulumi.provider.experimental.util import camel_case
from pulumi.provider.server import ProviderServicer
from pulumi.runtime import rpc

from components import (
    InputError,
    Inventory,
    ObjectLock,
    RecordingStorage,
    RecordingStorageArgs,
    RecordingSync,
    RecordingSyncArgs,
    Replication,
    Retention,
    UploadRole,
)
from components.sync.args import sync_args_with_storage_values
from components.sync.recording_sync import SYNC_OUTPUT_FIELDS
from components.type_tokens import (
    IAM_ROLE,
    LIFECYCLE,
    RECORDING_STORAGE,
    RECORDING_SYNC,
    SECRET_VERSION,
)
from provider.host import HOSTED, ComponentPackageProvider, args_from_inputs
from sendbird_copy.outputs import PUBLIC_FIELDS, SECRET_FIELDS
from tests.components.pulumi_mocks import (
    RecordingMocks,
    is_secret,
    registration_snapshot,
    resolve,
    run_component,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
EXTERNAL_ID = "sb-ext-42"
OUTPUTS = (*PUBLIC_FIELDS, *SECRET_FIELDS, "access_log_bucket")


class Secret:
    """A secret value as another language's SDK sends it: an output value marked secret."""

    def __init__(self, value: Any) -> None:
        self.value = value


class FromResource:
    """Another resource's output as it arrives: an output value (known here, as at `pulumi up`)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _wire(value: Any) -> Any:
    if isinstance(value, Secret | FromResource):
        encoded = {rpc._special_sig_key: rpc._special_output_value_sig, "value": _wire(value.value)}
        return {**encoded, "secret": True} if isinstance(value, Secret) else encoded
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    return value


def received_inputs(values: dict[str, Any]) -> dict[str, Any]:
    """The inputs a Construct request with ``values`` gives the provider: encoded in a protobuf Struct
    (numbers become floats) and decoded by the provider server's own code."""
    struct = struct_pb2.Struct()
    struct.update(_wire(values))
    inputs: dict[str, Any] = asyncio.get_event_loop().run_until_complete(
        ProviderServicer._construct_inputs(struct, {})
    )
    return inputs


# The same arguments twice: as a TypeScript or YAML program sends them, and as Python passes them.
WIRE: dict[str, Any] = {
    "appId": APP_ID,
    "region": "ap-2",
    "bucketName": "my-recordings-bucket",
    "retention": {
        "transitionDays": 45,
        "transitionStorageClass": "GLACIER_IR",
        "expirationDays": 400,
        "noncurrentExpirationDays": 10,
        "abortIncompleteMultipartDays": 2,
    },
    "tags": {"team": "media", "cost-center": "rec"},
    "uploadRole": {"sendbirdPrincipal": "111122223333", "externalId": Secret(EXTERNAL_ID)},
    "kmsDeletionWindowDays": 7,
    "protect": True,
    "accessLogDays": 30,
    "copyKeyRotationDays": 90,
    "replication": {"region": "eu-west-1", "replicationTimeControl": True, "latencyAlarmSeconds": 600},
    "recordingEventTargetArn": "arn:aws:sqs:ap-northeast-2:123456789012:recordings-arrived",
    "inventory": {"frequency": "Weekly", "optionalFields": ["Size", "ETag"], "prefix": "audit"},
    "objectLock": {"mode": "COMPLIANCE", "years": 7},
}


def python_args() -> RecordingStorageArgs:
    return RecordingStorageArgs(
        app_id=APP_ID,
        region="ap-2",
        bucket_name="my-recordings-bucket",
        retention=Retention(
            transition_days=45,
            transition_storage_class="GLACIER_IR",
            expiration_days=400,
            noncurrent_expiration_days=10,
            abort_incomplete_multipart_days=2,
        ),
        tags={"team": "media", "cost-center": "rec"},
        upload_role=UploadRole("111122223333", pulumi.Output.secret(EXTERNAL_ID)),
        kms_deletion_window_days=7,
        protect=True,
        access_log_days=30,
        copy_key_rotation_days=90,
        replication=Replication(region="eu-west-1", replication_time_control=True, latency_alarm_seconds=600),
        recording_event_target_arn="arn:aws:sqs:ap-northeast-2:123456789012:recordings-arrived",
        inventory=Inventory(frequency="Weekly", optional_fields=["Size", "ETag"], prefix="audit"),
        object_lock=ObjectLock("COMPLIANCE", years=7),
    )


@pytest.fixture
def provider(component_provider: ComponentPackageProvider) -> ComponentPackageProvider:
    return component_provider


def construct(provider: ComponentPackageProvider, mocks: RecordingMocks, values: dict[str, Any]) -> Any:
    def build() -> Any:
        return provider.construct(NAME, RECORDING_STORAGE, received_inputs(values), pulumi.ResourceOptions())

    return run_component(build, mocks)


def _as_made_up(mocks: RecordingMocks, value: str) -> str:
    """``value`` with what the mocks made up (ids, generated names, keys) named by its resource."""
    # An id that is one of the resource's own inputs (a bucket setting's id is its bucket's name) was
    # made up by another resource, which names it: the placeholder never depends on registration order.
    made_up = {r.id: f"<{r.name}.id>" for r in mocks.custom if r.id and r.id not in r.inputs.values()}
    for r in mocks.custom:
        generated = {k: v for k, v in r.state.items() if isinstance(v, str) and k not in r.inputs}
        made_up.update({v: f"<{r.name}.{k}>" for k, v in generated.items()})
    for original, placeholder in sorted(made_up.items(), key=lambda item: -len(item[0])):
        value = value.replace(original, placeholder)
    return value


def test_construct_builds_what_the_python_constructor_builds(provider: ComponentPackageProvider) -> None:
    python_mocks, wire_mocks = RecordingMocks(), RecordingMocks()
    storage = run_component(lambda: RecordingStorage(NAME, python_args()), python_mocks)
    result = construct(provider, wire_mocks, WIRE)

    expected, got = registration_snapshot(python_mocks), registration_snapshot(wire_mocks)
    assert sorted(got) == sorted(expected)  # the same resources, the component among them
    for resource, received in expected.items():
        assert got[resource] == received, resource
    assert resolve(result.urn) == resolve(storage.urn)
    # The secret external id reached the trust policy, and only it, as a secret.
    assert wire_mocks.secret_input_names(wire_mocks.one(IAM_ROLE)) == {"assumeRolePolicy"}
    assert EXTERNAL_ID in json.dumps(wire_mocks.one(IAM_ROLE).inputs["assumeRolePolicy"])

    # The same outputs, under the schema's names; the secret key stays a secret.
    camel = {name: camel_case(name) for name in OUTPUTS}
    assert set(result.state) == set(camel.values())
    for name, wire_name in camel.items():
        python_value = _as_made_up(python_mocks, resolve(getattr(storage, name)))
        assert _as_made_up(wire_mocks, resolve(result.state[wire_name])) == python_value, name
        assert is_secret(result.state[wire_name]) is (name in SECRET_FIELDS), name
    assert is_secret(storage.copy_secret_access_key)


def test_defaults_apply_when_another_language_leaves_an_input_out(provider: ComponentPackageProvider) -> None:
    """Only appId and region are required; everything left out takes the Python default."""
    inputs = received_inputs({"appId": APP_ID, "region": "ap-northeast-2"})
    args = provider.map_inputs(inputs, provider._component_defs["RecordingStorage"])
    # repr, not ==: the provider's classes are the installed package's (sendbird_recordings.storage.args).
    assert repr(args) == repr(RecordingStorageArgs(app_id=APP_ID, region="ap-northeast-2"))
    assert type(args.retention).__name__ == "Retention" and args.upload_role is None


def test_integers_arrive_as_int_and_an_integer_output_resolves_to_one(
    provider: ComponentPackageProvider,
) -> None:
    """Numbers travel as floats; an integer given as another resource's output (which Pulumi's own
    mapping cannot convert) builds the same lifecycle rule as the plain number."""
    plain_mocks, output_mocks = RecordingMocks(), RecordingMocks()
    construct(provider, plain_mocks, WIRE)
    retention = {**WIRE["retention"], "transitionDays": FromResource(45), "expirationDays": FromResource(400)}
    construct(provider, output_mocks, {**WIRE, "retention": retention})
    assert registration_snapshot(output_mocks) == registration_snapshot(plain_mocks)
    rules = {rule["id"]: rule for rule in output_mocks.one(LIFECYCLE).inputs["rules"]}
    assert rules["recordings-retention"]["transitions"] == [{"days": 45, "storageClass": "GLACIER_IR"}]
    args = provider.map_inputs(received_inputs(WIRE), provider._component_defs["RecordingStorage"])
    assert type(args.kms_deletion_window_days) is int and type(args.copy_key_rotation_days) is int


# case -> (the wire values, the same values as Python arguments: built in the test, as they raise)
BAD: dict[str, tuple[dict[str, Any], Callable[[], dict[str, Any]]]] = {
    "unknown region": ({"region": "mars-1"}, lambda: {"region": "mars-1"}),
    "region Sendbird does not serve": ({"region": "af-south-1"}, lambda: {"region": "af-south-1"}),
    "app id": ({"appId": "my app"}, lambda: {"app_id": "my app"}),
    "bucket name": ({"bucketName": "Recordings.Prod"}, lambda: {"bucket_name": "Recordings.Prod"}),
    "deletion window": ({"kmsDeletionWindowDays": 3}, lambda: {"kms_deletion_window_days": 3}),
    "reserved tag": ({"tags": {"ManagedBy": "me"}}, lambda: {"tags": {"ManagedBy": "me"}}),
    "transition too early": (
        {"retention": {"transitionDays": 10}},
        lambda: {"retention": Retention(transition_days=10)},
    ),
    "upload role principal": (
        {"uploadRole": {"sendbirdPrincipal": "12345", "externalId": "ext-1"}},
        lambda: {"upload_role": UploadRole("12345", "ext-1")},
    ),
    "log bucket without logs": (
        {"accessLogs": False, "accessLogBucket": "my-logs"},
        lambda: {"access_logs": False, "access_log_bucket": "my-logs"},
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_value_fails_with_the_python_message(provider: ComponentPackageProvider, case: str) -> None:
    wire, python = BAD[case]
    with pytest.raises(InputError) as from_python:
        RecordingStorageArgs(**{"app_id": APP_ID, "region": "ap-2", **python()})
    # Raised before any resource: no mocks needed. The class is the installed package's twin.
    with pytest.raises(Exception) as from_wire:
        inputs = received_inputs({"appId": APP_ID, "region": "ap-2", **wire})
        provider.construct(NAME, RECORDING_STORAGE, inputs)
    assert type(from_wire.value).__name__ == "InputError"
    assert str(from_wire.value) == str(from_python.value)


def test_a_missing_required_input_is_named_with_its_schema_name(provider: ComponentPackageProvider) -> None:
    with pytest.raises(InputPropertyError) as missing:
        provider.construct(NAME, RECORDING_STORAGE, received_inputs({"region": "ap-2"}))
    assert missing.value.property_path == "appId"
    with pytest.raises(InputPropertyError) as nested:
        provider.construct(
            NAME, RECORDING_STORAGE, received_inputs({"appId": APP_ID, "region": "ap-2", "uploadRole": {}})
        )
    assert nested.value.property_path == "uploadRole.sendbirdPrincipal"


def test_every_hosted_component_takes_dataclass_args_built_from_a_dict() -> None:
    """The conversion is generic: any hosted component with dataclass args gets them built, nested
    ones included (adding a component to HOSTED needs nothing else)."""
    for hosted in HOSTED:
        assert hosted.component.__init__.__annotations__["args"].__dataclass_fields__
    args = args_from_inputs(
        RecordingStorageArgs,
        {"app_id": APP_ID, "region": "ap-2", "retention": {"expiration_days": 30}, "upload_role": None},
    )
    assert repr(args.retention) == repr(Retention(expiration_days=30))


def test_an_object_sent_as_one_secret_loses_its_fields_upstream(provider: ComponentPackageProvider) -> None:
    """The limit docs/other-languages.md names: with the older encoding (a secret inside an object, no output
    values), Pulumi makes the whole object one secret Output and its mapping replaces that with {}.
    Current engines send each secret field as its own output value (the construct test above)."""
    secret_field = {rpc._special_sig_key: rpc._special_secret_sig, "value": EXTERNAL_ID}
    role = {"sendbirdPrincipal": "111122223333", "externalId": secret_field}
    inputs = received_inputs({"appId": APP_ID, "region": "ap-2", "uploadRole": role})
    assert isinstance(inputs["uploadRole"], pulumi.Output)
    with pytest.raises(InputPropertyError) as lost:
        provider.construct(NAME, RECORDING_STORAGE, inputs)
    assert lost.value.property_path == "uploadRole.sendbirdPrincipal"


# -- RecordingSync over the wire ---------------------------------------------------------------------
SYNC_TOKEN = "sendbird-api-token-0123456789abcdef0123456789abcdef"
SYNC_COPY_SECRET = "copy-secret-key-EXAMPLE-0123456789abcdefgh"
SYNC_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"
SYNC_TOPIC = "arn:aws:sns:ap-northeast-2:123456789012:oncall"
# What a TypeScript program passes: the storage's values as outputs of its resources, both secrets
# as secrets, numbers as numbers.
SYNC_WIRE: dict[str, Any] = {
    "appId": APP_ID,
    "region": "ap-2",
    "bucketName": FromResource("recordings-bucket"),
    "bucketArn": FromResource("arn:aws:s3:::recordings-bucket"),
    "kmsKeyArn": FromResource(SYNC_KEY),
    "copyAccessKeyId": FromResource("AKIAEXAMPLEEXAMPLE00"),
    "copySecretAccessKey": Secret(SYNC_COPY_SECRET),
    "apiToken": Secret(SYNC_TOKEN),
    "schedule": "rate(30 minutes)",
    "warnDays": 2.5,
    "logRetentionDays": 90,
    "alarmTopicArn": SYNC_TOPIC,
    "tags": {"team": "media"},
}


def python_sync_args(**changes: Any) -> RecordingSyncArgs:
    values: dict[str, Any] = {
        "app_id": APP_ID,
        "region": "ap-2",
        "bucket_name": pulumi.Output.from_input("recordings-bucket"),
        "bucket_arn": pulumi.Output.from_input("arn:aws:s3:::recordings-bucket"),
        "kms_key_arn": pulumi.Output.from_input(SYNC_KEY),
        "copy_access_key_id": pulumi.Output.from_input("AKIAEXAMPLEEXAMPLE00"),
        "copy_secret_access_key": pulumi.Output.secret(SYNC_COPY_SECRET),
        "api_token": pulumi.Output.secret(SYNC_TOKEN),
        "schedule": "rate(30 minutes)",
        "warn_days": 2.5,
        "log_retention_days": 90,
        "alarm_topic_arn": SYNC_TOPIC,
        "tags": {"team": "media"},
        **changes,
    }
    return sync_args_with_storage_values(values)


def test_construct_builds_the_sync_the_python_constructor_builds(provider: ComponentPackageProvider) -> None:
    python_mocks, wire_mocks = RecordingMocks(), RecordingMocks()
    sync = run_component(lambda: RecordingSync(NAME, python_sync_args()), python_mocks)
    result = run_component(
        lambda: provider.construct(
            NAME, RECORDING_SYNC, received_inputs(SYNC_WIRE), pulumi.ResourceOptions()
        ),
        wire_mocks,
    )
    expected, got = registration_snapshot(python_mocks), registration_snapshot(wire_mocks)
    assert sorted(got) == sorted(expected)
    for resource, received in expected.items():
        assert got[resource] == received, resource
    # Both secrets reach only the secret values, as secrets.
    for version in wire_mocks.of_type(SECRET_VERSION):
        assert wire_mocks.secret_input_names(version) == {"secretString"}
    assert set(result.state) == {camel_case(name) for name in SYNC_OUTPUT_FIELDS}
    for name in SYNC_OUTPUT_FIELDS:
        python_value = _as_made_up(python_mocks, resolve(getattr(sync, name)))
        assert _as_made_up(wire_mocks, resolve(result.state[camel_case(name)])) == python_value, name


def test_a_plain_token_from_another_language_is_still_kept_secret(provider: ComponentPackageProvider) -> None:
    mocks = RecordingMocks()
    plain = {**SYNC_WIRE, "apiToken": SYNC_TOKEN, "copySecretAccessKey": SYNC_COPY_SECRET}
    run_component(
        lambda: provider.construct(NAME, RECORDING_SYNC, received_inputs(plain), pulumi.ResourceOptions()),
        mocks,
    )
    for record in mocks.registered:
        for key, value in record.inputs.items():
            if SYNC_TOKEN in json.dumps(value, default=str) or SYNC_COPY_SECRET in json.dumps(
                value, default=str
            ):
                assert key in mocks.secret_input_names(record), f"{record.typ}.{key}"


SYNC_BAD: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "schedule": ({"schedule": "rate(1 minute)"}, {"schedule": "rate(1 minute)"}),
    "retention": ({"logRetentionDays": 31}, {"log_retention_days": 31}),
    "warn days": ({"warnDays": 20}, {"warn_days": 20}),
    "both tokens": (
        {"apiTokenSecretArn": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:t-Ab12Cd"},
        {"api_token_secret_arn": "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:t-Ab12Cd"},
    ),
}


@pytest.mark.parametrize("case", SYNC_BAD)
def test_a_bad_sync_value_fails_with_the_python_message(
    provider: ComponentPackageProvider, case: str
) -> None:
    wire, python = SYNC_BAD[case]
    with pytest.raises(InputError) as from_python:
        python_sync_args(**python)
    with pytest.raises(Exception) as from_wire:
        provider.construct(NAME, RECORDING_SYNC, received_inputs({**SYNC_WIRE, **wire}))
    assert type(from_wire.value).__name__ == "InputError"
    assert str(from_wire.value) == str(from_python.value)
