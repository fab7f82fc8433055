"""Run a function of the emulator deploy once, as Lambda would, with its own role's credentials.

The code is the archive the deploy uploaded (checked against the CodeSha256 moto answered), the
environment is the function's configuration as moto's CreateFunction returned it (moto's Lambda GET
calls fail signature checks with IAM auth on, so the create response is where it is read back), and
the credentials come from ``sts:AssumeRole`` on the function's role, so moto's IAM enforcement judges
the role's real policy. The event is what its schedule delivers (the schedule target's input).
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

from localdev.emulator_deploy.sync import DeployedFunction
from localdev.lambda_runner import LocalInvocation, LocalResult, RoleCredentials, run_as_lambda
from localdev.moto_server import MotoServer


class DeployedCodeMismatch(RuntimeError):
    """The archive on disk is not the code moto holds for the function."""


def role_credentials(
    moto: MotoServer, role_arn: str, session: str = "local-scheduled-run"
) -> RoleCredentials:
    """The role's temporary credentials, assumed with the deployer's (the emulator deploy lets the
    deployer assume it: see ``DeployResult.trust_widened``)."""
    response = moto.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session)
    return RoleCredentials.from_assume_role(response)


def invocation(
    moto: MotoServer, function: DeployedFunction, *, runtime_dir: Path | None = None, **changes: Any
) -> LocalInvocation:
    """How ``function`` runs once: its archive, environment, region, role and scheduled event."""
    configuration = function.configuration
    data = function.archive.read_bytes()
    if base64.b64encode(hashlib.sha256(data).digest()).decode() != configuration["CodeSha256"]:
        raise DeployedCodeMismatch(f"{function.archive} is not the code deployed as {function.name}")
    region = configuration["FunctionArn"].split(":")[3]
    event = json.loads(function.scheduled_input) if function.scheduled_input else {}
    values: dict[str, Any] = {
        "archive": data,
        "environment": dict(configuration.get("Environment", {}).get("Variables", {})),
        "credentials": role_credentials(moto, configuration["Role"]),
        "endpoint_url": moto.endpoint,
        "region": region,
        "event": event,
        "handler": configuration["Handler"],
        "function_name": function.name,
        "runtime_dir": runtime_dir,
        **changes,
    }
    return LocalInvocation(**values)


def run_deployed(moto: MotoServer, function: DeployedFunction, **changes: Any) -> LocalResult:
    """Run ``function`` once as Lambda would (see the module doc)."""
    return run_as_lambda(invocation(moto, function, **changes))
