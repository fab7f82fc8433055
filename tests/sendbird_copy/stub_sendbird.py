"""A stub of Sendbird's API on 127.0.0.1 whose answers a test writes: for the answers the emulator
never gives (a renamed list key, times in seconds, a cursor that never ends, a trickled body).

``StubSendbird.answer`` is called for every request with (method, path, query) and returns a
``Reply``; the stub remembers every request. Used as ``--api-base-url stub.url``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as they are
    content_type: str = "application/json"
    trickle_s: float = 0.0  # > 0: the body is sent one byte at a time, this many seconds apart
    trickle_headers: bool = False  # the status line and headers too (then trickle_s must be > 0)


@dataclass
class StubSendbird:
    answer: Callable[[str, str, dict[str, str]], Reply] = lambda _m, _p, _q: Reply(body={})
    received: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    url: str = ""

    def gets(self, path: str) -> int:
        return sum(1 for method, p, _ in self.received if method == "GET" and p == path)


def empty_listing(path: str) -> dict[str, Any]:
    return {"live_events" if path.endswith("live-events") else "rooms": [], "next": None}


def ms(seconds: float) -> int:
    return int(seconds * 1000)


def live_event(event_id: str, *recordings: dict[str, Any], state: str = "ongoing") -> dict[str, Any]:
    """A live event as Sendbird lists it, started an hour ago."""
    return {
        "live_event_id": event_id,
        "state": state,
        "started_at": ms(time.time() - 3600),
        "created_at": ms(time.time() - 7200),
        "cloud_recordings": list(recordings),
    }


def recording(recording_id: str, status: str = "recording", **fields: Any) -> dict[str, Any]:
    return {"recording_id": recording_id, "status": status, "started_at": ms(time.time() - 600), **fields}


@pytest.fixture
def stub() -> Iterator[StubSendbird]:
    state = StubSendbird()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            split = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            path = split.path.removeprefix("/v1")
            state.received.append((self.command, path, query))
            reply = state.answer(self.command, path, query)
            data = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
            head = (
                f"HTTP/1.1 {reply.status} Answer\r\nContent-Type: {reply.content_type}\r\n"
                f"Content-Length: {len(data)}\r\n\r\n"
            ).encode()
            if reply.trickle_s <= 0:
                self.wfile.write(head + data)
                return
            if not reply.trickle_headers:
                self.wfile.write(head)
                head = b""
            try:
                for byte in head + data:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(reply.trickle_s)  # the server's pace, not the client's clock
            except OSError:
                self.close_connection = True  # the client hung up (its deadline): stop trickling

        do_GET = do_POST = do_any

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
