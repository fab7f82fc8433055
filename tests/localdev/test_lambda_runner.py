"""The scheduled sync as Lambda runs it: the code archive extracted, the handler imported and called in
``python -I -S`` (no site-packages; only boto3 and its dependencies beside the archive), signed with
credentials from assuming the function's role in moto (IAM auth on), copying from the emulator.

The role is built here, narrow like the component's: GetSecretValue (on "*": moto cannot scope
it, see role_policy), ListBucket on the bucket, GetObject/PutObject on the ledger prefix only, so it
may not read a recording (HeadObject needs s3:GetObject) and the sync must verify by listing. No
KMS grant: moto does not authorise S3's or Secrets Manager's use of a KMS key (and authorises direct
KMS calls against "*" only, DESIGN.md), so the component's KMS statements are proven by its policy
tests. No logs grant either: the runner prints to stdout where Lambda would ship it.
moto's AssumeRole checks the trust policy against the caller's exact ARN, so the trust names the
test's own deployer beside Lambda's service principal (which cannot be impersonated here).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from components.sync.function_archive import BuiltArchive, build_archive
from localdev.lambda_runner import (
    LocalInvocation,
    LocalResult,
    RoleCredentials,
    build_runtime_dir,
    run_as_lambda,
)
from localdev.moto_server import S3_CONFIG, MotoServer
from localdev.program_runner import PROJECT_DIR
from localdev.sendbird_emulator import SendbirdEmulator
from localdev.sendbird_emulator.seeding import seed_application
from sendbird_copy import facts
from sendbird_copy.facts import LEDGER_PREFIX, MANIFEST_PREFIX, SUMMARY_MESSAGE
from sendbird_copy.sync.bucket.ledger import Ledger
from sendbird_copy.sync.run import ALREADY_SAFE, COPIED_NOW
from tests.sendbird_copy.conftest import FAST_LIMITS
from tests.sendbird_copy.scheduled_support import REGION, SIZE, FunctionWorld, function_world

ROLE = "sendbird-sync-function"
# urllib3 1.26, installed by scripts/lambda-compat-bootstrap.sh (requirements-lambda-compat.lock): the
# archive carries requests but uses the runtime's urllib3, which may be either major.
URLLIB3_1_26 = PROJECT_DIR / ".lambda-compat"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> BuiltArchive:
    return build_archive(tmp_path_factory.mktemp("archive"))


@pytest.fixture(scope="module", params=["urllib3-locked", "urllib3-1.26"])
def runtime(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lambda's runtime packages as installed here, or the same with urllib3 1.26 in its place."""
    runtime = build_runtime_dir(tmp_path_factory.mktemp("runtime"))
    if request.param == "urllib3-1.26":
        compat = sorted(URLLIB3_1_26.glob("urllib3-1.26.*.dist-info"))
        if not compat:
            pytest.fail(
                f"urllib3 1.26 is not installed in {URLLIB3_1_26}: run scripts/lambda-compat-bootstrap.sh"
            )
        for installed in [runtime / "urllib3", *runtime.glob("urllib3-*.dist-info")]:
            shutil.rmtree(installed)
        shutil.copytree(URLLIB3_1_26 / "urllib3", runtime / "urllib3")
        shutil.copytree(compat[0], runtime / compat[0].name)
        assert installed_version(runtime, "urllib3").startswith("1.26.")
    return runtime


def installed_version(runtime: Path, distribution: str) -> str:
    """The version of ``distribution`` in the runtime directory, from its dist-info's name."""
    (dist_info,) = runtime.glob(f"{distribution}-*.dist-info")
    return dist_info.name.removeprefix(f"{distribution}-").removesuffix(".dist-info")


