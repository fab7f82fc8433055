"""A deployed ``local`` stack in moto with its applications in the emulator, for the e2e tests."""

from __future__ import annotations

import copy
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localdev.emulator_deploy import DeployResult, deploy_to_emulator, write_outputs
from localdev.local_run import MB, LocalApp, deploy_inputs, local_apps
from localdev.moto_server import MotoServer
from localdev.program_runner import load_stack_config
from localdev.smoke_runner import SmokeRun, SmokeTarget, run_smoke_test
from sendbird_copy.facts import CONFIG_NAMESPACE
from sendbird_copy.rules.regions import sendbird_key_for_aws_region

RECORDING_BYTES = 12 * MB  # three 5 MB parts: multipart for real, quick enough for every test
ORG_KEY = "org-key-e2e-0123456789abcdef"
NS = CONFIG_NAMESPACE
# Deny statements moto cannot evaluate; the emulator deploy must report each one by Sid.
UNEVALUABLE_SIDS = {
    "DenyInsecureTransport",
    "DenyOutdatedTls",
    "DenyWrongKmsKey",
    "DenyKmsWithoutOurKeyId",
    "DenyNonKmsEncryption",
    # moto judges bucket policies without the caller; the copy identity's IAM policy holds its twin.
    "DenyCopyIdentityToolPrefixes",
    "DenyCopyIdentityObjectTags",
    "DenyCopyIdentityObjectLock",
}


@dataclass
class LocalStack:
    moto: MotoServer
    emulator: Any
    apps: list[LocalApp]
    outputs_path: Path
    result: DeployResult

    @property
    def target(self) -> SmokeTarget:
        return SmokeTarget(
            self.moto, self.outputs_path, self.emulator.base_url, self.emulator.org_base_url, ORG_KEY
        )

    def app_outputs(self, app: LocalApp) -> dict[str, Any]:
        return self.result.outputs["applications"][app.app_id]

    def smoke(self, app: LocalApp, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return run_smoke_test(self.target, SmokeRun(app.app_id, app.api_token, **kwargs))

    def secrets(self) -> list[str]:
        keys = self.result.outputs["copy_secret_access_keys"].values()
        return [*keys, *(a.api_token for a in self.apps), ORG_KEY, self.moto.deployer.secret_access_key]


def two_region_config() -> dict[str, Any]:
    config = copy.deepcopy(load_stack_config("local"))
    first = config[f"{NS}:applications"][0]
    config[f"{NS}:applications"] = [
        first,
        {"app_id": "7D3A1B9C-2E4F-4A6B-8C0D-1E2F3A4B5C6D", "region": "us-west-2"},
    ]
    return config


def deploy_local(moto: MotoServer, emulator: Any, tmp_path: Path, config: dict[str, Any]) -> LocalStack:
    apps = local_apps(config, "e2e")
    for app in apps:
        key = sendbird_key_for_aws_region(app.aws_region)
        emulator.add_application(app.app_id, app.api_token, key, org_api_key=ORG_KEY)
        emulator.add_recording(app.app_id, app.recording_id, status="completed", byte_size=RECORDING_BYTES)
    deploy_config, secret_keys = deploy_inputs(config, apps, emulator.base_url)
    result = deploy_to_emulator(moto, deploy_config, secret_keys=secret_keys)
    outputs_path = tmp_path / "outputs.json"
    write_outputs(outputs_path, result.outputs)
    return LocalStack(moto, emulator, apps, outputs_path, result)
