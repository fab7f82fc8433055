"""``localdev.python_source``: a parse that a garbage collection cannot break (CPython 3.11)."""

from __future__ import annotations

import ast
import gc
import traceback
from pathlib import Path

from localdev.python_source import collection_held, parse
from sendbird_copy.sync import run

FORMATTED: list[str] = []


def _fail() -> int:
    table: dict[str, dict[str, int]] = {}
    return table["a"]["b"] + 1  # a part of a line fails: 3.11's traceback parses it to place carets


class _TracebackOnCollection:
    """Garbage only a collection frees (it refers to itself), whose finalizer formats a traceback, as
    asyncio's "Future exception was never retrieved" does for a failed Pulumi run's futures."""

    def __init__(self) -> None:
        self.me = self
        try:
            _fail()
        except KeyError as exc:
            self.exc = exc

    def __del__(self) -> None:
        FORMATTED.append("".join(traceback.format_exception(self.exc)))


def test_a_collection_inside_the_parse_runs_no_finalizer_that_parses() -> None:
    source = Path(run.__file__).read_text()  # large enough that parsing it allocates past a collection
    FORMATTED.clear()
    for _ in range(20):
        for _ in range(50):
            _TracebackOnCollection()
        # On CPython 3.11.7, ast.parse here fails ("AST constructor recursion depth mismatch") in
        # nearly every round: a collection inside it runs the finalizers, whose tracebacks parse.
        tree = parse(source)
        assert isinstance(tree, ast.Module) and tree.body
    gc.collect()
    assert len(FORMATTED) == 20 * 50  # the finalizers ran, after the parses
    assert "KeyError: 'a'" in FORMATTED[0]


def test_collection_is_restored_as_it_was() -> None:
    assert gc.isenabled()
    with collection_held():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collection_held():
            pass
        assert not gc.isenabled()  # not turned on by the hold when it was off before
    finally:
        gc.enable()
