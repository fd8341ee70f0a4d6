"""The ``/ws`` endpoint: the loop that feeds each connection's session.

It checks the handshake, registers the connection (the per-user limit is checked
in the same step), makes the connection's :class:`~wsrouter.protocol.session.Session`
and its type's handler (bound at start-up from the generated table), then reads
frames in order and feeds them to the session; what comes out goes to the
connection's send path. A plain ASGI app, so each frame costs as little as it can.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping, MutableMapping
from typing import Any

from wsrouter._generated import messages as m
from wsrouter._generated.connection_types import CONNECTION_TYPES
from wsrouter._generated.messages import ReplyError
from wsrouter.clock import utcnow
from wsrouter.connection_types.base import ConnectionHandler, Context
from wsrouter.connection_types.presence import PresenceFeed
from wsrouter.metrics import Metrics
from wsrouter.protocol.errors import error
from wsrouter.protocol.frames import Outcome, encode
from wsrouter.protocol.session import Dispatch, Peer, Session
from wsrouter.protocol.throttle import TypingThrottle
from wsrouter.registry import ConnectionInfo, RegistryUnavailable, TooManyConnections
from wsrouter.services import Services
from wsrouter.store import StorageUnavailable
from wsrouter.timers import SessionClock
from wsrouter.transport.connection import Connection, close_reason
from wsrouter.transport.handshake import Accepted, Refusal, check_handshake
from wsrouter.transport.rooms import ConnectionRooms
from wsrouter.transport.uvicorn_protocol import EXTENSION

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Coroutine[Any, Any, None]]

log = logging.getLogger("wsrouter.ws")

_NOT_URL_SAFE = re.compile(r"[^A-Za-z0-9._~-]")


def _store_unreachable() -> Refusal:
    """A connection whose opening needs the store while it is unreachable: retry later.

    As with the registry (Redis) unreachable: the error ``unavailable`` and close 1013, a
    retryable refusal, rather than a server failure (1011).
    """
    return Refusal(
        m.CloseCode.TRY_AGAIN_LATER,
        "unavailable",
        "the database is unreachable; try again later",
    )


class WebSocketEndpoint:
    """The ASGI app behind ``/ws``."""

    def __init__(
        self,
        services: Services,
        clock: SessionClock,
        handlers: Mapping[str, type[ConnectionHandler]],
        typing: TypingThrottle,
        presence: PresenceFeed,
    ) -> None:
        self.services = services
        self.clock = clock
        self.handlers = handlers
        """The handler class of every connection type (``binding.bind_handlers``)."""
        self.typing = typing
        self.presence = presence

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        """The connection's coroutine (an ASGI app; a plain function, one frame less)."""
        return self._connection(scope, receive, send)

    async def _connection(self, scope: Scope, receive: Receive, send: Send) -> None:  # noqa: PLR0915 - the per-frame loop stays in one frame
        # One coroutine frame lives as long as the connection: the handshake, the
        # registration and the opening run in helpers that return, so that what they
        # used is freed (memory per idle connection is a target).
        accepted = await self._handshake(scope, receive, send)
        if accepted is None:
            return
        transport = scope.get("extensions", {}).get(EXTENSION, {})
        del scope  # its headers and query string (the token) are not kept
        connection = await self._register(accepted, send, transport.get("abort_after"))
        if connection is None:
            return
        handler: ConnectionHandler | None = None
        expiry: _Expiry | None = None
        try:
            session, handler, dispatch = await self._open(accepted, connection)
            del accepted
            expiry = _Expiry(session, self.services.metrics)
            # The frames, in the order they arrive, until the connection ends: here, not
            # in a helper, since every level of coroutines is resumed for every frame.
            metrics = self.services.metrics
            received = metrics.cell("wsrouter_messages_received_total", type=connection.type)
            outbox = session.outbox
            deferred = outbox.deferred
            admit = session.admit
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
                    outcome = session.binary(len(event.get("bytes") or b""))
                else:
                    admitted = admit(text)
                    if isinstance(admitted, Outcome):
                        outcome = admitted
                    else:
                        try:
                            answer = await dispatch(admitted)
                        except Exception as exc:  # every failure becomes an error frame
                            outcome = session.failed(exc, text)
                        else:
                            outcome = session.answered(answer)
                if isinstance(outcome, str):  # the common case: a reply, nothing else
                    await connection.reply(outcome)
                    if deferred:
                        outbox.flush_deferred()
                else:
                    self._settle(connection, session, outcome)
        except Exception as exc:
            await self._crashed(connection, exc)
        finally:
            if expiry is not None:
                expiry.cancel()
            await self._forget(connection, handler)

    def _settle(self, connection: Connection, session: Session, outcome: Outcome) -> None:
        """Carry out an outcome: its reply, then what the handler deferred, then a close."""
        metrics = self.services.metrics
        if outcome.reply is not None:
            connection.enqueue(outcome.reply)
            if outcome.error is not None:
                metrics.inc("wsrouter_errors_sent_total", code=outcome.error)
        if session.outbox.deferred:
            session.outbox.flush_deferred()
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
            return await check_handshake(
                self.services.tokens, self.services.store, scope.get("query_string", b""), headers
            )
        except Refusal as refusal:
            await self._refuse(send, refusal)
            return None
        except StorageUnavailable as exc:  # a test session cannot be looked up now
            log.warning("handshake: storage unavailable: %s", exc)
            await self._refuse(send, _store_unreachable())
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
            {
                "type": "websocket.close",
                "code": refusal.close_code,
                "reason": close_reason(refusal.message),
            }
        )

    async def _register(
        self, accepted: Accepted, send: Send, abort_after: Callable[[float], None] | None
    ) -> Connection | None:
        """Add the connection to the registry and the hub; ``None`` if refused (4403)."""
        services = self.services
        principal = accepted.principal
        limit = services.settings.limits.connections_per_user
        stamp = time.time_ns() // 1000
        # Ids go into URLs (`DELETE /ws/connections/{id}`): the user id is made URL-safe.
        user_part = _NOT_URL_SAFE.sub("-", principal.user_id)[:64]
        while True:
            connection_id = f"{accepted.connection_type}_{user_part}_{stamp}"
            connected_at = utcnow()
            info = ConnectionInfo(
                connection_id=connection_id,
                connection_type=accepted.connection_type,
                user_id=principal.user_id,
                username=principal.name,
                connected_at=connected_at,
                node=services.settings.node_id,
            )
            try:
                if await services.registry.add(info, limit):
                    break
            except TooManyConnections as exc:
                await self._refuse(
                    send,
                    Refusal(m.CloseCode.TOO_MANY_CONNECTIONS, "too_many_connections", str(exc)),
                )
                return None
            except RegistryUnavailable:
                # Cluster mode with Redis unreachable: nobody can tell whether the user
                # is under the cap, so nobody is let in; 1013 says "retry later".
                await self._refuse(
                    send,
                    Refusal(
                        m.CloseCode.TRY_AGAIN_LATER,
                        "unavailable",
                        "the cluster's registry is unreachable; try again later",
                    ),
                )
                return None
            stamp += 1  # the id is taken (same user, same microsecond): take the next one
        limits = services.settings.limits
        connection = Connection(
            connection_id=connection_id,
            connection_type=accepted.connection_type,
            user_id=principal.user_id,
            connected_at=connected_at,
            send=send,
            max_frames=limits.send_queue_frames,
            max_bytes=limits.send_queue_bytes,
            abort_after=abort_after,
            close_timeout=services.settings.close_timeout_seconds,
        )
        connection.hold()  # until its opening frames are out (released by _open)
        services.hub.add(connection)
        services.metrics.inc("wsrouter_connections_opened_total", type=connection.type)
        log.info("connected connection_id=%s user_id=%s", connection.id, connection.user_id)
        return connection

    async def _open(
        self, accepted: Accepted, connection: Connection
    ) -> tuple[Session, ConnectionHandler, Dispatch]:
        """Make the session and the handler, and send the first frames.

        A handler that raises here is a bug (the caller closes with 1011); a
        ``ReplyError`` (the test session is gone) is sent and closes the connection.
        """
        services = self.services
        spec = CONNECTION_TYPES[accepted.connection_type]
        peer = Peer(
            connection_id=connection.id,
            connection_type=spec.name,
            principal=accepted.principal,
            room=accepted.room,
            connected_at=connection.connected_at,
        )
        session = Session(
            peer=peer,
            sink=connection,
            decode=spec.decode,
            tags=spec.inbound_tags,
            limits=services.settings.limits,
        )
        handler = self.handlers[spec.name](
            Context(
                session=session,
                rooms=ConnectionRooms(connection, services.registry, services.hub),
                broker=services.broker,
                store=services.store,
                tokens=services.tokens,
                settings=services.settings,
                typing=self.typing,
                presence=self.presence,
            )
        )
        dispatch: Dispatch = handler.dispatch  # type: ignore[attr-defined]
        session.bind(dispatch)
        try:
            await handler.open()
        except ReplyError as exc:
            services.metrics.inc("wsrouter_errors_sent_total", code=exc.reply.code)
            connection.enqueue(encode(exc.reply))
            connection.close(m.CloseCode.SESSION_NOT_FOUND, exc.reply.message)
        except StorageUnavailable as exc:  # what the opening frames need cannot be read now
            log.warning("open: storage unavailable connection_id=%s: %s", connection.id, exc)
            refusal = _store_unreachable()
            services.metrics.inc("wsrouter_errors_sent_total", code=refusal.error_code)
            services.metrics.inc("wsrouter_closes_total", code=str(refusal.close_code))
            connection.enqueue(encode(error(refusal.error_code, refusal.message)))
            connection.close(refusal.close_code, refusal.message)
        if session.outbox.deferred:
            session.outbox.flush_deferred()
        # The opening frames are out: now what others sent meanwhile.
        connection.release()
        if accepted.session is not None:
            self.clock.watch(accepted.session.id, accepted.session.ends_at)
        return session, handler, dispatch

    async def _crashed(self, connection: Connection, exc: Exception) -> None:
        """A bug, not bad input: an ``error`` frame, the spec's 1011, and a trace."""
        log.error("connection failed connection_id=%s", connection.id, exc_info=exc)
        metrics = self.services.metrics
        metrics.inc("wsrouter_errors_sent_total", code="internal_error")
        metrics.inc("wsrouter_closes_total", code="1011")
        if not connection.closing:
            connection.enqueue(encode(error("internal_error", "the server failed; reconnect")))
        connection.close(m.CloseCode.INTERNAL_ERROR, "internal error")
        await connection.wait_closed()

    async def _forget(self, connection: Connection, handler: ConnectionHandler | None) -> None:
        """The connection is gone: unregister it and let its handler clean up."""
        services = self.services
        services.hub.remove(connection)
        try:
            changes = await services.registry.remove(connection.id)
            if handler is not None:
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
            _, late = await asyncio.wait(
                [asyncio.ensure_future(c.wait_closed()) for c in connections], timeout=timeout
            )
            if late:
                # Peers that did not take their close within the grace: their sockets are
                # dropped, so that shutdown takes the grace it is given, not more.
                log.warning("aborting %d connections still closing after %gs", len(late), timeout)
                for connection in self.services.hub.all():
                    connection.abort()
                for waiter in late:
                    waiter.cancel()


class _Expiry:
    """Closes the connection with 4401 when its token expires (unless refreshed).

    A timer rather than a task per connection (less memory per idle connection); the
    first check runs on the next loop iteration, as a new task's first step would. A
    refresh re-arms it for the new token's deadline, earlier or later.
    """

    __slots__ = ("_handle", "_metrics", "_session")

    def __init__(self, session: Session, metrics: Metrics) -> None:
        self._session = session
        self._metrics = metrics
        self._handle: asyncio.Handle | None = asyncio.get_running_loop().call_soon(self._check)
        session.on_deadline_moved = self.rearm

    def _check(self) -> None:
        delay = self._session.check_deadline(utcnow())
        if delay is None:
            self._handle = None
            self._metrics.inc("wsrouter_errors_sent_total", code="unauthorized")
            return
        self._handle = asyncio.get_running_loop().call_later(min(delay, 3600.0), self._check)

    def rearm(self) -> None:
        """Check again now: the deadline moved."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = asyncio.get_running_loop().call_soon(self._check)

    def cancel(self) -> None:
        """Stop watching (the connection is gone)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
