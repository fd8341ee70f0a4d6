# generated from asyncapi.yaml by codegen — do not edit
"""Handler interfaces of the Greeter protocol, one per group of connections.

Implement a group's interface (one ``on_<message>`` method per message its clients
may send) and call ``dispatch`` with each decoded inbound message: it runs the
matching method and returns the reply to send, with the request id copied from
the request. A method raises ``ReplyError`` to answer with an error instead.
"""

from __future__ import annotations

import abc
from typing import TypeAlias, assert_never

from .messages import (
    Failure,
    GreeterInbound,
    Greeting,
    Hello,
    ReplyError,
    WatcherInbound,
    Wave,
)

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
        """Run the method for ``message`` and return what to send back, if anything.

        A ``ReplyError`` the method raises comes back as its error message; the request's
        id is copied into the reply or the error.
        """
        # `type(...) is` rather than `match`: a class pattern costs several times as much
        # (this runs once per frame), and the message classes are final.
        if type(message) is Hello:
            try:
                reply_greeting = await self.on_hello(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_greeting.request_id = message.request_id
            return reply_greeting
        if type(message) is Wave:
            try:
                await self.on_wave(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            return None
        assert_never(message)


WatcherReply: TypeAlias = Failure
"""What ``WatcherHandler.dispatch`` may return."""


class WatcherHandler(abc.ABC):
    """Handles what a ``watcher`` connection sends. Only watches."""

    @abc.abstractmethod
    async def on_wave(self, message: Wave) -> None:
        """Wave, expecting nothing back."""

    async def dispatch(self, message: WatcherInbound) -> WatcherReply | None:
        """Run the method for ``message`` and return what to send back, if anything.

        A ``ReplyError`` the method raises comes back as its error message; the request's
        id is copied into the reply or the error.
        """
        # `type(...) is` rather than `match`: a class pattern costs several times as much
        # (this runs once per frame), and the message classes are final.
        if type(message) is Wave:
            try:
                await self.on_wave(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            return None
        assert_never(message)
