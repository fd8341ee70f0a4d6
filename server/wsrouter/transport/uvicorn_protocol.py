"""uvicorn's sans-I/O WebSocket protocol, with the router's limits on what it does by itself.

uvicorn answers every WebSocket ping with a pong, whether or not the peer reads, and
closes a socket by waiting for its write buffer to drain. A peer that floods pings
and never reads would grow the write buffer without bound; a peer that stops
reading would keep its socket, and so its registration, forever. This subclass:

* counts pings against a token bucket (the connection's message rate): past it,
  pings are not answered, and a peer that keeps on is closed with 4029;
* answers no ping once the socket's write buffer holds more than the send-queue
  limit (close 4008), nor after a close was sent;
* aborts the socket when a close has not completed within the close timeout (the
  peer never read it), so that the app hears of the disconnect and unregisters;
* offers the app an ``abort`` (ASGI extension ``wsrouter.transport``) for the same
  purpose, used when a send of its own is stuck behind a peer that does not read.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request

from wsrouter._generated.messages import CloseCode
from wsrouter.protocol.rate_limit import TokenBucket

EXTENSION = "wsrouter.transport"
"""The ASGI scope extension: ``{"abort_after": callable(seconds)}``."""

log = logging.getLogger("wsrouter.transport")


class RouterWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's protocol with bounded pings, buffers and closes (see the module)."""

    pings_per_second: ClassVar[float] = 20.0
    ping_burst: ClassVar[int] = 40
    ping_strikes: ClassVar[int] = 5
    max_buffer_bytes: ClassVar[int] = 1024 * 1024
    close_after_seconds: ClassVar[float] = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.close_timeout = self.close_after_seconds
        self._pings = TokenBucket(self.pings_per_second, self.ping_burst)
        self._strikes = 0
        self._abort_timer: Any = None

    @classmethod
    def configured(
        cls,
        *,
        pings_per_second: float,
        ping_burst: int,
        ping_strikes: int,
        max_buffer_bytes: int,
        close_after_seconds: float,
    ) -> type[RouterWebSocketProtocol]:
        """A subclass with these limits (uvicorn takes a class, not an instance)."""
        return type(
            cls.__name__,
            (cls,),
            {
                "pings_per_second": pings_per_second,
                "ping_burst": ping_burst,
                "ping_strikes": ping_strikes,
                "max_buffer_bytes": max_buffer_bytes,
                "close_after_seconds": close_after_seconds,
            },
        )

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        scope: Any = getattr(self, "scope", None)
        if scope is not None:
            scope["extensions"][EXTENSION] = {"abort_after": self.abort_after}

    # ------------------------------------------------------------- pings

    def handle_ping(self) -> None:
        if self.close_sent or self.transport.is_closing():
            self.conn.data_to_send()  # the pong is dropped: closing, nothing more is answered
            return
        if not self._pings.allow():
            self.conn.data_to_send()  # not answered: past the rate
            self._strikes += 1
            if self._strikes > self.ping_strikes:
                self._fail(CloseCode.RATE_LIMITED, "ping flood")
            return
        self._strikes = 0
        if self.transport.get_write_buffer_size() > self.max_buffer_bytes:
            self.conn.data_to_send()
            self._fail(SLOW_CONSUMER, "slow consumer: pongs not read")
            return
        super().handle_ping()

    def _fail(self, code: int, reason: str) -> None:
        """Close with ``code`` now, tell the app, and abort if the close does not complete."""
        log.warning("closing code=%d reason=%s client=%s", code, reason, self.client)
        self.queue.put_nowait({"type": "websocket.disconnect", "code": code, "reason": reason})
        self.conn.send_close(code, reason)
        self.transport.write(b"".join(self.conn.data_to_send()))
        self.close_sent = True
        if self.read_paused:
            self.read_paused = False
            self.transport.resume_reading()
        self.abort_after(self.close_timeout)

    # ------------------------------------------------------------- closing

    async def send(self, message: Any) -> None:
        if message["type"] == "websocket.close" and self.handshake_complete:
            # uvicorn closes the socket gracefully after its close timeout, which waits
            # for a write buffer the peer may never drain: abort a little later.
            self.abort_after(self.close_timeout + 1.0)
        await super().send(message)

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()
        self.abort_after(self.close_timeout)  # an unresponsive peer may never drain its buffer

    def abort_after(self, seconds: float) -> None:
        """Abort the socket in ``seconds`` unless it is gone by then (the earliest call wins)."""
        if self.disconnected:
            return
        when = self.loop.time() + seconds
        if self._abort_timer is not None:
            if self._abort_timer.when() <= when:
                return
            self._abort_timer.cancel()
        self._abort_timer = self.loop.call_at(when, self._abort)

    def _abort(self) -> None:
        if not self.disconnected:
            log.info("aborting a socket whose close did not complete client=%s", self.client)
            self.transport.abort()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._abort_timer is not None:
            self._abort_timer.cancel()
            self._abort_timer = None
        super().connection_lost(exc)


SLOW_CONSUMER = 4008
