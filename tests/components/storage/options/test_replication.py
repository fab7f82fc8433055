"""RecordingStorage's ``replication`` option under recording mocks: every resource of the replica,
its region and its inputs; the replication role's effective permissions (the IAM policy evaluators
of tests/components/pulumi_mocks.py); the outputs; bad input refused before any resource."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from typing import Any

import pulumi
import pytest

from components import InputError, ObjectLock, RecordingStorage, RecordingStorageArgs, Retention
from components.config import parse_stack_config
from components.storage import policies as pol
from components.storage.options import replica_policies as rpol
from components.storage.options.replica import ALARM_FAILED, ALARM_LATENCY, REPLICATION_RULE_ID
from components.storage.options.replication import Replication
from components.type_tokens import (
    BUCKET,
    BUCKET_POLICY,
    ENCRYPTION,
    IAM_ROLE,
    KMS_ALIAS,
    KMS_KEY,
    LIFECYCLE,
    METRIC_ALARM,
    OBJECT_LOCK,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    RECORDING_STORAGE,
    REPLICATION_CONFIG,
    ROLE_POLICY,
    VERSIONING,
)
from sendbird_copy.outputs import PUBLIC_FIELDS
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    DEFAULT_STORAGE_TYPES,
    DENY,
    RecordingMocks,
    Registration,
    conditional_identity_decision,
    resolve,
    resource_policy_decision,
    run_component,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
REPLICA_REGION = "eu-west-1"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT_ID}:recording-alarms"
# The replica bucket's own resources (in the replica's region), then what replication adds beside.
REPLICA_BUCKET_TYPES = [
    BUCKET,
    KMS_KEY,
    KMS_ALIAS,
    PUBLIC_ACCESS_BLOCK,
    BUCKET_POLICY,
    OWNERSHIP,
    VERSIONING,
    ENCRYPTION,
    LIFECYCLE,
]
REPLICA_TYPES = [*REPLICA_BUCKET_TYPES, IAM_ROLE, ROLE_POLICY, REPLICATION_CONFIG, METRIC_ALARM, METRIC_ALARM]


def build(mocks: RecordingMocks, replication: Replication | None = None, **kwargs: Any) -> RecordingStorage:
    replication = replication or Replication(region=REPLICA_REGION, alarm_topic_arn=TOPIC)
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", replication=replication, **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


@pytest.fixture
def storage(mocks: RecordingMocks) -> RecordingStorage:
    return build(mocks)


def named(mocks: RecordingMocks, suffix: str) -> Registration:
    [record] = [r for r in mocks.custom if r.name == f"{NAME}-{suffix}"]
    return record


def test_replication_adds_exactly_these_resources_all_children_of_the_component(mocks, storage):
    assert Counter(r.typ for r in mocks.custom) == Counter(DEFAULT_STORAGE_TYPES + REPLICA_TYPES)
    [component] = mocks.of_type(RECORDING_STORAGE)
    assert all(r.parent == component.urn for r in mocks.custom)


def test_off_by_default(mocks):
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2")
    storage = run_component(lambda: RecordingStorage(NAME, args), mocks)
    assert args.replication is None and storage.resources.replica is None
    assert not mocks.of_type(REPLICATION_CONFIG) and not mocks.of_type(METRIC_ALARM)
    assert "replica_bucket_name" not in storage.public_outputs()


def test_the_replica_lives_in_its_region_the_configuration_and_alarms_in_the_sources(mocks, storage):
    replica = [r for r in mocks.custom if r.name.startswith(f"{NAME}-replica-")]
    assert {r.typ for r in replica} == set(REPLICA_BUCKET_TYPES)
    assert all(r.inputs["region"] == REPLICA_REGION for r in replica), [r.name for r in replica]
    assert named(mocks, "replication").inputs["region"] == REGION
    for alarm in mocks.of_type(METRIC_ALARM):
        assert alarm.inputs["region"] == REGION
    for suffix in ("replication-role", "replication-role-policy"):
        assert "region" not in named(mocks, suffix).inputs  # IAM is global


def test_replica_bucket_and_its_guard_rails(mocks, storage):
    bucket = named(mocks, "replica-bucket")
    assert "bucket" not in bucket.inputs and bucket.inputs["bucketPrefix"] == f"{NAME}-replica-"
    assert bucket.inputs["forceDestroy"] is False and not bucket.protect
    block = named(mocks, "replica-public-access-block").inputs
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[flag] is True, flag
    assert named(mocks, "replica-ownership-controls").inputs["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"
    }
    assert named(mocks, "replica-versioning").inputs["versioningConfiguration"]["status"] == "Enabled"
    [rule] = named(mocks, "replica-encryption").inputs["rules"]
    replica_key = named(mocks, "replica-key").state["arn"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": replica_key,
    }
    assert rule["bucketKeyEnabled"] is True
    assert f":{REPLICA_REGION}:" in replica_key
    # Each setting after the one before (S3's OperationAborted races), as the recordings bucket's.
    order = [
        "public-access-block",
        "bucket-policy",
        "ownership-controls",
        "versioning",
        "encryption",
        "lifecycle",
    ]
    for before, after in itertools.pairwise(order):
        assert named(mocks, f"replica-{before}").urn in named(mocks, f"replica-{after}").dependencies, after


def test_replica_bucket_policy_denies_requests_without_tls_or_with_old_tls(mocks, storage):
    arn = named(mocks, "replica-bucket").state["arn"]
    policy = named(mocks, "replica-bucket-policy").inputs["policy"]
    assert json.loads(policy) == rpol.replica_bucket_policy(bucket_arn=arn)
    admin = f"arn:aws:iam::{ACCOUNT_ID}:role/Administrator"
    obj = f"{arn}/recording.mp4"
    for context in (
        {"aws:SecureTransport": "false"},
        {"aws:SecureTransport": "true", "s3:TlsVersion": "1.1"},
    ):
        assert resource_policy_decision(policy, "s3:GetObject", obj, admin, context) == DENY, context
    tls = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
    assert resource_policy_decision(policy, "s3:GetObject", obj, admin, tls) != DENY


def test_replica_lifecycle_has_the_sources_rules(mocks):
    build(mocks, retention=Retention(expiration_days=365))
    source = {r["id"]: r for r in named(mocks, "lifecycle").inputs["rules"]}
    replica = {r["id"]: r for r in named(mocks, "replica-lifecycle").inputs["rules"]}
    assert replica == source
    assert {"abort-incomplete-multipart-uploads", "expire-noncurrent-versions", "expire-sync-ledger"} <= set(
        replica
    )


def test_replica_key_is_its_own_rotating_key_with_the_root_statement_only(mocks, storage):
    key = named(mocks, "replica-key")
    assert key.inputs["enableKeyRotation"] is True and key.inputs["deletionWindowInDays"] == 30
    assert key.inputs["region"] == REPLICA_REGION
    expected = pol.key_policy(account_id=ACCOUNT_ID, region=REPLICA_REGION, copy_identity_arn=None)
    assert json.loads(key.inputs["policy"]) == expected
    assert [s["Sid"] for s in expected["Statement"]] == ["EnableRootAccountPermissions"]
    alias = named(mocks, "replica-key-alias").inputs
    assert alias["name"] != named(mocks, "key-alias").inputs["name"] and alias["region"] == REPLICA_REGION


def test_protect_and_force_destroy_carry_over_to_the_replica(mocks):
    build(mocks, protect=True, force_destroy=True)
    assert named(mocks, "replica-bucket").protect and named(mocks, "replica-key").protect
    assert named(mocks, "replica-bucket").inputs["forceDestroy"] is True


def test_fixed_replica_bucket_name(mocks):
    build(mocks, replication=Replication(region="eu-west-1", bucket_name="my-replica"))
    bucket = named(mocks, "replica-bucket").inputs
    assert bucket["bucket"] == "my-replica" and "bucketPrefix" not in bucket


def _rule(mocks: RecordingMocks) -> dict[str, Any]:
    [rule] = named(mocks, "replication").inputs["rules"]
    return rule


def test_replication_configuration(mocks, storage):
    config = named(mocks, "replication")
    assert config.inputs["bucket"] == named(mocks, "bucket").state["bucket"]
    assert config.inputs["role"] == named(mocks, "replication-role").state["arn"]
    replica_key = named(mocks, "replica-key").state["arn"]
    assert _rule(mocks) == {
        "id": REPLICATION_RULE_ID,
        "status": "Enabled",
        "filter": {},  # every object
        "deleteMarkerReplication": {"status": "Disabled"},
        "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
        "destination": {
            "bucket": named(mocks, "replica-bucket").state["arn"],
            "encryptionConfiguration": {"replicaKmsKeyId": replica_key},
            "metrics": {"status": "Enabled", "eventThreshold": {"minutes": 15}},
        },
    }
    # After both versionings and the role's policy (and the source's last bucket-level setting).
    for before in ("versioning", "replica-versioning", "replication-role-policy", "access-logging"):
        assert named(mocks, before).urn in config.dependencies, before


def test_replication_time_control_when_asked(mocks):
    build(mocks, replication=Replication(region="eu-1", replication_time_control=True))
    assert _rule(mocks)["destination"]["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert _rule(mocks)["destination"]["metrics"]["status"] == "Enabled"


def test_alarms_on_failures_and_latency(mocks, storage):
    source, replica = named(mocks, "bucket").state["bucket"], named(mocks, "replica-bucket").state["bucket"]
    dimensions = {"SourceBucket": source, "DestinationBucket": replica, "RuleId": REPLICATION_RULE_ID}
    failed, latency = named(mocks, ALARM_FAILED).inputs, named(mocks, ALARM_LATENCY).inputs
    for alarm in (failed, latency):
        assert alarm["namespace"] == "AWS/S3" and alarm["dimensions"] == dimensions
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
        assert alarm["treatMissingData"] == "notBreaching"
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
    assert (failed["metricName"], failed["statistic"], failed["threshold"]) == (
        "OperationsFailedReplication",
        "Sum",
        0,
    )
    assert (latency["metricName"], latency["statistic"]) == ("ReplicationLatency", "Maximum")
    assert latency["threshold"] == 3600  # no RTC: no SLA, an hour


@pytest.mark.parametrize(
    ("replication", "threshold"),
    [
        (Replication(region="eu-west-1", replication_time_control=True), 900),
        (Replication(region="eu-west-1", latency_alarm_seconds=120), 120),
    ],
)
def test_latency_threshold_follows_rtc_or_the_given_value(mocks, replication, threshold):
    build(mocks, replication=replication)
    assert named(mocks, ALARM_LATENCY).inputs["threshold"] == threshold
    assert named(mocks, ALARM_LATENCY).inputs["alarmActions"] == []  # no topic: state changes only


# -- the replication role ----------------------------------------------------------------------------
def _role(mocks: RecordingMocks) -> dict[str, Any]:
    return {
        "trust": json.loads(named(mocks, "replication-role").inputs["assumeRolePolicy"]),
        "policy": named(mocks, "replication-role-policy").inputs["policy"],
        "source": named(mocks, "bucket").state["arn"],
        "replica": named(mocks, "replica-bucket").state["arn"],
        "source_key": named(mocks, "key").state["arn"],
        "replica_key": named(mocks, "replica-key").state["arn"],
    }


def test_only_s3_of_this_account_may_assume_the_role(mocks, storage):
    [statement] = _role(mocks)["trust"]["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT_ID}}


def test_the_role_can_do_exactly_what_replication_needs(mocks, storage):
    got = _role(mocks)
    policy, source, replica = got["policy"], got["source"], got["replica"]

    def s3(action: str, resource: str) -> str:
        return conditional_identity_decision(policy, action, resource)

    for action in ("s3:GetReplicationConfiguration", "s3:ListBucket"):
        assert s3(action, source) == ALLOW, action
        assert s3(action, replica) != ALLOW, action
    reads = (
        "s3:GetObjectVersionForReplication",
        "s3:GetObjectVersionAcl",
        "s3:GetObjectVersionTagging",
        "s3:GetObjectRetention",
        "s3:GetObjectLegalHold",
    )
    for action in reads:
        assert s3(action, f"{source}/rec.mp4") == ALLOW, action
        assert s3(action, "arn:aws:s3:::someone-elses-bucket/rec.mp4") != ALLOW, action
    for action in ("s3:ReplicateObject", "s3:ReplicateTags"):
        assert s3(action, f"{replica}/rec.mp4") == ALLOW, action
        assert s3(action, f"{source}/rec.mp4") != ALLOW, action  # never back into the source
    # Delete markers are not replicated: a delete in the source never deletes the replica's copy.
    for action in ("s3:ReplicateDelete", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject"):
        assert s3(action, f"{replica}/rec.mp4") != ALLOW, action
    for action in ("s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"):
        assert s3(action, f"{source}/rec.mp4") != ALLOW, action
    for action in ("s3:PutBucketPolicy", "s3:PutReplicationConfiguration", "s3:DeleteBucket"):
        assert s3(action, source) != ALLOW and s3(action, replica) != ALLOW, action


def test_the_role_uses_each_key_only_through_s3_in_its_region_for_its_bucket(mocks, storage):
    got = _role(mocks)
    policy = got["policy"]

    def kms(action: str, key: str, region: str, bucket: str) -> str:
        context = {"kms:ViaService": f"s3.{region}.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket}
        return conditional_identity_decision(policy, action, key, context)

    source, replica, source_key, replica_key = (
        got["source"],
        got["replica"],
        got["source_key"],
        got["replica_key"],
    )
    assert kms("kms:Decrypt", source_key, REGION, source) == ALLOW  # bucket key: the bucket's ARN
    assert kms("kms:Decrypt", source_key, REGION, f"{source}/rec.mp4") == ALLOW  # object ARN
    assert kms("kms:Decrypt", source_key, REPLICA_REGION, source) != ALLOW  # another region's S3
    assert kms("kms:Decrypt", source_key, REGION, "arn:aws:s3:::other") != ALLOW  # another bucket
    assert conditional_identity_decision(policy, "kms:Decrypt", source_key, {}) != ALLOW  # not via S3
    for action in ("kms:Encrypt", "kms:GenerateDataKey"):
        assert kms(action, replica_key, REPLICA_REGION, replica) == ALLOW, action
        assert kms(action, replica_key, REGION, replica) != ALLOW, action
        assert kms(action, source_key, REGION, source) != ALLOW, action  # never the source key
    assert kms("kms:Decrypt", replica_key, REPLICA_REGION, replica) != ALLOW
    for action in ("kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant"):
        assert kms(action, source_key, REGION, source) != ALLOW, action


# -- what the component exposes ---------------------------------------------------------------------
def test_resources_and_outputs(mocks, storage):
    replica = storage.resources.replica
    assert replica is not None
    assert replica.bucket.pulumi_resource_name == f"{NAME}-replica-bucket"
    assert replica.configuration.pulumi_resource_type == REPLICATION_CONFIG
    assert replica.role.pulumi_resource_type == IAM_ROLE
    assert set(replica.alarms) == {ALARM_FAILED, ALARM_LATENCY}
    assert resolve(replica.key.arn) == named(mocks, "replica-key").state["arn"]
    outputs = storage.public_outputs()
    assert resolve(outputs["replica_bucket_name"]) == named(mocks, "replica-bucket").state["bucket"]
    assert resolve(outputs["replica_region"]) == REPLICA_REGION
    assert {"replica_bucket_name", "replica_region"} <= set(PUBLIC_FIELDS)


# Values of the wrong type, as a YAML stack file or an untyped caller may give them.
OUTPUT_REGION: Any = pulumi.Output.from_input("eu-west-1")
NOT_A_BOOL: Any = "yes"


# -- bad input ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("replication", "fragment"),
    [
        (
            lambda: Replication(region="ap-northeast-2"),
            "replication.region 'ap-northeast-2' is the recordings",
        ),
        (
            lambda: Replication(region="ap-2"),
            "replication.region 'ap-2' is the recordings bucket's own region",
        ),
        (lambda: Replication(region="mars-1"), "replication.region 'mars-1'"),
        (lambda: Replication(region=OUTPUT_REGION), "not a plain value"),
        (
            lambda: Replication(region="eu-west-1", replication_time_control=NOT_A_BOOL),
            "replication_time_control",
        ),
        (lambda: Replication(region="eu-west-1", latency_alarm_seconds=10), "latency_alarm_seconds 10"),
        (lambda: Replication(region="eu-west-1", bucket_name="Bad_Name"), "replication.bucket_name"),
        (
            lambda: Replication(region="eu-west-1", alarm_topic_arn=f"arn:aws:sns:eu-west-1:{ACCOUNT_ID}:t"),
            "replication.alarm_topic_arn",
        ),
        (
            lambda: Replication(region="eu-west-1", bucket_name="recordings-a"),
            "is the recordings bucket itself",
        ),
    ],
)
def test_bad_replication_is_refused_before_any_resource(mocks, replication, fragment):
    with pytest.raises(InputError, match=None) as caught:
        RecordingStorageArgs(
            app_id=APP_ID, region="ap-2", bucket_name="recordings-a", replication=replication()
        )
    assert fragment in str(caught.value)
    assert not mocks.registered


def test_stack_config_replication_is_shared_replaced_and_errors_name_the_key():
    raw: dict[str, Any] = {
        "replication": {"region": "eu-west-1", "replication_time_control": True},
        "applications": [
            {"app_id": "A1", "region": "ap-2"},
            {"app_id": "A2", "region": "ap-2", "replication": {"region": "us-1"}},
            {"app_id": "A3", "region": "ap-2", "replication": None},
        ],
    }
    first, second, third = parse_stack_config(raw)
    assert first.replication == Replication(region="eu-west-1", replication_time_control=True)
    assert second.replication == Replication(region="us-1")  # replaced, not merged: no RTC
    assert third.replication is None
    bad = {**raw, "applications": [{"app_id": "A1", "region": "eu-1"}]}  # eu-1 is eu-central-1
    with pytest.raises(InputError, match=r"^replication\.region \(stack-wide, used by applications\[0\]"):
        parse_stack_config({**bad, "replication": {"region": "eu-central-1"}})
    with pytest.raises(InputError, match=r"applications\[0\].replication has unknown key\(s\) regoin"):
        parse_stack_config(
            {"applications": [{"app_id": "A1", "region": "ap-2", "replication": {"regoin": "x"}}]}
        )
    with pytest.raises(InputError, match=r"applications\[1\].replication.region"):
        parse_stack_config(
            {
                **raw,
                "applications": [
                    raw["applications"][0],
                    {**raw["applications"][1], "replication": {"region": "ap-2"}},
                ],
            }
        )
    shared_name = {
        "replication": {"region": "eu-west-1", "bucket_name": "one-replica"},
        "applications": [*raw["applications"][:1], {"app_id": "A2", "region": "ap-2"}],
    }
    with pytest.raises(InputError, match="one-replica"):
        parse_stack_config(shared_name)


def test_the_configuration_docs_example_is_a_valid_replication():
    """The stack-file example in docs/configuration.md, parsed as the program parses its config."""
    import yaml

    from tests.markdown import DOCS_DIR, code_blocks

    [example] = [b for b in code_blocks(DOCS_DIR / "configuration.md", "yaml") if ":replication:" in b]
    config = yaml.safe_load(example)["config"]
    raw = {key.split(":", 1)[1]: value for key, value in config.items()}
    [args] = parse_stack_config(raw)
    assert args.replication == Replication(
        region="eu-central-1",
        replication_time_control=True,
        alarm_topic_arn="arn:aws:sns:ap-northeast-2:123456789012:recording-alarms",
    )
    assert args.replication.effective_latency_alarm_seconds == 900


def test_with_object_lock_the_replica_has_object_lock_too_before_replication_starts(mocks):
    """S3 replicates a retained version only into a bucket with Object Lock enabled: without it on
    the replica, every recording the sync retained would fail to replicate."""
    storage = build(mocks, object_lock=ObjectLock("COMPLIANCE", years=7))
    replica_lock = named(mocks, "replica-object-lock")
    assert replica_lock.typ == OBJECT_LOCK
    assert replica_lock.inputs["region"] == REPLICA_REGION
    assert replica_lock.inputs["objectLockEnabled"] == "Enabled" and "rule" not in replica_lock.inputs
    assert replica_lock.inputs["bucket"] == named(mocks, "replica-bucket").state["bucket"]
    assert replica_lock.urn in named(mocks, "replication").dependencies
    assert storage.resources.replica is not None and storage.resources.replica.object_lock is not None


def test_without_object_lock_the_replica_has_none(mocks, storage):
    assert not [r for r in mocks.of_type(OBJECT_LOCK)]
    assert storage.resources.replica is not None and storage.resources.replica.object_lock is None
