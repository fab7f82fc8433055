"""RecordingStorage's audit options all on at once (Object Lock, replication, inventory, archive
tiers, recording events and their delivery, access logs): what no option's own tests can show."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from components import ObjectLock, RecordingStorage, RecordingStorageArgs, Retention
from components.storage.options.inventory import Inventory
from components.storage.options.replication import Replication
from components.type_tokens import (
    BUCKET,
    EVENT_RULE,
    IAM_ROLE,
    IAM_USER,
    KMS_KEY,
    METRIC_ALARM,
    REGIONAL_TYPES,
    RESOURCE_TYPES,
)
from tests.components.pulumi_mocks import (
    ALLOW,
    RecordingMocks,
    Registration,
    conditional_identity_decision,
    run_component,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
EVENT_BUS_ARN = "arn:aws:events:ap-northeast-2:123456789012:event-bus/audit"
QUEUE_ARN = "arn:aws:sqs:ap-northeast-2:123456789012:recording-events"


def build_all(mocks: RecordingMocks, **changes: Any) -> RecordingStorage:
    """Every option on (``changes`` replace or add arguments)."""
    options: dict[str, Any] = {
        "retention": Retention(
            transition_days=30,
            transition_storage_class="INTELLIGENT_TIERING",
            intelligent_tiering_archive_days=90,
        ),
        "replication": Replication(region="eu-west-1"),
        "inventory": Inventory(),
        "object_lock": ObjectLock(mode="COMPLIANCE", years=7),
        "recording_event_target_arn": QUEUE_ARN,
    }
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", **{**options, **changes})
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


def _reachable(by_urn: dict[str, Registration], start: str) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for dep in by_urn[todo.pop()].dependencies:
            if dep not in seen and dep in by_urn:
                seen.add(dep)
                todo.append(dep)
    return seen


def _settings_by_bucket(mocks: RecordingMocks) -> dict[str, list[Registration]]:
    """Every bucket-level setting (a resource other than a bucket with a ``bucket`` input), by bucket."""
    settings: dict[str, list[Registration]] = defaultdict(list)
    for record in mocks.custom:
        if record.typ != BUCKET and "bucket" in record.inputs and not record.typ.startswith("aws:cloudwatch"):
            settings[record.inputs["bucket"]].append(record)
    return settings


def _assert_one_at_a_time(mocks: RecordingMocks) -> None:
    by_urn = {r.urn: r for r in mocks.custom}
    concurrent = []
    for bucket, settings in _settings_by_bucket(mocks).items():
        after = {s.urn: _reachable(by_urn, s.urn) for s in settings}
        for i, a in enumerate(settings):
            for b in settings[i + 1 :]:
                if a.urn not in after[b.urn] and b.urn not in after[a.urn]:
                    concurrent.append((bucket, a.name, b.name))
    assert not concurrent, concurrent


def test_every_bucket_level_setting_waits_for_the_one_before_with_every_option_on(mocks):
    # S3 answers OperationAborted to a bucket-level call while another one on the same bucket is in
    # flight: with all options on, the settings of each bucket must still form one chain.
    build_all(mocks)
    _assert_one_at_a_time(mocks)


def test_one_at_a_time_without_access_logs_or_recording_events(mocks):
    # Without the notification and the logging, the settings after the lifecycle hang on other ones.
    build_all(
        mocks,
        object_lock=ObjectLock(mode="GOVERNANCE", days=30),
        inventory=None,
        recording_event_target_arn=None,
        access_logs=False,
        recording_events=False,
    )
    _assert_one_at_a_time(mocks)


# The types among RecordingStorage's children that take tags (the others have no tags argument).
TAGGABLE = (BUCKET, KMS_KEY, IAM_USER, IAM_ROLE, METRIC_ALARM, EVENT_RULE)


def test_every_taggable_child_carries_the_tags_and_every_regional_one_its_region(mocks):
    build_all(mocks, tags={"team": "media"}, recording_event_target_arn=EVENT_BUS_ARN)
    assert {r.typ for r in mocks.custom} <= RESOURCE_TYPES
    untagged = [
        r.name for r in mocks.custom if r.typ in TAGGABLE and r.inputs.get("tags", {}).get("team") != "media"
    ]
    assert not untagged
    for record in mocks.custom:
        if record.name.startswith(f"{NAME}-replica-"):
            assert record.inputs.get("region") == "eu-west-1", record.name
        elif record.typ in REGIONAL_TYPES or record.typ == METRIC_ALARM:
            assert record.inputs.get("region") == "ap-northeast-2", record.name
        else:
            assert "region" not in record.inputs, record.name


def test_with_an_existing_key_the_replication_role_decrypts_with_that_key(mocks):
    existing = "arn:aws:kms:ap-northeast-2:123456789012:key/0b5c7f0e-1111-2222-3333-444455556666"
    args = RecordingStorageArgs(
        app_id=APP_ID, region="ap-2", kms_key_arn=existing, replication=Replication(region="eu-west-1")
    )
    run_component(lambda: RecordingStorage(NAME, args), mocks)
    [policy] = [r for r in mocks.custom if r.name == f"{NAME}-replication-role-policy"]
    [bucket] = [r for r in mocks.custom if r.name == f"{NAME}-bucket"]
    context = {
        "kms:ViaService": "s3.ap-northeast-2.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": bucket.state["arn"],
    }
    assert conditional_identity_decision(policy.inputs["policy"], "kms:Decrypt", existing, context) == ALLOW
