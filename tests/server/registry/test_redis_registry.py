"""What the Redis registry adds to the contract: one index for many nodes, and no ghosts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import anyio
import pytest

from tests.servers import RedisServer, running_redis, wait_until
from tests.timing import TIMEOUT
from wsrouter.broker import Audience
from wsrouter.redis_client import REDIS_TIMEOUT
from wsrouter.registry import (
    ConnectionInfo,
    RegistryUnavailable,
    RoomChange,
    TooManyConnections,
)
from wsrouter.registry.redis import ReapedConnection, RedisRegistry

pytestmark = pytest.mark.anyio

T0 = datetime(2025, 7, 10, 10, 30, tzinfo=UTC)
TYPES = ("general", "notifications", "test-session", "chat")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def info(connection_id: str, user: str, node: str, kind: str = "chat") -> ConnectionInfo:
    return ConnectionInfo(
        connection_id=connection_id,
        connection_type=kind,
        user_id=user,
        username=user.title(),
        connected_at=T0 + timedelta(seconds=len(connection_id)),
        node=node,
    )


@asynccontextmanager
async def started(url: str, **options: float) -> AsyncIterator[RedisRegistry]:
    registry = RedisRegistry(url, **options)
    await registry.start()
    try:
        yield registry
    finally:
        await registry.close()


async def test_two_nodes_share_one_index(redis_url: str) -> None:
    async with started(redis_url) as a, started(redis_url) as b:
        assert await a.add(info("a1", "alice", "node-a"), 20)
        assert await b.add(info("b1", "alice", "node-b"), 20)
        assert not await b.add(info("a1", "bob", "node-b"), 20)  # the id is taken cluster-wide
        found = await b.get("a1")
        assert found is not None
        assert found.node == "node-a"
        assert await a.user_connection_count("alice") == 2
        # Presence is cluster-wide: alice's first connection anywhere joins, her last leaves.
        assert await a.join("a1", "lobby") == RoomChange(member_count=1, user_changed=True)
        assert await b.join("b1", "lobby") == RoomChange(member_count=2, user_changed=False)
        assert await b.room_users("chat", "lobby") == [("alice", "Alice")]
        assert await a.remove("a1") == [("lobby", RoomChange(1, False))]
        assert await b.remove("b1") == [("lobby", RoomChange(0, True))]
        assert await a.stats(TYPES) == (0, dict.fromkeys(TYPES, 0), {})


async def test_the_cap_holds_across_nodes_under_concurrent_adds(redis_url: str) -> None:
    async with started(redis_url) as a, started(redis_url) as b:
        results = await asyncio.gather(
            *((a if i % 2 else b).add(info(f"c{i}", "u", f"node-{i % 2}"), 5) for i in range(40)),
            return_exceptions=True,
        )
        assert sum(1 for r in results if r is True) == 5
        assert all(isinstance(r, TooManyConnections) for r in results if r is not True)
        assert await a.count(Audience(user_id="u")) == 5


async def test_a_dead_nodes_connections_are_reaped_once_with_their_rooms(redis_url: str) -> None:
    reaped: list[ReapedConnection] = []

    async def told(removed: list[ReapedConnection]) -> None:
        reaped.extend(removed)

    async with (
        started(redis_url, heartbeat_ttl=0.5, reap_interval=0.1) as dead,
        started(redis_url, reap_interval=0.1) as survivor,
        started(redis_url, reap_interval=0.1) as another,
    ):
        survivor.on_reaped = another.on_reaped = told
        await dead.add(info("d1", "dora", "node-dead"), 20)
        await dead.add(info("d2", "dora", "node-dead"), 20)
        await survivor.add(info("s1", "sam", "node-alive"), 20)
        await dead.join("d1", "lobby")
        await dead.join("d2", "lobby")
        await survivor.join("s1", "lobby")
        # The node dies: its heartbeat stops, and nothing of it says goodbye.
        for task in dead._tasks:
            task.cancel()
        crashed = asyncio.get_running_loop().time()
        await wait_until(lambda: _gone(survivor, "d1", "d2"), "the ghosts are gone", 4 * TIMEOUT)
        took = asyncio.get_running_loop().time() - crashed
        assert took < 0.5 + 0.1 + TIMEOUT
        assert sorted(r.connection_id for r in reaped) == ["d1", "d2"]  # each one once
        # Exactly one of dora's two removals was her last connection in the room.
        assert sorted(r.changes[0][1].user_changed for r in reaped) == [False, True]
        assert await survivor.room_users("chat", "lobby") == [("sam", "Sam")]
        assert await survivor.stats(TYPES) == (
            1,
            {**dict.fromkeys(TYPES, 0), "chat": 1},
            {"sam": 1},
        )
        dead._local.clear()  # it is dead: its close() must not touch the cluster


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, to stop and start."""
    with running_redis() as server:
        yield server


