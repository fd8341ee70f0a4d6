"""The one place that talks to ``websockets``: an open WebSocket, as the SDK uses it.

A connection needs only to send text, receive frames and close; :class:`Wire` is that
interface, and :func:`open_websocket` implements it with
``websockets.asyncio.client``. Tests, and users testing their own code, pass another
``opener`` to :func:`wsrouter_client.connect` and talk to a fake server instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Final, Protocol, TypeAlias

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from ._errors import ConnectFailed

# Server frames may be large (a chat history, a notification list) but are trusted.
MAX_FRAME_BYTES: Final = 16 * 2**20


class WireClosed(Exception):
    """The WebSocket is closed: the code and reason of the close frame received.

    1006 (abnormal closure) when no close frame came, as RFC 6455 says.
    """

    def __init__(self, code: int, reason: str = "") -> None:
        super().__init__(f"closed with {code} {reason}".rstrip())
        self.code = code
        self.reason = reason


class Wire(Protocol):
    """One open WebSocket."""

    async def send(self, text: str) -> None:
        """Send one text frame; raise :class:`WireClosed` when the socket is closed."""
        ...

    async def recv(self) -> str | bytes:
        """The next frame; raise :class:`WireClosed` once the socket is closed."""
        ...

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Start the closing handshake and wait for it to finish; never raises."""
        ...


Opener: TypeAlias = Callable[[str, Mapping[str, str], float | None], Awaitable[Wire]]
"""Opens a WebSocket: ``(url, headers, timeout) -> Wire``; raises :class:`ConnectFailed`."""


class WebsocketsWire:
    """A :class:`Wire` over a ``websockets`` client connection."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, text: str) -> None:
        """Send one text frame."""
        try:
            await self.connection.send(text)
        except ConnectionClosed as exc:
            raise _closed(exc) from None

    async def recv(self) -> str | bytes:
        """The next frame."""
        try:
            return await self.connection.recv()
        except ConnectionClosed as exc:
            raise _closed(exc) from None

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close, waiting for the server's close frame (``close_timeout`` at most)."""
        await self.connection.close(code, reason)


def _closed(exc: ConnectionClosed) -> WireClosed:
    if exc.rcvd is None:
        return WireClosed(1006, "")
    return WireClosed(exc.rcvd.code, exc.rcvd.reason)


async def open_websocket(url: str, headers: Mapping[str, str], timeout: float | None) -> Wire:
    """Open ``url`` with ``websockets``, sending ``headers``; the default :data:`Opener`."""
    try:
        connection = await connect(
            url, additional_headers=dict(headers), open_timeout=timeout, max_size=MAX_FRAME_BYTES
        )
    except InvalidStatus as exc:
        status = exc.response.status_code
        raise ConnectFailed(f"{url}: HTTP {status}", status_code=status) from exc
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise ConnectFailed(f"{url}: {exc or type(exc).__name__}") from exc
    return WebsocketsWire(connection)
