"""The main job on the local default: deploy the ``local`` stack into the emulators and smoke-test it.

One command for a newcomer with no AWS account and no Sendbird application (``scripts/run-local``):

1. check every input (stack name, stack file, output directory) before anything starts;
2. start moto (IAM authentication on) and the Sendbird emulator on free loopback ports, and seed each
   application of ``stacks/Pulumi.local.yaml`` with a completed recording (50 MB by default, which
   the emulator copies in 5 MB parts, as Sendbird does);
3. run the emulator deploy (the real program and components, applied to moto through Pulumi mocks)
   and write the stack outputs to this run's own file, ``<stack>-outputs-<run id>.json``;
4. run the real ``sendbird-copy smoke-test`` CLI, as a separate process, once per application,
   showing its lines as it prints them;
5. keep every recording: seed each application with a realistic history (``--sync-events`` live
   events and ``--sync-rooms`` rooms, a mix of statuses and ages), tell the emulator to write one
   copy without its ``moov`` box, and sync twice: the first run copies every completed recording and
   catches the damaged copy (reported, never marked copied), the second requests that one again and
   copies it whole, finds all the others already safe and requests nothing else. With the scheduled
   sync deployed (the local stack has it), the first run is its Lambda function, run as Lambda
   would (``localdev.deployed_function``), and the second the real ``sendbird-copy sync`` CLI;
   without it, the CLI makes both;
6. end with ``sendbird-copy status`` of each application (after the sync): its table of every
   recording, its state and the time left before Sendbird's deadline (read-only: no copy request);
7. stop both servers and remove the outputs file, whether the run passed, failed or was interrupted.

The run ignores the caller's AWS profile and settings (every ``AWS_*`` variable): it talks to its
own moto only. Several runs may go at once in one checkout.

Exit code: 0 every smoke test passed, 1 one failed (or moto refused the deploy), 2 bad input (a
flag, the stack file, the output directory), 130 interrupted (Ctrl-C or SIGTERM).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from localdev.emulator_deploy.sync import DeployedFunction
from localdev.local_run import (
    MB,
    Deployment,
    LocalApp,
    LocalOptions,
    LocalRunError,
    deployed_locally,
    install_sigterm_as_interrupt,
    local_apps,
    local_options,
    prepare_run,
    print_deploy_report,
    running_emulator_for,
)
from localdev.moto_server import isolate_this_process
from localdev.program_runner import close_runtime
from localdev.sendbird_emulator.media import NO_MOOV
from localdev.sendbird_emulator.seeding import seed_application
from localdev.smoke_runner import LineSink, SmokeRun, cli_command, stream_command, stream_smoke_test
from sendbird_copy.cli.commands import WholeNumber
from sendbird_copy.cli.reporter import Reporter
from sendbird_copy.facts import COPY_PART_SIZE, ENV_APP_ID

# Kept importable from here: the benchmark and older callers use these names.
__all__ = ["MB", "LocalApp", "local_apps", "main", "run", "running_emulator_for"]

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


@dataclass(frozen=True)
class SyncSeed:
    """The realistic history each application gets before the sync runs (0 and 0: no sync)."""

    events: int = 20
    rooms: int = 10
    seed: int = 0

    @property
    def enabled(self) -> bool:
        return self.events + self.rooms > 0


class CopyProgress:
    """Lines showing the emulator's multipart upload of one recording as it happens (the slow step).

    ``tick`` is called from the loop that forwards the smoke test's lines, so every line comes from
    one thread, in order. At most one line a second, and one when the last part is in.
    """

    def __init__(self, reporter: Reporter, emulator: Any, recording_id: str, byte_size: int) -> None:
        self.reporter, self.emulator, self.recording_id = reporter, emulator, recording_id
        self.total = max(1, -(-byte_size // COPY_PART_SIZE))
        self.shown, self.last_shown_at = 0, 0.0

    def tick(self) -> None:
        copies = [c for c in self.emulator.copies if c.recording_id == self.recording_id]
        parts = max((int(c.parts or 0) for c in copies), default=0)
        now = time.monotonic()
        if parts > self.shown and (parts >= self.total or now - self.last_shown_at >= 1.0):
            copied = f"{parts} of {self.total} part(s) of {self.recording_id}"
            self.reporter.progress(f"  Sendbird emulator: {copied} copied (5 MB parts)")
            self.shown, self.last_shown_at = parts, now


def smoke_test_streamed(reporter: Reporter, deployment: Deployment, app: LocalApp) -> int:
    """Run the real CLI in its own process; its stdout and stderr lines go through ``reporter`` live."""
    progress = CopyProgress(
        reporter, deployment.emulator, app.recording_id, deployment.run.options.recording_bytes
    )
    lines = LineSink(stdout=reporter.info, stderr=reporter.progress)
    smoke = SmokeRun(app.app_id, app.api_token, app.recording_id)
    return stream_smoke_test(deployment.target, smoke, lines, on_tick=progress.tick)


SYNC_TIMEOUT_SECONDS = 600


def sync_streamed(reporter: Reporter, deployment: Deployment, app: LocalApp, pass_label: str) -> int:
    """``sendbird-copy sync`` for one application, its lines shown live; its exit code."""
    reporter.info(f"Sync of application {app.app_id}, {pass_label}:")
    command, env = cli_command(deployment.target, "sync", app.app_id, app.api_token)
    lines = LineSink(stdout=reporter.info, stderr=reporter.progress)
    return stream_command(command, env, lines, timeout=SYNC_TIMEOUT_SECONDS)


def scheduled_function_once(
    reporter: Reporter, deployment: Deployment, function: DeployedFunction, damaged: str | None = None
) -> int:
    """Run the deployed scheduled function once as Lambda would; its log lines shown, 0 if it passed
    (or failed only on the ``damaged`` copy the emulator was told to write, which it must catch)."""
    from localdev.deployed_function import run_deployed

    reporter.info(
        f"Scheduled sync function {function.name}, first run, as Lambda would run it: the deployed archive "
        "in a fresh interpreter with only boto3 besides, its environment from moto, its own role's "
        "credentials (sts:AssumeRole):"
    )
    result = run_deployed(deployment.moto, function)
    for line in result.log_lines:
        reporter.info(f"  | {line}")
    if not result.ok and damaged is not None and _caught(result.json_lines(), damaged):
        reporter.info(
            f"  CAUGHT: the copy of {damaged} is damaged: not marked copied, its metric set; the next run "
            "requests it again"
        )
        return 0
    if not result.ok:
        error = result.error or {}
        reporter.info(
            f"  FAIL: {error.get('errorType', 'error')}: {error.get('errorMessage', result.stderr[-500:])}"
        )
        return 1
    counts = result.value.get("counts", {}) if isinstance(result.value, dict) else {}
    summary = ", ".join(f"{n} {outcome}" for outcome, n in counts.items() if n)
    reporter.info(f"  PASS: the function ran as its own role: {summary or 'nothing to do'}")
    return 0


def _caught(documents: list[dict[str, Any]], damaged: str) -> bool:
    """The function's summary names exactly one problem, the damaged copy, and nothing failed or lost."""
    summaries = [d for d in documents if "problems" in d]
    if len(summaries) != 1:
        return False
    counts, problems = summaries[0].get("counts", {}), summaries[0]["problems"]
    named = [(p.get("recording_id"), p.get("outcome")) for p in problems if not p.get("at_risk")]
    return counts.get("failed") == 0 and counts.get("lost") == 0 and named == [(damaged, "damaged")]


