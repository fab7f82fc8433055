"""A sandbox to try ``sendbird-copy`` by hand: the local stack deployed and kept up until Ctrl-C.

    ./scripts/sandbox            # or: .venv/bin/python -m localdev.sandbox

The same steps as the main job (``local_run.py``): moto (IAM authentication on) and the Sendbird
emulator on free loopback ports, the emulator deploy of the ``local`` stack, the outputs file (mode
0600). Each application gets two completed recordings and one still recording (which the copy
refuses). Then it prints the environment lines and the ``sendbird-copy`` commands to paste into
another shell, exactly as they run, and waits. Ctrl-C (or SIGTERM) stops both servers and removes
the outputs file; that is the normal end, exit 0.

Exit codes: 0 stopped by Ctrl-C, 1 moto refused the deploy, 2 bad input (as the main job).
"""

from __future__ import annotations

import shlex
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from localdev.local_run import (
    Deployment,
    LocalApp,
    LocalOptions,
    LocalRun,
    LocalRunError,
    SeededRecording,
    deployed_locally,
    install_sigterm_as_interrupt,
    local_options,
    prepare_run,
    print_deploy_report,
)
from localdev.moto_server import (
    CALLER_AWS_VARIABLES,
    LOCAL_AWS_SETTINGS,
    LOOPBACK_HOSTS,
    isolate_this_process,
)
from localdev.program_runner import close_runtime
from sendbird_copy.cli.reporter import Reporter

NOT_COMPLETED_STATUS = "recording"  # still being recorded: Sendbird refuses to copy it
EXPECT_FAILURE = "# expected to fail (exit 1):"


@dataclass(frozen=True)
class SandboxRecordings:
    """One application's recordings in the emulator: two completed, one not."""

    first: str
    second: str
    ongoing: str


def sandbox_recordings(app: LocalApp) -> SandboxRecordings:
    base = app.recording_id
    return SandboxRecordings(first=base, second=f"{base}-second", ongoing=f"{base}-ongoing")


def extra_recordings(run: LocalRun) -> list[SeededRecording]:
    """What the sandbox seeds besides each application's first completed recording."""
    size = run.options.recording_bytes
    seeded = []
    for app in run.apps:
        names = sandbox_recordings(app)
        seeded.append(SeededRecording(app.app_id, names.second, "completed", size))
        seeded.append(SeededRecording(app.app_id, names.ongoing, NOT_COMPLETED_STATUS, size))
    return seeded


def cli_prefix() -> tuple[list[str], str]:
    """The environment line that finds ``sendbird-copy``, and how a command line starts with it."""
    scripts = Path(sys.executable).parent
    if (scripts / "sendbird-copy").is_file():
        return [f'export PATH={shlex.quote(str(scripts))}:"$PATH"'], "sendbird-copy"
    return [], f"{shlex.quote(sys.executable)} -m sendbird_copy.cli"


def environment_lines(deployment: Deployment) -> list[str]:
    """The shell lines that point ``sendbird-copy`` (and the aws CLI) at this sandbox only."""
    q = shlex.quote
    deployer = deployment.moto.deployer
    settings = " ".join(f"{name}={q(value)}" for name, value in LOCAL_AWS_SETTINGS.items())
    loopback = ",".join(LOOPBACK_HOSTS)
    path_lines, _ = cli_prefix()
    return [
        f"unset {' '.join(CALLER_AWS_VARIABLES)}",
        f"export {settings}",
        f"export AWS_ENDPOINT_URL={q(deployment.moto.endpoint)} NO_PROXY={loopback} no_proxy={loopback}",
        f"export AWS_ACCESS_KEY_ID={q(deployer.access_key_id)} "
        f"AWS_SECRET_ACCESS_KEY={q(deployer.secret_access_key)}",
        f"export SENDBIRD_ORG_API_KEY={q(deployment.org_api_key)}",
        *path_lines,
    ]


