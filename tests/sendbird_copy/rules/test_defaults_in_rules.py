"""Every default wait, window, margin and limit lives in ``sendbird_copy/rules/`` as a named constant
(issue 25): an AST scan of the shipped helper finds any literal one stated elsewhere.

What counts as stating a default: a number literal (or a ``timedelta(...)`` of literals) given as
- a function parameter's default, a dataclass field's default, or a call's keyword argument, whose
  name says time or a limit (``timeout``, ``interval``, ``margin``, ``wait``, ``window``, ``delay``,
  ``*_s``, ``*_seconds``, ``*_days``, ``*_hours``, ``*_minutes``);
- a module- or class-level constant named like ``*_S``, ``*_SECONDS``, ``*_DAYS``, ``*_HOURS``,
  ``*_MINUTES``, ``*TIMEOUT*``, ``*INTERVAL*``, ``*MARGIN*``, ``*SKEW*``, ``*WINDOW*``.
``facts.py`` is allowed: it holds documented Sendbird and AWS facts, not our choices.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from localdev.python_source import parse

PACKAGE = Path(__file__).resolve().parents[3] / "sendbird_copy"
ALLOWED = {PACKAGE / "facts.py"}
TIME_NAME = re.compile(
    r"(timeout|interval|margin|wait|window|delay|skew|_s|_seconds|_days|_hours|_minutes)$", re.IGNORECASE
)
CONSTANT_NAME = re.compile(
    r"^[A-Z0-9_]*(_S|_SECONDS|_DAYS|_HOURS|_MINUTES)$|TIMEOUT|INTERVAL|MARGIN|SKEW|WINDOW"
)


def _literal(node: ast.AST | None) -> bool:
    """A number literal (signed), or ``timedelta(...)`` of number literals."""
    if isinstance(node, ast.UnaryOp):
        node = node.operand
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.BinOp):
        return _literal(node.left) and _literal(node.right)
    if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "timedelta":
        return all(_literal(a) for a in node.args) and all(_literal(k.value) for k in node.keywords)
    return False


def _named_targets(node: ast.AST) -> list[tuple[str, ast.AST | None]]:
    if isinstance(node, ast.Assign):
        return [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [(node.target.id, node.value)]
    return []


def literal_defaults(source: str) -> list[str]:
    """``line: name`` of every literal default the module states (see the module docstring)."""
    tree = parse(source)
    found: list[str] = []
    bodies = [tree.body, *(n.body for n in ast.walk(tree) if isinstance(n, ast.ClassDef))]
    for body in bodies:
        for statement in body:
            for name, value in _named_targets(statement):
                if (CONSTANT_NAME.search(name) or TIME_NAME.search(name)) and _literal(value):
                    found.append(f"{statement.lineno}: {name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            args = node.args
            positional = [*args.posonlyargs, *args.args]
            pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
            pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
            found += [f"{d.lineno}: {a.arg}" for a, d in pairs if TIME_NAME.search(a.arg) and _literal(d)]
        elif isinstance(node, ast.Call):
            found += [
                f"{k.value.lineno}: {k.arg}"
                for k in node.keywords
                if k.arg and TIME_NAME.search(k.arg) and _literal(k.value)
            ]
    return sorted(set(found))


def shipped_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "rules" not in p.relative_to(PACKAGE).parts[:1])


@pytest.mark.parametrize(
    "source",
    [
        "SAFETY_MARGIN_S = 60.0",
        "POLL_TIMEOUT = 5",
        "CLOCK_SKEW = timedelta(minutes=10)",
        "def wait(timeout: float = 30.0) -> None: ...",
        "def wait(*, poll_interval=-1) -> None: ...",
        "@dataclass\nclass Options:\n    poll_interval: float = 5.0",
        "Config(connect_timeout=5, read_timeout=30)",
    ],
)
def test_the_scan_finds_a_literal_default(source: str) -> None:
    assert literal_defaults(source), source


@pytest.mark.parametrize(
    "source",
    [
        "SAFETY_MARGIN_S = rules.SAFETY_MARGIN_S",
        "def wait(timeout: float = WAIT_TIMEOUT_DEFAULT) -> None: ...",
        "MAX_NAMED_PROBLEMS = 50",  # a limit of output, not a wait or a window
        "Config(connect_timeout=AWS_CONNECT_TIMEOUT_S)",
    ],
)
def test_the_scan_leaves_named_constants_alone(source: str) -> None:
    assert literal_defaults(source) == []


def test_no_literal_wait_or_window_default_outside_rules() -> None:
    stated = {
        str(path.relative_to(PACKAGE)): found
        for path in shipped_modules()
        if path not in ALLOWED and (found := literal_defaults(path.read_text()))
    }
    assert stated == {}, f"defaults to move into sendbird_copy/rules/ as named constants: {stated}"
