"""How a sync run is shown: a closing summary table and the recordings that need a person, or one
JSON document (per application counts and per recording outcome). Both pass through the redactor."""

from __future__ import annotations

import json
from collections.abc import Callable

from sendbird_copy.checks.report import verdict_line
from sendbird_copy.sync.run import (
    ALREADY_SAFE,
    COPIED_NOW,
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
    LOST,
)
# What a person should look at, in order of urgency.
ATTENTION = (LOST, FAILED_OUTCOME)


def verdict(reports: list[SyncReport]) -> str:
    return "pass" if all(r.passed for r in reports) else "fail"


def render_sync_human(reports: list[SyncReport], redact: Redactor = lambda text: text) -> str:
    columns = [c for c in COLUMNS if any(r.counts()[c] for r in reports)] or [COPIED_NOW]
    header = ["application", *columns, "at risk"]
    rows = [[r.app_id, *(str(r.counts()[c]) for c in columns), str(r.counts()["at risk"])] for r in reports]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in [header, *rows]
    ]
    for report in reports:
        if report.error:
            lines.append(f"{report.app_id}: ERROR {report.error}")
        if report.skipped:
            lines.append(f"{report.app_id}: SKIPPED {report.skipped}")
        if report.discovery:
            lines.append(f"{report.app_id}: {_discovery_line(report)}")
        lines.extend(f"{report.app_id}: note: {note}" for note in report.notes)
        lines.extend(f"{report.app_id}: DAMAGED {d['key']}: {d['problem']}" for d in report.damaged)
        for outcome in ATTENTION:
            lines.extend(_line(report.app_id, result) for result in report.of(outcome))
        lines.extend(_line(report.app_id, r, "AT RISK") for r in report.results if r.at_risk)
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
    reason = f": {result.reason}" if result.reason else ""
    return f"{app_id}: {(label or result.outcome).upper()} {r.recording_id} ({r.where}{deadline}){reason}"


def render_sync_json(reports: list[SyncReport], redact: Redactor = lambda text: text) -> str:
    document = {"verdict": verdict(reports), "applications": [r.to_dict() for r in reports]}
    return redact(json.dumps(document, indent=2, default=str))
