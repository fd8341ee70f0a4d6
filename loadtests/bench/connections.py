"""The generator's WebSocket client: picows connections to a :class:`Target`.

picows calls a listener back for every frame, from the event loop's read of the socket,
with no future, queue or task in between; that is what keeps the generator's cost per
message low enough to measure the servers. :class:`Client` does what every connection
needs outside the measured hot path: the server's greeting, joining the room, engine.io
pings, the close handshake. The scenarios subclass it and handle their own frames in
``on_ws_frame`` before handing anything else to :meth:`Client.control`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from picows import WSCloseCode, WSFrame, WSListener, WSMsgType, WSTransport, ws_connect

from loadtests.bench.targets import Target

TEXT = WSMsgType.TEXT
CLOSE = WSMsgType.CLOSE
# What a browser sends: the servers run with deflate off and decline it, which costs them
# parsing the offer and leaves the connection uncompressed.
DEFLATE_OFFER = {"Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits"}
# The servers accept frames up to 256 KiB and send far smaller ones; the limit only has
# to be above anything they send.
MAX_FRAME_BYTES = 1 << 20
TIMEOUT = 30.0  # seconds for a handshake, a greeting or an answer: a stuck server fails
ENGINEIO_PING = "2"
ENGINEIO_PONG = b"3"

C = TypeVar("C", bound="Client")


class Client(WSListener):
    """One connection: greeting, engine.io pings, requests with a known answer, closing."""

    transport: WSTransport

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.socketio = kind == "socketio"
        loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[None] = loop.create_future()
        self._opened = False  # socketio: the engine.io open packet arrived, "40" sent
        self._expect: tuple[str, asyncio.Future[None]] | None = None

    def on_ws_connected(self, transport: WSTransport) -> None:
        """Keep the transport; the bare server greets with nothing, so it is ready now."""
        self.transport = transport
        if self.kind == "bare":
            self.ready.set_result(None)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        """Every frame goes to :meth:`control` (subclasses take theirs first)."""
        self.control(transport, frame)

    def on_ws_disconnected(self, transport: WSTransport) -> None:
        """Fail whoever still waits for this connection, rather than leaving them hanging."""
        lost = ConnectionError(f"{self.kind}: disconnected")
        if not self.ready.done():
            self.ready.set_exception(lost)
        if self._expect is not None and not self._expect[1].done():
            self._expect[1].set_exception(lost)

    def control(self, transport: WSTransport, frame: WSFrame) -> None:
        """Everything but the scenario's own frames: CLOSE, pings, greeting, expected answers."""
        msg_type = frame.msg_type
        if msg_type is CLOSE:
            # The reply to our CLOSE, or the server closing: the handshake is complete
            # once both were sent (send_close is a no-op the second time).
            transport.send_close(WSCloseCode.OK)
            transport.disconnect()
            return
        if msg_type is not TEXT:
            return  # picows answers PING frames itself
        text = frame.get_payload_as_utf8_text()
        if self.socketio and text == ENGINEIO_PING:
            transport.send(TEXT, ENGINEIO_PONG)
            return
        if not self.ready.done():
            self._greeting(transport, text)
        elif self._expect is not None and self._expect[0] in text:
            self._expect[1].set_result(None)
            self._expect = None

    def _greeting(self, transport: WSTransport, text: str) -> None:
        if self.kind == "router":
            if '"connection_established"' in text:
                self.ready.set_result(None)
        elif not self._opened:
            # engine.io's open packet, 0{"sid":...}; "40" connects the default namespace.
            self._opened = True
            transport.send(TEXT, b"40")
        elif text.startswith("40"):
            self.ready.set_result(None)

    async def request(self, frame: bytes, answer: str) -> None:
        """Send ``frame`` and wait for a frame containing ``answer``."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._expect = (answer, future)
        self.transport.send(TEXT, frame)
        await asyncio.wait_for(future, TIMEOUT)

    async def close(self, timeout: float = 5.0) -> None:
        """A close handshake: send CLOSE, wait for the server's, then the socket's end."""
        self.transport.send_close(WSCloseCode.OK)
        try:
            await asyncio.wait_for(self.transport.wait_disconnected(), timeout)
        except TimeoutError:
            self.transport.disconnect(graceful=False)


async def open_client(target: Target, listener: type[C], *, deflate: bool = False) -> C:
    """A connection to ``target`` through ``listener``, greeting done.

    With ``deflate`` the client offers permessage-deflate as browsers do; a server that
    accepted it would send compressed frames this client cannot read, so that is an error.
    """
    kind = target.kind
    transport, client = await ws_connect(
        lambda: listener(kind),
        target.url(),
        extra_headers=DEFLATE_OFFER if deflate else None,
        max_frame_size=MAX_FRAME_BYTES,
        websocket_handshake_timeout=TIMEOUT,
    )
    if not isinstance(client, listener):
        raise TypeError(f"picows returned {type(client).__name__}, not {listener.__name__}")
    if "Sec-WebSocket-Extensions" in transport.response.headers:
        transport.disconnect(graceful=False)
        raise RuntimeError(f"{kind} accepted an extension: deflate must be off")
    await asyncio.wait_for(client.ready, TIMEOUT)
    return client


async def gather_bounded(n: int, limit: int, make: Callable[[int], Awaitable[Any]]) -> list[Any]:
    """``make(0)`` ... ``make(n - 1)``, at most ``limit`` at a time, results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(i: int) -> Any:
        async with semaphore:
            return await make(i)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def open_many(
    target: Target, listener: type[C], n: int, *, deflate: bool = False, limit: int = 100
) -> list[C]:
    """``n`` connections, ``limit`` handshakes at a time (a server's accept backlog is finite)."""
    return await gather_bounded(n, limit, lambda i: open_client(target, listener, deflate=deflate))


async def close_all(clients: list[C]) -> None:
    """Close every connection with a close handshake, 200 at a time."""
    await gather_bounded(len(clients), 200, lambda i: clients[i].close())