def role_policy(world: FunctionWorld, *, ledger_writes: bool = True) -> dict[str, Any]:
    bucket = f"arn:aws:s3:::{world.dest.bucket}"
    ledger_actions = ["s3:GetObject", "s3:PutObject"] if ledger_writes else ["s3:GetObject"]
    return {
        "Version": "2012-10-17",
        "Statement": [
            # The component grants exactly its two secrets' ARNs. moto 5.2 authorises Secrets Manager
            # against resource "*" (it names no resource for the service, like KMS), so an ARN-scoped
            # grant reads as a refusal here: "*" in this test role only.
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket},
            {"Effect": "Allow", "Action": ledger_actions, "Resource": f"{bucket}/{LEDGER_PREFIX}*"},
            # Ranged reads of each copy's MP4 structure (components/sync/policies.py, SID_READ_RECORDINGS).
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/*"},
            # Each verified copy's manifest, and its parent's tag on the recording (WriteManifests,
            # TagRecordingsWithTheirParent in components/sync/policies.py).
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{bucket}/{MANIFEST_PREFIX}*"},
            {"Effect": "Allow", "Action": "s3:PutObjectTagging", "Resource": f"{bucket}/*"},
        ],
    }


def create_role(world: FunctionWorld) -> str:
    caller = world.moto.client("sts").get_caller_identity()["Arn"]
    # One statement naming both: moto 5.2's trust check fails with a 500 on a statement whose
    # principal has no "AWS" entry (a Service-only statement), so Lambda's principal rides along here.
    principal = {"Service": "lambda.amazonaws.com", "AWS": caller}
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}],
    }
    iam = world.moto.client("iam")
    arn = iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=ROLE, PolicyName="sync", PolicyDocument=json.dumps(role_policy(world)))
    return str(arn)


class Function:
    """The function created in moto (its configuration read back from the create response: moto's
    GET calls of Lambda fail signature checks with IAM auth on) and run through the runner."""

    def __init__(self, world: FunctionWorld, archive: BuiltArchive, runtime: Path) -> None:
        self.world, self.runtime = world, runtime
        self.archive = archive
        role_arn = create_role(world)
        created = world.moto.client("lambda", REGION).create_function(
            FunctionName="sendbird-sync-test",
            Runtime=facts.RUNTIME,
            Architectures=[facts.ARCHITECTURE],
            Handler=facts.HANDLER,
            Role=role_arn,
            Code={"ZipFile": archive.path.read_bytes()},
            Timeout=facts.TIMEOUT_SECONDS,
            MemorySize=facts.MEMORY_MB,
            Environment={"Variables": world.environment},
        )
        assert created["CodeSha256"] == archive.sha256_base64  # the hash Pulumi gives Lambda
        self.environment: dict[str, str] = created["Environment"]["Variables"]
        assumed = world.moto.client("sts").assume_role(RoleArn=role_arn, RoleSessionName="scheduled-sync")
        self.credentials = RoleCredentials.from_assume_role(assumed)

    def invoke(self) -> LocalResult:
        return run_as_lambda(
            LocalInvocation(
                archive=self.archive.path,
                environment=self.environment,
                credentials=self.credentials,
                endpoint_url=self.world.moto.endpoint,
                region=REGION,
                runtime_dir=self.runtime,
            )
        )

    def s3(self) -> Any:
        """An S3 client signed as the function's role."""
        creds = self.credentials
        return boto3.client(
            "s3",
            region_name=REGION,
            endpoint_url=self.world.moto.endpoint,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
            config=S3_CONFIG,
        )

    def secrets(self) -> list[str]:
        return [*self.world.secrets(), self.credentials.secret_access_key, self.credentials.session_token]


def summary_and_metrics(result: LocalResult) -> tuple[dict[str, Any], dict[str, Any]]:
    documents = result.json_lines()
    (summary,) = [d for d in documents if d.get("message") == SUMMARY_MESSAGE]
    (metrics,) = [d for d in documents if "_aws" in d]
    return summary, metrics


@pytest.fixture
def world(moto: MotoServer, make_emulator: Callable[..., SendbirdEmulator]) -> FunctionWorld:
    # The function paces itself at Sendbird's documented 5 POST/s; the emulator needs no raised
    # limits for that, but listing pages are quicker with them.
    return function_world(moto, make_emulator(rate_limits=FAST_LIMITS))


def test_the_function_copies_each_recording_once_in_an_isolated_interpreter_as_its_own_role(
    world: FunctionWorld, archive: BuiltArchive, runtime: Path
) -> None:
    seeded = seed_application(world.emulator, world.app_id, events=4, rooms=2, byte_size=SIZE)
    now = world.emulator.clock()
    expected = {r.recording_id for r in seeded if r.status == "completed" and not r.expired(now)}
    assert 5 <= len(expected) <= 15  # a handful: real 5/s pacing keeps this test short
    function = Function(world, archive, runtime)

    first = function.invoke()
    assert first.ok, (first.error, first.stderr[-2000:])
    assert first.value["counts"][COPIED_NOW] == len(expected)
    assert world.copy_posts() == dict.fromkeys(expected, 1)
    summary, metrics = summary_and_metrics(first)
    assert summary["app_id"] == world.app_id and summary["counts"][COPIED_NOW] == len(expected)
    # It ran on the runtime's urllib3 (either major), and its summary says which it had.
    assert summary["runtime"]["urllib3"] == installed_version(runtime, "urllib3")
    assert summary["runtime"]["boto3"] == boto3.__version__
    (directive,) = metrics["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == facts.METRICS_NAMESPACE
    assert directive["Dimensions"] == [[facts.METRIC_DIMENSION]] and metrics["AppId"] == world.app_id
    assert metrics[facts.METRIC_COPIED] == len(expected) and metrics[facts.METRIC_FAILED] == 0

    # Each copy's MP4 was checked by ranged reads as the role (one each: the fixture's boxes), and
    # its facts kept; the role may read a recording's bytes, never write or delete one.
    assert summary["requests"]["s3 GetObject (range)"] == len(expected)
    key = _copied_keys(world)[0]
    ledger = Ledger(world.moto.client("s3", REGION), world.dest.bucket, world.app_id)
    stored = ledger.read(key.removesuffix(".mp4"))
    assert stored is not None and stored.entry is not None and stored.entry.object is not None
    assert stored.entry.object["media"]["width"] == 1280 and stored.entry.object["media"]["fps"] == 30.0
    for write in (
        lambda s3: s3.put_object(Bucket=world.dest.bucket, Key=key, Body=b"x"),
        lambda s3: s3.delete_object(Bucket=world.dest.bucket, Key=key),
    ):
        with pytest.raises(ClientError) as refused:
            write(function.s3())
        assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403

    second = function.invoke()
    assert second.ok and second.value["counts"][ALREADY_SAFE] == len(expected)
    assert second.value["counts"][COPIED_NOW] == 0 and world.copy_posts() == dict.fromkeys(expected, 1)

    everything = "\n".join([*first.log_lines, first.stderr, *second.log_lines, second.stderr])
    for secret in function.secrets():
        assert secret not in everything


def _copied_keys(world: FunctionWorld) -> list[str]:
    listing = world.moto.client("s3", REGION).list_objects_v2(Bucket=world.dest.bucket)
    return [o["Key"] for o in listing.get("Contents", []) if not o["Key"].startswith(LEDGER_PREFIX)]


def test_without_its_ledger_permission_the_function_fails_naming_it(
    world: FunctionWorld, archive: BuiltArchive, runtime: Path
) -> None:
    world.add("rec-1")
    function = Function(world, archive, runtime)
    world.moto.client("iam").put_role_policy(
        RoleName=ROLE, PolicyName="sync", PolicyDocument=json.dumps(role_policy(world, ledger_writes=False))
    )
    result = function.invoke()
    assert result.exit_code == 1 and result.error is not None
    assert result.error["errorType"] == "ScheduledSyncError"
    message = result.error["errorMessage"]
    # Its first ledger-prefix write is the run's lease: refused, the run does nothing at all.
    assert "could not take the sync lease" in message and "PutObject: AccessDenied" in message
    assert "the function's role lacks s3:PutObject" in message
    assert world.copy_posts() == {}  # nothing was claimed, so Sendbird was never asked
    (summary,) = [d for d in result.json_lines() if d.get("message") == SUMMARY_MESSAGE]  # logged first
    assert summary["passed"] is False and "could not take the sync lease" in summary["error"]
    for secret in function.secrets():
        assert secret not in "\n".join([*result.log_lines, result.stderr, message])
