"""Pure builders of the ``replication`` option's policy documents (plain dicts, no Pulumi): the
replica bucket's policy, the replication role's trust and its one grant. Apart from ``policies.py``
(whose statements the replica bucket reuses) only to keep each module short."""

from __future__ import annotations

from dataclasses import dataclass

from ..policies import (
    SID_DENY_INSECURE_TRANSPORT,
    SID_DENY_OUTDATED_TLS,
    Policy,
    _deny_insecure_transport,
    _deny_outdated_tls,
    _document,
    _objects,
    s3_service_name,
)

SID_ALLOW_S3_REPLICATION = "AllowS3ReplicationFromThisAccount"
REPLICA_BUCKET_POLICY_SIDS = (SID_DENY_INSECURE_TRANSPORT, SID_DENY_OUTDATED_TLS)
# The service principal S3 Replication assumes the replication role as.
S3_SERVICE = "s3.amazonaws.com"
# What S3 reads from the source to replicate an object version: the object, its ACL and tags, and
# (harmless reads, needed once the bucket uses Object Lock) its retention and legal hold. Not
# s3:GetObject: the role reads versions for replication only, never an object as a client would.
REPLICATION_SOURCE_READS = [
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
]
# What S3 writes into the replica: object versions and their tags. Not s3:ReplicateDelete: delete
# markers are not replicated (the configuration says so too), so a delete in the source, by mistake
# or by a stolen key, never deletes the replica's copy.
REPLICATION_REPLICA_WRITES = ["s3:ReplicateObject", "s3:ReplicateTags"]
# The encryption context S3 gives KMS for an object: the bucket's ARN with S3 Bucket Keys (on from
# the start in both buckets), the object's ARN for an object written without one.
S3_ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:aws:s3:arn"


def replica_bucket_policy(*, bucket_arn: str) -> Policy:
    """The replica bucket's policy: the recordings bucket's TLS rules (no request without TLS, none
    older than TLS 1.2). Nothing to grant: the replication role's own policy is its grant (same
    account), and the copy identity has no business here."""
    return _document(_deny_insecure_transport(bucket_arn), _deny_outdated_tls(bucket_arn))


def replication_trust_policy(*, account_id: str) -> Policy:
    """Only S3, and only on behalf of a bucket of this account (confused-deputy guard)."""
    return _document(
        {
            "Sid": SID_ALLOW_S3_REPLICATION,
            "Effect": "Allow",
            "Principal": {"Service": S3_SERVICE},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }
    )


@dataclass(frozen=True)
class ReplicationEnd:
    """One side of the replication: its bucket, the key that encrypts it, its region."""

    bucket_arn: str
    key_arn: str
    region: str


def _key_through_s3(sid: str, actions: list[str], end: ReplicationEnd, dns_suffix: str) -> Policy:
    """Use of one side's key, only by S3 in its region and only for objects of its bucket."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": end.key_arn,
        "Condition": {
            "StringEquals": {"kms:ViaService": s3_service_name(end.region, dns_suffix)},
            "StringLike": {S3_ENCRYPTION_CONTEXT_KEY: [end.bucket_arn, _objects(end.bucket_arn)]},
        },
    }


def replication_role_policy(
    *, source: ReplicationEnd, replica: ReplicationEnd, dns_suffix: str = "amazonaws.com"
) -> Policy:
    """Exactly what S3 Replication needs, on these two buckets and keys: read the configuration and
    the object versions of the source, decrypt them with the source key, encrypt with the replica
    key, write versions and tags into the replica. No delete, no plain read, no other bucket."""
    return _document(
        {
            "Sid": "ReadReplicationConfiguration",
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source.bucket_arn,
        },
        {
            "Sid": "ReadSourceVersions",
            "Effect": "Allow",
            "Action": REPLICATION_SOURCE_READS,
            "Resource": _objects(source.bucket_arn),
        },
        {
            "Sid": "WriteReplica",
            "Effect": "Allow",
            "Action": REPLICATION_REPLICA_WRITES,
            "Resource": _objects(replica.bucket_arn),
        },
        _key_through_s3("DecryptSourceObjects", ["kms:Decrypt"], source, dns_suffix),
        _key_through_s3("EncryptReplicaObjects", ["kms:Encrypt", "kms:GenerateDataKey"], replica, dns_suffix),
    )
