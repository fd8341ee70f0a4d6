"""The cluster broker: one Redis pub/sub channel that every node reads.

A publish is delivered to this node's own connections at once, then queued for the
others. Whatever was queued in one turn of the event loop leaves as one ``PUBLISH``
(a batch, in msgpack, tagged with this broker's origin so that it skips its own), so
a room message costs one Redis round trip however many frames a burst holds, and one
caller's frames keep their order. Each node decodes each batch once and hands every
frame to its hub.

Faults: every Redis call is bounded (:data:`~wsrouter.redis_client.REDIS_TIMEOUT`).
While the subscription is down, publishes still reach this node's connections and
are counted as :attr:`RedisBroker.dropped` for the rest, and :meth:`RedisBroker.ping`
raises (``/ready`` says 503). The subscriber never gives up: it reconnects with a
capped backoff, and a silent link is caught by a ``PING`` after
:data:`IDLE_PING_SECONDS` of quiet. Each confirmation of the subscription after the
first means frames may have been missed meanwhile: :attr:`RedisBroker.gaps` counts them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from typing import Any
from urllib.parse import urlsplit

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from wsrouter.broker.base import Audience, Broker, Delivery, Disconnector
from wsrouter.redis_client import REDIS_TIMEOUT, redis_client, redis_database

log = logging.getLogger("wsrouter.broker")

IDLE_PING_SECONDS = 1.0
"""After this long without a message, the subscriber checks its link with a ``PING``."""

MAX_PENDING = 10_000
"""Frames waiting for their ``PUBLISH`` past this are dropped (and counted)."""

_FRAME, _DISCONNECT = 0, 1

# One entry of a batch: kind, then either the audience's five fields and the frame, or
# the connection id, close code and reason of a disconnect.
_Entry = tuple[Any, ...]
_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(tuple[str, list[_Entry]]).decode


class RedisBroker(Broker):
    """A :class:`Broker` over Redis pub/sub at ``url``; nodes on one database form a cluster.

    Pub/sub ignores database numbers, so the channel is named after the database:
    clusters on different databases of one Redis do not hear each other.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.channel = f"wsrouter:{redis_database(url)}:frames"
        self._origin = secrets.token_hex(8)
        self._redis: Redis | None = None
        self._deliver: Delivery | None = None
        self._disconnect: Disconnector | None = None
        self._pending: list[_Entry] = []
        self._queued = 0  # entries ever queued, and those whose PUBLISH was attempted
        self._attempted = 0
        self._progress = asyncio.Event()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._subscribed = asyncio.Event()
        self._closing = False
        self.published = 0
        """Frames sent to the other nodes."""
        self.batches = 0
        """``PUBLISH`` commands those frames took (one per batch)."""
        self.dropped = 0
        """Frames the other nodes never got: Redis was unreachable, or the queue full."""
        self.gaps = 0
        """Re-subscriptions after a lost link: each one may have missed frames."""

    @property
    def subscribed(self) -> bool:
        """Whether the subscription is confirmed and its link looks alive."""
        return self._subscribed.is_set()

    async def start(self, deliver: Delivery, disconnect: Disconnector) -> None:
        """Subscribe; raises if Redis does not confirm within the timeout."""
        self._deliver, self._disconnect = deliver, disconnect
        self._redis = redis_client(self.url)
        try:  # a server that refuses says so at once, with its reason
            async with asyncio.timeout(2 * REDIS_TIMEOUT):
                await self._redis.ping()
        except (RedisError, OSError, TimeoutError) as exc:
            await self.close()
            raise ConnectionError(f"Redis at {_where(self.url)}: {_reason(exc)}") from exc
        self._tasks = [
            asyncio.create_task(self._subscriber(), name="broker-subscriber"),
            asyncio.create_task(self._flusher(), name="broker-publisher"),
        ]
        try:
            async with asyncio.timeout(4 * REDIS_TIMEOUT):
                await self._subscribed.wait()
        except TimeoutError:
            await self.close()
            raise ConnectionError(f"Redis at {_where(self.url)} did not answer") from None

    async def close(self) -> None:
        """Stop both tasks and close the client, in bounded time; pending frames are dropped."""
        self._closing = True
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # bounded: see wsrouter.registry.redis._stop
            await asyncio.wait(self._tasks, timeout=4 * REDIS_TIMEOUT)
        self._tasks = []
        self.dropped += len(self._pending)
        self._settle(len(self._pending))
        self._pending.clear()
        self._subscribed.clear()
        self._deliver = self._disconnect = None
        if self._redis is not None:
            client, self._redis = self._redis, None
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                async with asyncio.timeout(REDIS_TIMEOUT):
                    await client.aclose()

    async def ping(self) -> None:
        """Raise ``ConnectionError`` unless subscribed and Redis answers ``PING`` in time."""
        if self._redis is None or not self.subscribed:
            raise ConnectionError("not subscribed to Redis")
        try:
            async with asyncio.timeout(2 * REDIS_TIMEOUT):
                await self._redis.ping()
        except (RedisError, TimeoutError) as exc:
            raise ConnectionError(f"Redis does not answer: {_reason(exc)}") from exc

    async def publish(self, audience: Audience, frame: str) -> None:
        """Deliver to this node now; queue for the others (sent at the end of this tick)."""
        deliver = self._deliver
        if deliver is None:
            return
        taken = deliver(audience, frame)
        if audience.connection_id is not None and taken:
            return  # the one connection was here
        self._queue(
            (
                _FRAME,
                audience.connection_type,
                audience.user_id,
                audience.room,
                audience.connection_id,
                audience.exclude,
                frame,
            )
        )

    async def disconnect(self, connection_id: str, code: int, reason: str) -> None:
        """Close the connection here if it is here, else ask every other node."""
        if self._disconnect is None or self._disconnect(connection_id, code, reason):
            return
        self._queue((_DISCONNECT, connection_id, code, reason))

    def _queue(self, entry: _Entry) -> None:
        if not self._subscribed.is_set() or len(self._pending) >= MAX_PENDING:
            self.dropped += 1
            return
        self._pending.append(entry)
        self._queued += 1
        self._wake.set()

    def _settle(self, entries: int) -> None:
        self._attempted += entries
        self._progress.set()

    async def flushed(self) -> None:
        """Wait until the entries queued so far were published, or dropped (bounded)."""
        target = self._queued
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(4 * REDIS_TIMEOUT):
                while self._attempted < target and not self._closing:
                    self._progress.clear()
                    await self._progress.wait()

    async def _flusher(self) -> None:
        """Send what was queued, one ``PUBLISH`` per batch, one batch at a time."""
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            batch, self._pending = self._pending, []
            if not batch:
                continue
            if self._redis is None:
                self.dropped += len(batch)
                self._settle(len(batch))
                continue
            try:
                async with asyncio.timeout(2 * REDIS_TIMEOUT):
                    await self._redis.publish(self.channel, _encode((self._origin, batch)))
            except (RedisError, OSError, TimeoutError) as exc:
                self.dropped += len(batch)
                log.warning("publish failed frames=%d error=%s", len(batch), _reason(exc))
            else:
                self.published += len(batch)
                self.batches += 1
            self._settle(len(batch))

    async def _subscriber(self) -> None:
        """Stay subscribed: reconnect after any failure, for as long as the broker runs."""
        backoff = 0.05
        confirmed_before = False
        while not self._closing:
            assert self._redis is not None  # noqa: S101 - set before the task starts
            pubsub = self._redis.pubsub()
            try:
                async with asyncio.timeout(2 * REDIS_TIMEOUT):
                    await pubsub.subscribe(self.channel)
                ping_sent: float | None = None
                loop = asyncio.get_running_loop()
                while True:
                    message = await pubsub.get_message(timeout=IDLE_PING_SECONDS)
                    if message is None:
                        if ping_sent is not None and loop.time() - ping_sent > REDIS_TIMEOUT:
                            raise TimeoutError("Redis did not answer the subscriber's PING")
                        if ping_sent is None:
                            async with asyncio.timeout(REDIS_TIMEOUT):
                                await pubsub.ping()
                            ping_sent = loop.time()
                        continue
                    ping_sent = None  # anything that arrives shows the link is alive
                    kind = message["type"]
                    if kind == "message":
                        self._receive(message["data"])
                    elif kind == "subscribe":
                        if confirmed_before:
                            self.gaps += 1
                            log.warning("re-subscribed to Redis gaps=%d", self.gaps)
                        confirmed_before = True
                        backoff = 0.05
                        self._subscribed.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # whatever broke, subscribe again
                if self._subscribed.is_set():
                    log.warning("Redis subscription lost error=%s", _reason(exc))
                self._subscribed.clear()
            finally:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(REDIS_TIMEOUT):
                        await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)

    def _receive(self, data: bytes) -> None:
        """Hand every frame of another node's batch to this node's connections."""
        try:
            origin, batch = _decode(data)
        except msgspec.DecodeError:
            log.warning("undecodable batch on %s (another program publishes here?)", self.channel)
            return
        if origin == self._origin:
            return
        deliver, disconnect = self._deliver, self._disconnect
        if deliver is None or disconnect is None:
            return
        for entry in batch:
            try:
                if entry[0] == _FRAME:
                    _, kind, user, room, connection, exclude, frame = entry
                    deliver(Audience(kind, user, room, connection, exclude), frame)
                else:
                    _, connection, code, reason = entry
                    disconnect(connection, code, reason)
            except Exception:
                log.exception("delivering a frame from another node failed")


def _where(url: str) -> str:
    """``host:port`` of a Redis URL, without its password."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 6379}"


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
