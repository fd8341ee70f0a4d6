"""The async runtime behind the generated ``connect`` and its connection classes.

Each connection class (generated in ``_generated/connections.py``, one per
connection type of the spec) is the generated client of its type (``ChatClient``:
one typed method per message) plus :class:`LiveConnection`: its first frame, the
rooms it is in, callbacks, a message stream that spans reconnections, and close.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from ._connection import Connection, E, M, T
from ._errors import ConnectionClosed
from ._options import ConnectOptions, connection_settings
from ._stream import MessageStream


class LiveConnection(Generic[M, E]):
    """What every connection class adds to its generated client (async)."""

    _connection: Connection[M, E]

    @property
    def established(self) -> E:
        """The first frame of the current WebSocket (a new one after each reconnection)."""
        return self._connection.established

    @property
    def connection_id(self) -> str:
        """The server's id of the current WebSocket (a new one after each reconnection)."""
        return self._connection.established.connection_id

    @property
    def rooms(self) -> frozenset[str]:
        """The rooms the connection is in, as the server confirmed them."""
        return self._connection.rooms

    @property
    def reconnects(self) -> int:
        """How many times the connection was reopened."""
        return self._connection.reconnects

    @property
    def closed(self) -> ConnectionClosed | None:
        """Why the connection ended for good; ``None`` while it lives (or reconnects)."""
        return self._connection.closed

    def messages(self, *, timeout: float | None = None) -> MessageStream[M]:
        """Every frame the server sends, replies included (see :class:`MessageStream`).

        The first iterator also gets what arrived before it was made, starting with the
        first frame of the connection.
        """
        return self._connection.messages(timeout=timeout)

    def on(self, kind: type[T], callback: Callable[[T], object]) -> Callable[[], None]:
        """Call ``callback(frame)`` for every frame of type ``kind``; returns a remover.

        A callback that returns an awaitable (an ``async def``) has it run as a task;
        one that raises is logged. ``on(ChatMessage, print)``.
        """
        return self._connection.add_listener(kind, callback)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (with 1000 unless ``code`` says otherwise), stop reconnecting.

        ``code`` is 1000 or an application code in 3000-4999; ``reason`` at most 123
        bytes of UTF-8 (``ValueError`` otherwise).
        """
        await self._connection.close(code, reason)

    async def wait_closed(self) -> ConnectionClosed:
        """Wait until the connection ends for good; return why."""
        return await self._connection.wait_closed()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


C = TypeVar("C", bound=LiveConnection[Any, Any])


class Connect(Generic[C]):
    """What :func:`connect` returns: ``await`` it, or use it with ``async with``."""

    def __init__(self, opening: Callable[[], Coroutine[Any, Any, C]]) -> None:
        self._opening = opening
        self._client: C | None = None

    def __await__(self) -> Generator[Any, None, C]:
        return self._opening().__await__()

    async def __aenter__(self) -> C:
        self._client = await self._opening()
        return self._client

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.close()


def open_async(
    url: str,
    *,
    connection_type: str,
    room: str | None,
    decode: Callable[[str | bytes], Any],
    first: type[Any],
    make: Callable[[Connection[Any, Any]], C],
    options: ConnectOptions,
) -> Connect[C]:
    """What the generated ``connect`` does for every connection type.

    ``decode`` and ``first`` come from the type's row of the generated table, ``make``
    wraps the open connection in the type's class.
    """
    settings = connection_settings(options)

    async def opening() -> C:
        connection: Connection[Any, Any] = Connection(
            url=url,
            connection_type=connection_type,
            room=room,
            decode=decode,
            first=first,
            **settings,
        )
        await connection.open()
        return make(connection)

    return Connect(opening)
