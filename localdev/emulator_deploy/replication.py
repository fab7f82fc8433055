"""The emulator deploy's handler for RecordingStorage's ``replication`` option (a mixin of
``emulator_deploy.MotoDeployMocks``): the replication configuration, put on the recordings bucket in
moto. The replica's own bucket, key, settings, role and alarms go through the handlers every other
resource of that type uses.

moto stores the configuration and answers GetBucketReplication with it (all of it but the rule's
SourceSelectionCriteria, which moto 5.x drops), but it never replicates an object and never sets
``ReplicationStatus``: the smoke test and ``status`` fall back to asking the
replica bucket, and the tests put the object there themselves to stand for S3.
"""

from __future__ import annotations

from typing import Any

from localdev.emulator_deploy.sync import to_aws_shape
from localdev.moto_server import MotoServer


def replication_for_boto3(inputs: dict[str, Any]) -> dict[str, Any]:
    """A ``BucketReplicationConfig``'s inputs -> boto3's ``ReplicationConfiguration``. An empty filter
    (every object) goes as ``{"Prefix": ""}``, its equivalent that moto parses."""
    rules = []
    for rule in to_aws_shape(inputs["rules"]):
        if not rule.get("Filter"):
            rule["Filter"] = {"Prefix": ""}
        encryption = rule.get("Destination", {}).get("EncryptionConfiguration")
        if encryption and "ReplicaKmsKeyId" in encryption:  # boto3's spelling: ...KeyID
            encryption["ReplicaKmsKeyID"] = encryption.pop("ReplicaKmsKeyId")
        rules.append(rule)
    return {"Role": inputs["role"], "Rules": rules}


class ReplicationHandlers:
    """Put the replication configuration on its bucket, in the bucket's region."""

    server: MotoServer

    def _replication(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        self.server.client("s3", region).put_bucket_replication(
            Bucket=bucket, ReplicationConfiguration=replication_for_boto3(inputs)
        )
        return bucket, {}
