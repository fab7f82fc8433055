"""The steps the main job (``main_job.py``) and the sandbox (``sandbox.py``) share.

1. ``prepare_run``: check every input before anything starts (the stack name, the stack file and its
   applications, the output directory, which is created and test-written), give the run its own id,
   and remove outputs files of earlier runs older than a day;
2. ``deployed_locally``: start moto (IAM authentication on) and the Sendbird emulator on free
   loopback ports, seed the recordings, run the emulator deploy of the real program, write the stack
   outputs (mode 0600) to a file of this run's own, and on the way out, whatever happened, stop both
   servers and remove that file (unless it is to be kept).

Every refusal is a ``LocalRunError`` carrying its exit code (2 bad input, 1 moto refused the deploy)
and one message naming the input (flag or file) and what is allowed.
"""

from __future__ import annotations

import re
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from localdev.program_runner import (
    PROJECT_DIR,
    ProgramError,
    StackFileError,
    check_stack_name,
    read_stack_file,
    stack_file_path,
)
from sendbird_copy.cli.commands import WholeNumber
from sendbird_copy.facts import APP_ID_ALLOWED, CONFIG_NAMESPACE, is_valid_app_id
from sendbird_copy.rules import SHOWN_PATH_CHARACTERS, shorten, type_name
from sendbird_copy.rules.regions import RegionError, resolve_region, sendbird_key_for_aws_region

if TYPE_CHECKING:
    from localdev.emulator_deploy import DeployResult, SkippedStatement
    from localdev.moto_server import MotoServer
    from localdev.sendbird_emulator import SendbirdEmulator
    from localdev.smoke_runner import SmokeTarget
    from sendbird_copy.cli.reporter import Reporter

MB = 1024 * 1024
DEFAULT_WORKDIR = PROJECT_DIR / ".local-run"
STALE_AFTER_SECONDS = 24 * 3600
# <stack>-outputs-<run id>.json, and the temporary file write_outputs renames into place.
_OUTPUTS_FILE = re.compile(r"\.?[A-Za-z0-9][A-Za-z0-9._-]*-outputs-[0-9a-f]{8}\.json(\..*\.tmp)?")
APPLICATIONS_KEY = f"{CONFIG_NAMESPACE}:applications"
SYNC_KEY = f"{CONFIG_NAMESPACE}:sync"
API_TOKENS_KEY = f"{CONFIG_NAMESPACE}:sendbird_api_tokens"
APPLICATIONS_ALLOWED = "a list of applications, each a mapping with app_id and region"


class LocalRunError(Exception):
    """A run that cannot go on: the message names the input; ``exit_code`` 2 bad input, 1 a failure."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class LocalApp:
    """One application of the stack as the emulator knows it, with this run's main recording."""

    app_id: str
    aws_region: str
    api_token: str = field(repr=False)
    recording_id: str


@dataclass(frozen=True)
class SeededRecording:
    """A recording the emulator holds for an application (its status decides whether it copies)."""

    app_id: str
    recording_id: str
    status: str
    byte_size: int


@dataclass(frozen=True)
class LocalOptions:
    """What the main job and the sandbox are asked for on their command lines."""

    stack: str = "local"
    stack_file: Path | None = None
    workdir: Path = DEFAULT_WORKDIR
    recording_mb: int = 50
    keep_outputs: bool = False

    @property
    def recording_bytes(self) -> int:
        return self.recording_mb * MB


@dataclass(frozen=True)
class LocalRun:
    """A run whose inputs passed: its own id, the config, the applications, where its outputs go."""

    options: LocalOptions
    run_id: str
    config: dict[str, Any]
    stack_source: str  # the stack file, as messages show it
    apps: list[LocalApp]
    removed_stale: list[Path]

    @property
    def outputs_path(self) -> Path:
        return self.options.workdir / f"{self.options.stack}-outputs-{self.run_id}.json"


def new_run_id() -> str:
    """Eight random hex digits: unique among runs started at once, in one checkout or several."""
    return secrets.token_hex(4)


def prepare_run(options: LocalOptions) -> LocalRun:
    """Check every input before anything starts; LocalRunError (exit 2) naming the input otherwise."""
    run_id = new_run_id()
    try:
        check_stack_name(options.stack, "--stack")
        if options.stack_file is None:
            path = stack_file_path(options.stack, input_name="--stack")
        else:
            path = options.stack_file
        config = read_stack_file(path)
    except StackFileError as err:
        raise LocalRunError(str(err)) from None
    source = f"stack file {_shown_path(path)}"
    apps = local_apps(config, run_id, source)
    workdir = prepare_workdir(options.workdir)
    removed = remove_stale_outputs(workdir)
    return LocalRun(options, run_id, config, source, apps, removed)


