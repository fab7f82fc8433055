"""``status --html FILE``: one self-contained page (inline CSS and SVG, no script, no external asset):
per application the status table and a timeline of its recordings against their deadlines, each bar
from the recording's stop to Sendbird's deadline, coloured by state, with a line at "now". Pure:
reports in, the page's text out, through the caller's redactor."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from sendbird_copy.cli.status_table import HEADER, REPLICA_HEADER, cells, counts_line
from sendbird_copy.sync.status import STATES, StatusReport, StatusRow

Redactor = Callable[[str], str]
# One colour per state (the table's badges, the timeline's bars and the legend share them).
COLOURS = {
    "lost": "#7f0000",
    "failed": "#d32f2f",
    "at risk": "#f57c00",
    "requested": "#1565c0",
    "to copy": "#00838f",
    "not ready": "#757575",
    "unavailable": "#a1887f",
    "safe": "#2e7d32",
}
assert set(COLOURS) == set(STATES)

# The timeline's geometry (SVG user units).
WIDTH, LABEL_WIDTH, ROW_HEIGHT, AXIS_HEIGHT = 1000, 260, 20, 36


def css_class(state: str) -> str:
    return "state-" + state.replace(" ", "-")


def _style() -> str:
    badges = "\n".join(
        f".{css_class(state)} .badge {{ background: {colour}; }}" for state, colour in COLOURS.items()
    )
    return f"""
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #212121; }}
h1 {{ font-size: 22px; }} h2 {{ font-size: 18px; margin-top: 32px; }}
table {{ border-collapse: collapse; margin: 8px 0 16px; }}
th, td {{ text-align: left; padding: 4px 10px; border-bottom: 1px solid #e0e0e0; white-space: nowrap; }}
th {{ background: #f5f5f5; }}
.badge {{ color: #fff; border-radius: 4px; padding: 1px 8px; font-weight: 600; }}
.legend span {{ margin-right: 14px; }}
.problem, .error {{ color: #b71c1c; }}
.verdict-pass {{ color: #2e7d32; }} .verdict-fail {{ color: #b71c1c; }}
svg text {{ font: 11px system-ui, sans-serif; fill: #212121; }}
{badges}
"""


def _table(report: StatusReport) -> str:
    replica = any(row.replica is not None for row in report.rows)  # the storage's ``replication``
    headers = (*HEADER, REPLICA_HEADER) if replica else HEADER
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in report.rows:
        values = cells(row, report.now, replica)
        tds = [f"<td>{escape(v)}</td>" for v in values]
        tds[3] = f'<td class="state-cell"><span class="badge">{escape(row.state)}</span></td>'
        title = escape(f"{row.recording_id}: {row.detail}" if row.detail else row.recording_id, quote=True)
        body.append(
            f'<tr class="recording {css_class(row.state)}" data-state="{escape(row.state)}" '
            f'data-recording-id="{escape(row.recording_id)}" title="{title}">{"".join(tds)}</tr>'
        )
    return f'<table class="status"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def _span(rows: list[StatusRow], now: datetime) -> tuple[datetime, datetime]:
    starts = [r.stopped_at for r in rows if r.stopped_at] + [now]
    ends = [r.deadline for r in rows if r.deadline] + [now + timedelta(days=1)]
    return min(starts), max(ends)


def _timeline(report: StatusReport) -> str:
    rows = [r for r in report.rows if r.stopped_at and r.deadline]
    if not rows:
        return '<p class="timeline-empty">No recording with a stop time to draw.</p>'
    start, end = _span(rows, report.now)
    seconds = max((end - start).total_seconds(), 1.0)
    plot = WIDTH - LABEL_WIDTH - 10

    def x(moment: datetime) -> float:
        return round(LABEL_WIDTH + plot * (moment - start).total_seconds() / seconds, 1)

    height = AXIS_HEIGHT + ROW_HEIGHT * len(rows) + 6
    parts = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-label="recordings against their deadlines">'
    ]
    day = start.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    step = max(1, int(seconds // 86400) // 10 + 1)
    while day < end:
        parts.append(
            f'<line x1="{x(day)}" y1="{AXIS_HEIGHT - 6}" x2="{x(day)}" y2="{height}" stroke="#eeeeee"/>'
            f'<text x="{x(day)}" y="{AXIS_HEIGHT - 10}" text-anchor="middle">{day:%m-%d}</text>'
        )
        day += timedelta(days=step)
    for index, row in enumerate(rows):
        assert row.stopped_at and row.deadline
        y = AXIS_HEIGHT + index * ROW_HEIGHT
        left, right = x(row.stopped_at), x(row.deadline)
        label = escape(f"{row.where} · {row.recording_id}")[:60]
        parts.append(
            f'<g class="bar {css_class(row.state)}" data-state="{escape(row.state)}" '
            f'data-recording-id="{escape(row.recording_id)}">'
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end">{label}</text>'
            f'<rect x="{left}" y="{y + 3}" width="{max(right - left, 2.0)}" height="{ROW_HEIGHT - 6}" '
            f'rx="3" fill="{COLOURS[row.state]}"><title>{escape(row.state)}: deadline '
            f"{row.deadline:%Y-%m-%d %H:%M} UTC</title></rect></g>"
        )
    now_x = x(report.now)
    parts.append(
        f'<line class="now" x1="{now_x}" y1="14" x2="{now_x}" y2="{height}" '
        f'stroke="#000" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{now_x}" y="10" text-anchor="middle">now</text></svg>'
    )
    left_out = len(report.rows) - len(rows)
    if left_out:
        parts.append(
            f'<p class="timeline-note">{left_out} recording(s) without a stop time are not drawn.</p>'
        )
    return "".join(parts)


def _legend() -> str:
    items = "".join(
        f'<span class="{css_class(state)}"><span class="badge">{escape(state)}</span></span>'
        for state in STATES
    )
    return f'<p class="legend">{items}</p>'


def render_status_html(reports: list[StatusReport], redact: Redactor = lambda text: text) -> str:
    passed = all(r.passed for r in reports)
    verdict = "PASS" if passed else "FAIL"
    generated = reports[0].now.strftime("%Y-%m-%d %H:%M UTC") if reports else ""
    sections = []
    for report in reports:
        notes = "".join(f'<p class="problem">{escape(p)}</p>' for p in report.problems)
        if report.error:
            notes += f'<p class="error">ERROR {escape(report.error)}</p>'
        sections.append(
            f'<section class="application" data-app-id="{escape(report.app_id)}">'
            f"<h2>Application {escape(report.app_id)}</h2>"
            f"<p>Bucket {escape(report.bucket)}: {escape(counts_line(report))}</p>{notes}"
            f"{_table(report)}<h3>Deadlines</h3>{_timeline(report)}</section>"
        )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sendbird recordings: status</title>
<style>{_style()}</style></head>
<body><h1>Sendbird recordings: status at {escape(generated)}</h1>
<p class="verdict verdict-{verdict.lower()}">Verdict: {verdict}</p>
{_legend()}
{"".join(sections)}
</body></html>
"""
    return redact(page)
