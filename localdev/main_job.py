"""The main job on the local default: deploy the ``local`` stack into the emulators and smoke-test it.

One command for a newcomer with no AWS account and no Sendbird application (``scripts/run-local``):

1. start moto (IAM authentication on) and the Sendbird emulator on free loopback ports;
2. seed each application of ``stacks/Pulumi.local.yaml`` with a completed recording (50 MB by
   default, which the emulator copies in 5 MB parts, as Sendbird does);
3. run the emulator deploy (the real program and components, applied to moto through Pulumi mocks);
4. run the real ``sendbird-copy smoke-test`` CLI, as a separate process, once per application;
5. print what was created, each check and the copied object, then stop both servers, whether the
   run passed, failed or was interrupted.

Exit code: 0 every smoke test passed, 1 one failed, 2 the stack config is unusable, 130 Ctrl-C.
"""

from __future__ import annotations

import secrets
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from localdev.emulator_deploy import DeployResult, EmulatorDeployError, deploy_to_emulator, write_outputs
from localdev.moto_server import MotoServer, running_moto_server
from localdev.program_runner import PROJECT_DIR, ProgramError, close_runtime, load_stack_config
from localdev.smoke_runner import SmokeRun, SmokeTarget, run_smoke_test
from sendbird_copy.project import CONFIG_NAMESPACE
from sendbird_copy.regions import RegionError, resolve_region, sendbird_key_for_aws_region
from sendbird_copy.reporter import Reporter
from sendbird_copy.sendbird_facts import COPY_PART_SIZE

MB = 1024 * 1024


class MainJobError(Exception):
    """The stack config cannot be run locally; exit code 2."""


@dataclass(frozen=True)
class LocalApp:
    app_id: str
    aws_region: str
    api_token: str
    recording_id: str


def local_apps(config: dict[str, Any], run_id: str) -> list[LocalApp]:
    """The applications the emulator must know, read from the stack config."""
    apps = config.get(f"{CONFIG_NAMESPACE}:applications")
    if not isinstance(apps, list) or not apps:
        raise MainJobError(f"{CONFIG_NAMESPACE}:applications is missing or empty in the stack config")
    result = []
    for index, app in enumerate(apps):
        where = f"{CONFIG_NAMESPACE}:applications[{index}]"
        if not isinstance(app, dict) or not app.get("app_id"):
            raise MainJobError(f"{where}.app_id is missing")
        try:
            region = resolve_region(str(app.get("region", "")), input_name=f"{where}.region")
        except RegionError as err:
            raise MainJobError(str(err)) from None
        result.append(
            LocalApp(
                app_id=str(app["app_id"]),
                aws_region=region,
                api_token=secrets.token_hex(20),  # a fresh token per run, never printed
                recording_id=f"rec-{run_id}-{index + 1:02d}",
            )
        )
    return result


@contextmanager
def running_emulator_for(
    moto: MotoServer, apps: list[LocalApp], recording_bytes: int, org_key: str
) -> Iterator[Any]:
    from sendbird_copy.emulator import SendbirdEmulator

    emulator = SendbirdEmulator(s3_endpoint_url=moto.endpoint)
    for app in apps:
        emulator.add_application(
            app.app_id, app.api_token, sendbird_key_for_aws_region(app.aws_region), org_api_key=org_key
        )
        emulator.add_recording(app.app_id, app.recording_id, status="completed", byte_size=recording_bytes)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


def print_deploy_report(reporter: Reporter, result: DeployResult, outputs_path: Path) -> None:
    reporter.info("\nCreated in moto (emulator deploy of the real program):")
    for resource in result.resources:
        kind = resource.type.rsplit(":", 1)[-1]
        where = resource.region or "global"
        reporter.info(f"  {kind:<45} {resource.physical_id:<58} {where}")
    if result.skipped_statements:
        reporter.info("Bucket-policy statements not applied to moto (proven by the mocks tests instead):")
        for skipped in result.skipped_statements:
            reporter.info(f"  {skipped.sid}: {skipped.reason}")
    reporter.info(f"Stack outputs (with the copy user's secret key, mode 0600): {outputs_path}\n")