def local_apps(config: dict[str, Any], run_id: str, source: str = "the stack config") -> list[LocalApp]:
    """The applications the emulator must know, read from the stack config and checked.

    ``source`` names where the config came from in messages ("stack file stacks/Pulumi.local.yaml").
    """
    apps = config.get(APPLICATIONS_KEY)
    if apps is None or apps == []:
        raise LocalRunError(
            f"{source}: {APPLICATIONS_KEY} is missing or empty. Allowed: {APPLICATIONS_ALLOWED}"
        )
    if not isinstance(apps, list):
        raise LocalRunError(
            f"{source}: {APPLICATIONS_KEY} is {type_name(apps)}. Allowed: {APPLICATIONS_ALLOWED}"
        )
    result: list[LocalApp] = []
    for index, app in enumerate(apps):
        where = f"{source}: {APPLICATIONS_KEY}[{index}]"
        if not isinstance(app, dict):
            raise LocalRunError(f"{where} is {type_name(app)}. Allowed: {APPLICATIONS_ALLOWED}")
        app_id = _app_id(app, where)
        if any(known.app_id == app_id for known in result):
            raise LocalRunError(
                f"{where}.app_id '{app_id}' repeats an earlier application's. Allowed: unique ids"
            )
        result.append(
            LocalApp(
                app_id=app_id,
                aws_region=_region(app, where),
                api_token=secrets.token_hex(20),  # a fresh token per run, never printed by the main job
                recording_id=f"rec-{run_id}-{index + 1:02d}",
            )
        )
    return result


def _app_id(app: dict[str, Any], where: str) -> str:
    app_id = app.get("app_id")
    if app_id is None or app_id == "":
        raise LocalRunError(f"{where}.app_id is missing. Allowed: {APP_ID_ALLOWED}")
    if not isinstance(app_id, str):
        raise LocalRunError(f"{where}.app_id is {type_name(app_id)}. Allowed: {APP_ID_ALLOWED}")
    if not is_valid_app_id(app_id):
        raise LocalRunError(f"{where}.app_id '{shorten(app_id)}' is invalid. Allowed: {APP_ID_ALLOWED}")
    return app_id


def _region(app: dict[str, Any], where: str) -> str:
    region = app.get("region")
    if region is not None and not isinstance(region, str):
        raise LocalRunError(
            f"{where}.region is {type_name(region)}. Allowed: a Sendbird region key (ap-2) or an AWS region"
        )
    try:  # shortened first: the refusal shows the value, and no region is 80 characters long
        return resolve_region(shorten(region or ""), input_name=f"{where}.region")
    except RegionError as err:
        raise LocalRunError(str(err)) from None


def prepare_workdir(workdir: Path) -> Path:
    """Create ``workdir`` and prove a file can be written there, before any server starts."""
    shown = f"--workdir '{_shown_path(workdir)}'"
    allowed = "Allowed: a directory this user can create and write in"
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise LocalRunError(f"{shown} cannot be created: a file is in the way. {allowed}") from None
    except NotADirectoryError:
        raise LocalRunError(
            f"{shown} cannot be created: a file is in the way of its path. {allowed}"
        ) from None
    except OSError as err:
        raise LocalRunError(f"{shown} cannot be created ({err.strerror or err}). {allowed}") from None
    try:
        with tempfile.NamedTemporaryFile(dir=workdir, prefix=".write-test-"):
            pass
    except OSError as err:
        raise LocalRunError(f"{shown} cannot be written ({err.strerror or err}). {allowed}") from None
    return workdir


def remove_stale_outputs(workdir: Path, now: float | None = None) -> list[Path]:
    """Remove outputs files (and their temporary files) of runs older than a day; the ones removed.

    Each holds a copy user's secret key for a moto that stopped long ago. Younger ones may belong to
    a run still going in another shell, so they stay.
    """
    cutoff = (time.time() if now is None else now) - STALE_AFTER_SECONDS
    removed = []
    for path in sorted(workdir.iterdir()):
        if not _OUTPUTS_FILE.fullmatch(path.name):
            continue
        try:
            if path.is_file() and not path.is_symlink() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # another run removed it first, or it is not ours to remove
    return removed


