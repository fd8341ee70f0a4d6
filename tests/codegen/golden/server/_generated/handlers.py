# generated from asyncapi.yaml by codegen — do not edit
"""Handler interfaces of the Greeter protocol, one per group of connections.

Implement a group's interface (one ``on_<message>`` method per message its clients
may send) and call ``dispatch`` with each decoded inbound message: it runs the
matching method and returns the reply to send, with the request id copied from
the request. A method raises ``ReplyError`` to answer with an error instead.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable
from typing import Protocol, TypeAlias, TypeVar, assert_never

from msgspec import UnsetType

from .messages import (
    ErrorMessage,
    Failure,
    GreeterInbound,
    Greeting,
    Hello,
    ReplyError,
    RequestId,
    WatcherInbound,
    Wave,
)


class _Correlated(Protocol):
    request_id: RequestId | UnsetType


_R = TypeVar("_R", bound=_Correlated)


async def _answer(pending: Awaitable[_R], request_id: RequestId | UnsetType) -> _R | ErrorMessage:
    """Await a handler; copy the request's id into its reply, or into its error."""
    try:
        reply = await pending
    except ReplyError as exc:
        exc.reply.request_id = request_id
        return exc.reply
    reply.request_id = request_id
    return reply


async def _no_answer(
    pending: Awaitable[None], request_id: RequestId | UnsetType
) -> ErrorMessage | None:
    """Await a handler that has no reply; return its error, if it raised one."""
    try:
        await pending
    except ReplyError as exc:
        exc.reply.request_id = request_id
        return exc.reply
    return None


GreeterReply: TypeAlias = Greeting | Failure
"""What ``GreeterHandler.dispatch`` may return."""


class GreeterHandler(abc.ABC):
    """Handles what a ``greeter`` connection sends. Says hello."""

    @abc.abstractmethod
    async def on_hello(self, message: Hello) -> Greeting:
        """Say hello; the server greets back."""

    @abc.abstractmethod
    async def on_wave(self, message: Wave) -> None:
        """Wave, expecting nothing back."""

    async def dispatch(self, message: GreeterInbound) -> GreeterReply | None:
        """Run the method for ``message`` and return what to send back, if anything."""
        match message:
            case Hello():
                return await _answer(self.on_hello(message), message.request_id)
            case Wave():
                return await _no_answer(self.on_wave(message), message.request_id)
            case _:
                assert_never(message)


WatcherReply: TypeAlias = Failure
"""What ``WatcherHandler.dispatch`` may return."""


class WatcherHandler(abc.ABC):
    """Handles what a ``watcher`` connection sends. Only watches."""

    @abc.abstractmethod
    async def on_wave(self, message: Wave) -> None:
        """Wave, expecting nothing back."""

    async def dispatch(self, message: WatcherInbound) -> WatcherReply | None:
        """Run the method for ``message`` and return what to send back, if anything."""
        match message:
            case Wave():
                return await _no_answer(self.on_wave(message), message.request_id)
            case _:
                assert_never(message)
