"""The cluster registry: the index of every node's connections, in Redis.

Each method is one ``EVALSHA`` of a script in :mod:`wsrouter.registry._redis_lua`, so
each is atomic across nodes: :meth:`RedisRegistry.add` checks the user's cap and
adds in one step, so concurrent handshakes on many nodes never pass it.

Nodes that die must not leave ghosts. A registry keeps a heartbeat key with a TTL
for each node whose connections it adds, refreshed every third of the TTL, and every
registry looks for nodes whose heartbeat lapsed and removes their connections,
a batch per script run (each connection is removed by exactly one run, so its
``user_left`` is announced once, by whoever set :attr:`RedisRegistry.on_reaped`). A
crashed node's entries are gone within ``heartbeat_ttl + reap_interval`` (5 + 1 s by
default). A node that was only cut off (its heartbeat lapsed during a Redis outage,
or Redis restarted empty) finds its heartbeat gone on the next beat and puts its own
live connections back, rooms included, from the copy it keeps of them.

Every call is bounded (:data:`~wsrouter.redis_client.REDIS_TIMEOUT`); while Redis is
down the methods raise :class:`~wsrouter.registry.RegistryUnavailable` (a handshake is
then refused with 1013), and the heartbeat and reaper tasks keep trying.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from wsrouter.broker import Audience
from wsrouter.redis_client import REDIS_TIMEOUT, redis_client
from wsrouter.registry import _redis_lua as lua
from wsrouter.registry.base import (
    ConnectionInfo,
    Registry,
    RegistryUnavailable,
    RoomChange,
    TooManyConnections,
)

log = logging.getLogger("wsrouter.registry")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError, TimeoutError)
"""What a Redis call raises when Redis cannot be reached in time."""

_SCRIPTS = (
    *("ADD", "RESTORE", "REMOVE", "GET", "JOIN", "LEAVE"),
    *("ROOM_USERS", "FIND", "STATS", "HEARTBEAT", "REAP"),
)
REAP_BATCH = 200
"""Connections one reaper script run removes (keeps each run short for Redis)."""


@dataclass(frozen=True)
class ReapedConnection:
    """A connection of a dead node, removed by this registry, and the rooms it left."""

    connection_id: str
    connection_type: str
    user_id: str
    username: str
    changes: list[tuple[str, RoomChange]] = field(default_factory=list)


Reaped = Callable[[list[ReapedConnection]], Awaitable[None]]
"""Told what the reaper removed (to announce ``user_left`` where a user's last one went)."""


class RedisRegistry(Registry):
    """A :class:`Registry` in the Redis database at ``url``."""

    def __init__(self, url: str, *, heartbeat_ttl: float = 5.0, reap_interval: float = 1.0) -> None:
        self.url = url
        self.heartbeat_ttl = heartbeat_ttl
        self.reap_interval = reap_interval
        self.on_reaped: Reaped | None = None
        self._redis: Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}
        # This node's connections as registered (rooms included): what a re-registration
        # puts back. Keyed by id; the nodes they name are the ones this registry beats for.
        self._local: dict[str, ConnectionInfo] = {}
        self._nodes: set[str] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._unremoved: set[str] = set()
        self.reaped = 0
        """Connections of dead nodes this registry removed."""
        self.restored = 0
        """Connections of this node put back after the registry lost them."""

    async def start(self) -> None:
        """Connect, load the scripts, start the heartbeat and the reaper; raises if unreachable."""
        client = redis_client(self.url)
        self._redis = client
        self._scripts = {name: client.register_script(getattr(lua, name)) for name in _SCRIPTS}
        try:
            async with asyncio.timeout(2 * REDIS_TIMEOUT):
                await client.ping()
        except BaseException:
            await self._close_client()
            raise
        self._tasks = [
            asyncio.create_task(self._beat(), name="registry-heartbeat"),
            asyncio.create_task(self._reap(), name="registry-reaper"),
        ]

    async def close(self) -> None:
        """Stop the tasks, remove this node's connections and heartbeats, disconnect."""
        self._closing = True
        await _stop(self._tasks)
        self._tasks = []
        if self._redis is not None:
            with contextlib.suppress(RegistryUnavailable, RedisError, OSError, TimeoutError):
                async with asyncio.timeout(4 * REDIS_TIMEOUT):
                    for connection_id in list(self._local):
                        await self._run("REMOVE", connection_id)
                    for node in self._nodes:
                        await self._redis.delete(f"wsr:hb:{node}")
                        await self._redis.srem("wsr:nodes", node)
        self._local.clear()
        self._nodes.clear()
        await self._close_client()

    async def _close_client(self) -> None:
        client, self._redis = self._redis, None
        if client is not None:
            with contextlib.suppress(RedisError, OSError, TimeoutError):
                async with asyncio.timeout(REDIS_TIMEOUT):
                    await client.aclose()

    async def _run(self, name: str, *args: str | int) -> Any:
        if self._redis is None:
            raise RuntimeError("the Redis registry is not started, or is closed")
        try:
            async with asyncio.timeout(3 * REDIS_TIMEOUT):
                return await self._scripts[name](args=list(args), client=self._redis)
        except _UNREACHABLE as exc:
            raise RegistryUnavailable(f"Redis: {type(exc).__name__}: {exc}") from exc

    async def add(self, info: ConnectionInfo, max_per_user: int) -> bool:
        """See :meth:`Registry.add`: one script checks the cap and adds."""
        if info.node not in self._nodes:
            # The heartbeat first: another node's reaper must never see a connection
            # of a node without one.
            await self._run("HEARTBEAT", info.node, _ms(self.heartbeat_ttl))
            self._nodes.add(info.node)
        added = await self._run(
            "ADD",
            info.connection_id,
            info.connection_type,
            info.user_id,
            info.username,
            _micros(info.connected_at),
            info.node,
            max_per_user,
        )
        if added == -1:
            raise TooManyConnections(max_per_user)
        if added == 1:
            self._local[info.connection_id] = replace(info, rooms=list(info.rooms))
        return bool(added == 1)

    async def remove(self, connection_id: str) -> list[tuple[str, RoomChange]]:
        """See :meth:`Registry.remove`; with Redis unreachable, retried on a later heartbeat.

        A connection that closed while Redis was down must not stay registered while
        this node lives: it is removed later, and its room changes are then not reported
        (presence is live data, at most once).
        """
        self._local.pop(connection_id, None)
        try:
            return _changes(await self._run("REMOVE", connection_id))
        except RegistryUnavailable:
            self._unremoved.add(connection_id)
            return []

    async def get(self, connection_id: str) -> ConnectionInfo | None:
        """See :meth:`Registry.get`."""
        found = await self._run("GET", connection_id)
        return _info(connection_id, found) if found else None

    async def user_connection_count(self, user_id: str) -> int:
        """See :meth:`Registry.user_connection_count` (one ``ZCARD``)."""
        if self._redis is None:
            raise RuntimeError("the Redis registry is not started, or is closed")
        try:
            async with asyncio.timeout(3 * REDIS_TIMEOUT):
                return int(await self._redis.zcard(f"wsr:u:{user_id}"))
        except _UNREACHABLE as exc:
            raise RegistryUnavailable(f"Redis: {type(exc).__name__}: {exc}") from exc

    async def join(self, connection_id: str, room: str) -> RoomChange | None:
        """See :meth:`Registry.join`; ``KeyError`` for an unknown connection."""
        result = await self._run("JOIN", connection_id, room)
        if result == -1:
            raise KeyError(connection_id)
        local = self._local.get(connection_id)
        if local is not None and room not in local.rooms:
            local.rooms.append(room)
        return RoomChange(int(result[0]), bool(result[1])) if result else None

    async def leave(self, connection_id: str, room: str) -> RoomChange | None:
        """See :meth:`Registry.leave`."""
        result = await self._run("LEAVE", connection_id, room)
        local = self._local.get(connection_id)
        if local is not None and room in local.rooms:
            local.rooms.remove(room)
        return RoomChange(int(result[0]), bool(result[1])) if result else None

    async def room_users(self, connection_type: str, room: str) -> list[tuple[str, str]]:
        """See :meth:`Registry.room_users`."""
        flat = await self._run("ROOM_USERS", connection_type, room)
        return [(_text(flat[i]), _text(flat[i + 1])) for i in range(0, len(flat), 2)]

    async def count(self, audience: Audience) -> int:
        """See :meth:`Registry.count`; a room or a type alone is one ``ZCARD`` in the script."""
        return int((await self._run("FIND", *_filters(audience), 0, 0, 1))[0])

    async def find(
        self, audience: Audience, *, limit: int, offset: int
    ) -> tuple[list[ConnectionInfo], int]:
        """See :meth:`Registry.find`; equal ``connected_at`` times come in id order."""
        result = await self._run("FIND", *_filters(audience), limit, offset, 0)
        page = [_info(_text(item[0]), item[1:]) for item in result[1:]]
        return page, int(result[0])

    async def stats(
        self, connection_types: Iterable[str]
    ) -> tuple[int, dict[str, int], dict[str, int]]:
        """See :meth:`Registry.stats`; types seen in the cluster but not given are added."""
        total, by_type, by_user = await self._run("STATS", *connection_types)
        return (
            int(total),
            {_text(by_type[i]): int(by_type[i + 1]) for i in range(0, len(by_type), 2)},
            {_text(by_user[i]): int(by_user[i + 1]) for i in range(0, len(by_user), 2)},
        )

    # ------------------------------------------------------------ liveness

    async def _beat(self) -> None:
        """Refresh this node's heartbeats; put its connections back if they were lost."""
        while not self._closing:
            await asyncio.sleep(self.heartbeat_ttl / 3)
            for node in list(self._nodes):
                try:
                    alive = await self._run("HEARTBEAT", node, _ms(self.heartbeat_ttl))
                    if not alive:
                        await self._restore(node)
                    for connection_id in list(self._unremoved):
                        await self._run("REMOVE", connection_id)
                        self._unremoved.discard(connection_id)
                except (RegistryUnavailable, RedisError) as exc:
                    log.warning("heartbeat failed node=%s error=%s", node, type(exc).__name__)

    async def _restore(self, node: str) -> None:
        mine = [info for info in self._local.values() if info.node == node]
        put_back = 0
        for info in mine:
            put_back += await self._run(
                "RESTORE",
                info.connection_id,
                info.connection_type,
                info.user_id,
                info.username,
                _micros(info.connected_at),
                info.node,
                *info.rooms,
            )
        self.restored += put_back
        log.warning("heartbeat had lapsed node=%s connections_put_back=%d", node, put_back)

    async def _reap(self) -> None:
        """Remove the connections of nodes whose heartbeat lapsed, every ``reap_interval``."""
        while not self._closing:
            await asyncio.sleep(self.reap_interval)
            try:
                await self.reap_dead_nodes()
            except (RegistryUnavailable, RedisError, OSError, TimeoutError) as exc:
                log.warning("reaping failed error=%s", type(exc).__name__)

    async def reap_dead_nodes(self) -> list[ReapedConnection]:
        """One pass of the reaper: every lapsed node's connections, removed and returned."""
        assert self._redis is not None  # noqa: S101 - the task runs only while started
        async with asyncio.timeout(3 * REDIS_TIMEOUT):
            nodes = [_text(n) for n in await self._redis.smembers("wsr:nodes")]
        removed: list[ReapedConnection] = []
        for node in nodes:
            if node in self._nodes:
                continue
            while batch := await self._run("REAP", node, REAP_BATCH):
                removed += [
                    ReapedConnection(_text(c), _text(t), _text(u), _text(n), _changes(changes))
                    for c, t, u, n, changes in batch
                ]
        if removed:
            self.reaped += len(removed)
            log.warning("reaped connections of dead nodes count=%d", len(removed))
            if self.on_reaped is not None:
                await self.on_reaped(removed)
        return removed


