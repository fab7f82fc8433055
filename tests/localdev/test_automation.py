"""The Pulumi CLI path (`pulumi up --stack local` into moto). The CLI and the AWS provider plugin
download from the internet, so CI has neither: the up test skips with that reason, and the emulator
deploy tests (test_e2e_local.py) prove the same program against the same moto."""

import json
import shutil

import pytest

from localdev.automation import (
    MOTO_SERVICES,
    STACK_FILE,
    AutomationUnavailable,
    endpoint_config,
    pulumi_cli,
    up_local,
)
from sendbird_copy.outputs import parse_stack_outputs


def test_endpoint_config_points_exactly_our_services_at_moto():
    config = endpoint_config("http://127.0.0.1:4566")
    assert config == {f"aws:endpoints[0].{service}": "http://127.0.0.1:4566" for service in MOTO_SERVICES}
    # The storage's four and the scheduled sync's six (the provider's names for them).
    storage = {"s3", "kms", "iam", "sts"}
    sync = {"secretsmanager", "lambda", "cloudwatchlogs", "sqs", "scheduler", "cloudwatch"}
    assert set(MOTO_SERVICES) == storage | sync


def test_local_stack_file_configures_the_provider_for_moto():
    import yaml

    config = yaml.safe_load(STACK_FILE.read_text())["config"]
    assert config["aws:skipCredentialsValidation"] is True
    assert config["aws:skipRequestingAccountId"] is True
    assert config["aws:s3UsePathStyle"] is True
    assert set(config["aws:endpoints"][0]) == set(MOTO_SERVICES)


def test_missing_cli_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(AutomationUnavailable, match="Pulumi CLI is not on PATH"):
        pulumi_cli()


@pytest.mark.skipif(
    shutil.which("pulumi") is None,
    reason="needs the Pulumi CLI and the AWS provider plugin, which download from the internet",
)
def test_pulumi_up_local_into_moto(moto, tmp_path, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", moto.deployer.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", moto.deployer.secret_access_key)
    monkeypatch.setenv("SENDBIRD_API_TOKEN", "local-token-for-the-scheduled-sync")
    monkeypatch.setenv("SENDBIRD_API_BASE_URL", "http://127.0.0.1:9/v1")
    before = STACK_FILE.read_bytes()
    outputs = up_local(moto.endpoint, tmp_path / "state")
    assert STACK_FILE.read_bytes() == before
    apps = parse_stack_outputs(json.loads(json.dumps(outputs)))
    for app in apps.values():
        location = moto.client("s3", app.region).get_bucket_location(Bucket=app.bucket_name)
        assert location["LocationConstraint"] == app.region
