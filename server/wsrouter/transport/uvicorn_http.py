"""uvicorn's HTTP protocol (h11), with bounds on what a request head may cost.

uvicorn starts its keep-alive timer only after a first response, and when h11
refuses a request head (too large, malformed) its error response cannot be sent
through the failed h11 connection, so nothing is sent and the socket stays open. A
client that connects and sends nothing, half a request line or an endless header
holds a socket (and a file descriptor) for as long as it likes. This subclass
gives each request ``head_timeout`` seconds to send its whole head, of at most
``max_head_bytes`` and 100 headers; past either, and for a head h11 refuses, the
client gets 408, 431 or 400 (written directly) and the socket is closed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("wsrouter.transport")

MAX_HEADER_LINES = 102
"""Line ends in a head: the request line's, 100 headers' and the empty line's (431 above)."""


def raw_response(status: int, phrase: str) -> bytes:
    """A whole ``Connection: close`` response with a JSON body, as bytes."""
    body = f'{{"status_code":{status},"detail":"{phrase}"}}'.encode()
    return (
        f"HTTP/1.1 {status} {phrase}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


class RouterHttpProtocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline and a size limit on request heads."""

    head_timeout: ClassVar[float] = 10.0
    max_head_bytes: ClassVar[int] = 16 * 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._refused = False

    @classmethod
    def configured(cls, *, head_timeout: float, max_head_bytes: int) -> type[RouterHttpProtocol]:
        """A subclass with these limits (uvicorn takes a class, not an instance)."""
        return type(
            cls.__name__,
            (cls,),
            {"head_timeout": head_timeout, "max_head_bytes": max_head_bytes},
        )

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def _waiting_for_head(self) -> bool:
        return self.conn.their_state is h11.IDLE

    def _arm(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # read and dropped until the client closes (see _refuse)
        if self._waiting_for_head():
            self._arm()  # also for the next request of a keep-alive connection
            # The head so far: what h11 holds unparsed, and what just came.
            pending = self.conn.trailing_data[0] + data
            end = pending.find(b"\r\n\r\n")
            head = pending if end < 0 else pending[: end + 4]
            if len(head) > self.max_head_bytes or head.count(b"\r\n") > MAX_HEADER_LINES:
                self._refuse(431, "Request Header Fields Too Large")
                return
        super().data_received(data)
        if not self.transport.is_closing() and not self._waiting_for_head():
            self._disarm()

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        # uvicorn's concurrency limit is checked for HTTP requests only, not upgrades.
        limit = self.limit_concurrency
        if limit is not None and len(self.connections) > limit:
            log.warning("connection cap reached: %d open", len(self.connections) - 1)
            self._refuse(503, "Service Unavailable")
            return
        super().handle_websocket_upgrade(event)

    def eof_received(self) -> None:
        if self._refused:
            self.transport.close()
            return
        super().eof_received()

    def send_400_response(self, msg: str) -> None:
        # h11 refused the head: its connection is in an error state and cannot send.
        self._refuse(400, "Bad Request")

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _too_slow(self) -> None:
        self._head_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self._refuse(408, "Request Timeout")

    def _refuse(self, status: int, phrase: str) -> None:
        """Answer ``status`` and close, letting the client read the answer.

        Closing with unread bytes in the socket (the rest of a long head) would send a
        reset that destroys the answer in flight: the write side is shut, what still
        arrives is read and dropped, and the socket closes when the client closes it,
        or after a second.
        """
        log.info("refused a request status=%d client=%s", status, self.client)
        self._disarm()
        if self._refused or self.transport.is_closing():
            return
        self._refused = True
        self.transport.write(raw_response(status, phrase))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(1.0, self.transport.close)
        else:
            self.transport.close()
