"""Python source read with ``ast`` without CPython 3.11's shared-counter failure.

CPython 3.11 keeps one recursion counter per interpreter for turning a parse into ``ast`` objects,
and resets it at the start of every ``ast.parse``. A garbage collection during a parse can run a
finalizer that formats a traceback (asyncio's "Future exception was never retrieved", for a failed
Pulumi run's futures), and 3.11's ``traceback`` calls ``ast.parse`` to place its carets: the nested
parse resets the counter and the outer one fails with "SystemError: AST constructor recursion depth
mismatch (before=N, after=M)". Holding collection off for the parse leaves no finalizer to run.
``inspect.getsource`` of a class parses its module too, so it belongs inside the hold.
"""

from __future__ import annotations

import ast
import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collection_held() -> Iterator[None]:
    """No garbage collection (so no finalizer) inside the block; collection as it was after it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse(source: str | bytes) -> ast.Module:
    """``ast.parse(source)``, with collection held off while it runs."""
    with collection_held():
        return ast.parse(source)