def _shown_path(path: Path) -> str:
    with suppress(ValueError, OSError, RuntimeError):
        path = path.resolve().relative_to(Path.cwd())
    return shorten(str(path), SHOWN_PATH_CHARACTERS)


# ----- servers, seeding, deploy --------------------------------------------------------------------
def has_scheduled_sync(config: dict[str, Any]) -> bool:
    """Whether the stack turns the scheduled sync on (a ``sync`` block, stack-wide or per app)."""
    apps = config.get(APPLICATIONS_KEY) or []
    return SYNC_KEY in config or any(isinstance(app, dict) and "sync" in app for app in apps)


def deploy_inputs(
    config: dict[str, Any], apps: list[LocalApp], api_base_url: str
) -> tuple[dict[str, Any], list[str]]:
    """The config the emulator deploy runs with, and its secret keys: with the scheduled sync on, its
    function talks to this run's emulator (``sync.sendbird_api_base_url``) with each application's
    token of this run (``sendbird_api_tokens``, a secret, as ``pulumi config set --secret`` sets it)."""
    if not has_scheduled_sync(config):
        return config, []
    block = config.get(SYNC_KEY)
    return {
        **config,
        SYNC_KEY: {**(block if isinstance(block, dict) else {}), "sendbird_api_base_url": api_base_url},
        API_TOKENS_KEY: {app.app_id: app.api_token for app in apps},
    }, [API_TOKENS_KEY]


@dataclass
class Deployment:
    """A deployed local stack: moto, the emulator holding the applications, the outputs file."""

    run: LocalRun
    moto: MotoServer
    emulator: SendbirdEmulator
    result: DeployResult
    org_api_key: str = field(repr=False)

    @property
    def outputs_path(self) -> Path:
        return self.run.outputs_path

    @property
    def target(self) -> SmokeTarget:
        from localdev.smoke_runner import SmokeTarget

        emulator = self.emulator
        return SmokeTarget(
            self.moto, self.outputs_path, emulator.base_url, emulator.org_base_url, self.org_api_key
        )

    def secrets(self) -> list[str]:
        """Everything of this run that must never be printed by the main job."""
        copy_keys = self.result.outputs.get("copy_secret_access_keys") or {}
        return [
            *copy_keys.values(),
            *(app.api_token for app in self.run.apps),
            self.org_api_key,
            self.moto.deployer.secret_access_key,
        ]


@contextmanager
def running_emulator_for(
    moto: MotoServer,
    apps: list[LocalApp],
    recording_bytes: int,
    org_key: str,
    extra: Iterable[SeededRecording] = (),
) -> Iterator[SendbirdEmulator]:
    """The emulator, knowing ``apps`` (each with its completed main recording) and ``extra``."""
    from localdev.sendbird_emulator import SendbirdEmulator

    emulator = SendbirdEmulator(s3_endpoint_url=moto.endpoint)
    for app in apps:
        emulator.add_application(
            app.app_id, app.api_token, sendbird_key_for_aws_region(app.aws_region), org_api_key=org_key
        )
        emulator.add_recording(app.app_id, app.recording_id, status="completed", byte_size=recording_bytes)
    for recording in extra:
        emulator.add_recording(
            recording.app_id, recording.recording_id, status=recording.status, byte_size=recording.byte_size
        )
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@contextmanager
def deployed_locally(
    reporter: Reporter, run: LocalRun, extra: Iterable[SeededRecording] = ()
) -> Iterator[Deployment]:
    """Start moto and the emulator, seed, deploy, write the outputs; stop and clean up on the way out.

    The outputs file is removed when the block ends (passed, failed or interrupted) unless
    ``run.options.keep_outputs``; both servers are stopped first.
    """
    from localdev.emulator_deploy import EmulatorDeployError, deploy_to_emulator, write_outputs
    from localdev.moto_server import running_moto_server

    org_key = secrets.token_hex(16)
    with ExitStack() as cleanup:
        if not run.options.keep_outputs:
            cleanup.callback(run.outputs_path.unlink, missing_ok=True)  # runs last: servers stop first
        with reporter.step("starting moto server (S3, KMS, IAM, STS; IAM authentication on)"):
            moto = cleanup.enter_context(running_moto_server())
        with reporter.step("starting the Sendbird emulator and seeding recordings"):
            emulator = cleanup.enter_context(
                running_emulator_for(moto, run.apps, run.options.recording_bytes, org_key, extra)
            )
        reporter.info(f"  moto: {moto.endpoint}   Sendbird API: {emulator.base_url}")
        try:
            with reporter.step("emulator deploy of the real program (Pulumi mocks -> moto)"):
                config, secret_keys = deploy_inputs(run.config, run.apps, emulator.base_url)
                result = deploy_to_emulator(moto, config, stack=run.options.stack, secret_keys=secret_keys)
                write_outputs(run.outputs_path, result.outputs)
        except ProgramError as err:
            if isinstance(err.__cause__, EmulatorDeployError):  # moto refused a resource
                raise LocalRunError(f"the emulator deploy failed: {err}", 1) from None
            raise LocalRunError(f"the program refused {run.stack_source}: {err}") from None
        except OSError as err:
            where = _shown_path(run.outputs_path)
            raise LocalRunError(f"--workdir: cannot write {where} ({err.strerror or err})") from None
        yield Deployment(run, moto, emulator, result, org_key)


