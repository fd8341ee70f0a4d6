"""One open WebSocket and its bounded send queue.

Frames are handed to :meth:`Connection.enqueue`, which never waits. When nothing is
in flight, the frame is written at once: the ASGI ``send`` of a writable socket
finishes without suspending, so it is run to completion on the spot (no task, no
wake-up per frame, nothing held per idle connection). When a ``send`` does have to
wait (the peer is not reading and the transport paused writing), a task finishes it
and then drains the frames queued behind it. A connection whose queue passes its
limit (in frames or bytes) is closed as a slow consumer, so no fan-out ever waits on
it. The connection's own coroutine sends its replies with :meth:`Connection.reply`
instead, which awaits the ``send`` (cheaper than stepping it by hand, and a reader
whose peer stops reading stops reading from it).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine, Generator, Iterable, MutableMapping
from datetime import datetime
from typing import Any

ASGISend = Callable[[MutableMapping[str, Any]], Coroutine[Any, Any, None]]
"""An ASGI ``send``: an ``async def`` function (its coroutine is stepped by hand)."""

SLOW_CONSUMER = 4008

MAX_REASON_BYTES = 123
"""A close frame's reason: at most 123 bytes of UTF-8 (RFC 6455, 5.5.1)."""


def close_reason(reason: str) -> str:
    """``reason`` cut to :data:`MAX_REASON_BYTES` of UTF-8, at a character boundary."""
    encoded = reason.encode()
    if len(encoded) <= MAX_REASON_BYTES:
        return reason
    return encoded[:MAX_REASON_BYTES].decode(errors="ignore")


log = logging.getLogger("wsrouter.connection")


