"""Fixtures of the helper's tests: the CLI driver, an emulator application, copy targets in moto."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from localdev.moto_server import Credentials, MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from tests.sendbird_copy.aws_builders import create_bucket, create_user
from tests.sendbird_copy.cli_support import APP, COPY_SECRET, ORG_KEY, TOKEN, CopyCli


@pytest.fixture
def copy_cli(moto: MotoServer, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> CopyCli:
    """``sendbird-copy`` against this test's moto, asserting on every run that no secret leaked."""
    return CopyCli(tmp_path, caplog, moto)


@pytest.fixture
def offline_cli(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> CopyCli:
    """``sendbird-copy`` with no AWS behind it: for input that must be refused before any call. It
    also watches for COPY_SECRET, the secret key of the outputs documents offline tests write."""
    cli = CopyCli(tmp_path, caplog)
    cli.secrets.append(COPY_SECRET)
    return cli


@pytest.fixture
def app(emulator: SendbirdEmulator) -> SendbirdEmulator:
    """The emulator with application APP (token TOKEN, organization key ORG_KEY) in ap-1."""
    emulator.add_application(APP, TOKEN, "ap-1", org_api_key=ORG_KEY)
    return emulator


# Limits high enough that a test's own requests never meet them (tests of the limits use their own).
FAST_LIMITS = {"GET": 1000, "POST": 1000}


@pytest.fixture
def fast_app(make_emulator: Callable[..., SendbirdEmulator]) -> SendbirdEmulator:
    """Like ``app`` (APP in ap-1), with rate limits raised to FAST_LIMITS: for tests that send many
    requests, such as a sync over a seeded application."""
    emulator = make_emulator(rate_limits=FAST_LIMITS)
    emulator.add_application(APP, TOKEN, "ap-1", org_api_key=ORG_KEY)
    return emulator


@dataclass(frozen=True)
class CopyTarget:
    """A bucket and an IAM user (with access key) that may do exactly ``actions`` on it."""

    bucket: str
    region: str
    user_name: str
    creds: Credentials


COPY_ACTIONS = ("s3:PutObject", "s3:ListBucket")  # what Sendbird documents for the copy identity
BUCKET_LEVEL_ACTIONS = frozenset({"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"})


@pytest.fixture
def make_copy_target(moto: MotoServer) -> Callable[..., CopyTarget]:
    """Factory: ``make_copy_target(bucket="recordings", region="ap-northeast-1", actions=COPY_ACTIONS)``
    creates the bucket and a user granted exactly ``actions`` (object actions on ``bucket/*``,
    bucket actions on the bucket), all through the deployer, as a stack would."""

    def make(
        bucket: str = "recordings", region: str = "ap-northeast-1", actions: tuple[str, ...] = COPY_ACTIONS
    ) -> CopyTarget:
        create_bucket(moto, bucket, region)
        statements = [
            {
                "Effect": "Allow",
                "Action": action,
                "Resource": f"arn:aws:s3:::{bucket}"
                if action in BUCKET_LEVEL_ACTIONS
                else f"arn:aws:s3:::{bucket}/*",
            }
            for action in actions
        ]
        user = f"copy-{bucket}"
        return CopyTarget(bucket, region, user, create_user(moto, user, statements))

    return make


# The sync test bed's fixtures, for every sync test of this folder.
from tests.sendbird_copy.stub_sendbird import stub  # noqa: E402, F401
from tests.sendbird_copy.sync_bed import bed, bed_factory  # noqa: E402, F401
