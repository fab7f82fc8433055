"""Run a call in the background and take its result later: the checks that can overlap do.

A daemon thread, not a pool's: Ctrl-C (and SIGTERM, which the CLI turns into it) ends a run at once
instead of waiting out a probe's timeouts against an unreachable endpoint.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def in_background(call: Callable[[], T], name: str = "check") -> Future[T]:
    """Start ``call``; its Future gives the result or raises what ``call`` raised."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(call())
        except BaseException as exc:  # handed to whoever reads the result, Ctrl-C included
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
