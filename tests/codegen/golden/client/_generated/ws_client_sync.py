# generated from asyncapi.yaml by codegen — do not edit
"""Blocking WebSocket clients of the Greeter protocol, one per group of connections.

The same clients as ``ws_client.py``, without ``async``: each wraps a
``SyncTransport`` (the SDK's runtime supplies one) and blocks until the reply
matched by request id arrives; ``messages()`` is a blocking iterator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, ClassVar, Protocol, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

from .messages import (
    Friend,
    GreeterOutbound,
    Greeting,
    Hello,
    Name,
    WatcherOutbound,
    Wave,
    decode_greeter_outbound,
    decode_watcher_outbound,
)
from .ws_client import _expect

_M_co = TypeVar("_M_co", covariant=True)


class SyncTransport(Protocol[_M_co]):
    """What a blocking typed client needs from a connection."""

    def next_request_id(self) -> str:
        """A request id not in use on this connection."""
        ...

    def send(self, message: msgspec.Struct) -> None:
        """Encode and send one message."""
        ...

    def request(self, message: msgspec.Struct, request_id: str, timeout: float | None) -> _M_co:
        """Send ``message`` and return the first frame that carries ``request_id``."""
        ...

    def messages(self) -> Iterator[_M_co]:
        """Every frame the server sends, decoded."""
        ...


class SyncGreeterClient:
    """A ``greeter`` connection, blocking. Says hello."""

    group: ClassVar[str] = "greeter"

    def __init__(self, transport: SyncTransport[GreeterOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> GreeterOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_greeter_outbound(data)

    def messages(self) -> Iterator[GreeterOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    def hello(
        self,
        *,
        name: Name,
        times: Annotated[int, Meta(ge=1, le=3)] = 1,
        friends: Annotated[list[Friend], Meta(max_length=2)] | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> Greeting:
        """Say hello; the server greets back. Returns the ``greeting`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            Hello(name=name, times=times, friends=friends, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, Greeting)

    def wave(self) -> None:
        """Wave, expecting nothing back."""
        self.transport.send(Wave())


class SyncWatcherClient:
    """A ``watcher`` connection, blocking. Only watches."""

    group: ClassVar[str] = "watcher"

    def __init__(self, transport: SyncTransport[WatcherOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> WatcherOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_watcher_outbound(data)

    def messages(self) -> Iterator[WatcherOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    def wave(self) -> None:
        """Wave, expecting nothing back."""
        self.transport.send(Wave())
