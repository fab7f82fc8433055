"""Check results and the two ways to show them: one line per check for people, JSON for pipelines.

Every line the CLI prints about a check goes through ``render_human``/``render_json`` here, and both
pass their text through the caller's redactor: a check's detail quotes AWS and Sendbird messages,
which we do not control.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Redactor = Callable[[str], str]


@dataclass(frozen=True)
class Check:
    """One proven (or disproven) fact. ``fix`` says what to change when it failed."""

    name: str
    passed: bool
    detail: str
    fix: str | None = None
    # A probe that could not run because an earlier one failed: neither proof nor failure.
    skipped: bool = False

    @property
    def status(self) -> str:
        return "skip" if self.skipped else ("pass" if self.passed else "fail")

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "status": self.status, "passed": self.passed}
        data["detail"] = self.detail
        if self.fix:
            data["fix"] = self.fix
        return data


def passed(name: str, detail: str) -> Check:
    return Check(name, True, detail)


def failed(name: str, detail: str, fix: str | None = None) -> Check:
    return Check(name, False, detail, fix)


def skipped(name: str, detail: str) -> Check:
    return Check(name, True, detail, skipped=True)


@dataclass
class AppReport:
    """The checks run for one application, and the copied object when the copy was exercised."""

    app_id: str
    checks: list[Check] = field(default_factory=list)
    object: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def add(self, checks: Iterable[Check]) -> bool:
        """Append checks; True when all of them passed (so a caller can stop at a failed stage)."""
        new = list(checks)
        self.checks.extend(new)
        return all(c.passed for c in new)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "app_id": self.app_id,
            "passed": self.passed,
            "checks": [c.to_dict() for c in self.checks],
            "object": self.object,
        }
        if self.notes:
            data["notes"] = list(self.notes)
        return data


def verdict(reports: Iterable[AppReport]) -> str:
    return "pass" if all(r.passed for r in reports) else "fail"


def _identity(text: str) -> str:
    return text


def render_check(check: Check) -> list[str]:
    lines = [f"  {check.status.upper():4} {check.name} — {check.detail}"]
    if check.fix and not check.passed:
        lines.append(f"       fix: {check.fix}")
    return lines


def render_human(reports: list[AppReport], redact: Redactor = _identity) -> str:
    lines: list[str] = []
    for report in reports:
        lines.append(f"application {report.app_id}")
        for check in report.checks:
            lines.extend(render_check(check))
        if report.object:
            obj = ", ".join(f"{k}={v}" for k, v in report.object.items())
            lines.append(f"  object: {obj}")
        lines.extend(f"  note: {note}" for note in report.notes)
    lines.append(verdict_line(reports, "failed"))
    return redact("\n".join(lines))


def verdict_line(reports: Sequence[Any], failing: str) -> str:
    """The last line of a human report: PASS, or FAIL with how many applications ``failing``."""
    failed_apps = [r for r in reports if not r.passed]
    if failed_apps:
        return f"verdict: FAIL ({len(failed_apps)} of {len(reports)} application(s) {failing})"
    return f"verdict: PASS ({len(reports)} application(s))"


def render_json(reports: list[AppReport], redact: Redactor = _identity) -> str:
    document = {"verdict": verdict(reports), "applications": [r.to_dict() for r in reports]}
    # Redact the serialized text: a secret can only hide in a string, and redaction keeps JSON valid
    # as long as the replacement contains no quote or backslash.
    return redact(json.dumps(document, indent=2, default=str))


def render_error_json(
    message: str, exit_code: int, redact: Redactor = _identity, reports: Iterable[AppReport] = ()
) -> str:
    """The error document; ``reports`` are the checks that finished before the error (Ctrl-C)."""
    document = {
        "verdict": "error",
        "error": {"message": message, "exit_code": exit_code},
        "applications": [r.to_dict() for r in reports],
    }
    return redact(json.dumps(document, indent=2, default=str))
