"""``pulumi up --stack local`` into moto through the Automation API, for users with the Pulumi CLI.

This is the real Pulumi engine and the real AWS provider plugin, pointed at a moto server: the
provider's endpoints for s3, kms, iam and sts are set to moto, credential and account checks are
skipped and S3 uses path-style URLs (``stacks/Pulumi.local.yaml``). State lives in a file backend
under the work dir. CI cannot run this (the CLI and the provider plugin download from the internet);
the emulator deploy (``localdev/emulator_deploy.py``) covers the same program there.

    python -m localdev.automation --moto-endpoint http://127.0.0.1:5000 --out .local-run/outputs.json

The deployer's keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (moto's IAM user).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

from localdev.emulator_deploy import write_outputs
from localdev.program_runner import PROJECT_DIR

MOTO_SERVICES = ("s3", "kms", "iam", "sts")
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


def up_local(moto_endpoint: str, workdir: Path, stack_name: str = "local") -> dict[str, Any]:
    """Run ``pulumi up`` for the local stack against moto; return the outputs (secrets in plain)."""
    pulumi_cli()
    from pulumi import automation as auto

    missing = [name for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") if not os.environ.get(name)]
    if missing:
        raise AutomationUnavailable(f"{', '.join(missing)} not set: export the moto deployer's keys")
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
