"""How a sync run is shown to a person: a closing summary table and the recordings that need one
(the JSON document is ``render.render_json``). Outside strings are made ``inert``; all is redacted."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sendbird_copy.cli.render import render_json, verdict_line
from sendbird_copy.redact import inert
from sendbird_copy.sync.estimate import total
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
        lines.extend(f"{app_id}: MISSED {inert(why)}" for why in report.missed)
        for outcome in ATTENTION:
            lines.extend(_line(app_id, result) for result in report.of(outcome))
        lines.extend(_line(app_id, r, "AT RISK") for r in report.results if r.at_risk)
        # Copied, and not in Sendbird's documented format: recorded and shown, not failed.
        lines.extend(_line(app_id, r) for r in report.of(COPIED_NOW) if r.reason)
    lines.extend(_estimate_lines(reports))
    lines.append(verdict_line(reports, "need attention"))
    return redact("\n".join(lines))


def render_sync_json(reports: list[SyncReport], redact: Redactor = lambda text: text) -> str:
    """THE JSON document; a dry run's adds the estimate of every application together."""
    document = json.loads(render_json(reports))
    estimates = [r.estimate for r in reports if r.estimate is not None]
    if estimates:
        document["estimate"] = total(estimates)
    return redact(json.dumps(document, indent=2, default=str))


def _estimate_lines(reports: list[SyncReport]) -> list[str]:
    """A dry run's backfill estimate, per application and in total."""
    estimates = [(r.app_id, r.estimate) for r in reports if r.estimate is not None]
    if not estimates:
        return []
    lines = [f"{inert(app_id)}: estimate: {_estimate(e)}" for app_id, e in estimates]
    summed = total([e for _, e in estimates])
    storage = f"${summed['usd_per_month_at_landing']:.2f}/month in STANDARD"
    if summed["usd_per_month_after_transitions"] != summed["usd_per_month_at_landing"]:
        storage += f", ${summed['usd_per_month_after_transitions']:.2f}/month after lifecycle transitions"
    lines.append(
        f"total estimate: {summed['recordings']} recordings, {_size(summed['bytes'])}, "
        f"{summed['upload_part_requests']} upload requests of 5 MB (${summed['s3_request_usd']:.2f}), "
        f"about {summed['copy_post_seconds']} s of copy requests, {storage}"
    )
    prices = summed["prices"]
    lines.append(f"prices: S3 list prices in {prices['region']} as of {prices['as_of']} ({prices['source']})")
    return lines


def _estimate(e: dict[str, Any]) -> str:
    unknown = e["without_byte_size"]
    unknown_text = f" ({unknown} without a byte size, not counted)" if unknown else ""
    storage = ", ".join(
        f"${s['usd_per_month']:.2f}/month in {s['storage_class']}"
        + (f" from day {s['from_day']}" if s["from_day"] else "")
        for s in e["storage"]
    )
    return (
        f"{e['recordings']} recordings, {_size(e['bytes'])}{unknown_text}, {e['upload_part_requests']} "
        f"upload requests of 5 MB by Sendbird (${e['s3_request_usd']:.2f}), {e['copy_post_seconds']} s "
        f"at 5 copies/s, {storage}"
    )


def _size(size: int) -> str:
    return f"{size} bytes ({size / 1024**3:.2f} GiB)"


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
