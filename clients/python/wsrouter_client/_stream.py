"""``messages()``: every frame the server sends, as an async iterator.

Each iterator gets its own copy of every frame received after it was made. Frames
that arrive while no iterator exists are kept (up to :data:`BACKLOG` of them, the
oldest dropped first) and handed to the next iterator made, so that the frames sent
right after the handshake (``chat_history``, ``presence``, unread notifications) are
not lost before the application starts reading. Iterators are held weakly: one that
is dropped stops collecting frames.
"""

from __future__ import annotations

import asyncio
import weakref
from collections import deque
from collections.abc import AsyncIterator, Iterable
from typing import Final, Generic, TypeVar

from ._errors import ConnectionClosed

M = TypeVar("M")

BACKLOG: Final = 1000
"""Frames kept for the next iterator while no iterator exists."""


class _End:
    """The last item of a stream's queue: the connection is over."""

    def __init__(self, closed: ConnectionClosed) -> None:
        self.closed = closed


class MessageStream(AsyncIterator[M]):
    """Every frame the server sends, decoded, in order (replies included).

    It spans reconnections: after one, the new connection's first frame
    (``connection_established`` or ``test_session_ready``) shows where it starts. It
    ends when the connection does: quietly after :meth:`close` or a normal closure
    (1000), by raising :class:`ConnectionClosed` otherwise. With ``timeout``, each
    wait for a frame raises ``TimeoutError`` after that many seconds.
    """

    def __init__(self, frames: Iterable[M], timeout: float | None) -> None:
        self._queue: asyncio.Queue[M | _End] = asyncio.Queue()
        for frame in frames:
            self._queue.put_nowait(frame)
        self._timeout = timeout

    def __aiter__(self) -> MessageStream[M]:
        return self

    async def __anext__(self) -> M:
        async with asyncio.timeout(self._timeout):
            frame = await self._queue.get()
        if isinstance(frame, _End):
            self._queue.put_nowait(frame)  # every later call ends the same way
            if frame.closed.by_client or frame.closed.code == 1000:
                raise StopAsyncIteration
            raise frame.closed.again()
        return frame

    def put(self, frame: M) -> None:
        """Deliver one frame (the connection calls this)."""
        self._queue.put_nowait(frame)

    def end(self, closed: ConnectionClosed) -> None:
        """The connection is over: what was delivered is still read first."""
        self._queue.put_nowait(_End(closed))


class Publisher(Generic[M]):
    """Hands every frame to the live iterators, or to the backlog when there are none."""

    def __init__(self) -> None:
        self._streams: weakref.WeakSet[MessageStream[M]] = weakref.WeakSet()
        self._backlog: deque[M] = deque(maxlen=BACKLOG)
        self._closed: ConnectionClosed | None = None

    def subscribe(self, timeout: float | None) -> MessageStream[M]:
        """A new iterator, starting with the backlog."""
        stream = MessageStream(self._backlog, timeout)
        self._backlog.clear()
        if self._closed is not None:
            stream.end(self._closed)
        else:
            self._streams.add(stream)
        return stream

    def publish(self, frame: M) -> None:
        """Deliver ``frame`` to every iterator."""
        streams = list(self._streams)
        if not streams:
            self._backlog.append(frame)
        for stream in streams:
            stream.put(frame)

    def end(self, closed: ConnectionClosed) -> None:
        """End every iterator, and those made from now on, with ``closed``."""
        self._closed = closed
        for stream in list(self._streams):
            stream.end(closed)
        self._streams.clear()
