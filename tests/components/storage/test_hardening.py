"""Recording-arrived events and server access logging: each default and opt-out, asserted on what
the mocks received; the log bucket policy judged by its effective permissions."""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from typing import Any

import pytest
import yaml

from components import InputError, RecordingStorage, RecordingStorageArgs
from components.config import parse_stack_config
from components.storage import policies as pol
from components.storage.bucket import ACCESS_LOG_CHILD, ACCESS_LOG_PREFIX, RECORDING_EVENT_PATTERN
from components.type_tokens import (
    ACCESS_KEY,
    BUCKET,
    BUCKET_LOGGING,
    BUCKET_NOTIFICATION,
    BUCKET_POLICY,
    ENCRYPTION,
    LIFECYCLE,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    ROTATING,
    SECRET_VERSION,
)
from localdev.program_runner import PROJECT_DIR
from sendbird_copy.facts import CONFIG_NAMESPACE
from sendbird_copy.outputs import APPLICATIONS, SECRET_KEYS
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    DENY,
    NEUTRAL,
    RecordingMocks,
    resolve,
    resource_policy_decision,
    run_component,
    run_stack,
)
from tests.markdown import DOCS_DIR, code_blocks, table_rows

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
SECURITY_DOC = DOCS_DIR / "security.md"
LOG_TYPES = (BUCKET, PUBLIC_ACCESS_BLOCK, BUCKET_POLICY, OWNERSHIP, ENCRYPTION, LIFECYCLE)


def build(mocks: RecordingMocks, **kwargs: Any) -> RecordingStorage:
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


def _log_records(mocks: RecordingMocks) -> list[Any]:
    return [r for r in mocks.custom if f"-{ACCESS_LOG_CHILD}-" in r.name]


def test_recording_events_go_to_eventbridge_by_default(mocks):
    storage = build(mocks)
    notification = mocks.one(BUCKET_NOTIFICATION)
    assert notification.inputs["eventbridge"] is True
    assert notification.inputs["bucket"] == mocks.one(BUCKET).id
    assert notification.inputs["region"] == REGION
    # Nothing else is sent anywhere: only EventBridge (rules choose the targets).
    assert not {"topics", "queues", "lambdaFunctions"} & set(notification.inputs)
    # After the last bucket-level setting (S3's OperationAborted races).
    assert mocks.one(LIFECYCLE).urn in notification.dependencies
    assert storage.resources.notification is not None


def test_recording_events_opt_out_creates_no_notification(mocks):
    storage = build(mocks, recording_events=False)
    assert not mocks.of_type(BUCKET_NOTIFICATION)
    assert storage.resources.notification is None


def test_access_logs_go_to_a_created_log_bucket_by_default(mocks):
    storage = build(mocks)
    logging = mocks.one(BUCKET_LOGGING)
    log_bucket = mocks.one(BUCKET, access_logs=True)
    assert logging.inputs["bucket"] == mocks.one(BUCKET).id
    assert logging.inputs["targetBucket"] == log_bucket.state["bucket"]
    assert logging.inputs["targetPrefix"] == ACCESS_LOG_PREFIX
    assert logging.inputs["targetObjectKeyFormat"] == {
        "partitionedPrefix": {"partitionDateSource": "EventTime"}
    }
    assert logging.inputs["region"] == REGION
    # S3 refuses logging to a bucket whose policy does not admit the logging service yet.
    assert mocks.one(BUCKET_POLICY, access_logs=True).urn in logging.dependencies
    assert resolve(storage.access_log_bucket) == log_bucket.state["bucket"]
    assert storage.resources.log_bucket is not None


