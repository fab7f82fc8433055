"""``sendbird-copy``: thin click commands over ``CLIFactory`` and the stage functions in ``smoke``.

Each command reads its options, asks the factory for the applications, the environment and the
reporter, and calls its stage function for each application. ``running.exit_code`` is the one
place that turns an outcome into 0/1/2/130; the shared options live in ``options.py``. Only click
(and the small reporter) is imported at module level: boto3 and requests load inside the factory,
so ``--help`` starts fast (see benchmarks/startup.py). ``CommonOptions``, what a factory is built
from, lives in ``factory.py``: the commands import the factory, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn

import click

from sendbird_copy import __version__, rules
from sendbird_copy.cli import lookup_commands

if TYPE_CHECKING:
    from sendbird_copy.checks.report import AppReport
    from sendbird_copy.checks.smoke import Environment
    from sendbird_copy.cli.factory import CLIFactory, CommonOptions
    from sendbird_copy.outputs import AppOutputs

from sendbird_copy.cli.options import (  # noqa: F401 - re-exported: the commands' flags
    RuleType,
    WholeNumber,
    common_options,
    rule_option,
    warn_days_option,
)
from sendbird_copy.cli.running import (  # noqa: F401 - re-exported: tests and tools import them here
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    EXIT_PASS,
    EXIT_USAGE,
    FactoryMaker,
    exit_code,
    run_command,
)


class _JsonUsageError(click.UsageError):
    """A usage error of a ``--json`` run: shown as the error document on stdout, like every error."""

    def show(self, file: Any = None) -> None:
        from sendbird_copy.cli.reporter import Reporter

        Reporter(json_output=True).error(self.format_message(), self.exit_code)


class _Commands(click.Group):
    """The command group; routes click's own usage errors (a missing or refused option) through the
    Reporter when the command line asks for --json, so a pipeline always gets a document."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        wants_json = "--json" in args  # read before parsing consumes the list
        ctx = super().make_context(info_name, args, parent, **extra)
        ctx.meta["sendbird_copy.json"] = wants_json
        return ctx

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if not ctx.meta.get("sendbird_copy.json") or isinstance(exc, _JsonUsageError):
                raise
            raise _JsonUsageError(exc.format_message(), exc.ctx) from None


@click.group(
    cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110}
)
@click.version_option(__version__, prog_name="sendbird-copy")
def cli() -> None:
    """Check and smoke-test the S3 destination of Sendbird's cloud-recording copy API.

    Reads the stack outputs of a deployed stack (--outputs FILE, '-' for stdin, or --stack NAME).
    Secrets from the environment only: SENDBIRD_API_TOKEN (the application's API token; with several
    applications, --api-tokens-file or SENDBIRD_API_TOKEN_<APP_ID>, '-' as '_', a token or a Secrets
    Manager ARN), SENDBIRD_ORG_API_KEY (optional: also compare the region Sendbird reports), and the
    AWS credential chain for the deployer's own checks. Exit codes: 0 pass, 1 a check failed, 2 bad
    input or configuration, 130 interrupted.
    """


@cli.command("check-region")
@common_options
def check_region(common: CommonOptions) -> None:
    """Bucket, KMS key, stack outputs and Sendbird application: one AWS region?"""
    from sendbird_copy.checks.smoke import run_check_region

    _run_per_app(common, run_check_region)


@cli.command("preflight")
@common_options
def preflight(common: CommonOptions) -> None:
    """Prove the copy identity can write and list, but not read, delete or read the policy."""
    from sendbird_copy.checks.smoke import run_preflight_command

    _run_per_app(common, run_preflight_command)


@cli.command("copy")
@common_options
@click.option("--recording-id", required=True, metavar="ID", help="A completed recording of the application.")
def copy(common: CommonOptions, recording_id: str) -> None:
    """Ask Sendbird to copy one recording into the stack's bucket (needs SENDBIRD_API_TOKEN)."""
    from sendbird_copy.checks.smoke import run_copy

    _run_per_app(
        common,
        lambda app, env: run_copy(app, env, recording_id),
        recording_id=recording_id,
        needs_token=True,
        needs_deployer=False,
    )


@cli.command("smoke-test")
@common_options
@click.option("--recording-id", metavar="ID", help="Also copy this completed recording and check the object.")
@rule_option(
    "--wait-timeout",
    rules.check_wait_timeout,
    rules.WAIT_TIMEOUT_DEFAULT,
    metavar="SECONDS",
    help="How long to wait for the copied object.",
)
@rule_option(
    "--poll-interval",
    rules.check_poll_interval,
    rules.POLL_INTERVAL_DEFAULT,
    metavar="SECONDS",
    help="Longest wait between listings while waiting (they start at 0.2 s and grow by a quarter).",
)
def smoke_test(
    common: CommonOptions, recording_id: str | None, wait_timeout: float, poll_interval: float
) -> None:
    """check-region, preflight, then (with --recording-id) copy and verify the new object.

    Without --recording-id it stops after the preflight and says so.
    """
    from sendbird_copy.checks.smoke import SmokeOptions, run_smoke

    # The id as the rule checks it and the copy call sends it (trimmed): the watched key is built from it.
    options = SmokeOptions(
        recording_id.strip() if recording_id else recording_id, wait_timeout, poll_interval
    )
    _run_per_app(
        common,
        lambda app, env: run_smoke(app, env, options),
        recording_id=recording_id,
        needs_token=recording_id is not None,
    )


