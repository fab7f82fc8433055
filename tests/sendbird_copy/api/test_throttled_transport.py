"""Where a rate limiter's slot sits in a request (``api/transport.py``): it holds the sending alone.

Every moment inside a slot delays every later request by as much (``sync/limiter.py``), so the
request is prepared before the slot, sent by the thread that holds it, and the slot is left once the
status line and headers are in, before the body is read. A local server that holds its answer's
body back shows the order; nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from sendbird_copy.api import SendbirdClient

BODY = b'{"recording_id": "rec-1", "status": "copying"}'
HOLD = 5.0  # seconds the server holds the body back at most (only reached when the slot is held)


class HoldingServer:
    """Sends the status line and headers, then holds the body back until the slot is left (or
    ``HOLD`` passes), and remembers which it was."""

    def __init__(self) -> None:
        self.slot_left = threading.Event()
        self.body_waited_for_slot: list[bool] = []
        holding = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(BODY)))
                self.end_headers()
                self.wfile.flush()
                holding.body_waited_for_slot.append(holding.slot_left.wait(HOLD))
                self.wfile.write(BODY)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"


@pytest.fixture
def holding() -> Iterator[HoldingServer]:
    server = HoldingServer()
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


class Slot:
    """A limiter's slot as the client sees it: records where and when it is entered and left."""

    def __init__(self, left: threading.Event, opens: threading.Event | None = None) -> None:
        self.left, self.opens = left, opens
        self.entered_in: threading.Thread | None = None
        self.held = False

    def __enter__(self) -> None:
        if self.opens is not None:
            self.opens.wait(HOLD)
        self.entered_in = threading.current_thread()
        self.held = True

    def __exit__(self, *exc: object) -> None:
        self.held = False
        self.left.set()


def copy(client: SendbirdClient) -> dict[str, Any]:
    return client.copy_recording("rec-1", access_key="AKIA", secret_key="s3cr3t", bucket="b", region="r")


def test_the_slot_is_left_once_the_headers_are_in_before_the_body_is_read(holding: HoldingServer) -> None:
    client = SendbirdClient("app", "token", base_url=holding.url)
    slot = Slot(holding.slot_left)
    client.set_throttle(lambda _method: slot)
    assert copy(client) == {"recording_id": "rec-1", "status": "copying"}
    assert holding.body_waited_for_slot == [True]  # the body came only after the slot was left


def test_the_request_is_prepared_before_the_slot_and_sent_by_the_thread_holding_it(
    holding: HoldingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = SendbirdClient("app", "token", base_url=holding.url)
    slot = Slot(holding.slot_left)
    client.set_throttle(lambda _method: slot)
    prepared_in_slot: list[bool] = []
    sent_by: list[threading.Thread] = []
    prepare, send = requests.Session.prepare_request, requests.Session.send

    def recording_prepare(self: requests.Session, request: Any) -> Any:
        prepared_in_slot.append(slot.held)
        return prepare(self, request)

    def recording_send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        sent_by.append(threading.current_thread())
        return send(self, request, **kwargs)

    monkeypatch.setattr(requests.Session, "prepare_request", recording_prepare)
    monkeypatch.setattr(requests.Session, "send", recording_send)
    copy(client)
    assert prepared_in_slot == [False]
    # No hand-over between threads once the slot opens: the thread that got it sends at once.
    assert sent_by == [slot.entered_in]


def test_waiting_for_a_slot_does_not_count_against_the_answer_deadline(holding: HoldingServer) -> None:
    """A slot that opens after longer than the deadline: the request still goes out and its own
    deadline starts when it is sent."""
    client = SendbirdClient("app", "token", base_url=holding.url, deadline=0.2)
    opens = threading.Event()
    slot = Slot(holding.slot_left, opens)
    client.set_throttle(lambda _method: slot)
    timer = threading.Timer(0.5, opens.set)
    timer.start()
    try:
        assert copy(client)["status"] == "copying"
    finally:
        timer.cancel()
    assert holding.body_waited_for_slot == [True]