def skipped_statement_lines(skipped: Iterable[SkippedStatement]) -> list[str]:
    """One line per statement left out, with the buckets it was left out of: the recordings bucket
    and its log bucket share statements (DenyInsecureTransport), which is no reason to say it twice."""
    buckets: dict[tuple[str, str], list[str]] = {}
    for statement in skipped:
        buckets.setdefault((statement.sid, statement.reason), []).append(statement.bucket)
    return [f"{sid} ({', '.join(names)}): {reason}" for (sid, reason), names in buckets.items()]


def print_deploy_report(reporter: Reporter, deployment: Deployment) -> None:
    """What the emulator deploy created in moto, the statements left out, where the outputs are."""
    result = deployment.result
    reporter.info("\nCreated in moto (emulator deploy of the real program):")
    for resource in result.resources:
        kind = resource.type.rsplit(":", 1)[-1]
        where = resource.region or "global"
        reporter.info(f"  {kind:<45} {resource.physical_id:<58} {where}")
    if result.skipped_statements:
        reporter.info("Bucket-policy statements not applied to moto (proven by the mocks tests instead):")
        for line in skipped_statement_lines(result.skipped_statements):
            reporter.info(f"  {line}")
    if result.adapted_statements or result.trust_widened:
        reporter.info(
            "Identity policies applied to moto in another form (the mocks tests prove the real ones):"
        )
        for adapted in result.adapted_statements:
            reporter.info(f"  {adapted.bucket} {adapted.sid}: {adapted.reason}")
        for role in result.trust_widened:
            reporter.info(
                f"  {role}: trusts the deployer instead of lambda.amazonaws.com, to run the function here"
            )
    shown = _shown_path(deployment.outputs_path)
    reporter.info(f"Stack outputs (with the copy user's secret key, mode 0600): {shown}\n")


# ----- the command-line options both commands share ------------------------------------------------
F = TypeVar("F", bound=Callable[..., Any])


def local_options(default_recording_mb: int, recording_help: str) -> Callable[[F], F]:
    """--stack, --stack-file, --workdir, --recording-mb and --keep-outputs, as click options."""

    def decorate(command: F) -> F:
        options = [
            click.option(
                "--stack",
                default="local",
                show_default=True,
                help="Stack to deploy: stacks/Pulumi.<STACK>.yaml; also names the outputs file.",
            ),
            click.option(
                "--stack-file",
                type=click.Path(dir_okay=True, path_type=Path),
                help="Deploy this stack file instead of stacks/Pulumi.<STACK>.yaml (a variant to try).",
            ),
            click.option(
                "--recording-mb",
                type=WholeNumber(1, 2048),
                default=default_recording_mb,
                show_default=True,
                help=recording_help,
            ),
            click.option(
                "--workdir",
                type=click.Path(path_type=Path),
                default=DEFAULT_WORKDIR,
                show_default=True,
                help="Where the outputs file <STACK>-outputs-<RUN ID>.json is written (created if needed).",
            ),
            click.option(
                "--keep-outputs",
                is_flag=True,
                help="Keep this run's outputs file (it holds the copy user's secret key) after the run.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def install_sigterm_as_interrupt() -> None:
    """SIGTERM stops a run the way Ctrl-C does: servers stopped, outputs file removed."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