@cli.command("sync")
@common_options
@click.option("--dry-run", is_flag=True, help="Say what would be copied; no copy request, no ledger write.")
@click.option(
    "--since",
    metavar="DATE|DAYS",
    help="Only recordings stopped on/after a date (YYYY-MM-DD, UTC) or N days ago.",
)
@warn_days_option
@click.option(
    "--max-copies",
    type=RuleType(rules.check_max_copies, "integer"),
    metavar="N",
    help="Request at most N copies in this run.",
)
@click.option(
    "--full-scan",
    is_flag=True,
    help="Page every live event and room the application ever had (an audit); a normal run reads only "
    "what the two-week window holds, and the first run for an application scans in full by itself.",
)
@rule_option(
    "--event-margin-hours",
    rules.check_event_margin_hours,
    rules.EVENT_MARGIN_HOURS_DEFAULT,
    metavar="HOURS",
    help="Ended live events are listed back to two weeks plus this (an event's length); longer "
    "events are found all the same, through the parents watched since they were seen open.",
)
@rule_option(
    "--verify-timeout",
    rules.check_verify_timeout,
    rules.VERIFY_TIMEOUT_DEFAULT,
    metavar="SECONDS",
    help="How long to wait for copied objects; an older request with no object is requested again.",
)
@rule_option("--workers", rules.check_workers, rules.WORKERS_DEFAULT, help="Worker threads per application.")
def sync(common: CommonOptions, since: str | None, event_margin_hours: float, **options: Any) -> None:
    """Copy every completed recording not yet in the bucket, exactly once, before Sendbird deletes it.

    Remembers what it did in the bucket (a ledger under _sendbird-sync/, written with your AWS
    credentials), so runs from a laptop, CI or the scheduled function never copy a recording twice.
    Exit 0 nothing failed, at risk or lost; 1 otherwise; 2 bad input; 130 interrupted.
    """
    from sendbird_copy.sync.run import SyncOptions, run_sync

    def body(factory: CLIFactory) -> list[Any]:
        # The click option names are SyncOptions' field names.
        margin = timedelta(hours=event_margin_hours)
        sync_options = SyncOptions(since=factory.since(since), event_margin=margin, **options)
        apps = factory.applications()
        with factory.reporter.counter("recordings") as count:
            services = factory.sync_services(
                apps,
                on_result=lambda _app, _result: count(),
                on_found=lambda _app, found: factory.reporter.expect(found),  # the bar's total
            )
            return run_sync(apps, services, sync_options)

    run_command(common, body, show=lambda reporter, reports: reporter.sync_results(reports))


@cli.command("status")
@common_options
@click.option(
    "--offline", is_flag=True, help="From the ledger only: no Sendbird listing (no API token needed)."
)
@click.option("--live-event", metavar="ID", help="Only the recordings of this live event.")
@click.option("--room", metavar="ID", help="Only the recordings of this room.")
@warn_days_option
@click.option(
    "--html", "html_file", metavar="FILE", help="Also write the table and a timeline as one HTML page."
)
def status(common: CommonOptions, html_file: str | None, offline: bool, **options: Any) -> None:
    """Every recording and how it stands: safe, requested, to copy, not ready, unavailable, at risk,
    failed or lost, with the time left before Sendbird deletes it.

    Reads the ledger in the bucket (with your AWS credentials) and, unless --offline, lists the
    application's recordings once (SENDBIRD_API_TOKEN). Read-only: it never requests a copy. Most
    urgent deadline first. Exit 0 nothing failed, at risk or lost; 1 otherwise (or no ledger); 2 bad
    input; 130 interrupted.
    """
    from sendbird_copy.cli.status_output import checked_options, show_status, write_html
    from sendbird_copy.sync.status import StatusServices, run_status

    def body(factory: CLIFactory) -> list[Any]:
        status_options, html_path = checked_options(offline=offline, html_file=html_file, **options)
        apps = factory.applications()
        env = factory.environment(apps, needs_token=not offline, needs_deployer=True)
        s3 = {app.app_id: env.aws.deployer("s3", app.region) for app in apps}
        replicas = {  # in the application's region when the outputs name none (as the smoke test)
            app.app_id: env.aws.deployer("s3", app.replica_region or app.region)
            for app in apps
            if app.replica_bucket_name is not None
        }
        services = StatusServices(
            deployer_s3=lambda app: s3[app.app_id],
            make_client=env.sendbird_client,
            replica_s3=lambda app: replicas[app.app_id],
        )
        reports = run_status(apps, services, status_options)
        if html_path is not None:
            write_html(html_path, reports, factory.reporter)
        return reports

    run_command(common, body, show=show_status)


# find and link (lookup_commands.py): copied recordings at any age, from the manifests.
cli.add_command(lookup_commands.find)
cli.add_command(lookup_commands.link)
# hold: an Object Lock legal hold on a copied recording (lookup/hold.py).
cli.add_command(lookup_commands.hold)


def _run_per_app(
    common: CommonOptions,
    stage: Callable[[AppOutputs, Environment], AppReport],
    *,
    recording_id: str | None = None,
    needs_token: bool = False,
    needs_deployer: bool = True,
) -> NoReturn:
    """Ask the factory for the applications and the environment, then run ``stage`` for each."""

    def body(factory: CLIFactory) -> list[AppReport]:
        apps = factory.applications(recording_id)
        env = factory.environment(apps, needs_token=needs_token, needs_deployer=needs_deployer)
        return [stage(app, env) for app in apps]

    run_command(common, body)


def main(argv: list[str] | None = None, factory: FactoryMaker | None = None) -> None:
    """Console-script entry point (``sendbird-copy``) and ``python -m sendbird_copy.cli``.

    ``factory`` builds what the commands need (default ``CLIFactory``); tests pass another one.
    """
    cli.main(args=argv, prog_name="sendbird-copy", obj=factory)


if __name__ == "__main__":
    main()