def test_the_log_bucket_defaults(mocks):
    build(mocks)
    assert sorted(r.typ for r in _log_records(mocks)) == sorted(LOG_TYPES)
    for record in _log_records(mocks):
        assert record.inputs["region"] == REGION, record.name  # S3 logs only within a region
    bucket = mocks.one(BUCKET, access_logs=True).inputs
    assert bucket["bucketPrefix"] == f"{NAME}-logs-" and bucket["forceDestroy"] is False
    assert bucket["tags"]["SendbirdAppId"] == APP_ID
    block = mocks.one(PUBLIC_ACCESS_BLOCK, access_logs=True).inputs
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[flag] is True, flag
    assert mocks.one(OWNERSHIP, access_logs=True).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    [rule] = mocks.one(ENCRYPTION, access_logs=True).inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}  # SSE-S3
    rules = {r["id"]: r for r in mocks.one(LIFECYCLE, access_logs=True).inputs["rules"]}
    assert rules["expire-access-logs"]["expiration"] == {"days": 90}
    assert rules["expire-access-logs"]["filter"] == {}


def test_access_log_days_and_force_destroy_reach_the_log_bucket(mocks):
    build(mocks, access_log_days=30, force_destroy=True)
    rules = {r["id"]: r for r in mocks.one(LIFECYCLE, access_logs=True).inputs["rules"]}
    assert rules["expire-access-logs"]["expiration"] == {"days": 30}
    assert mocks.one(BUCKET, access_logs=True).inputs["forceDestroy"] is True


def _received_log_policy(mocks: RecordingMocks) -> tuple[dict[str, Any], str, str]:
    policy = json.loads(mocks.one(BUCKET_POLICY, access_logs=True).inputs["policy"])
    return policy, mocks.one(BUCKET, access_logs=True).state["arn"], mocks.one(BUCKET).state["arn"]


def test_received_log_bucket_policy_lets_only_the_logging_service_write_our_logs(mocks):
    build(mocks)
    policy, log_arn, source_arn = _received_log_policy(mocks)
    assert [s["Sid"] for s in policy["Statement"]] == list(pol.ACCESS_LOG_BUCKET_POLICY_SIDS)
    service = {"Service": pol.LOGGING_SERVICE}
    key = f"{log_arn}/{ACCESS_LOG_PREFIX}{ACCOUNT_ID}/{REGION}/bucket/2026/01/01/log"
    right = {"aws:SecureTransport": "true", "aws:SourceArn": source_arn, "aws:SourceAccount": ACCOUNT_ID}
    assert _decision(policy, "s3:PutObject", key, service, right) == ALLOW
    # The confused-deputy guard: another bucket's logs, another account's, or none named.
    for context in (
        {**right, "aws:SourceArn": "arn:aws:s3:::someone-elses-bucket"},
        {**right, "aws:SourceAccount": "210987654321"},
        {"aws:SecureTransport": "true"},
    ):
        assert _decision(policy, "s3:PutObject", key, service, context) == NEUTRAL, context
    # Only PutObject, only under the prefix.
    assert _decision(policy, "s3:GetObject", key, service, right) == NEUTRAL
    assert _decision(policy, "s3:PutObject", f"{log_arn}/elsewhere/log", service, right) == NEUTRAL
    assert _decision(policy, "s3:PutBucketPolicy", log_arn, service, right) == NEUTRAL
    # Nobody else: a user of the account (even with the service's context) or the public.
    for principal in (f"arn:aws:iam::{ACCOUNT_ID}:user/someone", "arn:aws:iam::210987654321:root"):
        assert _decision(policy, "s3:PutObject", key, principal, right) == NEUTRAL
    # No request without TLS, from anyone.
    no_tls = {**right, "aws:SecureTransport": "false"}
    assert _decision(policy, "s3:PutObject", key, service, no_tls) == DENY
    assert _decision(policy, "s3:GetObject", key, f"arn:aws:iam::{ACCOUNT_ID}:root", no_tls) == DENY


def _decision(policy: dict[str, Any], action: str, resource: str, who: Any, context: dict[str, str]) -> str:
    """The resource policy's verdict for a service principal (``{"Service": ...}``) or an IAM ARN:
    moto's statement matcher for action and resource, the tests' evaluator for the conditions."""
    if isinstance(who, str):
        return resource_policy_decision(policy, action, resource, who, context)
    narrowed = {
        **policy,
        "Statement": [s for s in policy["Statement"] if s["Principal"] in ("*", who)],
    }
    # A statement for this service principal: judge it as if the principal matched.
    anyone = {**narrowed, "Statement": [{**s, "Principal": "*"} for s in narrowed["Statement"]]}
    return resource_policy_decision(anyone, action, resource, "arn:aws:iam::000000000000:root", context)


