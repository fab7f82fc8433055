"""Bad input and configuration: exit 2 with one clear line, never a traceback; unreachable -> exit 1.

These need no AWS (the outputs are rejected before any client is built), except where noted.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sendbird_copy.cli.inputs import load_outputs
from sendbird_copy.errors import OptionError
from sendbird_copy.facts import APP_ID_ALLOWED
from tests.sendbird_copy.cli_support import COPY_SECRET, PROJECT_DIR, CopyCli, closed_port


def outputs_document(*app_ids: str) -> dict:
    apps = {
        app_id: {
            "app_id": app_id,
            "region": "ap-northeast-2",
            "bucket_name": f"rec-{app_id.lower()}",
            "bucket_arn": f"arn:aws:s3:::rec-{app_id.lower()}",
            "kms_key_arn": "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
            "kms_alias": "alias/rec",
            "copy_user_name": f"copy-{app_id}",
            "copy_access_key_id": "AKIAEXAMPLEEXAMPLE00",
        }
        for app_id in app_ids
    }
    return {"applications": apps, "copy_secret_access_keys": dict.fromkeys(app_ids, COPY_SECRET)}


@pytest.fixture
def outputs_file(tmp_path: Path) -> Path:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs_document("APP-A", "APP-B")))
    return path


def test_missing_outputs_file(offline_cli: CopyCli, tmp_path: Path) -> None:
    done = offline_cli.invoke("check-region", tmp_path / "nope.json")
    assert done.exit_code == 2
    assert done.stderr.strip() == f"error: --outputs {tmp_path / 'nope.json'}: no such file"


def test_malformed_json_names_the_position_not_the_content(offline_cli: CopyCli, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"applications": {"A": {"copy_secret": "' + COPY_SECRET + '",}}')
    done = offline_cli.invoke("preflight", path)
    assert done.exit_code == 2
    assert "malformed JSON (line 1" in done.stderr


def test_missing_output_field_is_named(offline_cli: CopyCli, tmp_path: Path) -> None:
    document = outputs_document("APP-A")
    del document["applications"]["APP-A"]["kms_key_arn"]
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    done = offline_cli.invoke("check-region", path)
    assert done.exit_code == 2
    assert "applications.APP-A.kms_key_arn is missing" in done.stderr


def test_masked_secret_says_how_to_read_outputs(offline_cli: CopyCli, tmp_path: Path) -> None:
    document = outputs_document("APP-A")
    document["copy_secret_access_keys"]["APP-A"] = "[secret]"
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    done = offline_cli.invoke("preflight", path)
    assert done.exit_code == 2
    assert "--show-secrets" in done.stderr


@pytest.mark.parametrize("token", ["", "   ", None], ids=["empty", "blank", "unset"])
def test_copy_without_token_names_the_variable(offline_cli: CopyCli, outputs_file: Path, token) -> None:
    done = offline_cli.invoke("copy", outputs_file, "--app-id", "APP-A", "--recording-id", "r1", token=token)
    assert done.exit_code == 2
    assert "SENDBIRD_API_TOKEN is empty or not set" in done.stderr


def test_smoke_test_with_recording_needs_token_too(offline_cli: CopyCli, outputs_file: Path) -> None:
    done = offline_cli.invoke(
        "smoke-test", outputs_file, "--app-id", "APP-A", "--recording-id", "r1", token=""
    )
    assert done.exit_code == 2
    assert "SENDBIRD_API_TOKEN" in done.stderr


def test_unknown_app_id_lists_known_ids(offline_cli: CopyCli, outputs_file: Path) -> None:
    done = offline_cli.invoke("check-region", outputs_file, "--app-id", "APP-Z")
    assert done.exit_code == 2
    assert "--app-id 'APP-Z' is not in the stack outputs; known application ids: APP-A, APP-B" in done.stderr


def test_recording_id_with_several_apps_needs_app_id(offline_cli: CopyCli, outputs_file: Path) -> None:
    done = offline_cli.invoke("copy", outputs_file, "--recording-id", "r1")
    assert done.exit_code == 2
    assert "pass --app-id (one of: APP-A, APP-B)" in done.stderr


def test_json_mode_prints_an_error_document(offline_cli: CopyCli, outputs_file: Path) -> None:
    done = offline_cli.invoke("check-region", outputs_file, "--app-id", "APP-Z", "--json")
    assert done.exit_code == 2
    document = done.json()
    assert document["verdict"] == "error"
    assert document["error"]["exit_code"] == 2
    assert "APP-Z" in document["error"]["message"]


@pytest.mark.parametrize(
    ("command", "args", "message"),
    [
        ("copy", [], "Missing option '--recording-id'"),
        ("sync", ["--workers", "0"], "'--workers'"),
        ("sync", ["--max-copies", "0"], "'--max-copies'"),
        ("smoke-test", ["--no-such-flag"], "No such option '--no-such-flag'"),
    ],
)
def test_json_mode_prints_the_error_document_for_click_usage_errors_too(
    offline_cli: CopyCli, outputs_file: Path, command: str, args: list[str], message: str
) -> None:
    done = offline_cli.invoke(command, outputs_file, "--json", *args)
    assert done.exit_code == 2
    document = done.json()
    assert document["verdict"] == "error" and document["error"]["exit_code"] == 2
    assert message in document["error"]["message"]
    assert done.stderr.startswith("error: ") and message in done.stderr
    human = offline_cli.invoke(command, outputs_file, *args)  # without --json: click's usual text
    assert human.exit_code == 2 and human.stdout == "" and "Usage: " in human.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--outputs", "a.json", "--stack", "dev"],
        [],
    ],
    ids=["both", "neither"],
)
def test_exactly_one_outputs_source(offline_cli: CopyCli, args: list[str]) -> None:
    done = offline_cli.invoke("check-region", None, *args)
    assert done.exit_code == 2
    assert "give exactly one of --outputs FILE" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--wait-timeout", "-1"], "--wait-timeout"),
        (["--poll-interval", "abc"], "--poll-interval"),
        (["--sendbird-aws-region", "mars-1"], "--sendbird-aws-region 'mars-1' is not an AWS region"),
        (["--api-base-url", "not-a-url"], "'--api-base-url': 'not-a-url' is not an http(s) URL"),
        (["--aws-endpoint-url", "ftp://x"], "--aws-endpoint-url 'ftp://x' is not an http(s) URL"),
    ],
)
def test_bad_flag_values(offline_cli: CopyCli, outputs_file: Path, args: list[str], message: str) -> None:
    done = offline_cli.invoke("smoke-test", outputs_file, "--app-id", "APP-A", *args)
    assert done.exit_code == 2
    assert message in done.stderr


def test_outputs_from_stdin(offline_cli: CopyCli) -> None:
    # An unknown --app-id proves the document was read from stdin (its ids are listed).
    done = offline_cli.invoke(
        "check-region", "-", "--app-id", "X", input=json.dumps(outputs_document("FROM-STDIN"))
    )
    assert done.exit_code == 2
    assert "known application ids: FROM-STDIN" in done.stderr


def test_unreachable_sendbird_api_is_a_failed_check_naming_the_host(
    offline_cli: CopyCli, outputs_file: Path
) -> None:
    port = closed_port()
    done = offline_cli.invoke(
        "copy", outputs_file, "--app-id", "APP-A", "--recording-id", "r1",
        "--api-base-url", f"http://127.0.0.1:{port}/v1", "--json",
    )  # fmt: skip
    assert done.exit_code == 1
    check = done.check("copy accepted")
    assert check["status"] == "fail"
    assert f"cannot reach Sendbird at 127.0.0.1:{port}" in check["detail"]
    assert done.json()["verdict"] == "fail"


def test_unreachable_aws_endpoint_names_the_host(offline_cli: CopyCli, outputs_file: Path) -> None:
    port = closed_port()
    done = offline_cli.invoke(
        "check-region", outputs_file, "--app-id", "APP-A", "--aws-endpoint-url", f"http://127.0.0.1:{port}"
    )
    assert done.exit_code == 1
    assert f"cannot reach AWS at 127.0.0.1:{port}" in done.stdout
    assert done.stdout.rstrip().endswith("verdict: FAIL (1 of 1 application(s) failed)")


def test_no_deployer_credentials_is_a_configuration_error(offline_cli: CopyCli, outputs_file: Path) -> None:
    done = offline_cli.invoke(
        "check-region", outputs_file, "--app-id", "APP-A",
        "--aws-endpoint-url", f"http://127.0.0.1:{closed_port()}",
        env={"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None},
    )  # fmt: skip
    assert done.exit_code == 2
    assert "AWS configuration for the deployer's checks" in done.stderr


# -- --stack: pulumi runs as a subprocess --------------------------------------------------------------


def fake_pulumi(bin_dir: Path, script: str) -> Path:
    bin_dir.mkdir(exist_ok=True)
    path = bin_dir / "pulumi"
    path.write_text(f"#!{sys.executable}\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_stack_without_pulumi_cli_says_how_to_proceed(
    offline_cli: CopyCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    done = offline_cli.invoke("check-region", None, "--stack", "dev")
    assert done.exit_code == 2
    assert "--stack needs the pulumi CLI, which is not on PATH" in done.stderr
    assert "--outputs outputs.json" in done.stderr


def test_stack_runs_pulumi_stack_output_with_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    argv_file = tmp_path / "argv.json"
    document = json.dumps(outputs_document("FROM-PULUMI"))
    fake_pulumi(
        tmp_path / "bin",
        f"import json, sys\njson.dump(sys.argv[1:], open({str(argv_file)!r}, 'w'))\nprint({document!r})",
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    apps = load_outputs(None, "dev")
    assert list(apps) == ["FROM-PULUMI"]
    assert json.loads(argv_file.read_text()) == [
        "stack",
        "output",
        "--json",
        "--show-secrets",
        "--stack",
        "dev",
    ]


def test_stack_reports_pulumi_failure(
    offline_cli: CopyCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_pulumi(
        tmp_path / "bin", "import sys\nsys.stderr.write('error: no stack named dev found\\n')\nsys.exit(255)"
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    done = offline_cli.invoke("preflight", None, "--stack", "dev")
    assert done.exit_code == 2
    assert (
        "'pulumi stack output --stack dev' failed (exit 255): error: no stack named dev found" in done.stderr
    )
    with pytest.raises(OptionError):
        load_outputs(None, "dev")


def test_stack_with_a_pulumi_that_never_answers_times_out_saying_what_it_waited_for(
    offline_cli: CopyCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A shell script whose child keeps the pipes open: killing the script alone would still hang.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "pulumi"
    script.write_text("#!/bin/sh\nsleep 120\necho late\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("sendbird_copy.cli.inputs.PULUMI_TIMEOUT_SECONDS", 1.5)
    monkeypatch.setattr("sendbird_copy.cli.inputs.PULUMI_PROGRESS_SECONDS", 0.5)
    done = offline_cli.invoke("preflight", None, "--stack", "dev", "--json")
    assert done.exit_code == 2
    message = done.json()["error"]["message"]
    assert "'pulumi stack output --json --show-secrets --stack dev' did not answer in 1.5 s" in message
    assert "waited for the stack's outputs" in message and "--outputs" in message
    assert "still waiting for 'pulumi stack output --stack dev'" in done.stderr  # off a terminal too


# -- real processes --------------------------------------------------------------------------------


def test_python_dash_m_bad_input_exits_2_without_traceback(offline_cli: CopyCli, tmp_path: Path) -> None:
    path = tmp_path / "outputs.json"
    path.write_text("{not json")
    done = offline_cli.run_module("smoke-test", path)
    assert done.exit_code == 2
    assert done.stderr.startswith(f"error: --outputs {path}: malformed JSON")
    assert done.stdout == ""


def test_help_imports_neither_boto3_nor_requests_nor_pulumi() -> None:
    code = (
        "import sys\n"
        "from sendbird_copy.cli.commands import main\n"
        "try:\n    main(['smoke-test', '--help'])\nexcept SystemExit as exc:\n    assert exc.code == 0\n"
        "heavy = [m for m in ('boto3', 'botocore', 'requests', 'urllib3', 'pulumi') if m in sys.modules]\n"
        "print(','.join(heavy) or 'none')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_DIR, timeout=60, check=True
    )
    assert "--recording-id" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "none"


# -- credentials inside a URL flag ------------------------------------------------------------------

URL_PASSWORD = "pw-5ecr3t-in-url"


URL_CASES = {
    # A user or password in a Sendbird URL is refused (rules.check_base_url), never used.
    "api-with-password": ("copy", "--api-base-url", "http://user:{pw}@127.0.0.1:{port}/v1", 2,
                          "'--api-base-url': has a user or password in it (not shown)"),
    "org-with-password": ("copy", "--org-api-base-url", "http://user:{pw}@127.0.0.1:{port}", 2,
                          "'--org-api-base-url': has a user or password in it (not shown)"),
    "bad-scheme": ("copy", "--api-base-url", "ftp://user:{pw}@127.0.0.1:{port}/v1", 2,
                   "'--api-base-url': 'ftp://127.0.0.1:{port}/v1' is not"),
    "bad-port": ("copy", "--api-base-url", "http://user:{pw}@127.0.0.1:x{port}/v1", 2,
                 "'http://127.0.0.1:x{port}/v1' is not"),
    "no-scheme": ("copy", "--org-api-base-url", "user:{pw}@127.0.0.1:{port}", 2,
                  "'--org-api-base-url': '127.0.0.1:{port}' is not"),
    "unreachable-aws": ("check-region", "--aws-endpoint-url", "http://user:{pw}@127.0.0.1:{port}", 1,
                        "cannot reach AWS at 127.0.0.1:{port}"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("command", "flag", "url", "exit_code", "shown"), list(URL_CASES.values()), ids=list(URL_CASES)
)
def test_url_credentials_never_reach_the_output(
    offline_cli: CopyCli, outputs_file: Path, command, flag, url, exit_code, shown
) -> None:
    port = closed_port()
    offline_cli.secrets.append(URL_PASSWORD)  # assert_clean: not in stdout, stderr or the logs
    extra = ["--recording-id", "r1"] if command == "copy" else []
    done = offline_cli.invoke(
        command, outputs_file, "--app-id", "APP-A", *extra, flag, url.format(pw=URL_PASSWORD, port=port)
    )
    assert done.exit_code == exit_code, done.text
    assert shown.format(port=port) in done.text
    assert "user:" not in done.text and "pw-5ecr3t" not in done.text


# -- the region in the stack outputs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "hint"),
    [
        ("ap-2", "('ap-2' is the Sendbird key of ap-northeast-2)"),  # a key would reach the copy API
        ("mars-1", "not a Sendbird region key"),
        ("AP-NORTHEAST-2", "not a Sendbird region key"),
    ],
)
def test_region_in_outputs_must_be_an_aws_region(
    offline_cli: CopyCli, tmp_path: Path, region: str, hint: str
) -> None:
    document = outputs_document("APP-A")
    document["applications"]["APP-A"]["region"] = region
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    done = offline_cli.invoke("check-region", path, "--aws-endpoint-url", f"http://127.0.0.1:{closed_port()}")
    assert done.exit_code == 2, done.text
    assert done.stdout == ""  # stopped before any check ran
    message = done.stderr.strip()
    assert message.startswith(
        f"error: --outputs {path}: applications.APP-A.region is '{region}', not an AWS region"
    )
    assert "use the AWS region of the bucket (Sendbird runs in ap-northeast-1, ap-northeast-2," in message
    assert hint in message


# -- an application id the API client cannot put in a host name ------------------------------------


# One rule (rules.check_app_id, in stack_outputs) for every command: check-region and preflight, which
# build no Sendbird client, used to answer "not found" (exit 1) where sync and smoke-test said exit 2.
CYRILLIC_A = "\u0410"  # looks like the Latin A


@pytest.mark.parametrize("app_id", ["evil.example/x", "app/../x", f"{CYRILLIC_A}PP-A"])
@pytest.mark.parametrize("command", ["copy", "smoke-test", "check-region", "preflight", "sync", "status"])
def test_unusable_application_id_names_its_input_before_any_check(
    offline_cli: CopyCli, tmp_path: Path, command: str, app_id: str
) -> None:
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(outputs_document(app_id)))
    extra = ["--recording-id", "r1"] if command in ("copy", "smoke-test") else []
    done = offline_cli.invoke(
        command, path, *extra, "--aws-endpoint-url", f"http://127.0.0.1:{closed_port()}"
    )
    assert done.exit_code == 2, done.text
    assert done.stdout == ""  # no region check, preflight or copy was attempted
    assert done.stderr.strip() == (
        f"error: --outputs {path}: applications.{app_id}.app_id '{app_id}' is not a Sendbird application "
        f"id. Allowed: {APP_ID_ALLOWED}"
    )


def test_replica_region_in_outputs_must_be_an_aws_region_of_any_kind(
    offline_cli: CopyCli, tmp_path: Path
) -> None:
    """A replica may be in any AWS region (only its owner reads it): the message names no Sendbird list."""
    document = outputs_document("APP-A")
    document["applications"]["APP-A"].update(replica_bucket_name="replica", replica_region="eu-2")
    path = tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    done = offline_cli.invoke("check-region", path, "--aws-endpoint-url", f"http://127.0.0.1:{closed_port()}")
    assert done.exit_code == 2, done.text
    message = done.stderr.strip()
    assert "applications.APP-A.replica_region is 'eu-2', not an AWS region code" in message
    assert "the replica bucket (any AWS region)" in message and "Sendbird runs in" not in message
