"""Build a Sendbird copy destination in moto the way the stack does, piece by piece, for CLI tests.

Everything is created with the deployer's (administrator's) client; the copy user gets only the grant
a test asks for, so moto's IAM evaluator (authentication is on) decides what it may do.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localdev.moto_server import Credentials, MotoServer

_counter = itertools.count(1)


def documented_grant(bucket: str) -> list[dict[str, Any]]:
    """Exactly what Sendbird documents: PutObject on the objects, ListBucket on the bucket."""
    return [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"},
    ]


@dataclass
class Destination:
    """One application's bucket, key and copy user in moto, plus the stack outputs describing them."""

    app_id: str
    region: str
    bucket: str
    kms_key_arn: str
    user: str
    access_key_id: str
    secret_access_key: str = field(repr=False)

    @property
    def copy_credentials(self) -> Credentials:
        return Credentials(self.access_key_id, self.secret_access_key)

    def application(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "region": self.region,
            "bucket_name": self.bucket,
            "bucket_arn": f"arn:aws:s3:::{self.bucket}",
            "kms_key_arn": self.kms_key_arn,
            "kms_alias": f"alias/sendbird-{self.app_id.lower()}",
            "copy_user_name": self.user,
            "copy_access_key_id": self.access_key_id,
        }


def build_destination(
    moto: MotoServer,
    *,
    app_id: str | None = None,
    region: str = "ap-northeast-2",
    bucket_region: str | None = None,
    key_region: str | None = None,
    grant: list[dict[str, Any]] | Callable[[str], list[dict[str, Any]]] | None = None,
    encryption: str = "aws:kms",
    versioning: bool = False,
) -> Destination:
    """A bucket (SSE-KMS default encryption with Bucket Keys), a KMS key and a copy user with ``grant``.

    ``region`` is what the stack outputs claim; ``bucket_region``/``key_region`` place the real
    resources elsewhere to simulate a mismatch. ``grant`` (statements, or a function of the bucket
    name returning them) defaults to the documented one.
    """
    n = next(_counter)
    app_id = app_id or f"APP-{n:04d}"
    bucket_region = bucket_region or region
    key_region = key_region or region
    bucket = f"sendbird-rec-{n:04d}-{bucket_region}"

    key_arn = moto.client("kms", key_region).create_key(Description=f"recordings of {app_id}")["KeyMetadata"][
        "Arn"
    ]
    s3 = create_bucket(moto, bucket, bucket_region)
    default: dict[str, Any] = {"SSEAlgorithm": encryption}
    if encryption == "aws:kms":
        default["KMSMasterKeyID"] = key_arn
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": encryption == "aws:kms"}
            ]
        },
    )
    if versioning:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})

    user = f"sendbird-copy-{n:04d}"
    statements = documented_grant(bucket) if grant is None else grant(bucket) if callable(grant) else grant
    creds = create_user(moto, user, statements)
    return Destination(app_id, region, bucket, key_arn, user, creds.access_key_id, creds.secret_access_key)


def create_bucket(moto: MotoServer, bucket: str, region: str) -> Any:
    """Create ``bucket`` in ``region`` as the deployer; returns the deployer's S3 client there."""
    s3 = moto.client("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)  # us-east-1 takes no LocationConstraint
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    return s3


def create_user(moto: MotoServer, user: str, statements: list[dict[str, Any]]) -> Credentials:
    """An IAM user whose only grant is ``statements`` (none: no policy at all), and its access key."""
    iam = moto.client("iam")
    iam.create_user(UserName=user)
    if statements:
        iam.put_user_policy(
            UserName=user,
            PolicyName="sendbird-copy",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    return Credentials(key["AccessKeyId"], key["SecretAccessKey"])


def stack_outputs(*destinations: Destination) -> dict[str, Any]:
    """The stack-outputs JSON contract (stack_outputs.py) for these destinations."""
    return {
        "applications": {d.app_id: d.application() for d in destinations},
        "copy_secret_access_keys": {d.app_id: d.secret_access_key for d in destinations},
    }


def write_outputs(path: Path, *destinations: Destination) -> Path:
    path.write_text(json.dumps(stack_outputs(*destinations), indent=2))
    return path


def with_replica(outputs: Path, dest: Destination, replica_bucket: str, replica_region: str) -> Path:
    """The outputs document of ``dest`` with the ``replication`` option's two fields."""
    document = json.loads(outputs.read_text())
    document["applications"][dest.app_id].update(
        {"replica_bucket_name": replica_bucket, "replica_region": replica_region}
    )
    outputs.write_text(json.dumps(document))
    return outputs


def objects_under(moto: MotoServer, destination: Destination, prefix: str = "") -> list[str]:
    s3 = moto.client("s3", destination.region)
    listing = s3.list_objects_v2(Bucket=destination.bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]