async def test_a_node_puts_its_connections_back_after_redis_restarts_empty(
    private_redis: RedisServer,
) -> None:
    async with started(private_redis.url, heartbeat_ttl=0.3) as registry:
        await registry.add(info("c1", "u", "node-a"), 20)
        await registry.join("c1", "lobby")
        await registry.join("c1", "side")
        private_redis.stop()
        private_redis.start()  # empty: no persistence
        await wait_until(lambda: _present(registry, "c1"), "c1 is back", 4 * TIMEOUT)
        back = await registry.get("c1")
        assert back is not None
        assert back.rooms == ["lobby", "side"]
        assert await registry.room_users("chat", "lobby") == [("u", "U")]
        assert registry.restored == 1


async def test_a_node_reaped_while_cut_off_re_registers(redis_url: str) -> None:
    async with (
        started(redis_url, heartbeat_ttl=0.3) as slow,
        started(redis_url, reap_interval=0.05) as other,
    ):
        await slow.add(info("c1", "u", "node-slow"), 20)
        # As if its heartbeats had not reached Redis for a while: the others reap it...
        slow._tasks[0].cancel()
        await wait_until(lambda: _gone(other, "c1"), "reaped", 4 * TIMEOUT)
        # ...and its next heartbeat finds out and puts its live connection back.
        slow._tasks[0] = asyncio.create_task(slow._beat())
        await wait_until(lambda: _present(other, "c1"), "re-registered", 4 * TIMEOUT)


async def _gone(registry: RedisRegistry, *ids: str) -> bool:
    try:
        return [await registry.get(i) for i in ids] == [None] * len(ids)
    except RegistryUnavailable:  # Redis paused
        return False


async def _present(registry: RedisRegistry, connection_id: str) -> bool:
    try:
        return await registry.get(connection_id) is not None
    except RegistryUnavailable:  # Redis restarting
        return False


async def test_a_connection_closed_while_redis_is_unreachable_is_removed_later(
    redis_url: str,
) -> None:
    async with started(redis_url, heartbeat_ttl=0.6) as registry, started(redis_url) as other:
        await registry.add(info("c1", "u", "node-a"), 20)
        await registry.add(info("c2", "u", "node-a"), 20)
        # Redis stops answering for a while (keeping its data), as across a network cut.
        assert other._redis is not None
        await other._redis.client_pause(int(4 * 1000 * REDIS_TIMEOUT))
        assert await registry.remove("c1") == []  # no error, and no ghost later
        await wait_until(lambda: _gone(other, "c1"), "c1 removed", 8 * TIMEOUT)
        assert await other.get("c2") is not None


async def test_close_is_bounded_even_with_redis_gone(private_redis: RedisServer) -> None:
    registry = RedisRegistry(private_redis.url, heartbeat_ttl=0.3, reap_interval=0.05)
    await registry.start()
    await registry.add(info("c1", "u", "node-a"), 20)
    private_redis.stop()
    tasks = list(registry._tasks)
    with anyio.fail_after(4 * TIMEOUT):
        await registry.close()
    assert all(task.done() for task in tasks)
