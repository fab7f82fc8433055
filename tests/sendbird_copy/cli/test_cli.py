"""Command wiring with a fake factory: no moto, no emulator, no network.

The commands are thin: they ask the factory for applications and an environment and call a stage
function. These tests hand them a factory whose AWS clients are small stand-ins, and check what
reaches the stage, what is printed, and the exit code that ``exit_code`` decides.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import pytest
from click.testing import CliRunner

from sendbird_copy.checks.report import AppReport, failed, passed
from sendbird_copy.checks.smoke import Environment
from sendbird_copy.cli.commands import (
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    EXIT_PASS,
    EXIT_USAGE,
    cli,
    exit_code,
)
from sendbird_copy.cli.factory import CLIFactory, CommonOptions
from sendbird_copy.errors import (
    AwsAccessDenied,
    AwsConfigurationError,
    OptionError,
    OutputsError,
    RegionError,
    SendbirdApiError,
    SendbirdConnectionError,
)
from sendbird_copy.outputs import AppOutputs

KEY_ARN = "arn:aws:kms:ap-northeast-2:123456789012:key/1111-2222"
SECRET = "copy-secret-never-printed-0123456789abcdef"


def app(app_id: str = "APP-1", region: str = "ap-northeast-2") -> AppOutputs:
    return AppOutputs(
        app_id=app_id,
        region=region,
        bucket_name=f"bucket-{app_id.lower()}",
        bucket_arn=f"arn:aws:s3:::bucket-{app_id.lower()}",
        kms_key_arn=KEY_ARN,
        kms_alias="alias/x",
        copy_user_name="copy-user",
        copy_access_key_id="AKIAFAKEFAKEFAKE0000",
        copy_secret_access_key=SECRET,
    )


class StubS3:
    def __init__(self, region: str) -> None:
        self.region = region

    def head_bucket(self, Bucket: str) -> dict[str, Any]:
        return {"ResponseMetadata": {"HTTPHeaders": {"x-amz-bucket-region": self.region}}}

    def __getattr__(self, operation: str) -> Any:
        """Every other call (the preflight's probes) is refused, as AwsClients' clients raise it."""

        def refused(**_params: Any) -> Any:
            raise AwsAccessDenied(f"{operation}: AccessDenied (HTTP 403)", code="AccessDenied")

        return refused


class StubKms:
    def describe_key(self, KeyId: str) -> dict[str, Any]:
        return {"KeyMetadata": {"KeyId": KeyId.rsplit("/", 1)[-1], "KeyState": "Enabled", "Enabled": True}}


class StubAws:
    """The two methods the region stage uses, answering as AWS would for a bucket in ``bucket_region``."""

    def __init__(self, bucket_region: str) -> None:
        self.bucket_region = bucket_region
        self.calls: list[tuple[str, str]] = []

    def deployer(self, service: str, region: str) -> Any:
        self.calls.append((service, region))
        if service == "iam":
            return InterruptedIam()
        return StubS3(self.bucket_region) if service == "s3" else StubKms()

    def copy_identity(self, service: str, region: str, app: AppOutputs) -> Any:
        return StubS3(self.bucket_region)


class InterruptedIam:
    """The preflight's first call: the user presses Ctrl-C right there."""

    def get_paginator(self, name: str) -> Any:
        raise KeyboardInterrupt


def fake_factory(apps: list[AppOutputs], bucket_region: str = "ap-northeast-2", raises: Any = None) -> Any:
    class FakeFactory(CLIFactory):
        seen: ClassVar[list[dict[str, Any]]] = []

        def applications(self, recording_id: str | None = None) -> list[AppOutputs]:
            if raises is not None:
                raise raises
            self.reporter.add_secrets(a.copy_secret_access_key for a in apps)
            return apps

        def environment(
            self, apps: list[AppOutputs], *, needs_token: bool, needs_deployer: bool
        ) -> Environment:
            FakeFactory.seen.append({"needs_token": needs_token, "needs_deployer": needs_deployer})
            self.aws = StubAws(bucket_region)
            return Environment(aws=self.aws, reports=self.started_reports)  # type: ignore[arg-type]

    return FakeFactory


def invoke(factory: Any, *args: str) -> Any:
    return CliRunner().invoke(cli, list(args), obj=factory, env={"SENDBIRD_API_TOKEN": None})


def test_check_region_reaches_the_stage_with_the_factorys_clients() -> None:
    factory = fake_factory([app()])
    result = invoke(factory, "check-region", "--json")
    assert result.exit_code == EXIT_PASS, result.output
    document = json.loads(result.stdout)
    names = [c["name"] for c in document["applications"][0]["checks"]]
    assert names == ["bucket region", "KMS key", "regions match"]
    assert factory.seen == [{"needs_token": False, "needs_deployer": True}]


def test_a_failed_check_exits_1_and_prints_the_verdict() -> None:
    result = invoke(fake_factory([app()], bucket_region="us-west-2"), "check-region")
    assert result.exit_code == EXIT_FAIL
    assert "regions differ" in result.stdout and "verdict: FAIL" in result.stdout


def test_each_command_asks_for_what_it_needs() -> None:
    factory = fake_factory([app()])
    invoke(factory, "preflight")
    invoke(factory, "copy", "--recording-id", "r1")
    assert factory.seen[0] == {"needs_token": False, "needs_deployer": True}
    assert factory.seen[1] == {"needs_token": True, "needs_deployer": False}


@pytest.mark.parametrize(
    ("error", "code", "message"),
    [
        (OptionError("--app-id 'X' is not in the stack outputs"), EXIT_USAGE, "--app-id 'X'"),
        (OutputsError("outputs.json: applications.A.region is missing"), EXIT_USAGE, "region is missing"),
        (RegionError("region 'mars-1' is not a known region"), EXIT_USAGE, "mars-1"),
        (AwsConfigurationError("no credentials"), EXIT_USAGE, "no credentials"),
        (SendbirdConnectionError("Could not reach the Sendbird API"), EXIT_FAIL, "Could not reach"),
        (KeyboardInterrupt(), EXIT_INTERRUPTED, "interrupted"),
    ],
)
def test_errors_from_the_factory_become_one_line_and_their_exit_code(error, code, message) -> None:
    result = invoke(fake_factory([app()], raises=error), "check-region", "--json")
    assert result.exit_code == code
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert json.loads(result.stdout)["error"]["exit_code"] == code
    assert "Traceback" not in result.output


def test_a_bug_is_not_mistaken_for_a_verdict() -> None:
    result = invoke(fake_factory([app()], raises=RuntimeError("bug")), "check-region")
    assert isinstance(result.exception, RuntimeError)  # surfaces, with its traceback, to the developer


def test_secrets_the_factory_learns_are_redacted_from_what_is_printed() -> None:
    # A service answer that quotes the copy user's secret (the stub bucket "region") is masked.
    result = invoke(fake_factory([app()], bucket_region=f"in-{SECRET}"), "check-region")
    assert result.exit_code == EXIT_FAIL
    assert SECRET not in result.output and "in-***" in result.output


@pytest.mark.parametrize(
    ("error", "reports", "code"),
    [
        (None, [AppReport("A", [passed("x", "y")])], EXIT_PASS),
        (None, [AppReport("A", [passed("x", "y")]), AppReport("B", [failed("x", "y")])], EXIT_FAIL),
        (None, [], EXIT_PASS),
        (OptionError("x"), [], EXIT_USAGE),
        (SendbirdApiError(401, 401121, "NOT_AUTHORIZED", "bad token"), [], EXIT_FAIL),
        (KeyboardInterrupt(), [], EXIT_INTERRUPTED),
        (ZeroDivisionError(), [], None),
    ],
)
def test_exit_code_is_decided_in_one_place(error, reports, code) -> None:
    assert exit_code(error, reports) == code


def test_botocore_failures_are_classified_by_type() -> None:
    from botocore.exceptions import ClientError, NoCredentialsError, ProfileNotFound

    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, "PutObject")
    assert exit_code(denied, []) == EXIT_FAIL
    assert exit_code(NoCredentialsError(), []) == EXIT_USAGE
    assert exit_code(ProfileNotFound(profile="x"), []) == EXIT_USAGE


def test_the_default_factory_is_used_without_obj() -> None:
    options = CommonOptions(None, None, None, False, None, None, None, None)
    factory = CLIFactory(options, environ={"SENDBIRD_API_TOKEN": "tok-0123456789"})
    assert "tok-0123456789" in factory.reporter.secrets
    with pytest.raises(OptionError, match="give exactly one of --outputs"):
        factory.applications()


def test_ctrl_c_during_a_json_run_still_prints_the_checks_that_finished() -> None:
    result = invoke(fake_factory([app()]), "smoke-test", "--json")
    assert result.exit_code == EXIT_INTERRUPTED
    document = json.loads(result.stdout)
    assert document["verdict"] == "error" and document["error"]["message"] == "interrupted"
    (report,) = document["applications"]
    # The region stage finished before the preflight was interrupted: its checks are all there.
    assert [c["name"] for c in report["checks"]] == ["bucket region", "KMS key", "regions match"]


def test_ctrl_c_during_a_human_run_prints_the_finished_checks_then_the_error() -> None:
    result = invoke(fake_factory([app()]), "smoke-test")
    assert result.exit_code == EXIT_INTERRUPTED
    assert "PASS regions match" in result.stdout
    assert result.stderr.strip() == "error: interrupted"
