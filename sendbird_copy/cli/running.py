"""How a command runs: build the factory, run the command's body, print its reports or its error,
and exit with THE exit code (``exit_code``: 0/1/2/130). SIGTERM ends a run as Ctrl-C does."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sendbird_copy.cli.factory import CLIFactory, CommonOptions
    from sendbird_copy.cli.reporter import Reporter

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

FactoryMaker = Callable[["CommonOptions"], "CLIFactory"]


def run_command(
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
    with reporter.redacted_logging(), sigterm_as_interrupt():
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
def sigterm_as_interrupt() -> Iterator[None]:
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