def test_access_logs_opt_out_creates_nothing(mocks):
    storage = build(mocks, access_logs=False)
    assert not mocks.of_type(BUCKET_LOGGING) and not _log_records(mocks)
    assert storage.resources.logging is None and storage.resources.log_bucket is None
    assert storage.access_log_bucket is None


def test_an_existing_log_bucket_creates_no_log_bucket(mocks):
    storage = build(mocks, access_log_bucket="central-access-logs")
    assert not _log_records(mocks)
    logging = mocks.one(BUCKET_LOGGING)
    assert logging.inputs["targetBucket"] == "central-access-logs"
    assert logging.inputs["targetPrefix"] == ACCESS_LOG_PREFIX
    assert storage.resources.log_bucket is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"access_logs": False, "access_log_bucket": "central-logs"},
            "access_log_bucket 'central-logs' is set but",
        ),
        ({"access_log_bucket": "Bad_Name"}, "access_log_bucket 'Bad_Name' is not a valid bucket name"),
        ({"bucket_name": "same-bucket", "access_log_bucket": "same-bucket"}, "the recordings bucket itself"),
        ({"access_log_days": 0}, "access_log_days 0 is out of range"),
        ({"recording_events": "yes"}, "recording_events 'yes' is not a boolean"),
        ({"access_logs": 1}, "access_logs 1 is not a boolean"),
    ],
)
def test_bad_hardening_inputs_name_the_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)


def test_stack_config_sets_the_hardening_options_stack_wide_and_per_app():
    apps = [
        {"app_id": "a1", "region": "ap-2"},
        {
            "app_id": "a2",
            "region": "ap-2",
            "recording_events": True,
            "access_logs": False,
            "access_log_bucket": None,
        },
    ]
    raw = {
        "applications": apps,
        "recording_events": False,
        "access_log_bucket": "central-logs",
        "access_log_days": 30,
    }
    first, second = parse_stack_config(raw)
    assert (first.recording_events, first.access_logs, first.access_log_bucket) == (
        False,
        True,
        "central-logs",
    )
    assert first.access_log_days == 30
    assert (second.recording_events, second.access_logs, second.access_log_bucket) == (True, False, None)
    with pytest.raises(InputError, match=r"applications\[0\].access_log_days"):
        parse_stack_config({"applications": [{"app_id": "a1", "region": "ap-2", "access_log_days": "90"}]})


def test_tls_version_is_compared_as_a_number(mocks):
    build(mocks)
    received = mocks.one(BUCKET_POLICY).inputs["policy"]  # the JSON text the provider is given
    [statement] = [s for s in json.loads(received)["Statement"] if s["Sid"] == pol.SID_DENY_OUTDATED_TLS]
    assert statement["Condition"] == {"NumericLessThan": {"s3:TlsVersion": 1.2}}
    assert type(statement["Condition"]["NumericLessThan"]["s3:TlsVersion"]) is float  # not "1.2"


def test_the_project_refreshes_on_every_update_so_a_due_key_rotates_on_the_next_pulumi_up():
    """time.Rotating notices its period has passed only when the engine reads it (a refresh)."""
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    assert project["options"]["refresh"] == "always"


def _documented_opt_outs() -> dict[str, str | None]:
    """Each backticked setting in the opt-out column of docs/security.md's defaults table: its name
    and the value it is shown with (``recording_events: false``), if any."""
    found: dict[str, str | None] = {}
    for _default, opt_out in table_rows(SECURITY_DOC, ("default", "opt-out")):
        for name, value in re.findall(r"`([a-z_.]+)(?:: ([^`]+))?`", opt_out):
            found[name] = value or None
    return found


