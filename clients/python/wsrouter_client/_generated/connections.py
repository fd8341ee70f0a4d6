# generated from asyncapi.yaml by codegen — do not edit
"""The connection types of the wsrouter WebSocket protocol, and ``connect`` for each of them.

One class per connection type (async and blocking): the generated client of the
type plus the SDK runtime's live connection (``LiveConnection``,
``SyncLiveConnection``). ``connect`` and ``connect_sync`` are typed per
``connection_type``: ``connect(url, connection_type="chat", room="lobby")`` is a
``Connect[ChatConnection]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Final, Literal, TypeAlias, Unpack, overload

from .._clients import Connect, LiveConnection, open_async
from .._connection import Connection
from .._options import ConnectOptions, SyncConnectOptions
from .._sync import LoopTransport, SyncLiveConnection, open_sync
from .messages import (
    ChatOutbound,
    ConnectionEstablished,
    GeneralOutbound,
    NotificationsOutbound,
    TestSessionOutbound,
    TestSessionReady,
    decode_chat_outbound,
    decode_general_outbound,
    decode_notifications_outbound,
    decode_test_session_outbound,
)
from .ws_client import (
    ChatClient,
    GeneralClient,
    NotificationsClient,
    TestSessionClient,
)
from .ws_client_sync import (
    SyncChatClient,
    SyncGeneralClient,
    SyncNotificationsClient,
    SyncTestSessionClient,
)

ConnectionTypeName: TypeAlias = Literal["general", "notifications", "test-session", "chat"]
"""The ``connection_type`` of a handshake."""


class GeneralConnection(LiveConnection[GeneralOutbound, ConnectionEstablished], GeneralClient):
    """``general``: Echo, ping, rooms and room broadcasts."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, connection: Connection[GeneralOutbound, ConnectionEstablished]) -> None:
        GeneralClient.__init__(self, connection)
        self._connection = connection


class SyncGeneralConnection(
    SyncLiveConnection[GeneralOutbound, ConnectionEstablished], SyncGeneralClient
):
    """``general``: Echo, ping, rooms and room broadcasts."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, transport: LoopTransport[GeneralOutbound, ConnectionEstablished]) -> None:
        SyncGeneralClient.__init__(self, transport)
        self._attach(transport)


class NotificationsConnection(
    LiveConnection[NotificationsOutbound, ConnectionEstablished], NotificationsClient
):
    """``notifications``: User and system notifications with read receipts."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(
        self, connection: Connection[NotificationsOutbound, ConnectionEstablished]
    ) -> None:
        NotificationsClient.__init__(self, connection)
        self._connection = connection


class SyncNotificationsConnection(
    SyncLiveConnection[NotificationsOutbound, ConnectionEstablished], SyncNotificationsClient
):
    """``notifications``: User and system notifications with read receipts."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(
        self, transport: LoopTransport[NotificationsOutbound, ConnectionEstablished]
    ) -> None:
        SyncNotificationsClient.__init__(self, transport)
        self._attach(transport)


class TestSessionConnection(
    LiveConnection[TestSessionOutbound, TestSessionReady], TestSessionClient
):
    """``test-session``: Live monitoring of one online exam attempt."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, connection: Connection[TestSessionOutbound, TestSessionReady]) -> None:
        TestSessionClient.__init__(self, connection)
        self._connection = connection


class SyncTestSessionConnection(
    SyncLiveConnection[TestSessionOutbound, TestSessionReady], SyncTestSessionClient
):
    """``test-session``: Live monitoring of one online exam attempt."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, transport: LoopTransport[TestSessionOutbound, TestSessionReady]) -> None:
        SyncTestSessionClient.__init__(self, transport)
        self._attach(transport)


class ChatConnection(LiveConnection[ChatOutbound, ConnectionEstablished], ChatClient):
    """``chat``: Chat rooms with messages, presence and typing indicators."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, connection: Connection[ChatOutbound, ConnectionEstablished]) -> None:
        ChatClient.__init__(self, connection)
        self._connection = connection


