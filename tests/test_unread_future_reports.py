"""The suite's own guard (tests/conftest.py): a failed Pulumi run's unread futures are not reported
into whichever later test the garbage collector frees them in."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest


def test_an_unread_future_exception_is_not_reported(caplog: pytest.LogCaptureFixture) -> None:
    loop = asyncio.new_event_loop()
    try:
        future = loop.create_future()
        future.set_exception(ValueError("a failed registration"))
        with caplog.at_level(logging.DEBUG, logger="asyncio"):
            del future
            gc.collect()
            loop.call_exception_handler({"message": "another asyncio error"})  # still reported
    finally:
        loop.close()
    messages = [record.getMessage() for record in caplog.records]
    assert messages == ["another asyncio error"]
