"""Shared fixtures. Real HTTP servers on 127.0.0.1 only; nothing here reaches the internet."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from localdev.moto_server import Credentials, MotoServer, running_moto_server
from sendbird_copy.emulator import SendbirdEmulator


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test may pick up a developer's real AWS credentials or config by accident."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    empty.touch()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-not-a-real-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-not-a-real-secret")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_session() -> Iterator[MotoServer]:
    """One moto server for the whole run (IAM authentication on)."""
    with running_moto_server() as server:
        yield server


@pytest.fixture
def moto(moto_session: MotoServer) -> MotoServer:
    """The shared moto server, wiped and with a fresh deployer (administrator) for this test.

    Use ``moto.client(service, region)`` for deployer-signed clients and
    ``moto.client(service, region, creds=Credentials(...))`` to act as another identity.
    """
    return moto_session.reset()


@pytest.fixture
def emulator(moto: MotoServer) -> Iterator[SendbirdEmulator]:
    """A started Sendbird emulator that copies into this test's moto; seed it with
    ``add_application``/``add_recording``, point clients at ``emulator.base_url``."""
    with SendbirdEmulator(s3_endpoint_url=moto.endpoint) as server:
        yield server


@dataclass(frozen=True)
class CopyTarget:
    """A bucket and an IAM user (with access key) that may do exactly ``actions`` on it."""

    bucket: str
    region: str
    user_name: str
    creds: Credentials


COPY_ACTIONS = ("s3:PutObject", "s3:ListBucket")  # what Sendbird documents for the copy identity


@pytest.fixture
def make_copy_target(moto: MotoServer) -> Callable[..., CopyTarget]:
    """Factory: ``make_copy_target(bucket="recordings", region="ap-northeast-1", actions=COPY_ACTIONS)``
    creates the bucket and a user granted exactly ``actions`` (object actions on ``bucket/*``,
    bucket actions on the bucket), all through the deployer, as a stack would."""

    def make(
        bucket: str = "recordings", region: str = "ap-northeast-1", actions: tuple[str, ...] = COPY_ACTIONS
    ) -> CopyTarget:
        s3 = moto.client("s3", region)
        if region == "us-east-1":
            s3.create_bucket(Bucket=bucket)
        else:
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
        bucket_level = {"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}
        statements = [
            {
                "Effect": "Allow",
                "Action": action,
                "Resource": f"arn:aws:s3:::{bucket}"
                if action in bucket_level
                else f"arn:aws:s3:::{bucket}/*",
            }
            for action in actions
        ]
        iam = moto.client("iam")
        user = f"copy-{bucket}"
        iam.create_user(UserName=user)
        if statements:
            policy = {"Version": "2012-10-17", "Statement": statements}
            iam.put_user_policy(UserName=user, PolicyName="copy", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName=user)["AccessKey"]
        return CopyTarget(bucket, region, user, Credentials(key["AccessKeyId"], key["SecretAccessKey"]))

    return make
