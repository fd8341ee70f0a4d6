# generated from asyncapi.yaml by codegen — do not edit
"""The connection types of the Greeter protocol, and ``connect`` for each of them.

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
    GreeterOutbound,
    WatcherOutbound,
    decode_greeter_outbound,
    decode_watcher_outbound,
)
from .ws_client import (
    GreeterClient,
    WatcherClient,
)
from .ws_client_sync import (
    SyncGreeterClient,
    SyncWatcherClient,
)

ConnectionTypeName: TypeAlias = Literal["greeter", "watcher"]
"""The ``connection_type`` of a handshake."""


class GreeterConnection(LiveConnection[GreeterOutbound, Any], GreeterClient):
    """``greeter``: Says hello."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, connection: Connection[GreeterOutbound, Any]) -> None:
        GreeterClient.__init__(self, connection)
        self._connection = connection


class SyncGreeterConnection(SyncLiveConnection[GreeterOutbound, Any], SyncGreeterClient):
    """``greeter``: Says hello."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, transport: LoopTransport[GreeterOutbound, Any]) -> None:
        SyncGreeterClient.__init__(self, transport)
        self._attach(transport)


class WatcherConnection(LiveConnection[WatcherOutbound, Any], WatcherClient):
    """``watcher``: Only watches."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, connection: Connection[WatcherOutbound, Any]) -> None:
        WatcherClient.__init__(self, connection)
        self._connection = connection


class SyncWatcherConnection(SyncLiveConnection[WatcherOutbound, Any], SyncWatcherClient):
    """``watcher``: Only watches."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    def __init__(self, transport: LoopTransport[WatcherOutbound, Any]) -> None:
        SyncWatcherClient.__init__(self, transport)
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
    "greeter": ConnectionKind(
        "greeter",
        decode_greeter_outbound,
        object,
        False,
        GreeterConnection,
        SyncGreeterConnection,
    ),
    "watcher": ConnectionKind(
        "watcher",
        decode_watcher_outbound,
        object,
        False,
        WatcherConnection,
        SyncWatcherConnection,
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
    connection_type: Literal["greeter"] = "greeter",
    room: None = None,
    **options: Unpack[ConnectOptions],
) -> Connect[GreeterConnection]: ...


@overload
def connect(
    url: str,
    *,
    connection_type: Literal["watcher"],
    room: None = None,
    **options: Unpack[ConnectOptions],
) -> Connect[WatcherConnection]: ...
def connect(
    url: str,
    *,
    connection_type: ConnectionTypeName = "greeter",
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
    connection_type: Literal["greeter"] = "greeter",
    room: None = None,
    **options: Unpack[SyncConnectOptions],
) -> SyncGreeterConnection: ...


@overload
def connect_sync(
    url: str,
    *,
    connection_type: Literal["watcher"],
    room: None = None,
    **options: Unpack[SyncConnectOptions],
) -> SyncWatcherConnection: ...
def connect_sync(
    url: str,
    *,
    connection_type: ConnectionTypeName = "greeter",
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
