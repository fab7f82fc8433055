"""How ``status`` is shown to a person: per application a table of its recordings (most urgent
deadline first); the JSON document is ``render.render_json``. Pure: reports in, text out, outside
strings made ``inert``, through the caller's redactor."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sendbird_copy.cli.render import verdict_line
from sendbird_copy.redact import inert
from sendbird_copy.sync.status import StatusReport, StatusRow

Redactor = Callable[[str], str]
HEADER = ("live event / room", "recording", "stopped at (UTC)", "state", "time left", "key", "size")
# With a replica (the storage's ``replication``): one more column, whether each copy reached it.
REPLICA_HEADER = "replica"
NONE = "-"


def time_left(left: timedelta | None) -> str:
    """``13d 4h``, ``5h 12m``, ``-2d 3h`` (past the deadline); whole minutes, rounded down."""
    if left is None:
        return NONE
    minutes = int(abs(left.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    text = f"{days}d {hours}h" if days else f"{hours}h {minutes}m"
    return f"-{text}" if left.total_seconds() < 0 else text


def size(value: int | None) -> str:
    if value is None:
        return NONE
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value} B"


def stopped(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else NONE


def cells(row: StatusRow, now: datetime, replica: bool = False) -> tuple[str, ...]:
    left = time_left(row.time_left(now))
    extra = (row.replica or NONE,) if replica else ()
    return (
        inert(row.where),
        inert(row.recording_id),
        stopped(row.stopped_at),
        row.state,
        left,
        inert(row.key or NONE),
        size(row.size),
        *extra,
    )


def counts_line(report: StatusReport) -> str:
    counts = report.counts()
    shown = ", ".join(f"{n} {state}" for state, n in counts.items() if n)
    return shown or "no recordings"


def table(rows: Sequence[tuple[str, ...]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [indent + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]


def render_status_human(reports: list[StatusReport], redact: Redactor = lambda text: text) -> str:
    lines: list[str] = []
    for report in reports:
        source = "ledger only (--offline)" if report.offline else "ledger and Sendbird's listing"
        where = f"application {inert(report.app_id)} (bucket {inert(report.bucket)}, {source})"
        lines.append(f"{where}: {counts_line(report)}")
        if report.rows:
            replica = any(row.replica is not None for row in report.rows)
            header = (*HEADER, REPLICA_HEADER) if replica else HEADER
            lines.extend(table([header, *(cells(row, report.now, replica) for row in report.rows)]))
        lines.extend(f"  problem: {inert(problem)}" for problem in report.problems)
        if report.lease is not None:
            if not report.lease.honoured:
                held = "NOT honoured (ends further away than a run lasts)"
            else:
                held = "held" if report.lease.until > report.now else "given back (or ended)"
            until = report.lease.until.isoformat(timespec="seconds")
            lines.append(f"  sync lease: run {inert(report.lease.run_id)} until {until} (S3's clock), {held}")
        if report.view:
            lines.append(f"  view: {inert(report.view)}")
        if report.error:
            lines.append(f"  ERROR {inert(report.error)}")
    lines.append(verdict_line(reports, "need attention"))
    return redact("\n".join(lines))