class Connection:
    """What the server knows and holds of one connection on this node."""

    __slots__ = (
        "_abort_after",
        "_close",
        "_close_timeout",
        "_held",
        "_max_bytes",
        "_max_frames",
        "_own_waiter",
        "_pending",
        "_queue",
        "_queued_bytes",
        "_send",
        "connected_at",
        "id",
        "rooms",
        "type",
        "user_id",
    )

    def __init__(
        self,
        *,
        connection_id: str,
        connection_type: str,
        user_id: str,
        connected_at: datetime,
        send: ASGISend,
        max_frames: int,
        max_bytes: int,
        abort_after: Callable[[float], None] | None = None,
        close_timeout: float = 5.0,
    ) -> None:
        self.id = connection_id
        self.type = connection_type
        self.user_id = user_id
        self.rooms: set[str] = set()
        self.connected_at = connected_at
        self._send = send
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._queue: deque[str] | None = None  # made when a send first has to wait
        self._queued_bytes = 0
        # A task finishing a send that waited, or _OWN_SEND while `reply` awaits one.
        self._pending: asyncio.Task[None] | _OwnSend | None = None
        self._own_waiter: asyncio.Future[None] | None = None  # wait_closed, during a reply
        self._close: tuple[int, str] | None = None
        # The server's way to drop the socket when a close cannot get out (the ASGI
        # extension of transport/uvicorn_protocol.py), and how long to give it.
        self._abort_after = abort_after
        self._close_timeout = close_timeout
        self._held: list[str] | None = None  # others' frames while opening (see hold)

    @property
    def closing(self) -> bool:
        """Whether a close has been requested."""
        return self._close is not None

    @property
    def queued(self) -> int:
        """How many frames wait behind a send that could not finish at once."""
        return len(self._queue) if self._queue else 0

    def enqueue(self, frame: str) -> bool:
        """Send a text frame, or queue it; ``False`` if closing or it just overflowed."""
        if self._close is not None:
            return False
        if self._pending is None:
            # What `_write` does, inlined: this runs once per frame and per recipient.
            send = self._send({"type": "websocket.send", "text": frame})
            try:
                blocker = send.send(None)
            except StopIteration:
                return True
            except (OSError, RuntimeError) as exc:
                self._failed(exc)
                return False
            self._pending = asyncio.get_running_loop().create_task(
                self._finish(send, blocker), name=f"send {self.id}"
            )
            return True
        # Behind a send that waits: queue, or close as a slow consumer past the limit.
        queue = self._queue
        if queue is None:
            queue = self._queue = deque()
        size = len(frame)
        if len(queue) >= self._max_frames or self._queued_bytes + size > self._max_bytes:
            log.warning("slow consumer closed connection_id=%s queued=%d", self.id, len(queue))
            self.close(SLOW_CONSUMER, "slow consumer: outbound queue full", flush=False)
            return False
        queue.append(frame)
        self._queued_bytes += size
        return True

    def hold(self) -> None:
        """Keep frames from others back until :meth:`release`: while the connection opens.

        A connection is in the hub and its rooms before its opening frames are out (so
        that it misses nothing); what others send meanwhile, such as another node's
        ``user_joined``, must not come before its own history and presence.
        """
        self._held = []

    def release(self) -> None:
        """Send, in order, what :meth:`hold` kept back; from now on, frames go out at once."""
        held, self._held = self._held, None
        for frame in held or ():
            if not self.enqueue(frame):
                return

    def deliver(self, frame: str) -> bool:
        """A frame from others: kept back while held, else :meth:`enqueue`."""
        held = self._held
        if held is None:
            return self.enqueue(frame)
        if self._close is not None:
            return False
        if len(held) >= self._max_frames:
            log.warning("slow consumer closed connection_id=%s held=%d", self.id, len(held))
            self.close(SLOW_CONSUMER, "slow consumer: outbound queue full", flush=False)
            return False
        held.append(frame)
        return True

    async def reply(self, frame: str) -> None:
        """:meth:`enqueue`, from the connection's own coroutine: it awaits the send.

        Should the send have to wait, the caller (the reader) waits with it, and frames
        handed to :meth:`enqueue` meanwhile queue behind it, as behind any send in
        progress; a task sends them (and a close asked for meanwhile) once it is done.
        """
        if self._pending is not None or self._close is not None:
            self.enqueue(frame)
            return
        self._pending = _OWN_SEND
        sent = False
        try:
            await self._send({"type": "websocket.send", "text": frame})
            sent = True
        except (OSError, RuntimeError) as exc:
            self._failed(exc)
        finally:
            self._pending = None
            if sent and (self._queue or self._close is not None):
                self._pending = asyncio.get_running_loop().create_task(
                    self._finish(None, None), name=f"send {self.id}"
                )
            waiter = self._own_waiter
            if waiter is not None:
                self._own_waiter = None
                if not waiter.done():
                    waiter.set_result(None)

    def close(self, code: int, reason: str, *, flush: bool = True) -> None:
        """Close after sending what is queued (``flush``) or at once; the first call wins."""
        if self._close is not None:
            return
        reason = close_reason(reason)
        self._close = (code, reason)
        if not flush and self._queue:
            self._queue.clear()
            self._queued_bytes = 0
        if self._pending is None:
            self._write({"type": "websocket.close", "code": code, "reason": reason})
        # The task finishing the blocked send sends the close after the queue; if
        # the peer never reads, that is never: the socket is aborted instead, so
        # that the connection ends (and is unregistered) within the close timeout.
        elif self._abort_after is not None:
            self._abort_after(self._close_timeout)

    def abort(self) -> None:
        """Drop the socket now, without a close handshake (the end of a shutdown's grace)."""
        if self._abort_after is not None:
            self._abort_after(0.0)

    def abandon(self) -> None:
        """The peer is gone: drop what is queued and stop any send in progress."""
        if self._close is None:
            self._close = (1006, "connection lost")
        if self._queue:
            self._queue.clear()
            self._queued_bytes = 0
        if self._pending is not None:
            self._pending.cancel()

    async def wait_closed(self) -> None:
        """Return once the close frame is handed to the socket (or the peer is gone)."""
        while (pending := self._pending) is not None:
            if isinstance(pending, asyncio.Task):
                await asyncio.wait([pending])  # it sends the close, if one is due
                return
            # A reply in progress; a task may take over once it is done.
            if self._own_waiter is None:
                self._own_waiter = asyncio.get_running_loop().create_future()
            await asyncio.shield(self._own_waiter)

    def _write(self, event: MutableMapping[str, Any]) -> None:
        # Run the ASGI send up to its first suspension. Most sends never suspend; one
        # that does is finished, then the queue drained, by a task (`_finish`).
        send = self._send(event)
        try:
            blocker = send.send(None)
        except StopIteration:
            return
        except (OSError, RuntimeError) as exc:
            self._failed(exc)
            return
        self._pending = asyncio.get_running_loop().create_task(
            self._finish(send, blocker), name=f"send {self.id}"
        )

    async def _finish(self, send: Coroutine[Any, Any, None] | None, blocker: Any) -> None:
        # Finish `send` (run up to `blocker`), if any; then send what is queued, then
        # the close if one was asked for.
        try:
            if send is not None:
                await _Resume(send, blocker)
            while self._queue:
                frame = self._queue.popleft()
                self._queued_bytes -= len(frame)
                await self._send({"type": "websocket.send", "text": frame})
            if self._close is not None:
                code, reason = self._close
                await self._send({"type": "websocket.close", "code": code, "reason": reason})
        except (OSError, RuntimeError) as exc:
            self._failed(exc)
        finally:
            self._pending = None

    def _failed(self, exc: BaseException) -> None:
        # The peer went away mid-send; the reader sees the disconnect and cleans up.
        log.debug("send failed connection_id=%s error=%s", self.id, type(exc).__name__)
        if self._close is None:
            self._close = (1006, "send failed")
        if self._queue:
            self._queue.clear()
            self._queued_bytes = 0


