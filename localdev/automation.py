"""``pulumi up --stack local`` into moto through the Automation API, for users with the Pulumi CLI.

This is the real Pulumi engine and the real AWS provider plugin, pointed at a moto server: the
provider's endpoints for every service the stack uses are set to moto, credential and account checks are
skipped and S3 uses path-style URLs (``stacks/Pulumi.local.yaml``). State lives in a file backend
under the work dir. CI cannot run this (the CLI and the provider plugin download from the internet);
the emulator deploy (``localdev/emulator_deploy/__init__.py``) covers the same program there.

    python -m localdev.automation --moto-endpoint http://127.0.0.1:5000 --out .local-run/outputs.json

The deployer's keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (moto's IAM user); the
scheduled sync's Sendbird URL and token from SENDBIRD_API_BASE_URL and SENDBIRD_API_TOKEN.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from localdev.emulator_deploy import write_outputs
from localdev.program_runner import PROJECT_DIR
from sendbird_copy.facts import PROJECT_NAME

MOTO_SERVICES = (
    "s3",
    "kms",
    "iam",
    "sts",
    "secretsmanager",
    "lambda",
    "cloudwatchlogs",
    "sqs",
    "scheduler",
    "cloudwatch",
)
STACK_FILE = PROJECT_DIR / "stacks" / "Pulumi.local.yaml"


class AutomationUnavailable(RuntimeError):
    """The Pulumi CLI is not installed, so the real engine cannot run here."""


def pulumi_cli() -> str:
    path = shutil.which("pulumi")
    if path is None:
        raise AutomationUnavailable(
            "the Pulumi CLI is not on PATH (install it from pulumi.com); the emulator deploy "
            "(scripts/run-local) needs no CLI"
        )
    return path


def endpoint_config(moto_endpoint: str) -> dict[str, str]:
    """Config keys (path form) that send the AWS provider's calls for our services to moto."""
    return {f"aws:endpoints[0].{service}": moto_endpoint for service in MOTO_SERVICES}


def env_api_url() -> str:
    return os.environ["SENDBIRD_API_BASE_URL"]


def local_app_ids() -> list[str]:
    from localdev.program_runner import load_stack_config

    return [app["app_id"] for app in load_stack_config("local")[f"{PROJECT_NAME}:applications"]]


def up_local(moto_endpoint: str, workdir: Path, stack_name: str = "local") -> dict[str, Any]:
    """Run ``pulumi up`` for the local stack against moto; return the outputs (secrets in plain)."""
    pulumi_cli()
    from pulumi import automation as auto

    needed = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SENDBIRD_API_TOKEN", "SENDBIRD_API_BASE_URL")
    missing = [name for name in needed if not os.environ.get(name)]
    if missing:
        raise AutomationUnavailable(
            f"{', '.join(missing)} not set: export the moto deployer's keys, and the emulator's URL and "
            "the application's token for the scheduled sync of the local stack"
        )
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        "PULUMI_BACKEND_URL": f"file://{workdir.resolve()}",
        "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE", "local-only"),
        "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
    }
    # set_config rewrites the stack file; keep the committed one as it was.
    original = STACK_FILE.read_bytes()
    try:
        stack = auto.create_or_select_stack(
            stack_name=stack_name,
            work_dir=str(PROJECT_DIR),
            opts=auto.LocalWorkspaceOptions(env_vars=env),
        )
        for key, value in endpoint_config(moto_endpoint).items():
            stack.set_config(key, auto.ConfigValue(value), path=True)
        # The scheduled sync of the local stack talks to the emulator with this token (a secret).
        stack.set_config(
            f"{PROJECT_NAME}:sync.sendbird_api_base_url", auto.ConfigValue(env_api_url()), path=True
        )
        for app_id in local_app_ids():
            stack.set_config(
                f"{PROJECT_NAME}:sendbird_api_tokens.{app_id}",
                auto.ConfigValue(os.environ["SENDBIRD_API_TOKEN"], secret=True),
                path=True,
            )
        stack.up(on_output=lambda line: print(line, file=sys.stderr))
        return {name: output.value for name, output in stack.outputs().items()}
    finally:
        STACK_FILE.write_bytes(original)


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moto-endpoint", required=True)
    parser.add_argument("--out", type=Path, default=PROJECT_DIR / ".local-run" / "local-outputs.json")
    parser.add_argument("--state-dir", type=Path, default=PROJECT_DIR / ".local-run" / "pulumi-state")
    args = parser.parse_args()
    try:
        outputs = up_local(args.moto_endpoint, args.state_dir)
    except AutomationUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
    write_outputs(args.out, outputs)
    print(f"stack outputs written to {args.out}")


if __name__ == "__main__":
    main()