def app_lines(deployment: Deployment, app: LocalApp) -> list[str]:
    """One application's token line and its commands: the checks, a copy, two smoke tests."""
    q = shlex.quote
    _, cli = cli_prefix()
    emulator = deployment.emulator
    common = (
        f"--outputs {q(str(deployment.outputs_path.resolve()))} --app-id {q(app.app_id)} "
        f"--api-base-url {q(emulator.base_url)} --org-api-base-url {q(emulator.org_base_url)}"
    )
    names = sandbox_recordings(app)
    return [
        f"export SENDBIRD_API_TOKEN={q(app.api_token)}",
        f"{cli} check-region {common}",
        f"{cli} preflight {common}",
        f"{cli} copy {common} --recording-id {q(names.first)}",
        f"{cli} smoke-test {common} --recording-id {q(names.second)}",
        f"{cli} smoke-test {common} --recording-id {q(names.ongoing)}  "
        f"{EXPECT_FAILURE} the recording is not completed",
    ]


def print_commands(reporter: Reporter, deployment: Deployment) -> None:
    run = deployment.run
    size = run.options.recording_mb
    reporter.info(
        f"Sandbox {run.run_id} of stack '{run.options.stack}' is up. Paste into another shell (these "
        "lines replace that shell's AWS settings, so use a new one):\n"
    )
    for line in environment_lines(deployment):
        reporter.info(f"  {line}")
    for app in run.apps:
        names = sandbox_recordings(app)
        reporter.info(
            f"\nApplication {app.app_id} ({app.aws_region}): recordings {names.first} and {names.second} "
            f"completed ({size} MB each), {names.ongoing} still recording"
        )
        for line in app_lines(deployment, app):
            reporter.info(f"  {line}")
    reporter.info(
        "\nThe aws CLI works too (aws s3 ls). Ctrl-C here stops moto and the Sendbird emulator and "
        + (
            "keeps the outputs file (--keep-outputs)."
            if run.options.keep_outputs
            else "removes the outputs file."
        )
    )


def _wait_forever() -> None:
    stop = threading.Event()
    while not stop.wait(0.5):  # a timed wait keeps the main thread responsive to signals
        pass


def serve(options: LocalOptions, reporter: Reporter, wait: Callable[[], None] = _wait_forever) -> int:
    """Deploy, print the commands, ``wait`` (until Ctrl-C), stop everything; the exit code."""
    try:
        run = prepare_run(options)
    except LocalRunError as err:
        reporter.error(str(err), err.exit_code)
        return err.exit_code
    if run.removed_stale:
        reporter.info(f"  removed {len(run.removed_stale)} outputs file(s) older than a day")
    try:
        with deployed_locally(reporter, run, extra_recordings(run)) as deployment:
            # Up from here: a Ctrl-C (or SIGTERM) is the normal way to stop, even one that lands
            # right after the "Ctrl-C here stops" line and before the wait begins.
            try:
                print_deploy_report(reporter, deployment)
                print_commands(reporter, deployment)
                wait()
            except KeyboardInterrupt:
                reporter.info("\nstopping moto and the Sendbird emulator")
    except LocalRunError as err:
        reporter.error(str(err), err.exit_code)
        return err.exit_code
    kept = f"kept: {run.outputs_path}" if options.keep_outputs else "removed"
    reporter.info(f"Sandbox stopped; outputs file {kept}")
    return 0


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@local_options(6, "Size of each seeded recording, in MiB (copied in 5 MB parts).")
def main(stack: str, stack_file: Path | None, recording_mb: int, workdir: Path, keep_outputs: bool) -> None:
    """Deploy STACK into moto + the Sendbird emulator, print the sendbird-copy commands to try by
    hand, and keep everything up until Ctrl-C.

    Exit codes: 0 stopped by Ctrl-C (servers stopped, outputs file removed), 1 moto refused the
    deploy, 2 bad input (a flag, the stack file, --workdir); interrupted while starting: 130.
    """
    isolate_this_process()
    install_sigterm_as_interrupt()
    reporter = Reporter()
    options = LocalOptions(stack, stack_file, workdir, recording_mb, keep_outputs)
    try:
        code = serve(options, reporter)
    except KeyboardInterrupt:  # before the sandbox was up: nothing to try, so not a normal end
        reporter.error("interrupted while starting: servers stopped", 130)
        code = 130
    finally:
        close_runtime()
    sys.exit(code)


if __name__ == "__main__":
    main()
