"""Slow clients at the protocol level: a request's line and headers must all arrive within
``HEADER_TIMEOUT`` seconds, or the connection gets a 408 in the API's error shape and is
closed (a "slowloris" client otherwise holds a connection, and a slot of
``limit_concurrency``, for as long as it likes: uvicorn has no such deadline).

The body has its own deadline, between parts (``edges.BODY_TIMEOUT``); idle kept-alive
connections are closed by uvicorn's ``timeout_keep_alive``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from entityscreen.api.edges import dumps

__all__ = ["HEADER_TIMEOUT", "HeaderDeadlineProtocol"]

# Seconds from a connection's opening (or the first byte of its next request) until its
# request line and headers are complete.
HEADER_TIMEOUT = 20.0


def _timeout_response() -> bytes:
    body = dumps({"status": 408, "error": "request_timeout",
                  "detail": f"the request line and headers took over {HEADER_TIMEOUT:.0f} s",
                  "fix": "send the request headers without pauses"})
    head = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n")
    return head + body


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on each request's headers."""

    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._deadline is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(HEADER_TIMEOUT, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is being answered: its headers came in time
        if not self.transport.is_closing():
            self.transport.write(_timeout_response())
            self.transport.close()
