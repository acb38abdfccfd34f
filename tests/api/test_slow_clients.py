"""A client that sends its request headers slowly gets a 408 in the API's error shape and
its connection closed; a well-behaved kept-alive connection is not cut."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from tests.api.conftest import free_port

from entityscreen.api import slow
from entityscreen.cli_serve import _UVICORN


async def _ok(scope, receive, send):  # type: ignore[no-untyped-def]
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture()
def port(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    monkeypatch.setattr(slow, "HEADER_TIMEOUT", 0.4)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(_ok, host="127.0.0.1", port=port, lifespan="off",
                                        http=slow.HeaderDeadlineProtocol, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.01)
    yield port
    srv.should_exit = True
    thread.join(timeout=5)


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    out = b""
    while chunk := sock.recv(4096):
        out += chunk
    return out


def test_the_serve_command_uses_the_deadline() -> None:
    assert _UVICORN["http"] == "entityscreen.api.slow:HeaderDeadlineProtocol"


def test_headers_sent_too_slowly_get_408_and_the_connection_closes(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # and never the end of the headers
        answer = _read_all(sock)  # returns once the server closes
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    error = json.loads(body)
    assert error["status"] == 408 and error["error"] == "request_timeout"
    assert error["detail"] and error["fix"]


def test_a_silent_connection_is_closed_too(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        assert _read_all(sock).startswith(b"HTTP/1.1 408")


def test_a_kept_alive_connection_answers_after_a_pause(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(5)
        for _ in range(2):
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(4096).startswith(b"HTTP/1.1 200")
            time.sleep(0.6)  # longer than the header deadline, shorter than keep-alive