def _field_default(path: str) -> Any:
    """The default of a (dotted) RecordingStorageArgs field; KeyError when there is no such field."""
    cls: Any = RecordingStorageArgs
    default: Any = None
    for part in path.split("."):
        fields = {f.name: f for f in dataclasses.fields(cls)}
        if part not in fields:
            raise KeyError(f"{path}: RecordingStorageArgs has no field {part!r}")
        factory: Any = fields[part].default_factory
        default = fields[part].default if factory is dataclasses.MISSING else factory()
        cls = type(default)
    return default


def test_the_security_docs_defaults_table_names_each_opt_out_as_it_is():
    opt_outs = _documented_opt_outs()
    hardening = {
        "recording_events",
        "access_logs",
        "access_log_bucket",
        "access_log_days",
        "copy_key_rotation_days",
    }
    assert hardening | {"force_destroy", "kms_key_arn"} <= set(opt_outs)
    for name, shown in opt_outs.items():
        default = _field_default(name)  # every opt-out is a real setting
        if shown in ("true", "false"):  # a switch: the opt-out is the other value than the default
            assert default is (shown == "false"), (name, shown, default)


def test_the_security_doc_shows_the_recording_event_pattern():
    """The EventBridge pattern docs/security.md gives (the json block about aws.s3) is the one the
    component documents and tests/localdev/test_e2e_local.py runs."""
    patterns = [json.loads(block) for block in code_blocks(SECURITY_DOC, "json") if '"aws.s3"' in block]
    assert patterns == [RECORDING_EVENT_PATTERN]


# -- copy key rotation ---------------------------------------------------------------------------------


def _key_and_rotation(mocks: RecordingMocks) -> tuple[Any, Any]:
    return mocks.one(ACCESS_KEY), mocks.one(ROTATING)


def test_without_rotation_days_the_key_has_no_replacement_trigger(mocks):
    storage = build(mocks)
    assert not mocks.of_type(ROTATING) and storage.resources.copy_key_rotation is None
    assert mocks.one(ACCESS_KEY).replacement_trigger is None


def test_rotation_days_tie_the_key_to_a_rotating_timestamp_create_before_delete(mocks):
    storage = build(mocks, copy_key_rotation_days=30)
    key, rotation = _key_and_rotation(mocks)
    assert rotation.inputs == {"rotationDays": 30}
    assert rotation.parent == mocks.one(BUCKET).parent  # a child of the component
    # Pulumi replaces the key whenever this value changes, i.e. whenever a new Rotating exists.
    assert key.replacement_trigger == rotation.id
    # Create-before-delete: Pulumi's default, unless delete_before_replace (never set here). The user
    # then has two keys for a moment, IAM's limit, and never more.
    assert key.delete_before_replace is False
    assert resolve(storage.copy_access_key_id) == key.id


def _update(earlier: RecordingMocks | None, days_later: float) -> RecordingMocks:
    """One more ``pulumi up`` (refreshing), ``days_later`` after ``earlier``'s, from its state."""
    mocks = RecordingMocks()
    if earlier is not None:
        mocks.now = earlier.now + datetime.timedelta(days=days_later)
        rotation = earlier.one(ROTATING)
        mocks.earlier_rotations = {rotation.name: (rotation.id, rotation.state)}
    build(mocks, copy_key_rotation_days=30)
    return mocks


def test_the_key_is_replaced_only_once_the_period_has_passed():
    first = _update(None, 0)
    within = _update(first, 29)
    after = _update(first, 31)
    trigger = first.one(ACCESS_KEY).replacement_trigger
    # The Rotating's read is the mocks' model of the time provider (pulumi_mocks._rotating): what this
    # shows is the component's half, that the key's trigger follows the Rotating whatever it does.
    # Within the period the Rotating keeps its state: same trigger, so the engine changes nothing.
    assert within.one(ROTATING).id == first.one(ROTATING).id
    assert within.one(ACCESS_KEY).replacement_trigger == trigger
    # Past it the provider drops the Rotating on refresh and a new one is created: a new trigger, so
    # the engine replaces the key (create-before-delete) and the outputs carry the new key's id.
    assert after.one(ROTATING).id != first.one(ROTATING).id
    assert after.one(ACCESS_KEY).replacement_trigger != trigger
    assert after.one(ACCESS_KEY).delete_before_replace is False
    due = datetime.datetime.fromisoformat(first.one(ROTATING).state["rotationRfc3339"].replace("Z", "+00:00"))
    assert due - first.now.replace(microsecond=0) == datetime.timedelta(days=30)


