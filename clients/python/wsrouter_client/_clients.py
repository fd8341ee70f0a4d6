"""The async API: :func:`connect` and the typed connection it yields.

Each connection class is the generated client of its type (``ChatClient``: one
typed method per message) plus what a live connection has: its first frame, the
rooms it is in, callbacks, a message stream that spans reconnections, and close.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar, Unpack, overload

from ._connection import Connection, E, M, T
from ._errors import ConnectionClosed
from ._generated.messages import (
    ChatOutbound,
    ConnectionEstablished,
    ConnectionType,
    GeneralOutbound,
    NotificationsOutbound,
    TestSessionOutbound,
    TestSessionReady,
    decode_chat_outbound,
    decode_general_outbound,
    decode_notifications_outbound,
    decode_test_session_outbound,
)
from ._generated.ws_client import ChatClient, GeneralClient, NotificationsClient, TestSessionClient
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

    async def close(self) -> None:
        """Close the connection (1000) and stop reconnecting."""
        await self._connection.close()

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


class GeneralConnection(LiveConnection[GeneralOutbound, ConnectionEstablished], GeneralClient):
    """A live ``general`` connection: echo, ping, rooms and room broadcasts."""

    def __init__(self, connection: Connection[GeneralOutbound, ConnectionEstablished]) -> None:
        GeneralClient.__init__(self, connection)
        self._connection = connection


class NotificationsConnection(
    LiveConnection[NotificationsOutbound, ConnectionEstablished], NotificationsClient
):
    """A live ``notifications`` connection: notifications and read receipts."""

    def __init__(
        self, connection: Connection[NotificationsOutbound, ConnectionEstablished]
    ) -> None:
        NotificationsClient.__init__(self, connection)
        self._connection = connection


class TestSessionConnection(
    LiveConnection[TestSessionOutbound, TestSessionReady], TestSessionClient
):
    """A live ``test-session`` connection: one exam attempt's status, timer and answers."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, connection: Connection[TestSessionOutbound, TestSessionReady]) -> None:
        TestSessionClient.__init__(self, connection)
        self._connection = connection


class ChatConnection(LiveConnection[ChatOutbound, ConnectionEstablished], ChatClient):
    """A live ``chat`` connection: rooms, messages, presence and typing."""

    def __init__(self, connection: Connection[ChatOutbound, ConnectionEstablished]) -> None:
        ChatClient.__init__(self, connection)
        self._connection = connection


@dataclass(frozen=True)
class Kind:
    """What differs between connection types: the decoder and the first frame."""

    decode: Callable[[str | bytes], Any]
    first: type[ConnectionEstablished | TestSessionReady]


KINDS: dict[str, Kind] = {
    "general": Kind(decode_general_outbound, ConnectionEstablished),
    "notifications": Kind(decode_notifications_outbound, ConnectionEstablished),
    "test-session": Kind(decode_test_session_outbound, TestSessionReady),
    "chat": Kind(decode_chat_outbound, ConnectionEstablished),
}

_CLASSES: dict[str, Callable[[Connection[Any, Any]], LiveConnection[Any, Any]]] = {
    "general": GeneralConnection,
    "notifications": NotificationsConnection,
    "test-session": TestSessionConnection,
    "chat": ChatConnection,
}


def kind_of(connection_type: str) -> Kind:
    """The :class:`Kind` of ``connection_type``; ``ValueError`` for an unknown one."""
    try:
        return KINDS[connection_type]
    except KeyError:
        raise ValueError(
            f"unknown connection_type {connection_type!r}; one of {', '.join(KINDS)}"
        ) from None


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


@overload
def connect(
    url: str,
    *,
    connection_type: Literal["general"] = "general",
    room: None = None,
    **options: Unpack[ConnectOptions],
) -> Connect[GeneralConnection]: ...
@overload
def connect(
    url: str,
    *,
    connection_type: Literal["notifications"],
    room: None = None,
    **options: Unpack[ConnectOptions],
) -> Connect[NotificationsConnection]: ...
@overload
def connect(
    url: str,
    *,
    connection_type: Literal["test-session"],
    room: str,
    **options: Unpack[ConnectOptions],
) -> Connect[TestSessionConnection]: ...
@overload
def connect(
    url: str, *, connection_type: Literal["chat"], room: str, **options: Unpack[ConnectOptions]
) -> Connect[ChatConnection]: ...
def connect(
    url: str,
    *,
    connection_type: ConnectionType = "general",
    room: str | None = None,
    **options: Unpack[ConnectOptions],
) -> Connect[Any]:
    """Open a connection of ``connection_type`` to the router's ``/ws`` endpoint ``url``.

    ``room`` is the chat room, or the test session's id; the other types take none.
    Use it as ``async with connect(...) as chat:`` (closed at the end of the block) or
    ``chat = await connect(...)``. The connection is open, its first frame received,
    when it is handed over. Raises :class:`HandshakeRefused` when the server refuses
    (``code`` 4401, 4403, 4500, 4503, 4504) and :class:`ConnectFailed` when no
    WebSocket could be opened. See :class:`ConnectOptions` for ``options``.
    """
    kind = kind_of(connection_type)
    make = _CLASSES[connection_type]
    settings = connection_settings(options)

    async def opening() -> LiveConnection[Any, Any]:
        connection: Connection[Any, Any] = Connection(
            url=url,
            connection_type=connection_type,
            room=room,
            decode=kind.decode,
            first=kind.first,
            **settings,
        )
        await connection.open()
        return make(connection)

    return Connect(opening)
