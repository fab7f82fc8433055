"""The one way the CLI and the main job talk to a person or a pipeline (chalice's ``UI``).

Progress and errors go to stderr, results to stdout; everything passes through ``redact`` with every
secret the run knows, including secrets learnt mid-run (the copy users' keys once the outputs are
read), and every text line through ``redact.inert``, so no string from outside reaches the terminal
with its control characters (``--json`` stays exact: JSON escapes them). Only click is imported
here, so building a Reporter costs nothing on ``--help``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from sendbird_copy.redact import inert, redact

if TYPE_CHECKING:
    from sendbird_copy.checks.report import AppReport


class Reporter:
    """Prints for one run and keeps the secrets that must never be printed."""

    # A plain class, not a dataclass: dataclasses costs ~10 ms of import time on every --help.
    def __init__(self, json_output: bool = False, secrets: Iterable[str] = ()) -> None:
        self.json_output = json_output
        self.secrets: list[str] = [s for s in secrets if s]
        self._bar: Any = None  # the tqdm bar while counter() draws one

    def add_secrets(self, secrets: Iterable[str | None]) -> None:
        self.secrets.extend(s for s in secrets if s)

    def allow_in_links(self, secret: str | None) -> None:
        """The one secret a presigned URL must carry to work (a temporary session token): ``link``
        leaves it in the URL; everything else stays masked."""
        self._link_allowed = secret

    def link_secrets(self) -> list[str]:
        """What a printed link is masked with, and must not show (``lookup.link.shows_secret``)."""
        allowed = getattr(self, "_link_allowed", None)
        return [s for s in self.secrets if s != allowed]

    def link(self, url: str, reports: list[Any]) -> None:
        """A presigned URL alone on stdout (or the --json document), masked with every secret but
        the session token it must carry: a masked URL would be useless."""
        secrets = self.link_secrets()
        if self.json_output:
            from sendbird_copy.cli.render import render_json

            click.echo(render_json(reports, lambda text: redact(text, secrets)))
        else:
            click.echo(inert(redact(url, secrets)))

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def text(self, text: str) -> str:
        """``text`` as it may reach a terminal: redacted, every control character but the line
        breaks escaped."""
        return inert(self.redact(text), keep="\n")

    def document(self, render: Callable[[list[Any], Callable[[str], str]], str], reports: list[Any]) -> None:
        """The results on stdout: ``render``'s text made inert, or with --json the one JSON document."""
        if self.json_output:
            from sendbird_copy.cli.render import render_json

            click.echo(render_json(reports, self.redact))
        else:
            click.echo(render(reports, self.text))

    def info(self, message: str = "") -> None:
        """A line of the run's own story (stdout): what was created, what happens next."""
        click.echo(self.text(message))

    def progress(self, message: str) -> None:
        """A status line (stderr), so stdout stays one document with --json. Not while a progress bar
        is drawn on a terminal: the bar says it, and lines would tear it apart."""
        if self._bar is None:
            click.echo(self.text(message), err=True)

    def sleeper(
        self,
        label: str,
        every: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> Callable[[float], None]:
        """A ``time.sleep`` for a polling wait that prints ``label (N s)`` at least every ``every``
        seconds (off a terminal too: a CI log that says nothing for minutes looks like a hang)."""
        started: float | None = None
        said = 0.0

        def sleep_saying(seconds: float) -> None:
            nonlocal started, said
            now = clock()
            if started is None:
                started = said = now
            if now + seconds - said >= every:
                said = now
                self.progress(f"{label} ({now - started:.0f} s)")
            sleep(seconds)

        return sleep_saying

    def expect(self, count: int) -> None:
        """``count`` more items for the live counter (each application's, once it is known), so the
        bar shows a total and a rate, not only a running number."""
        bar = self._bar
        if bar is not None:
            bar.total = (bar.total or 0) + count
            bar.refresh()

    @contextmanager
    def counter(self, label: str) -> Iterator[Callable[[], None]]:
        """Yields ``tick()``: a live counter on stderr when it is a terminal (tqdm), else nothing
        (the plain progress lines say what happens)."""
        if not sys.stderr.isatty():
            yield lambda: None
            return
        from tqdm import tqdm

        with tqdm(desc=label, unit=" rec", file=sys.stderr, leave=False, dynamic_ncols=True) as bar:
            self._bar = bar
            try:
                yield bar.update
            finally:
                self._bar = None

    @contextmanager
    def step(self, title: str) -> Iterator[None]:
        """Print a step with its duration, so a newcomer sees where the time goes."""
        click.echo(self.text(f"- {title} ..."), nl=False)
        started = time.monotonic()
        try:
            yield
        except BaseException:
            click.echo(" failed")  # end the line, so the error that follows starts on its own
            raise
        click.echo(f" done ({time.monotonic() - started:.1f} s)")

    def results(self, reports: list[AppReport]) -> None:
        from sendbird_copy.cli.render import render_human

        self.document(render_human, reports)

    def sync_results(self, reports: list[Any]) -> None:
        from sendbird_copy.cli.sync_report import render_sync_human, render_sync_json

        if self.json_output:  # a dry run's document adds the estimate's total
            click.echo(render_sync_json(reports, self.redact))
        else:
            self.document(render_sync_human, reports)

    def error(
        self,
        message: str,
        exit_code: int,
        finished: list[Any] | None = None,
        show: Callable[[Reporter, list[Any]], None] | None = None,
    ) -> None:
        """One ``error:`` line on stderr, and with --json an error document on stdout; ``finished``
        are the reports as far as they got before the error (an interrupted run still shows them),
        shown in human mode by ``show`` (default: as check reports)."""
        if finished and not self.json_output:
            if show is not None:
                show(self, finished)
            else:
                self.results(finished)
        click.echo(f"error: {self.text(message)}", err=True)
        if self.json_output:
            from sendbird_copy.cli.render import render_error_json

            click.echo(render_error_json(message, exit_code, self.redact, finished or []))

    @contextmanager
    def redacted_logging(self) -> Iterator[None]:
        """While inside: warnings and errors from any library go to stderr, every secret masked."""
        import logging

        from sendbird_copy.redact import RedactingFilter

        # urllib3 warns once per retry; the failed check already names the host, once.
        logging.getLogger("urllib3").setLevel(logging.ERROR)
        handler = logging.StreamHandler(sys.stderr)
        handler.setLevel(logging.WARNING)
        handler.addFilter(RedactingFilter(live=lambda: self.secrets))  # some are learnt later
        logging.getLogger().addHandler(handler)
        try:
            yield
        finally:
            logging.getLogger().removeHandler(handler)
