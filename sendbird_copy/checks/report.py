"""Check results: what each stage of the smoke test proved or disproved, per application.

How they are shown (text for people, JSON for pipelines) is the CLI's: ``sendbird_copy.cli.render``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


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
