"""One open WebSocket and its bounded send queue.

Frames are handed to :meth:`Connection.enqueue`, which never waits: a writer task
drains the queue into the socket. A connection whose queue passes its limit (in
frames or bytes) is closed as a slow consumer, so no fan-out ever waits on it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from typing import Any

from wsrouter.auth import Principal

ASGISend = Callable[[MutableMapping[str, Any]], Awaitable[None]]

SLOW_CONSUMER = 4008

log = logging.getLogger("wsrouter.connection")


class Connection:
    """What the server knows and holds of one connection on this node."""

    def __init__(
        self,
        *,
        connection_id: str,
        connection_type: str,
        principal: Principal,
        room: str | None,
        connected_at: datetime,
        send: ASGISend,
        max_frames: int,
        max_bytes: int,
    ) -> None:
        self.id = connection_id
        self.type = connection_type
        self.principal = principal
        self.room = room
        self.rooms: set[str] = set()
        self.connected_at = connected_at
        self._send = send
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._queue: deque[str] = deque()
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._close: tuple[int, str] | None = None
        self._writing = False  # a send is in progress (the writer's, or a direct reply's)
        self.closed = asyncio.Event()

    @property
    def user_id(self) -> str:
        """The user the connection belongs to."""
        return self.principal.user_id

    @property
    def closing(self) -> bool:
        """Whether a close has been requested."""
        return self._close is not None

    def enqueue(self, frame: str) -> bool:
        """Queue a text frame; ``False`` if the connection is closing or just overflowed."""
        if self._close is not None:
            return False
        size = len(frame)
        if len(self._queue) >= self._max_frames or self._queued_bytes + size > self._max_bytes:
            log.warning(
                "slow consumer closed connection_id=%s queued=%d", self.id, len(self._queue)
            )
            self.close(SLOW_CONSUMER, "slow consumer: outbound queue full", flush=False)
            return False
        self._queue.append(frame)
        self._queued_bytes += size
        self._wakeup.set()
        return True

    async def reply(self, frame: str) -> bool:
        """Send ``frame`` at once when nothing is queued or being sent, else queue it.

        The reader's own replies skip the hop to the writer task when the way is clear;
        the order of frames is the same as through the queue.
        """
        if (
            self._writing
            or self._queue
            or self._close is not None
            or len(frame) > self._max_bytes
            or self._max_frames < 1
        ):
            return self.enqueue(frame)
        self._writing = True
        try:
            await self._send({"type": "websocket.send", "text": frame})
        except (OSError, RuntimeError) as exc:
            log.debug("send failed connection_id=%s error=%s", self.id, type(exc).__name__)
            self._close = self._close or (1006, "send failed")
            return False
        finally:
            self._writing = False
            if self._queue or self._close is not None:
                self._wakeup.set()  # the writer waited for this send to finish
        return True

    def close(self, code: int, reason: str, *, flush: bool = True) -> None:
        """Close after sending what is queued (``flush``) or at once; the first call wins."""
        if self._close is not None:
            return
        self._close = (code, reason)
        if not flush:
            self._queue.clear()
            self._queued_bytes = 0
        self._wakeup.set()

    async def run_writer(self) -> None:
        """Drain the queue into the socket until the connection closes."""
        try:
            while True:
                await self._wakeup.wait()
                self._wakeup.clear()
                if self._writing:
                    continue  # a direct reply is being sent; it wakes us when done
                while self._queue:
                    frame = self._queue.popleft()
                    self._queued_bytes -= len(frame)
                    self._writing = True
                    try:
                        await self._send({"type": "websocket.send", "text": frame})
                    finally:
                        self._writing = False
                if self._close is not None:
                    code, reason = self._close
                    await self._send({"type": "websocket.close", "code": code, "reason": reason})
                    return
        except (OSError, RuntimeError) as exc:
            # The peer went away mid-send; the reader sees the disconnect and cleans up.
            log.debug("send failed connection_id=%s error=%s", self.id, type(exc).__name__)
            self._close = self._close or (1006, "send failed")
        finally:
            self.closed.set()
