"""``sendbird-copy``: the command line around the checks in region_check, preflight and smoke.

Exit codes: 0 every check passed, 1 a check failed (a service refused or could not be reached),
2 bad input or configuration. Expected failures never end in a traceback: they are caught here and
printed as one line (and a JSON error document with ``--json``). Everything printed passes through
``redact`` with every secret the run knows. Only click is imported at module level: boto3 and
requests load inside the commands, so ``--help`` starts fast (see benchmarks/startup.py).
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlsplit

import click

from sendbird_copy import __version__

if TYPE_CHECKING:
    import logging

TOKEN_ENV = "SENDBIRD_API_TOKEN"
ORG_KEY_ENV = "SENDBIRD_ORG_API_KEY"
EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class CommonOptions(NamedTuple):
    outputs: str | None
    stack: str | None
    app_id: str | None
    json_output: bool
    aws_endpoint_url: str | None
    api_base_url: str | None
    org_api_base_url: str | None
    sendbird_aws_region: str | None


class Run:
    """One invocation: what it prints and the secrets it must never print."""

    # A plain class, not a dataclass: dataclasses costs ~10 ms of import time on every --help.
    def __init__(self, json_output: bool, secrets: list[str]) -> None:
        self.json_output = json_output
        self.secrets = secrets

    def redact(self, text: str) -> str:
        from sendbird_copy.redact import redact

        return redact(text, self.secrets)

    def progress(self, message: str) -> None:
        click.echo(self.redact(message), err=True)

    def fail(self, message: str, exit_code: int) -> int:
        from sendbird_copy.report import render_error_json

        click.echo(f"error: {self.redact(message)}", err=True)
        if self.json_output:
            click.echo(render_error_json(message, exit_code, self.redact))
        return exit_code


def common_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every subcommand shares, collected into one CommonOptions argument."""
    options = [
        click.option("--outputs", metavar="FILE|-", help="Stack outputs JSON file ('-' reads stdin)."),
        click.option(
            "--stack", metavar="NAME", help="Read outputs with 'pulumi stack output --json --show-secrets'."
        ),
        click.option(
            "--app-id", metavar="ID", help="Check this application only (default: every one in the outputs)."
        ),
        click.option("--json", "json_output", is_flag=True, help="Print one JSON document on stdout."),
        click.option(
            "--aws-endpoint-url", metavar="URL", help="AWS endpoint override (default: $AWS_ENDPOINT_URL)."
        ),
        click.option("--api-base-url", metavar="URL", help="Sendbird API base URL override (an emulator)."),
        click.option(
            "--org-api-base-url", metavar="URL", help="Sendbird Organization API base URL override."
        ),
        click.option(
            "--sendbird-aws-region",
            metavar="REGION",
            help="The application's AWS region, when Sendbird reports a region key this tool does not map.",
        ),
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        names = CommonOptions._fields
        common = CommonOptions(**{k: kwargs.pop(k) for k in list(kwargs) if k in names})
        return command(common, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="sendbird-copy")
def cli() -> None:
    """Check and smoke-test the S3 destination of Sendbird's cloud-recording copy API.

    Reads the stack outputs of a deployed stack (--outputs FILE, '-' for stdin, or --stack NAME).
    Secrets come from the environment only: SENDBIRD_API_TOKEN (the application's API token, for copy
    and smoke-test --recording-id), SENDBIRD_ORG_API_KEY (optional: also compare the region Sendbird
    reports), and the standard AWS credential chain for the deployer's own checks.

    Exit codes: 0 pass, 1 a check failed, 2 bad input or configuration.
    """


@cli.command("check-region")
@common_options
def check_region(common: CommonOptions) -> None:
    """Bucket, KMS key, stack outputs and Sendbird application: one AWS region?"""
    _execute(common, "check-region")


@cli.command("preflight")
@common_options
def preflight(common: CommonOptions) -> None:
    """Prove the copy identity can write and list, but not read, delete or read the policy."""
    _execute(common, "preflight")


@cli.command("copy")
@common_options
@click.option("--recording-id", required=True, metavar="ID", help="A completed recording of the application.")
def copy(common: CommonOptions, recording_id: str) -> None:
    """Ask Sendbird to copy one recording into the stack's bucket (needs SENDBIRD_API_TOKEN)."""
    _execute(common, "copy", recording_id=recording_id)


@cli.command("smoke-test")
@common_options
@click.option("--recording-id", metavar="ID", help="Also copy this completed recording and check the object.")
@click.option(
    "--wait-timeout",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for the copied object.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="Longest wait between listings while waiting (they start at 0.5 s and double).",
)
def smoke_test(
    common: CommonOptions, recording_id: str | None, wait_timeout: float, poll_interval: float
) -> None:
    """check-region, preflight, then (with --recording-id) copy and verify the new object.

    Without --recording-id it stops after the preflight and says so.
    """
    _execute(
        common,
        "smoke-test",
        recording_id=recording_id,
        wait_timeout=wait_timeout,
        poll_interval=poll_interval,
    )


def _execute(common: CommonOptions, command: str, **options: Any) -> None:
    run = Run(json_output=common.json_output, secrets=_environment_secrets())
    import logging

    handler = _install_log_redaction(run)
    try:
        code = _run_command(run, common, command, **options)
    finally:
        logging.getLogger().removeHandler(handler)
    sys.exit(code)


def _run_command(run: Run, common: CommonOptions, command: str, **options: Any) -> int:
    from sendbird_copy.errors import SendbirdCopyError
    from sendbird_copy.inputs import InputError
    from sendbird_copy.regions import RegionError
    from sendbird_copy.stack_outputs import OutputsError

    try:
        reports = _check_all(run, common, command, **options)
    except (InputError, OutputsError, RegionError) as exc:
        return run.fail(str(exc), EXIT_USAGE)
    except SendbirdCopyError as exc:
        return run.fail(str(exc), EXIT_FAIL)
    except KeyboardInterrupt:
        return run.fail("interrupted", 130)
    except Exception as exc:
        from sendbird_copy.aws import is_configuration_error

        if not is_configuration_error(exc):
            raise
        return run.fail(
            f"AWS configuration for the deployer's checks: {exc} (set AWS_PROFILE or AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY)",
            EXIT_USAGE,
        )
    from sendbird_copy.report import render_human, render_json, verdict

    render = render_json if run.json_output else render_human
    click.echo(render(reports, run.redact))
    return EXIT_PASS if verdict(reports) == "pass" else EXIT_FAIL


def _check_all(run: Run, common: CommonOptions, command: str, **options: Any) -> list[Any]:
    from sendbird_copy import smoke
    from sendbird_copy.inputs import InputError, load_outputs, select_apps

    apps = select_apps(load_outputs(common.outputs, common.stack), common.app_id)
    run.secrets.extend(app.copy_secret_access_key for app in apps)
    recording_id: str | None = options.get("recording_id")
    if recording_id is not None and not recording_id.strip():
        raise InputError("--recording-id is empty")
    if recording_id is not None and len(apps) > 1:
        known = ", ".join(app.app_id for app in apps)
        raise InputError(f"--recording-id names one application's recording; pass --app-id (one of: {known})")

    needs_token = command == "copy" or recording_id is not None
    env = _environment(run, common, needs_token=needs_token)
    if needs_token:
        for app in apps:
            env.sendbird_client(app)  # an application id the client refuses: exit 2 before any check
    if command != "copy":
        env.aws.require_deployer_credentials()
    reports = []
    for app in apps:
        if command == "check-region":
            reports.append(smoke.run_check_region(app, env))
        elif command == "preflight":
            reports.append(smoke.run_preflight_command(app, env))
        elif command == "copy":
            assert recording_id is not None
            reports.append(smoke.run_copy(app, env, recording_id))
        else:
            opts = smoke.SmokeOptions(recording_id, options["wait_timeout"], options["poll_interval"])
            reports.append(smoke.run_smoke(app, env, opts))
    run.secrets.extend(env.aws.deployer_secrets())
    return reports


def _environment(run: Run, common: CommonOptions, needs_token: bool) -> Any:
    """Clients and stated facts for the stages, built from flags and environment (validated here)."""
    from sendbird_copy.aws import AwsClients, endpoint_override
    from sendbird_copy.inputs import InputError
    from sendbird_copy.region_check import SendbirdRegionSource
    from sendbird_copy.smoke import Environment

    for flag, url in (
        ("--aws-endpoint-url", common.aws_endpoint_url),
        ("--api-base-url", common.api_base_url),
        ("--org-api-base-url", common.org_api_base_url),
    ):
        password = _require_url(flag, url)
        if password:
            run.secrets.append(password)  # masked in everything printed, whatever quotes the URL
    token = os.environ.get(TOKEN_ENV, "").strip()
    if needs_token and not token:
        raise InputError(f"{TOKEN_ENV} is empty or not set: the copy call needs the application's API token")
    org_key = os.environ.get(ORG_KEY_ENV, "").strip()

    lookup = None
    if org_key:
        from sendbird_copy.api import OrganizationClient

        try:
            organization = OrganizationClient(org_key, base_url=common.org_api_base_url)
        except ValueError as exc:
            raise InputError(f"{ORG_KEY_ENV}: {exc}") from None
        lookup = organization.get_application

    def sendbird_client(app: Any) -> Any:
        from sendbird_copy.api import SendbirdClient

        try:
            return SendbirdClient(app.app_id, token, base_url=common.api_base_url)
        except ValueError as exc:
            # Name where the id came from: the key of its entry in the stack outputs.
            raise InputError(f"stack outputs applications.{app.app_id}: {exc}") from None

    return Environment(
        aws=AwsClients(endpoint_override(common.aws_endpoint_url)),
        sendbird_region=SendbirdRegionSource(lookup, _explicit_region(common.sendbird_aws_region)),
        sendbird_client=functools.cache(sendbird_client) if token else None,
        api_base_url=common.api_base_url,
        progress=run.progress,
    )


def _require_url(flag: str, url: str | None) -> str | None:
    """Exit 2 unless ``url`` is an http(s) URL with a host; returns its password, if it has one."""
    from sendbird_copy.inputs import InputError
    from sendbird_copy.redact import display_url

    if url is None:
        return None
    problem = f"{flag} '{display_url(url)}' is not an http(s) URL with a host"
    try:
        split = urlsplit(url)
        split.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise InputError(problem) from None
    if split.scheme not in ("http", "https") or not split.hostname:
        raise InputError(problem)
    return split.password


def _explicit_region(value: str | None) -> str | None:
    """--sendbird-aws-region: a Sendbird key or any AWS region botocore knows (new ones included)."""
    from sendbird_copy.inputs import InputError
    from sendbird_copy.regions import SENDBIRD_REGIONS, known_aws_regions

    if value is None:
        return None
    cleaned = value.strip()
    if cleaned in SENDBIRD_REGIONS:
        return SENDBIRD_REGIONS[cleaned].aws_region
    if cleaned not in known_aws_regions():
        raise InputError(f"--sendbird-aws-region '{value}' is not an AWS region (for example ap-northeast-1)")
    return cleaned


def _environment_secrets() -> list[str]:
    names = (TOKEN_ENV, ORG_KEY_ENV, "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    return [value for name in names if (value := os.environ.get(name, "").strip())]


def _install_log_redaction(run: Run) -> logging.Handler:
    """Warnings and errors from any library go to stderr, with every known secret masked."""
    import logging

    from sendbird_copy.redact import RedactingFilter

    class _LiveFilter(RedactingFilter):
        # Reads run.secrets at filter time: the copy users' keys are only known after loading outputs.
        def filter(self, record: logging.LogRecord) -> bool:
            for secret in run.secrets:
                self.add(secret)
            return super().filter(record)

    # urllib3 warns once per retry; the failed check already names the host, once.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.addFilter(_LiveFilter())
    logging.getLogger().addHandler(handler)
    return handler


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point (``sendbird-copy``) and ``python -m sendbird_copy``."""
    cli.main(args=argv, prog_name="sendbird-copy")


if __name__ == "__main__":
    main()
