"""The blocking API: :func:`connect_sync` and its typed connections.

The same connection as the async API, run on a private event loop thread (see
``_loop.py``); each method blocks until its reply, with the same timeouts and
exceptions. The per-type methods come from the generated ``SyncChatClient`` & co.,
the per-type classes and ``connect_sync`` from ``_generated/connections.py``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

import msgspec

from ._connection import Connection, E, M, T, check_close
from ._errors import ConnectionClosed
from ._loop import CallbackThread, LoopThread
from ._options import SyncConnectOptions, connection_settings
from ._stream import MessageStream


class SyncMessageStream(Iterator[M]):
    """Every frame the server sends, blocking; the sync face of :class:`MessageStream`.

    Ends like it (quietly after ``close()`` or a 1000, else ``ConnectionClosed``); with
    a ``timeout``, each wait raises ``TimeoutError`` after that many seconds.
    """

    def __init__(self, stream: MessageStream[M], thread: LoopThread) -> None:
        self._stream = stream
        self._thread = thread

    def __iter__(self) -> SyncMessageStream[M]:
        return self

    def __next__(self) -> M:
        try:
            return self._thread.run(self._stream.__anext__())
        except StopAsyncIteration:
            raise StopIteration from None


class LoopTransport(Generic[M, E]):
    """The generated ``SyncTransport`` over an async :class:`Connection` on a loop thread."""

    def __init__(self, connection: Connection[M, E], thread: LoopThread) -> None:
        self.connection = connection
        self.thread = thread

    def _check_open(self) -> None:
        closed = self.connection.closed
        if closed is not None and not self.thread.running:
            raise closed.again()

    def next_request_id(self) -> str:
        """A request id not used before on this connection."""
        return self.connection.next_request_id()

    def send(self, message: msgspec.Struct) -> None:
        """Send ``message``."""
        self._check_open()
        self.thread.run(self.connection.send(message))

    def request(self, message: msgspec.Struct, request_id: str, timeout: float | None) -> M:
        """Send ``message`` and return the frame carrying ``request_id``."""
        self._check_open()
        return self.thread.run(self.connection.request(message, request_id, timeout))

    def messages(self, *, timeout: float | None = None) -> SyncMessageStream[M]:
        """Every frame the server sends from now on."""
        self._check_open()
        stream = self.thread.call(lambda: self.connection.messages(timeout=timeout))
        return SyncMessageStream(stream, self.thread)


class SyncLiveConnection(Generic[M, E]):
    """What every blocking connection class adds to its generated client."""

    _transport: LoopTransport[M, E]
    _callbacks: CallbackThread | None = None
    _lock: threading.Lock

    def _attach(self, transport: LoopTransport[M, E]) -> None:
        self._transport = transport
        self._lock = threading.Lock()

    @property
    def established(self) -> E:
        """The first frame of the current WebSocket (a new one after each reconnection)."""
        return self._transport.connection.established

    @property
    def connection_id(self) -> str:
        """The server's id of the current WebSocket (a new one after each reconnection)."""
        return self._transport.connection.established.connection_id

    @property
    def rooms(self) -> frozenset[str]:
        """The rooms the connection is in, as the server confirmed them."""
        return self._transport.connection.rooms

    @property
    def reconnects(self) -> int:
        """How many times the connection was reopened."""
        return self._transport.connection.reconnects

    @property
    def closed(self) -> ConnectionClosed | None:
        """Why the connection ended for good; ``None`` while it lives (or reconnects)."""
        return self._transport.connection.closed

    def messages(self, *, timeout: float | None = None) -> SyncMessageStream[M]:
        """Every frame the server sends, replies included (see :class:`MessageStream`)."""
        return self._transport.messages(timeout=timeout)

    def on(self, kind: type[T], callback: Callable[[T], object]) -> Callable[[], None]:
        """Call ``callback(frame)`` for every frame of type ``kind``; returns a remover.

        Callbacks run one at a time, in order, on a thread of the connection's own, so
        they may call this connection's methods; one that raises is logged.
        """
        with self._lock:
            if self._callbacks is None:
                self._callbacks = CallbackThread()
            callbacks = self._callbacks

        def forward(frame: T) -> None:
            callbacks.submit(callback, frame)

        connection, thread = self._transport.connection, self._transport.thread
        remove = thread.call(lambda: connection.add_listener(kind, forward))

        def remover() -> None:
            if thread.running:
                thread.call(remove)

        return remover

    def close(self, code: int = 1000, reason: str = "") -> None:
        """Close the connection (1000 unless ``code`` says otherwise), stop its threads.

        ``code`` is 1000 or an application code in 3000-4999; ``reason`` at most 123
        bytes of UTF-8 (``ValueError`` otherwise).
        """
        check_close(code, reason)  # here, before the loop thread is stopped
        thread = self._transport.thread
        if thread.running:
            try:
                thread.run(self._transport.connection.close(code, reason))
            finally:
                thread.stop()
        if self._callbacks is not None:
            self._callbacks.stop()

    def wait_closed(self, timeout: float | None = None) -> ConnectionClosed:
        """Wait until the connection ends for good (``TimeoutError`` after ``timeout``)."""
        connection = self._transport.connection
        if connection.closed is not None:
            return connection.closed
        return self._transport.thread.run(_wait_closed(connection, timeout))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


S = TypeVar("S", bound=SyncLiveConnection[Any, Any])


async def _wait_closed(connection: Connection[Any, Any], timeout: float | None) -> ConnectionClosed:
    async with asyncio.timeout(timeout):
        return await connection.wait_closed()


def open_sync(
    url: str,
    *,
    connection_type: str,
    room: str | None,
    decode: Callable[[str | bytes], Any],
    first: type[Any],
    make: Callable[[LoopTransport[Any, Any]], S],
    options: SyncConnectOptions,
) -> S:
    """What the generated ``connect_sync`` does for every connection type (blocking)."""
    settings = connection_settings(options)

    async def opening() -> Connection[Any, Any]:
        connection: Connection[Any, Any] = Connection(
            url=url,
            connection_type=connection_type,
            room=room,
            decode=decode,
            first=first,
            **settings,
        )
        await connection.open()
        return connection

    thread = LoopThread()
    try:
        connection = thread.run(opening())
    except BaseException:
        thread.stop()
        raise
    return make(LoopTransport(connection, thread))
