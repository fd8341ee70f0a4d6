"""The ``/ws`` endpoint: a plain ASGI app, so each frame costs as little as it can.

It checks the handshake, registers the connection, then reads frames in order and
hands each one to the connection type's processor; a writer task per connection
drains its send queue.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from wsrouter._generated import messages as m
from wsrouter._generated.messages import ReplyError
from wsrouter.clock import utcnow
from wsrouter.connection_types.base import ConnectionHandler
from wsrouter.connection_types.chat import ChatConnection
from wsrouter.connection_types.general import GeneralConnection
from wsrouter.connection_types.notifications import NotificationsConnection
from wsrouter.connection_types.test_session import TestSessionConnection
from wsrouter.metrics import Metrics
from wsrouter.protocol.errors import error
from wsrouter.protocol.frames import InboundProcessor, Outcome, encode
from wsrouter.registry import ConnectionInfo
from wsrouter.services import Services
from wsrouter.timers import SessionClock
from wsrouter.transport.connection import Connection
from wsrouter.transport.handshake import Accepted, Refusal, check_handshake

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Coroutine[Any, Any, None]]

log = logging.getLogger("wsrouter.ws")

TYPES: dict[str, tuple[type[ConnectionHandler], Callable[[str], Any], frozenset[str]]] = {
    "general": (GeneralConnection, m.decode_general_inbound, m.GENERAL_INBOUND_TAGS),
    "notifications": (
        NotificationsConnection,
        m.decode_notifications_inbound,
        m.NOTIFICATIONS_INBOUND_TAGS,
    ),
    "test-session": (
        TestSessionConnection,
        m.decode_test_session_inbound,
        m.TEST_SESSION_INBOUND_TAGS,
    ),
    "chat": (ChatConnection, m.decode_chat_inbound, m.CHAT_INBOUND_TAGS),
}


class WebSocketEndpoint:
    """The ASGI app behind ``/ws``."""

    def __init__(self, services: Services, clock: SessionClock) -> None:
        self.services = services
        self.clock = clock

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        """The connection's coroutine (an ASGI app; a plain function, one frame less)."""
        return self._connection(scope, receive, send)

    async def _connection(self, scope: Scope, receive: Receive, send: Send) -> None:
        # One coroutine frame lives as long as the connection: the handshake, the
        # registration and the opening run in helpers that return, so that what they
        # used is freed (memory per idle connection is a target).
        accepted = await self._handshake(scope, receive, send)
        if accepted is None:
            return
        del scope  # its headers and query string (the token) are not kept
        services = self.services
        connection = await self._register(accepted, send)
        handler = TYPES[accepted.connection_type][0](connection, services)
        expiry = _Expiry(connection, services.metrics)
        try:
            processor = await self._open(accepted, connection, handler)
            del accepted
            # The frames, in the order they arrive, until the connection ends: here, not
            # in a helper, since every level of coroutines is resumed for every frame.
            metrics = services.metrics
            received = metrics.cell("wsrouter_messages_received_total", type=connection.type)
            deferred = handler.deferred
            admit, dispatch = processor.admit, processor.dispatch
            while True:
                event = await receive()
                if event["type"] != "websocket.receive":
                    break
                if connection.closing:
                    continue  # closing: what is still in flight is not answered
                received.value += 1
                text = event.get("text")
                outcome: str | Outcome
                if text is None:
                    outcome = processor.handle_binary()
                else:
                    admitted = admit(text)
                    if isinstance(admitted, Outcome):
                        outcome = admitted
                    else:
                        try:
                            answer = await dispatch(admitted)
                        except Exception as exc:  # every failure becomes an error frame
                            outcome = processor.failed(exc, text)
                        else:
                            outcome = processor.answered(answer)
                if isinstance(outcome, str):  # the common case: a reply, nothing else
                    await connection.reply(outcome)
                    if deferred:
                        for frame in handler.take_deferred():
                            connection.enqueue(frame)
                else:
                    self._settle(connection, handler, outcome)
        except Exception as exc:
            await self._crashed(connection, exc)
        finally:
            expiry.cancel()
            await self._forget(connection, handler)

    def _settle(self, connection: Connection, handler: ConnectionHandler, outcome: Outcome) -> None:
        """Carry out an outcome: its reply, then what the handler deferred, then a close."""
        metrics = self.services.metrics
        if outcome.reply is not None:
            connection.enqueue(outcome.reply)
            if outcome.error is not None:
                metrics.inc("wsrouter_errors_sent_total", code=outcome.error)
        if handler.deferred:
            for frame in handler.take_deferred():
                connection.enqueue(frame)
        if outcome.close is not None:
            metrics.inc("wsrouter_closes_total", code=str(outcome.close[0]))
            connection.close(*outcome.close)

    async def _handshake(self, scope: Scope, receive: Receive, send: Send) -> Accepted | None:
        """Accept, then check the request; a refusal is sent here (and ``None`` returned)."""
        if scope["type"] != "websocket":
            return None
        if (await receive())["type"] != "websocket.connect":
            return None
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origins = self.services.settings.allowed_origins
        if origins and headers.get("origin") not in origins:
            # Closing before accepting makes the server answer the upgrade with HTTP 403.
            self.services.metrics.inc("wsrouter_connections_refused_total", code="403")
            await send({"type": "websocket.close", "code": 1008})
            return None
        await send({"type": "websocket.accept"})
        try:
            return await check_handshake(self.services, scope.get("query_string", b""), headers)
        except Refusal as refusal:
            await self._refuse(send, refusal)
            return None

    async def _refuse(self, send: Send, refusal: Refusal) -> None:
        metrics = self.services.metrics
        metrics.inc("wsrouter_connections_refused_total", code=str(refusal.close_code))
        metrics.inc("wsrouter_errors_sent_total", code=refusal.error_code)
        log.info("handshake refused code=%d reason=%s", refusal.close_code, refusal.error_code)
        await send(
            {"type": "websocket.send", "text": encode(error(refusal.error_code, refusal.message))}
        )
        await send(
            {"type": "websocket.close", "code": refusal.close_code, "reason": refusal.message[:120]}
        )

    async def _register(self, accepted: Accepted, send: Send) -> Connection:
        services = self.services
        principal = accepted.principal
        stamp = time.time_ns() // 1000
        while True:
            connection_id = f"{accepted.connection_type}_{principal.user_id}_{stamp}"
            connected_at = utcnow()
            info = ConnectionInfo(
                connection_id=connection_id,
                connection_type=accepted.connection_type,
                user_id=principal.user_id,
                username=principal.name,
                connected_at=connected_at,
                node=services.settings.node_id,
            )
            if await services.registry.add(info):
                break
            stamp += 1  # the id is taken (same user, same microsecond): take the next one
        limits = services.settings.limits
        connection = Connection(
            connection_id=connection_id,
            connection_type=accepted.connection_type,
            principal=principal,
            room=accepted.room,
            connected_at=connected_at,
            send=send,
            max_frames=limits.send_queue_frames,
            max_bytes=limits.send_queue_bytes,
        )
        services.hub.add(connection)
        services.metrics.inc("wsrouter_connections_opened_total", type=connection.type)
        log.info("connected connection_id=%s user_id=%s", connection.id, connection.user_id)
        return connection

    async def _open(
        self, accepted: Accepted, connection: Connection, handler: ConnectionHandler
    ) -> InboundProcessor[Any]:
        """Send the first frames; a session that cannot be opened is refused here."""
        services = self.services
        try:
            await handler.open()
        except ReplyError as exc:
            services.metrics.inc("wsrouter_errors_sent_total", code=exc.reply.code)
            connection.enqueue(encode(exc.reply))
            connection.close(m.CloseCode.SESSION_NOT_FOUND, exc.reply.message[:120])
        if accepted.session is not None:
            self.clock.watch(accepted.session.id, accepted.session.ends_at)
        _, decode, tags = TYPES[accepted.connection_type]
        return InboundProcessor(
            decode=decode,
            tags=tags,
            dispatch=handler.dispatch,  # type: ignore[attr-defined]
            limits=services.settings.limits,
        )

    async def _crashed(self, connection: Connection, exc: Exception) -> None:
        """A bug, not bad input: the spec's 1011, and a trace (without the token)."""
        log.error("connection failed connection_id=%s", connection.id, exc_info=exc)
        self.services.metrics.inc("wsrouter_closes_total", code="1011")
        connection.close(m.CloseCode.INTERNAL_ERROR, "internal error", flush=False)
        await connection.wait_closed()

    async def _forget(self, connection: Connection, handler: ConnectionHandler) -> None:
        """The connection is gone: unregister it and let its handler clean up."""
        services = self.services
        services.hub.remove(connection)
        try:
            changes = await services.registry.remove(connection.id)
            await handler.rooms_left(changes)
            await handler.close()
        finally:
            connection.abandon()
            log.info("disconnected connection_id=%s", connection.id)

    async def drain(self, code: int, reason: str, timeout: float) -> None:
        """Close every local connection after flushing its queue; wait up to ``timeout``."""
        connections = self.services.hub.all()
        for connection in connections:
            connection.close(code, reason)
        if connections:
            await asyncio.wait(
                [asyncio.ensure_future(c.wait_closed()) for c in connections], timeout=timeout
            )


class _Expiry:
    """Closes the connection with 4401 when its token expires (unless refreshed).

    A timer rather than a task per connection (less memory per idle connection); the
    first check runs on the next loop iteration, as a new task's first step would.
    """

    __slots__ = ("_connection", "_handle", "_metrics")

    def __init__(self, connection: Connection, metrics: Metrics) -> None:
        self._connection = connection
        self._metrics = metrics
        self._handle: asyncio.Handle | None = asyncio.get_running_loop().call_soon(self._check)

    def _check(self) -> None:
        connection = self._connection
        delay = (connection.principal.expires_at - utcnow()).total_seconds()
        if delay <= 0:
            self._handle = None
            self._metrics.inc("wsrouter_errors_sent_total", code="unauthorized")
            connection.enqueue(encode(error("unauthorized", "the token expired")))
            connection.close(m.CloseCode.UNAUTHORIZED, "token expired")
            return
        self._handle = asyncio.get_running_loop().call_later(min(delay, 3600.0), self._check)

    def cancel(self) -> None:
        """Stop watching (the connection is gone)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