def damage_one_copy(reporter: Reporter, deployment: Deployment, recordings: list[Any]) -> str | None:
    """Tell the emulator to write the first copy of one completed recording without its moov box."""
    now = deployment.emulator.clock()
    ids = sorted(r.recording_id for r in recordings if r.status == "completed" and not r.expired(now))
    if not ids:
        return None
    deployment.emulator.damage_next_copies(NO_MOOV, recording_id=ids[0])
    reporter.info(
        f"The emulator writes the first copy of {ids[0]} without its moov box (Sendbird's byte size, "
        "not a playable MP4): the sync must catch it"
    )
    return ids[0]


def recovered(deployment: Deployment, damaged: str | None) -> bool:
    """The damaged recording was copied twice, the second time whole."""
    if damaged is None:
        return True
    copies = [c for c in deployment.emulator.copies if c.recording_id == damaged]
    return len(copies) == 2 and copies[-1].damage is None and copies[-1].status == "completed"


def function_of(deployment: Deployment, app: LocalApp) -> DeployedFunction | None:
    """The scheduled sync function the deploy created for ``app`` (None: its sync is off)."""
    for function in deployment.result.functions:
        if function.configuration.get("Environment", {}).get("Variables", {}).get(ENV_APP_ID) == app.app_id:
            return function
    return None