class SyncChatConnection(SyncLiveConnection[ChatOutbound, ConnectionEstablished], SyncChatClient):
    """``chat``: Chat rooms with messages, presence and typing indicators."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, transport: LoopTransport[ChatOutbound, ConnectionEstablished]) -> None:
        SyncChatClient.__init__(self, transport)
        self._attach(transport)


@dataclass(frozen=True, slots=True)
class ConnectionKind:
    """What differs between connection types on the client's side."""

    name: str
    decode: Callable[[str | bytes], Any]
    """Decodes what the server sends to this type."""
    first: type[Any]
    """The first message of a connection."""
    room_required: bool
    live: Callable[[Connection[Any, Any]], LiveConnection[Any, Any]]
    sync: Callable[[LoopTransport[Any, Any]], SyncLiveConnection[Any, Any]]


CONNECTION_TYPES: Final[dict[str, ConnectionKind]] = {
    "general": ConnectionKind(
        "general",
        decode_general_outbound,
        ConnectionEstablished,
        False,
        GeneralConnection,
        SyncGeneralConnection,
    ),
    "notifications": ConnectionKind(
        "notifications",
        decode_notifications_outbound,
        ConnectionEstablished,
        False,
        NotificationsConnection,
        SyncNotificationsConnection,
    ),
    "test-session": ConnectionKind(
        "test-session",
        decode_test_session_outbound,
        TestSessionReady,
        True,
        TestSessionConnection,
        SyncTestSessionConnection,
    ),
    "chat": ConnectionKind(
        "chat",
        decode_chat_outbound,
        ConnectionEstablished,
        True,
        ChatConnection,
        SyncChatConnection,
    ),
}
"""Every connection type, by name, in spec order."""


def kind_of(connection_type: str) -> ConnectionKind:
    """The row of ``connection_type``; ``ValueError`` for a type the spec does not have."""
    try:
        return CONNECTION_TYPES[connection_type]
    except KeyError:
        known = ", ".join(CONNECTION_TYPES)
        raise ValueError(f"unknown connection_type {connection_type!r}; one of {known}") from None


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
    url: str,
    *,
    connection_type: Literal["chat"],
    room: str,
    **options: Unpack[ConnectOptions],
) -> Connect[ChatConnection]: ...
def connect(
    url: str,
    *,
    connection_type: ConnectionTypeName = "general",
    room: str | None = None,
    **options: Unpack[ConnectOptions],
) -> Connect[Any]:
    """Open a connection of ``connection_type`` to the router's ``/ws`` endpoint ``url``.

    ``room`` is what the type's handshake needs (the chat room, the test session's
    id); the other types take none. Use it as ``async with connect(...) as chat:``
    (closed at the end of the block) or ``chat = await connect(...)``. The
    connection is open, its first frame received, when it is handed over. Raises
    :class:`HandshakeRefused` when the server refuses (its ``code`` is the close
    code) and :class:`ConnectFailed` when no WebSocket could be opened. See
    :class:`ConnectOptions` for ``options``.
    """
    kind = kind_of(connection_type)
    return open_async(
        url,
        connection_type=connection_type,
        room=room,
        decode=kind.decode,
        first=kind.first,
        make=kind.live,
        options=options,
    )


@overload
def connect_sync(
    url: str,
    *,
    connection_type: Literal["general"] = "general",
    room: None = None,
    **options: Unpack[SyncConnectOptions],
) -> SyncGeneralConnection: ...


@overload
def connect_sync(
    url: str,
    *,
    connection_type: Literal["notifications"],
    room: None = None,
    **options: Unpack[SyncConnectOptions],
) -> SyncNotificationsConnection: ...


@overload
def connect_sync(
    url: str,
    *,
    connection_type: Literal["test-session"],
    room: str,
    **options: Unpack[SyncConnectOptions],
) -> SyncTestSessionConnection: ...


@overload
def connect_sync(
    url: str,
    *,
    connection_type: Literal["chat"],
    room: str,
    **options: Unpack[SyncConnectOptions],
) -> SyncChatConnection: ...
def connect_sync(
    url: str,
    *,
    connection_type: ConnectionTypeName = "general",
    room: str | None = None,
    **options: Unpack[SyncConnectOptions],
) -> SyncLiveConnection[Any, Any]:
    """Open a connection and return it, blocking: the sync twin of :func:`connect`.

    ``with connect_sync(url, connection_type="chat", room="lobby", token=t) as chat:``
    closes it at the end of the block. Raises what :func:`connect` raises.
    """
    kind = kind_of(connection_type)
    return open_sync(
        url,
        connection_type=connection_type,
        room=room,
        decode=kind.decode,
        first=kind.first,
        make=kind.sync,
        options=options,
    )
