"""The emulator deploy of the real program with ``replication`` on: every resource applied to moto in
its own region (two regions), and the replication configuration read back from moto.

What moto cannot do, said here so a reader does not take it as proven: moto stores the replication
configuration (but drops the rule's SourceSelectionCriteria), but it never replicates an object and
never sets ``ReplicationStatus``; the role's effective permissions are proven by the mocks tests
(tests/components/storage/options/test_replication.py) with the IAM policy evaluator instead.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from localdev.emulator_deploy import deploy_to_emulator
from localdev.emulator_deploy.replication import replication_for_boto3
from localdev.moto_server import MotoServer
from localdev.program_runner import load_stack_config
from sendbird_copy.facts import CONFIG_NAMESPACE as NS

REPLICA_REGION = "eu-west-1"


def replication_config() -> dict[str, Any]:
    """The local stack's storage (its first application, no scheduled sync) with a replica."""
    config = copy.deepcopy(load_stack_config("local"))
    config.pop(f"{NS}:sync", None)
    config[f"{NS}:applications"] = [
        {k: v for k, v in app.items() if k != "sync"} for app in config[f"{NS}:applications"][:1]
    ]
    config[f"{NS}:replication"] = {"region": REPLICA_REGION, "replication_time_control": True}
    return config


@pytest.fixture
def deployed(moto: MotoServer) -> tuple[MotoServer, Any]:
    return moto, deploy_to_emulator(moto, replication_config())


def test_the_replication_configuration_is_read_back_from_moto(deployed):
    moto, result = deployed
    [app] = result.outputs["applications"].values()
    source, replica = app["bucket_name"], app["replica_bucket_name"]
    assert app["replica_region"] == REPLICA_REGION
    config = moto.client("s3", app["region"]).get_bucket_replication(Bucket=source)[
        "ReplicationConfiguration"
    ]
    [role] = [r for r in result.resources if r.name.endswith("-replication-role")]
    assert config["Role"].endswith(f"/{role.physical_id}")
    [rule] = config["Rules"]
    assert rule["Status"] == "Enabled" and rule["DeleteMarkerReplication"] == {"Status": "Disabled"}
    # moto 5.x keeps every part of the rule but SourceSelectionCriteria (seen here): that part is
    # proven by the mocks tests and by what is sent (test_pulumi_inputs_become_boto3s_...).
    assert rule.get("SourceSelectionCriteria") in (None, {"SseKmsEncryptedObjects": {"Status": "Enabled"}})
    assert rule["ID"] == "recordings-to-replica" and rule["Filter"] == {"Prefix": ""}
    destination = rule["Destination"]
    assert destination["Bucket"] == f"arn:aws:s3:::{replica}"
    replica_key = moto.client("kms", REPLICA_REGION).describe_key(
        KeyId=destination["EncryptionConfiguration"]["ReplicaKmsKeyID"]
    )["KeyMetadata"]
    assert replica_key["Arn"].split(":")[3] == REPLICA_REGION and replica_key["Arn"] != app["kms_key_arn"]
    assert destination["ReplicationTime"]["Status"] == "Enabled"
    assert destination["Metrics"]["Status"] == "Enabled"


def test_the_replica_bucket_is_in_its_region_versioned_encrypted_and_private(deployed):
    moto, result = deployed
    [app] = result.outputs["applications"].values()
    replica, s3 = app["replica_bucket_name"], moto.client("s3", REPLICA_REGION)
    assert s3.get_bucket_location(Bucket=replica)["LocationConstraint"] == REPLICA_REGION
    assert s3.get_bucket_versioning(Bucket=replica)["Status"] == "Enabled"
    [rule] = s3.get_bucket_encryption(Bucket=replica)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rule["ApplyServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms" and f":{REPLICA_REGION}:" in default["KMSMasterKeyID"]
    block = s3.get_public_access_block(Bucket=replica)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    regions = {r.name: r.region for r in result.resources}
    assert {regions[n] for n in regions if "-replica-" in n} == {REPLICA_REGION}
    alarms = moto.client("cloudwatch", app["region"]).describe_alarms()["MetricAlarms"]
    watched = {a["MetricName"] for a in alarms if a["Namespace"] == "AWS/S3"}
    assert watched == {"OperationsFailedReplication", "ReplicationLatency"}


def test_moto_does_not_replicate_which_is_why_the_helper_asks_the_replica(deployed):
    moto, result = deployed
    [app] = result.outputs["applications"].values()
    source = moto.client("s3", app["region"])
    source.put_object(Bucket=app["bucket_name"], Key="probe-replication.bin", Body=b"x")
    assert "ReplicationStatus" not in source.head_object(
        Bucket=app["bucket_name"], Key="probe-replication.bin"
    )
    listed = moto.client("s3", REPLICA_REGION).list_objects_v2(Bucket=app["replica_bucket_name"])
    assert listed.get("KeyCount", 0) == 0


def test_pulumi_inputs_become_boto3s_replication_configuration():
    rule = {
        "id": "r",
        "status": "Enabled",
        "filter": {},
        "sourceSelectionCriteria": {"sseKmsEncryptedObjects": {"status": "Enabled"}},
        "destination": {"bucket": "arn:aws:s3:::b", "encryptionConfiguration": {"replicaKmsKeyId": "k"}},
    }
    config = replication_for_boto3({"role": "arn:aws:iam::1:role/x", "rules": [rule]})
    [aws_rule] = config["Rules"]
    assert aws_rule["ID"] == "r" and aws_rule["Filter"] == {"Prefix": ""}
    assert aws_rule["Destination"]["EncryptionConfiguration"] == {"ReplicaKmsKeyID": "k"}
    assert aws_rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
