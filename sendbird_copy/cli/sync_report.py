"""How a sync run is shown to a person: a closing summary table and the recordings that need one
(the JSON document is ``render.render_json``). Outside strings are made ``inert``; all is redacted."""

from __future__ import annotations

from collections.abc import Callable

from sendbird_copy.cli.render import verdict_line
from sendbird_copy.redact import inert
from sendbird_copy.sync.run import (
    ALREADY_SAFE,
    COPIED_NOW,
    DAMAGED,
    FAILED_OUTCOME,
    IN_PROGRESS,
    LOST,
    NOT_READY,
    PENDING,
    UNAVAILABLE,
    WOULD_COPY,
    RecordingResult,
    SyncReport,
)

Redactor = Callable[[str], str]
COLUMNS = (
    COPIED_NOW,
    ALREADY_SAFE,
    WOULD_COPY,
    IN_PROGRESS,
    PENDING,
    NOT_READY,
    UNAVAILABLE,
    FAILED_OUTCOME,
    DAMAGED,
    LOST,
)
# What a person should look at, in order of urgency.
ATTENTION = (LOST, FAILED_OUTCOME, DAMAGED)


def render_sync_human(reports: list[SyncReport], redact: Redactor = lambda text: text) -> str:
    columns = [c for c in COLUMNS if any(r.counts()[c] for r in reports)] or [COPIED_NOW]
    header = ["application", *columns, "at risk"]
    rows = [
        [inert(r.app_id), *(str(r.counts()[c]) for c in columns), str(r.counts()["at risk"])] for r in reports
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    for report in reports:
        app_id = inert(report.app_id)
        if report.error:
            lines.append(f"{app_id}: ERROR {inert(report.error)}")
        if report.skipped:
            lines.append(f"{app_id}: SKIPPED {inert(report.skipped)}")
        if report.discovery:
            lines.append(f"{app_id}: {inert(_discovery_line(report))}")
        lines.extend(f"{app_id}: note: {inert(note)}" for note in report.notes)
        lines.extend(f"{app_id}: DAMAGED {inert(d['key'])}: {inert(d['problem'])}" for d in report.damaged)
        for outcome in ATTENTION:
            lines.extend(_line(app_id, result) for result in report.of(outcome))
        lines.extend(_line(app_id, r, "AT RISK") for r in report.results if r.at_risk)
        # Copied, and not in Sendbird's documented format: recorded and shown, not failed.
        lines.extend(_line(app_id, r) for r in report.of(COPIED_NOW) if r.reason)
    lines.append(verdict_line(reports, "need attention"))
    return redact("\n".join(lines))


def _discovery_line(report: SyncReport) -> str:
    found = report.discovery
    assert found is not None
    gets = report.requests.get("sendbird GET", 0)
    line = f"discovery {found.mode} ({found.reason}): {found.parents} parents, {gets} GET requests"
    if found.fetched_by_id:
        line += f", {found.fetched_by_id} watched parents read by id"
    return line + ("" if found.complete else "; stopped before the end")


def _line(app_id: str, result: RecordingResult, label: str | None = None) -> str:
    r = result.recording
    deadline = f", deadline {r.deadline.isoformat(timespec='minutes')}" if r.deadline else ""
    reason = f": {inert(result.reason)}" if result.reason else ""
    outcome = (label or result.outcome).upper()
    return f"{app_id}: {outcome} {inert(r.recording_id)} ({inert(r.where)}{deadline}){reason}"
