"""What every command's report shares when shown: THE JSON document (checks, sync and status alike),
the error document, the verdict line, and the check reports as text.

Text passes each outside string through ``inert`` (control characters escaped, so a Sendbird id or an
AWS message can never drive the terminal); JSON stays exact (``json.dumps`` escapes them itself).
Everything passes through the caller's redactor last.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol

from sendbird_copy.checks.report import AppReport, Check
from sendbird_copy.redact import inert

Redactor = Callable[[str], str]


class Report(Protocol):
    """What a command's report offers the renderers: a check report, a sync's or a status's."""

    @property
    def passed(self) -> bool: ...

    def to_dict(self) -> dict[str, Any]: ...


def _identity(text: str) -> str:
    return text


def verdict(reports: Iterable[Report]) -> str:
    return "pass" if all(r.passed for r in reports) else "fail"


def verdict_line(reports: Sequence[Report], failing: str) -> str:
    """The last line of a human report: PASS, or FAIL with how many applications ``failing``."""
    failed_apps = [r for r in reports if not r.passed]
    if failed_apps:
        return f"verdict: FAIL ({len(failed_apps)} of {len(reports)} application(s) {failing})"
    return f"verdict: PASS ({len(reports)} application(s))"


def render_json(reports: Sequence[Report], redact: Redactor = _identity) -> str:
    """THE JSON document of every command: the verdict and one object per application."""
    document = {"verdict": verdict(reports), "applications": [r.to_dict() for r in reports]}
    # Redact the serialized text: a secret can only hide in a string, and redaction keeps JSON valid
    # as long as the replacement contains no quote or backslash.
    return redact(json.dumps(document, indent=2, default=str))


def render_error_json(
    message: str, exit_code: int, redact: Redactor = _identity, reports: Iterable[Report] = ()
) -> str:
    """The error document; ``reports`` are the ones that finished before the error (Ctrl-C)."""
    document = {
        "verdict": "error",
        "error": {"message": message, "exit_code": exit_code},
        "applications": [r.to_dict() for r in reports],
    }
    return redact(json.dumps(document, indent=2, default=str))


def render_check(check: Check) -> list[str]:
    lines = [f"  {check.status.upper():4} {inert(check.name)} — {inert(check.detail)}"]
    if check.fix and not check.passed:
        lines.append(f"       fix: {inert(check.fix)}")
    return lines


def render_human(reports: list[AppReport], redact: Redactor = _identity) -> str:
    lines: list[str] = []
    for report in reports:
        lines.append(f"application {inert(report.app_id)}")
        for check in report.checks:
            lines.extend(render_check(check))
        if report.object:
            obj = ", ".join(f"{k}={v}" for k, v in report.object.items())
            lines.append(f"  object: {inert(obj)}")
        lines.extend(f"  note: {inert(note)}" for note in report.notes)
    lines.append(verdict_line(reports, "failed"))
    return redact("\n".join(lines))
