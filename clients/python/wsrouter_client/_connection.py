"""One logical connection: the generated clients' ``Transport``, across reconnections.

A connection opens a WebSocket and waits for its first frame, then a reader task
decodes every frame with the connection type's generated decoder and

1. resolves the request waiting for that frame's ``request_id``,
2. keeps track of the rooms joined and left,
3. calls the listeners registered with :meth:`Connection.add_listener`,
4. hands the frame to every ``messages()`` iterator.

When the WebSocket closes, the requests in flight fail with ``ConnectionClosed`` (the
server may or may not have processed them, so none is resent); with reconnection
enabled and a close code that allows it, a supervisor task opens a new WebSocket
(a fresh token from the provider, full-jitter backoff), joins the rooms again and
lets waiting requests through.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Final, Generic, TypeVar, cast

import msgspec

from ._errors import (
    ConnectFailed,
    ConnectionClosed,
    HandshakeRefused,
    RequestFailed,
    RequestTimeout,
)
from ._generated.messages import (
    ConnectionEstablished,
    Error,
    JoinRoom,
    LeaveRoom,
    RefreshToken,
    RoomJoined,
    RoomLeft,
    TestSessionReady,
)
from ._handshake import endpoint_url, handshake, handshake_rooms
from ._listeners import Listeners
from ._reconnect import Reconnect, should_reconnect
from ._stream import MessageStream, Publisher
from ._token import TokenProvider, fetch_token, keep_token_fresh
from ._wire import Opener, Wire, WireClosed, open_websocket

log = logging.getLogger("wsrouter_client")

M = TypeVar("M")
"""What the server sends on this kind of connection (the generated outbound union)."""
E = TypeVar("E", bound=ConnectionEstablished | TestSessionReady)
"""The first frame of a successful handshake."""
T = TypeVar("T")

_encoder: Final = msgspec.json.Encoder()


class Connection(Generic[M, E]):
    """One connection of one type; implements the generated ``Transport[M]``.

    Made by :func:`wsrouter_client.connect`; the typed clients wrap it. Everything
    here runs on one event loop.
    """

    def __init__(
        self,
        *,
        url: str,
        connection_type: str,
        room: str | None,
        decode: Callable[[str | bytes], M],
        first: type[E],
        token: str | None = None,
        token_provider: TokenProvider | None = None,
        reconnect: Reconnect | None = None,
        request_timeout: float | None = 10.0,
        open_timeout: float | None = 10.0,
        refresh_before: float = 30.0,
        headers: Mapping[str, str] | None = None,
        opener: Opener = open_websocket,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.url = endpoint_url(url, connection_type, room)
        self.connection_type = connection_type
        self._decode = decode
        self._first = first
        self._token = token
        self._token_provider = token_provider
        self._reconnect = reconnect
        self.request_timeout = request_timeout
        self._open_timeout = open_timeout
        self._refresh_before = refresh_before
        self._headers = dict(headers or {})
        self._opener = opener
        self._clock = clock
        self._sleep = sleep

        self._ids = itertools.count(1)
        self._wire: Wire | None = None
        self._established: E | None = None
        self._ready = asyncio.Event()  # set while requests may go out (or once closed)
        self._done = asyncio.Event()
        self._closing = False
        self._closed: ConnectionClosed | None = None
        self._pending: dict[str, asyncio.Future[M]] = {}
        self._publisher: Publisher[M] = Publisher()
        self._listeners = Listeners()
        self._rooms: set[str] = set()
        self._supervisor: asyncio.Task[None] | None = None
        self.reconnects = 0
        """How many times the connection was reopened."""

    # ------------------------------------------------------------------ state

    @property
    def established(self) -> E:
        """The first frame of the current WebSocket."""
        if self._established is None:
            raise RuntimeError("the connection is not open yet")
        return self._established

    @property
    def rooms(self) -> frozenset[str]:
        """The rooms this connection is in, as the server confirmed them."""
        return frozenset(self._rooms)

    @property
    def closed(self) -> ConnectionClosed | None:
        """Why the connection ended for good; ``None`` while it lives (or reconnects)."""
        return self._closed

    @property
    def token(self) -> str | None:
        """The token in force: the last one the server accepted."""
        return self._token

    # ------------------------------------------------------------- Transport

    def next_request_id(self) -> str:
        """A request id not used before on this connection."""
        return str(next(self._ids))

    async def send(self, message: msgspec.Struct) -> None:
        """Send ``message``; waits for a reconnection in progress (``request_timeout``)."""
        wire = await self._usable_wire(None, self.request_timeout)
        await self._send_on(wire, message)

    async def request(self, message: msgspec.Struct, request_id: str, timeout: float | None) -> M:
        """Send ``message`` and return the frame carrying ``request_id``.

        ``timeout`` (``None``: the connection's ``request_timeout``) bounds the whole
        exchange, a wait for a reconnection included; past it, :class:`RequestTimeout`.
        An ``error`` reply raises :class:`RequestFailed`.
        """
        limit = self.request_timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                wire = await self._usable_wire(request_id, None)
                reply = await self._exchange(wire, message, request_id)
        except TimeoutError:
            raise RequestTimeout(request_id, limit or 0.0) from None
        if isinstance(reply, Error):
            raise RequestFailed(reply)
        return reply

    def messages(self, *, timeout: float | None = None) -> MessageStream[M]:
        """Every frame the server sends from now on (see :class:`MessageStream`)."""
        return self._publisher.subscribe(timeout)

    def add_listener(self, kind: type[T], callback: Callable[[T], object]) -> Callable[[], None]:
        """Call ``callback`` with every frame of type ``kind``; returns a remover.

        Callbacks run on the reader, in order, before the frame reaches the
        iterators; see :class:`Listeners`.
        """
        return self._listeners.add(kind, callback)

    # ------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        """Open the first WebSocket; raise what refused it.

        :class:`HandshakeRefused` when the server sent an ``error`` and closed,
        :class:`ConnectFailed` when no WebSocket could be opened.
        """
        if self._token is None and self._token_provider is not None:
            self._token = await fetch_token(self._token_provider)
        wire, first = await self._handshake(self._token)
        self._wire, self._established = wire, first
        self._rooms = handshake_rooms(first)
        self._supervisor = asyncio.create_task(
            self._supervise(wire, first), name=f"wsrouter_client {self.url}"
        )

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """Close with ``code`` and stop reconnecting; returns once everything is stopped."""
        check_close(code, reason)
        if not self._closing:
            self._closing = True
            wire = self._wire
            if wire is not None:
                await wire.close(code, reason)
            supervisor = self._supervisor
            if supervisor is not None and not supervisor.done():
                if wire is None:  # between WebSockets: waiting out a backoff or handshaking
                    supervisor.cancel()
                await asyncio.wait([supervisor])
            self._finish(ConnectionClosed(code, reason, by_client=True))
            self._listeners.cancel()
        await self._done.wait()

    async def wait_closed(self) -> ConnectionClosed:
        """Wait until the connection ends for good; return why."""
        await self._done.wait()
        return cast(ConnectionClosed, self._closed)

    # -------------------------------------------------------------- internals

    async def _usable_wire(self, request_id: str | None, timeout: float | None) -> Wire:
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            raise RequestTimeout(request_id, timeout or 0.0) from None
        if self._closed is not None:
            raise self._closed.again()
        if self._wire is None:  # pragma: no cover - _ready is only set with a wire
            raise RuntimeError("no WebSocket although the connection is ready")
        return self._wire

    async def _send_on(self, wire: Wire, message: msgspec.Struct) -> None:
        try:
            await wire.send(_encoder.encode(message).decode())
        except WireClosed as closed:
            raise ConnectionClosed(closed.code, closed.reason, by_client=self._closing) from None

    async def _exchange(self, wire: Wire, message: msgspec.Struct, request_id: str) -> M:
        future: asyncio.Future[M] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        try:
            await self._send_on(wire, message)
            return await future
        finally:
            self._pending.pop(request_id, None)

    async def _handshake(self, token: str | None) -> tuple[Wire, E]:
        headers = dict(self._headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return await handshake(
            self._opener, self.url, headers, self._open_timeout, self._decode, self._first
        )

    async def _supervise(self, wire: Wire, first: E) -> None:
        """Serve WebSocket after WebSocket until the connection ends for good."""
        rejoin = False
        try:
            while True:
                closed = await self._serve(wire, first, rejoin=rejoin)
                self._wire = None
                if self._reconnect is None or not should_reconnect(
                    closed, can_refresh_token=self._token_provider is not None
                ):
                    self._finish(closed)
                    return
                wire, first = await self._reopen(self._reconnect, closed)
                self.reconnects += 1
                rejoin = True
        except ConnectionClosed as final:
            self._finish(final)
        except Exception:  # a bug: end the connection rather than hang every caller
            log.exception("the connection's supervisor failed")
            self._finish(ConnectionClosed(1006, "the client failed"))

    async def _serve(self, wire: Wire, first: E, *, rejoin: bool) -> ConnectionClosed:
        """Read one WebSocket until it closes."""
        self._wire, self._established = wire, first
        self._dispatch(first)
        reader = asyncio.create_task(self._read(wire), name=f"reader {self.url}")
        refresher = asyncio.create_task(self._refresh_tokens(wire), name=f"refresh {self.url}")
        try:
            if rejoin:
                await self._rejoin(wire, first)
            if not reader.done():
                self._ready.set()
            return await reader
        finally:
            reader.cancel()
            refresher.cancel()
            await asyncio.wait([reader, refresher])

    async def _read(self, wire: Wire) -> ConnectionClosed:
        # An `error` without request_id right before the close says why (e.g. the
        # token expired); the close carries it.
        last_error: Error | None = None
        while True:
            try:
                data = await wire.recv()
            except WireClosed as wire_closed:
                closed = ConnectionClosed(
                    wire_closed.code, wire_closed.reason, error=last_error, by_client=self._closing
                )
                # Requests wait for a reconnection from now on; those in flight fail at
                # once (the rejoin and the token refresh among them).
                self._ready.clear()
                for future in self._pending.values():
                    if not future.done():
                        future.set_exception(closed.again())
                return closed
            try:
                frame = self._decode(data)
            except (msgspec.DecodeError, msgspec.ValidationError) as exc:
                log.warning("dropped a frame the spec does not allow: %s", exc)
                continue
            last_error = (
                frame
                if isinstance(frame, Error) and not isinstance(frame.request_id, str)
                else None
            )
            self._dispatch(frame)

    def _dispatch(self, frame: M | E) -> None:
        request_id = getattr(frame, "request_id", None)
        if isinstance(request_id, str):
            future = self._pending.get(request_id)
            if future is not None and not future.done():
                future.set_result(cast(M, frame))
        if isinstance(frame, RoomJoined):
            self._rooms.add(frame.room)
        elif isinstance(frame, RoomLeft):
            self._rooms.discard(frame.room)
        self._listeners.notify(frame)
        self._publisher.publish(cast(M, frame))

    def _finish(self, closed: ConnectionClosed) -> None:
        if self._closed is not None:
            return
        self._closed = closed
        self._wire = None
        self._publisher.end(closed)
        self._ready.set()  # wakes the requests waiting for a reconnection; they raise `closed`
        self._done.set()

    async def _reopen(self, policy: Reconnect, closed: ConnectionClosed) -> tuple[Wire, E]:
        """Open a new WebSocket after ``closed``; raise the last refusal when giving up."""
        final: ConnectionClosed = closed
        for attempt in policy.attempts():
            delay = policy.delay(attempt)
            log.info("reconnecting in %.2f s (attempt %d) after %s", delay, attempt + 1, closed)
            await policy.sleep(delay)
            try:
                if self._token_provider is not None:
                    self._token = await fetch_token(self._token_provider)
            except Exception:
                log.exception("the token provider failed")
                continue
            try:
                return await self._handshake(self._token)
            except HandshakeRefused as refused:
                if not should_reconnect(
                    refused, can_refresh_token=self._token_provider is not None
                ):
                    raise
                final = refused
                log.info("reconnection refused: %s", refused)
            except ConnectFailed as failed:
                log.info("reconnection failed: %s", failed)
        raise final

    async def _rejoin(self, wire: Wire, first: E) -> None:
        """Put the new WebSocket in the rooms the old one was in."""
        automatic = handshake_rooms(first)
        changes: list[tuple[msgspec.Struct, str]] = []
        for room in sorted(self._rooms - automatic):
            request_id = self.next_request_id()
            changes.append((JoinRoom(room=room, request_id=request_id), request_id))
        for room in sorted(automatic - self._rooms):
            request_id = self.next_request_id()
            changes.append((LeaveRoom(room=room, request_id=request_id), request_id))
        wanted = set(self._rooms)
        self._rooms = set(automatic)
        for change, request_id in changes:
            try:
                async with asyncio.timeout(self.request_timeout):
                    reply = await self._exchange(wire, change, request_id)
            except (ConnectionClosed, TimeoutError) as exc:
                log.warning("could not restore the rooms after reconnecting: %r", exc)
                self._rooms |= wanted  # try again at the next reconnection
                return
            if isinstance(reply, Error):
                log.warning("could not restore room membership: %s", reply.message)

    async def _refresh_tokens(self, wire: Wire) -> None:
        """Send ``refresh_token`` ``refresh_before`` seconds before the token expires."""
        if self._token_provider is None:
            return

        async def offer(token: str) -> bool:
            request_id = self.next_request_id()
            try:
                async with asyncio.timeout(self.request_timeout):
                    reply = await self._exchange(
                        wire, RefreshToken(token=token, request_id=request_id), request_id
                    )
            except (ConnectionClosed, TimeoutError) as exc:
                log.warning("token refresh failed: %r", exc)
                return False
            if isinstance(reply, Error):
                log.warning("the server refused the fresh token: %s", reply.message)
                return False
            self._token = token
            return True

        await keep_token_fresh(
            lambda: self._token,
            self._token_provider,
            offer,
            before=self._refresh_before,
            clock=self._clock,
            sleep=self._sleep,
        )


def check_close(code: int, reason: str) -> None:
    """Refuse what a client may not send in a close frame (RFC 6455, section 7.4)."""
    if not (code == 1000 or 3000 <= code <= 4999):
        raise ValueError(f"a client closes with 1000 or a code in 3000-4999, not {code}")
    if len(reason.encode()) > 123:
        raise ValueError("a close reason is at most 123 bytes of UTF-8")