def keep_every_recording(reporter: Reporter, deployment: Deployment, app: LocalApp, seed: SyncSeed) -> int:
    """Seed a realistic history, damage one copy, then sync twice; the failures among the two runs.
    With the scheduled sync deployed, its function makes the first run and the CLI the second."""
    recordings = seed_application(
        deployment.emulator, app.app_id, events=seed.events, rooms=seed.rooms, seed=seed.seed
    )
    completed = sum(r.status == "completed" for r in recordings)
    reporter.info(
        f"Seeded application {app.app_id} with {len(recordings)} recordings in {seed.events} live events and "
        f"{seed.rooms} rooms ({completed} completed; some not finished, failed, near or past Sendbird's "
        "two-week deadline)"
    )
    damaged = damage_one_copy(reporter, deployment, recordings)
    function = function_of(deployment, app)
    if function is not None:
        failures = scheduled_function_once(reporter, deployment, function, damaged)
    else:
        label = "first run (copies every completed recording, catches the damaged copy)"
        # The CLI exits 1 on a damaged copy: that is the run catching it.
        failures = int(sync_streamed(reporter, deployment, app, label) != (0 if damaged is None else 1))
    reporter.info()
    posts_before = sum(deployment.emulator.copy_posts(app.app_id).values())
    label = "second run (the damaged copy requested again; everything else already safe)"
    failures += sync_streamed(reporter, deployment, app, label) != 0
    new_posts = sum(deployment.emulator.copy_posts(app.app_id).values()) - posts_before
    whole = recovered(deployment, damaged)
    reporter.info(
        f"  copy requests made by the second run: {new_posts}"
        + (f"; {damaged} copied whole: {'yes' if whole else 'NO'}" if damaged else "")
    )
    reporter.info()
    return failures + (new_posts != int(damaged is not None)) + (not whole)


STATUS_TIMEOUT_SECONDS = 120


def status_streamed(reporter: Reporter, deployment: Deployment, app: LocalApp) -> int:
    """``sendbird-copy status`` for one application, its table shown live; its exit code."""
    reporter.info(f"Status of application {app.app_id} (the ledger and one listing; requests no copy):")
    command, env = cli_command(deployment.target, "status", app.app_id, app.api_token)
    lines = LineSink(stdout=reporter.info, stderr=reporter.progress)
    code = stream_command(command, env, lines, timeout=STATUS_TIMEOUT_SECONDS)
    reporter.info()
    return code