def _copy_progress(emulator: Any, recording_bytes: int, done: threading.Event) -> None:
    """Show the emulator's multipart upload as it happens (the slow step of the run)."""
    total_parts = max(1, -(-recording_bytes // COPY_PART_SIZE))
    shown = -1
    with click.progressbar(
        length=total_parts, label="  copying recording (5 MB parts)", file=sys.stderr
    ) as bar:
        while not done.wait(0.2):
            copies = list(getattr(emulator, "copies", []))
            parts = max((int(getattr(c, "parts", 0) or 0) for c in copies), default=0)
            if parts > shown:
                bar.update(parts - max(shown, 0))
                shown = parts


def smoke_test_with_progress(
    reporter: Reporter, target: SmokeTarget, app: LocalApp, emulator: Any, recording_bytes: int
) -> int:
    """Run the real CLI in its own process while showing the emulator's upload progress."""
    done = threading.Event()
    progress = threading.Thread(target=_copy_progress, args=(emulator, recording_bytes, done), daemon=True)
    progress.start()
    try:
        completed = run_smoke_test(target, SmokeRun(app.app_id, app.api_token, app.recording_id))
    finally:
        done.set()
        progress.join()
    reporter.info(completed.stdout.rstrip())
    if completed.stderr.strip():
        reporter.progress(completed.stderr.rstrip())
    return completed.returncode


def run(stack: str, recording_mb: int, workdir: Path, reporter: Reporter | None = None) -> int:
    reporter = reporter or Reporter()
    run_id = time.strftime("%H%M%S")
    org_key = secrets.token_hex(16)
    reporter.add_secrets([org_key])
    try:
        config = load_stack_config(stack)
        apps = local_apps(config, run_id)
    except (ProgramError, MainJobError) as err:
        reporter.error(str(err), 2)
        return 2
    reporter.add_secrets(app.api_token for app in apps)
    recording_bytes = recording_mb * MB
    outputs_path = workdir / f"{stack}-outputs.json"
    reporter.info(
        f"Local run of stack '{stack}': {len(apps)} application(s), {recording_mb} MB recording each"
    )
    with ExitStack() as servers:
        with reporter.step("starting moto server (S3, KMS, IAM, STS; IAM authentication on)"):
            moto = servers.enter_context(running_moto_server())
        with reporter.step("starting the Sendbird emulator and seeding completed recordings"):
            emulator = servers.enter_context(running_emulator_for(moto, apps, recording_bytes, org_key))
        reporter.info(f"  moto: {moto.endpoint}   Sendbird API: {emulator.base_url}")
        try:
            with reporter.step("emulator deploy of the real program (Pulumi mocks -> moto)"):
                result = deploy_to_emulator(moto, config, stack=stack)
                write_outputs(outputs_path, result.outputs)
        except ProgramError as err:
            if isinstance(err.__cause__, EmulatorDeployError):  # moto refused a resource
                reporter.error(f"the emulator deploy failed: {err}", 1)
                return 1
            reporter.error(f"the program refused the stack config: {err}", 2)
            return 2
        print_deploy_report(reporter, result, outputs_path)
        target = SmokeTarget(moto, outputs_path, emulator.base_url, emulator.org_base_url, org_key)
        failures = 0
        for app in apps:
            reporter.info(
                f"Smoke test for application {app.app_id} ({app.aws_region}), recording {app.recording_id}:"
            )
            code = smoke_test_with_progress(reporter, target, app, emulator, recording_bytes)
            failures += code != 0
            reporter.info()
        reporter.info("stopping moto and the Sendbird emulator")
    verdict = "PASS" if failures == 0 else f"FAIL ({failures} of {len(apps)} application(s))"
    reporter.info(f"Local run verdict: {verdict}")
    return 0 if failures == 0 else 1


@click.command()
@click.option("--stack", default="local", show_default=True, help="Stack file in stacks/ to deploy.")
@click.option(
    "--recording-mb",
    type=click.IntRange(1, 2048),
    default=50,
    show_default=True,
    help="Size of the seeded completed recording, in MiB.",
)
@click.option(
    "--workdir",
    type=click.Path(file_okay=False, path_type=Path),
    default=PROJECT_DIR / ".local-run",
    show_default=True,
    help="Where the stack outputs JSON is written.",
)
def main(stack: str, recording_mb: int, workdir: Path) -> None:
    """Deploy STACK into moto + the Sendbird emulator and run the smoke test against it."""
    reporter = Reporter()
    try:
        code = run(stack, recording_mb, workdir, reporter)
    except KeyboardInterrupt:
        reporter.error("interrupted: servers stopped", 130)
        code = 130
    finally:
        close_runtime()
    sys.exit(code)


if __name__ == "__main__":
    main()