class _OwnSend:
    """What ``Connection._pending`` holds while :meth:`Connection.reply` awaits a send."""

    __slots__ = ()

    def cancel(self) -> bool:
        """Nothing to stop: the awaited send ends by itself when the peer goes away."""
        return False


_OWN_SEND = _OwnSend()


class _Resume:
    """Awaits the rest of a coroutine that was already run up to ``blocker``.

    What a task does for a coroutine, from its first suspension on: hand the awaited
    future to the event loop, send the coroutine the result, or throw it what the
    task was thrown (a cancellation).
    """

    __slots__ = ("_blocker", "_coroutine")

    def __init__(self, coroutine: Coroutine[Any, Any, None], blocker: Any) -> None:
        self._coroutine = coroutine
        self._blocker = blocker

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, blocker = self._coroutine, self._blocker
        while True:
            try:
                value = yield blocker
            except BaseException as exc:  # passed on to the coroutine, as a task would
                try:
                    blocker = coroutine.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    blocker = coroutine.send(value)
                except StopIteration:
                    return


def send_to_all(connections: Iterable[Connection], frame: str) -> int:
    """:meth:`Connection.deliver` ``frame`` to each of ``connections``; how many took it.

    The same, for a fan-out, without its cost per recipient: one coroutine writes to
    the recipients in turn, awaiting each ``send`` (which, for a writable socket,
    finishes without suspending). Should one suspend, that coroutine stays with its
    connection, as the task that finishes the send and drains its queue, and a new
    one carries on with the next recipients: no recipient waits for another.
    """
    members = connections if isinstance(connections, list) else list(connections)
    fanout = _Fanout(members, frame)
    took = 0
    while True:
        writer = fanout.write()
        try:
            blocker = writer.send(None)
        except StopIteration:
            return took + fanout.took
        # The send to members[fanout.index] has to wait: the writer finishes it (and stops
        # there), as that connection's pending task; a new writer takes the rest.
        blocked = members[fanout.index]
        fanout.stop = True
        blocked._pending = asyncio.get_running_loop().create_task(
            blocked._finish(writer, blocker), name=f"send {blocked.id}"
        )
        took += fanout.took
        fanout = _Fanout(members, frame, start=fanout.index + 1)


class _Fanout:
    """One coroutine's walk over the recipients of a frame (see :func:`send_to_all`)."""

    __slots__ = ("_event", "_frame", "_members", "index", "start", "stop", "took")

    def __init__(self, members: list[Connection], frame: str, start: int = 0) -> None:
        self._members = members
        self._frame = frame
        self._event = {"type": "websocket.send", "text": frame}  # read-only: shared
        self.start = start
        self.index = start
        self.stop = False
        self.took = 0

    async def write(self) -> None:
        members, event = self._members, self._event
        for index in range(self.start, len(members)):
            if self.stop:
                return  # this writer stayed with a connection whose send had to wait
            connection = members[index]
            if (
                connection._close is not None
                or connection._pending is not None
                or connection._held is not None
            ):
                if connection.deliver(self._frame):  # refused if closed, else queued or held
                    self.took += 1
                continue
            self.index = index
            self.took += 1
            try:
                await connection._send(event)
            except (OSError, RuntimeError) as exc:
                self.took -= 1
                connection._failed(exc)