def run(options: LocalOptions, reporter: Reporter | None = None, sync_seed: SyncSeed | None = None) -> int:
    """The whole main job; its exit code (KeyboardInterrupt propagates, after the cleanup)."""
    reporter = reporter or Reporter()
    try:
        local = prepare_run(options)
    except LocalRunError as err:
        reporter.error(str(err), err.exit_code)
        return err.exit_code
    reporter.add_secrets(app.api_token for app in local.apps)
    reporter.info(
        f"Local run {local.run_id} of stack '{options.stack}' ({local.stack_source}): "
        f"{len(local.apps)} application(s), {options.recording_mb} MB recording each"
    )
    if local.removed_stale:
        reporter.info(f"  removed {len(local.removed_stale)} outputs file(s) older than a day")
    failures = 0
    try:
        with deployed_locally(reporter, local) as deployment:
            reporter.add_secrets(deployment.secrets())
            print_deploy_report(reporter, deployment)
            for app in local.apps:
                where = f"{app.app_id} ({app.aws_region})"
                reporter.info(f"Smoke test for application {where}, recording {app.recording_id}:")
                failures += smoke_test_streamed(reporter, deployment, app) != 0
                reporter.info()
            seed = sync_seed or SyncSeed()
            if seed.enabled:
                for app in local.apps:
                    failures += keep_every_recording(reporter, deployment, app, seed)
                # Only after a sync: without one there is no ledger, and status says so (exit 1).
                for app in local.apps:
                    failures += status_streamed(reporter, deployment, app) != 0
            reporter.info("stopping moto and the Sendbird emulator")
    except LocalRunError as err:
        reporter.error(str(err), err.exit_code)
        return err.exit_code
    if options.keep_outputs:
        reporter.info(f"outputs file kept (--keep-outputs): {local.outputs_path}")
    else:
        reporter.info("outputs file removed (--keep-outputs keeps it)")
    verdict = "PASS" if failures == 0 else f"FAIL ({failures} failed step(s))"
    reporter.info(f"Local run verdict: {verdict}")
    return EXIT_PASS if failures == 0 else EXIT_FAIL


@click.command(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@local_options(50, "Size of each application's seeded completed recording, in MiB (copied in 5 MB parts).")
@click.option(
    "--sync-events",
    type=WholeNumber(0, 500),
    default=SyncSeed.events,
    show_default=True,
    help="Live events in the history each application gets for the sync (0, with --sync-rooms 0: no sync).",
)
@click.option(
    "--sync-rooms",
    type=WholeNumber(0, 500),
    default=SyncSeed.rooms,
    show_default=True,
    help="Rooms of that history.",
)
def main(
    stack: str, stack_file: Path | None, recording_mb: int, workdir: Path, keep_outputs: bool, **sync: int
) -> None:
    """Deploy STACK into moto + the Sendbird emulator and run the real smoke test against it.

    Everything runs on this machine, on free loopback ports, and stops at the end; the caller's AWS
    profile and AWS_* settings are ignored. Several runs may go at once. Outputs files of runs older
    than a day are removed from --workdir when a run starts.

    Then every application gets a realistic history of recordings, one copy is written damaged, and
    `sendbird-copy sync` runs twice: the first copies every completed recording and catches the
    damaged copy, the second copies that one whole and finds all the others safe.

    Exit codes: 0 pass, 1 a smoke test or a sync failed (or moto refused the deploy), 2 bad input (a
    flag, the stack file, --workdir), 130 interrupted (Ctrl-C or SIGTERM; servers stopped, outputs file
    removed).
    """
    isolate_this_process()
    install_sigterm_as_interrupt()
    reporter = Reporter()
    options = LocalOptions(stack, stack_file, workdir, recording_mb, keep_outputs)
    try:
        code = run(options, reporter, SyncSeed(sync["sync_events"], sync["sync_rooms"]))
    except KeyboardInterrupt:
        kept = "kept" if keep_outputs else "removed"
        reporter.error(f"interrupted: servers stopped, outputs file {kept}", EXIT_INTERRUPTED)
        code = EXIT_INTERRUPTED
    finally:
        close_runtime()
    sys.exit(code)


if __name__ == "__main__":
    main()
