# generated from asyncapi.yaml by codegen — do not edit
"""Typed WebSocket clients of the Greeter protocol, one per group of connections.

Each client wraps a ``Transport`` (the SDK's runtime supplies one): a method per
message the client may send, which awaits the reply matched by request id where
the spec declares one, and ``messages()``, a typed stream of what the server sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, ClassVar, Protocol, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

from .messages import (
    Failure,
    Friend,
    GreeterOutbound,
    Greeting,
    Hello,
    Name,
    ReplyError,
    WatcherOutbound,
    Wave,
    decode_greeter_outbound,
    decode_watcher_outbound,
)

_M_co = TypeVar("_M_co", covariant=True)
_T = TypeVar("_T")


class Transport(Protocol[_M_co]):
    """What a typed client needs from a connection."""

    def next_request_id(self) -> str:
        """A request id not in use on this connection."""
        ...

    async def send(self, message: msgspec.Struct) -> None:
        """Encode and send one message."""
        ...

    async def request(
        self, message: msgspec.Struct, request_id: str, timeout: float | None
    ) -> _M_co:
        """Send ``message`` and return the first frame that carries ``request_id``."""
        ...

    def messages(self) -> AsyncIterator[_M_co]:
        """Every frame the server sends, decoded."""
        ...


class UnexpectedReplyError(Exception):
    """The server answered a request with a message the spec does not list as its reply."""

    def __init__(self, reply: object) -> None:
        super().__init__(f"unexpected reply: {reply!r}")
        self.reply = reply


def _expect(reply: object, kind: type[_T]) -> _T:
    if isinstance(reply, kind):
        return reply
    if isinstance(reply, (Failure,)):
        raise ReplyError(reply)
    raise UnexpectedReplyError(reply)


class GreeterClient:
    """A ``greeter`` connection. Says hello."""

    group: ClassVar[str] = "greeter"

    def __init__(self, transport: Transport[GreeterOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> GreeterOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_greeter_outbound(data)

    def messages(self) -> AsyncIterator[GreeterOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    async def hello(
        self,
        *,
        name: Name,
        times: Annotated[int, Meta(ge=1, le=3)] = 1,
        friends: Annotated[list[Friend], Meta(max_length=2)] | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> Greeting:
        """Say hello; the server greets back. Returns the ``greeting`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            Hello(name=name, times=times, friends=friends, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, Greeting)

    async def wave(self) -> None:
        """Wave, expecting nothing back."""
        await self.transport.send(Wave())


class WatcherClient:
    """A ``watcher`` connection. Only watches."""

    group: ClassVar[str] = "watcher"

    def __init__(self, transport: Transport[WatcherOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> WatcherOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_watcher_outbound(data)

    def messages(self) -> AsyncIterator[WatcherOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    async def wave(self) -> None:
        """Wave, expecting nothing back."""
        await self.transport.send(Wave())