def test_rotation_days_from_stack_config_and_bad_values():
    [args] = parse_stack_config(
        {"applications": [{"app_id": "a1", "region": "ap-2"}], "copy_key_rotation_days": 90}
    )
    assert args.copy_key_rotation_days == 90
    with pytest.raises(InputError, match="copy_key_rotation_days 0 is out of range"):
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", copy_key_rotation_days=0)


def _stack_update(
    earlier: RecordingMocks | None, days_later: float, sync: bool = False
) -> tuple[RecordingMocks, dict[str, Any]]:
    """The whole program (``pulumi up --refresh``) with rotation on (and the scheduled sync, with
    ``sync``), ``days_later`` after ``earlier``'s update (from its Rotating state): the mocks and the
    stack outputs."""
    mocks = RecordingMocks()
    if earlier is not None:
        mocks.now = earlier.now + datetime.timedelta(days=days_later)
        rotation = earlier.one(ROTATING)
        mocks.earlier_rotations = {rotation.name: (rotation.id, rotation.state)}
    config = {
        f"{CONFIG_NAMESPACE}:applications": [{"app_id": APP_ID, "region": "ap-2"}],
        f"{CONFIG_NAMESPACE}:copy_key_rotation_days": 30,
    }
    if sync:
        token_arn = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:sendbird/token-Ab12Cd"
        config[f"{CONFIG_NAMESPACE}:sync"] = {"api_token_secret_arn": token_arn}
    run = run_stack(config, mocks=mocks)
    return mocks, run.outputs


def test_after_the_period_the_stack_outputs_carry_the_replacing_key():
    first, first_outputs = _stack_update(None, 0)
    within, _ = _stack_update(first, 29)
    after, after_outputs = _stack_update(first, 31)
    # Within the period the key's inputs and trigger are what the engine already has: no diff, so
    # nothing is replaced (the mocks' fresh key id per run is theirs, not the engine's).
    assert within.one(ACCESS_KEY).inputs == first.one(ACCESS_KEY).inputs
    assert within.one(ACCESS_KEY).replacement_trigger == first.one(ACCESS_KEY).replacement_trigger
    # Past it the trigger changed (the key is replaced, create-before-delete), and both outputs come
    # from the key resource itself, so they name whichever key the engine ends with: its id in
    # ``applications``, its secret in ``copy_secret_access_keys``. (That the two runs' ids differ
    # proves nothing: the mocks mint a key id per run.)
    new_key = after.one(ACCESS_KEY)
    assert new_key.replacement_trigger != first.one(ACCESS_KEY).replacement_trigger
    assert new_key.delete_before_replace is False
    for outputs, key in ((first_outputs, first.one(ACCESS_KEY)), (after_outputs, new_key)):
        [app] = outputs[APPLICATIONS].values()
        assert app["copy_access_key_id"] == key.id
        assert outputs[SECRET_KEYS] == {APP_ID: key.state["secret"]}


def test_after_the_period_the_scheduled_syncs_key_secret_carries_the_replacing_key():
    """The copy key pair's secret value is built from the key's outputs, so the update that replaces
    the key writes the new pair into the secret (the function reads it on its next run)."""

    def pair(mocks: RecordingMocks) -> dict[str, str]:
        [version] = [r for r in mocks.of_type(SECRET_VERSION) if "copy-key" in r.name]
        assert "secretString" in mocks.secret_input_names(version)
        value: dict[str, str] = json.loads(version.inputs["secretString"])
        return value

    first, _ = _stack_update(None, 0, sync=True)
    after, _ = _stack_update(first, 31, sync=True)
    for mocks in (first, after):
        key = mocks.one(ACCESS_KEY)
        assert pair(mocks) == {"access_key_id": key.id, "secret_access_key": key.state["secret"]}
    assert after.one(ACCESS_KEY).replacement_trigger != first.one(ACCESS_KEY).replacement_trigger
