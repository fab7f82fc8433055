"""``sendbird-copy``: thin click commands over ``CLIFactory`` and the stage functions in ``smoke``.

Each command reads its options, asks the factory for the applications, the environment and the
reporter, and calls its stage function for each application. ``exit_code`` beside ``main`` is the one
place that turns an outcome into 0/1/2/130. Only click (and the small reporter) is imported at
module level: boto3 and requests load inside the factory, so ``--help`` starts fast (see
benchmarks/startup.py). ``CommonOptions``, what a factory is built from, lives in ``factory.py``: the
commands import the factory, never the reverse.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, NoReturn

import click

from sendbird_copy import __version__, rules

if TYPE_CHECKING:
    from sendbird_copy.checks.report import AppReport
    from sendbird_copy.checks.smoke import Environment
    from sendbird_copy.cli.factory import CLIFactory, CommonOptions
    from sendbird_copy.cli.reporter import Reporter
    from sendbird_copy.outputs import AppOutputs

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


FactoryMaker = Callable[["CommonOptions"], "CLIFactory"]


class RuleType(click.ParamType):
    """A flag's value through its rule in ``sendbird_copy.rules``, so the CLI refuses a value with the
    words every other entry point uses (the component, the stack config, the function's environment)."""

    def __init__(self, rule: Callable[[str, Any], Any], name: str = "number") -> None:
        self.rule, self.name = rule, name

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        from sendbird_copy.errors import InputError

        try:
            return self.rule(param.opts[0] if param is not None else "value", value)
        except InputError as exc:
            self.fail(exc.problem.strip(), param, ctx)


class WholeNumber(RuleType):
    """A whole number in [low, high] (``rules.check_whole_number``), for flags whose bounds are
    their tool's own (the local tools' counts and sizes)."""

    def __init__(self, low: int, high: int) -> None:
        super().__init__(lambda name, value: rules.check_whole_number(name, value, low, high), "integer")


def rule_option(
    flag: str, rule: Callable[[str, Any], Any], default: Any, metavar: str | None = None, help: str = ""
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A flag whose value passes its rule (``RuleType``), with the rule's default shown in --help."""
    kind = "integer" if isinstance(default, int) and not isinstance(default, bool) else "number"
    return click.option(
        flag, type=RuleType(rule, kind), default=default, show_default=True, metavar=metavar, help=help
    )


# sync and status judge "at risk" alike.
warn_days_option = rule_option(
    "--warn-days",
    rules.check_warn_days,
    rules.WARN_DAYS_DEFAULT,
    metavar="DAYS",
    help="A recording not yet copied this close to its deadline is at risk (exit 1).",
)


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
        click.option(
            "--api-base-url",
            type=RuleType(rules.check_base_url, "url"),
            metavar="URL",
            help="Sendbird API base URL override (an emulator).",
        ),
        click.option(
            "--org-api-base-url",
            type=RuleType(rules.check_base_url, "url"),
            metavar="URL",
            help="Sendbird Organization API base URL override.",
        ),
        click.option("--api-tokens-file", metavar="FILE", help="JSON: application id -> its API token."),
        click.option(
            "--sendbird-aws-region",
            metavar="REGION",
            help="The application's AWS region, when Sendbird reports a region key this tool does not map.",
        ),
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        from sendbird_copy.cli.factory import CommonOptions  # lazily: --help never pays for the factory

        names = CommonOptions._fields
        common = CommonOptions(**{k: kwargs.pop(k) for k in list(kwargs) if k in names})
        return command(common, **kwargs)

    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


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

    _run(common, body, show=lambda reporter, reports: reporter.sync_results(reports))


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
        services = StatusServices(deployer_s3=lambda app: s3[app.app_id], make_client=env.sendbird_client)
        reports = run_status(apps, services, status_options)
        if html_path is not None:
            write_html(html_path, reports, factory.reporter)
        return reports

    _run(common, body, show=show_status)


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

    _run(common, body)


def _run(
    common: CommonOptions,
    body: Callable[[CLIFactory], list[Any]],
    show: Callable[[Reporter, list[Any]], None] | None = None,
) -> NoReturn:
    """Build the factory, run the command's body, print its reports (``show``, default: check
    reports) or its error, exit."""
    from sendbird_copy.cli.factory import CLIFactory  # lazily: --help never pays for it

    make_factory: FactoryMaker = click.get_current_context().obj or CLIFactory
    factory = make_factory(common)
    reporter = factory.reporter
    reports: list[Any] = []
    error: BaseException | None = None
    with reporter.redacted_logging(), _sigterm_as_interrupt():
        try:
            reports = body(factory)
        except (Exception, KeyboardInterrupt) as exc:
            if exit_code(exc, []) is None:
                raise  # a bug: shown with its traceback, never mistaken for a verdict
            error = exc
    code = exit_code(error, reports)
    assert code is not None
    if error is not None:
        from sendbird_copy.errors import describe

        if isinstance(error, KeyboardInterrupt):
            # Whatever finished is still worth seeing, with --json too: a sync's reports as far as
            # each application got (carried by the interrupt), a check command's started reports.
            partial = getattr(error, "reports", None)
            if partial is not None and show is not None:
                reporter.error("interrupted", code, partial, show=show)
            else:
                reporter.error("interrupted", code, getattr(factory, "started_reports", []))
        else:
            reporter.error(describe(error), code)
    elif show is not None:
        show(reporter, reports)
    else:
        reporter.results(reports)
    sys.exit(code)


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a CI job cancelled, a container stopped) ends a run as Ctrl-C does: in-flight work
    finishes, the ledger stays consistent, the report (or the --json document) is still printed."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread
        return

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def exit_code(error: BaseException | None, reports: list[Any]) -> int | None:
    """THE exit-code decision: 0 every check passed, 1 a check failed or a service failed,
    2 bad input or configuration, 130 interrupted; None for an error that is a bug."""
    if error is None:
        return EXIT_PASS if all(report.passed for report in reports) else EXIT_FAIL
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    from sendbird_copy.errors import UsageError, classify

    kind = classify(error)
    if kind is None:
        return None
    return EXIT_USAGE if issubclass(kind, UsageError) else EXIT_FAIL


def main(argv: list[str] | None = None, factory: FactoryMaker | None = None) -> None:
    """Console-script entry point (``sendbird-copy``) and ``python -m sendbird_copy.cli``.

    ``factory`` builds what the commands need (default ``CLIFactory``); tests pass another one.
    """
    cli.main(args=argv, prog_name="sendbird-copy", obj=factory)


if __name__ == "__main__":
    main()