async def _stop(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel ``tasks`` and wait for them, in bounded time.

    Bounded because a cancellation can be lost (Python 3.11's ``asyncio.timeout`` turns
    a cancel that meets its own deadline into ``TimeoutError``, which the loops catch;
    seen here as a worker that never finished shutting down); the loops also stop on
    the ``_closing`` flag, at their next turn.
    """
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=4 * REDIS_TIMEOUT)


def _filters(audience: Audience) -> tuple[str, str, str, str, str]:
    return (
        audience.connection_type or "",
        audience.user_id or "",
        audience.room or "",
        audience.connection_id or "",
        audience.exclude or "",
    )


def _info(connection_id: str, fields: list[Any]) -> ConnectionInfo:
    kind, user, name, at, node, rooms = fields
    return ConnectionInfo(
        connection_id=connection_id,
        connection_type=_text(kind),
        user_id=_text(user),
        username=_text(name),
        connected_at=_EPOCH + timedelta(microseconds=int(at)),
        node=_text(node),
        rooms=[_text(room) for room in rooms],
    )


def _changes(raw: list[list[Any]]) -> list[tuple[str, RoomChange]]:
    return [(_text(room), RoomChange(int(count), bool(changed))) for room, count, changed in raw]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _micros(moment: datetime) -> int:
    if moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")
    return (moment - _EPOCH) // _MICROSECOND


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))
