"""What the Redis broker adds to the contract: nodes that hear each other, and faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import anyio
import pytest

from tests.servers import RedisServer, running_redis
from tests.timing import TIMEOUT, eventually
from wsrouter.broker import Audience
from wsrouter.broker.redis import RedisBroker

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Node:
    """What a broker hands to one node; ``here`` are the connection ids it holds."""

    def __init__(self, *here: str) -> None:
        self.here = set(here)
        self.frames: list[tuple[Audience, str]] = []
        self.closed: list[tuple[str, int, str]] = []

    def deliver(self, audience: Audience, frame: str) -> int:
        self.frames.append((audience, frame))
        return 1 if audience.connection_id in self.here else 0

    def disconnect(self, connection_id: str, code: int, reason: str) -> bool:
        if connection_id not in self.here:
            return False
        self.closed.append((connection_id, code, reason))
        return True


@asynccontextmanager
async def node(url: str, *here: str) -> AsyncIterator[tuple[RedisBroker, Node]]:
    broker, seen = RedisBroker(url), Node(*here)
    await broker.start(seen.deliver, seen.disconnect)
    try:
        yield broker, seen
    finally:
        await broker.close()


async def test_a_frame_published_on_one_node_reaches_the_other_once(redis_url: str) -> None:
    room = Audience(connection_type="chat", room="lobby", exclude="c1")
    async with node(redis_url) as (a, seen_a), node(redis_url) as (_, seen_b):
        await a.publish(room, "hello")
        await eventually(lambda: bool(seen_b.frames))
        assert seen_b.frames == [(room, "hello")]
        assert seen_a.frames == [(room, "hello")]  # delivered here at once, and not echoed


async def test_a_burst_in_one_tick_is_one_publish_and_keeps_its_order(redis_url: str) -> None:
    async with node(redis_url) as (a, _), node(redis_url) as (_, seen_b):
        for i in range(100):
            await a.publish(Audience(user_id="u"), f"frame {i}")
        await eventually(lambda: len(seen_b.frames) == 100)
        assert [frame for _, frame in seen_b.frames] == [f"frame {i}" for i in range(100)]
        assert (a.published, a.batches, a.dropped) == (100, 1, 0)


async def test_flushed_returns_once_the_queued_frames_were_published(redis_url: str) -> None:
    async with node(redis_url) as (a, _), node(redis_url) as (_, seen_b):
        await a.publish(Audience(user_id="u"), "announced")
        assert a.published == 0  # queued until the end of this tick
        await a.flushed()
        assert a.published == 1
        await eventually(lambda: bool(seen_b.frames))


async def test_a_frame_for_a_local_connection_is_not_sent_to_other_nodes(redis_url: str) -> None:
    async with node(redis_url, "c1") as (a, _), node(redis_url) as (_, seen_b):
        await a.publish(Audience(connection_id="c1"), "just you")
        await a.publish(Audience(connection_id="c2"), "elsewhere")
        await eventually(lambda: bool(seen_b.frames))
        assert [frame for _, frame in seen_b.frames] == ["elsewhere"]


async def test_disconnect_reaches_the_node_that_holds_the_connection(redis_url: str) -> None:
    async with node(redis_url) as (a, seen_a), node(redis_url, "c2") as (_, seen_b):
        await a.disconnect("c2", 4000, "disconnected by admin")
        await eventually(lambda: bool(seen_b.closed))
        assert seen_b.closed == [("c2", 4000, "disconnected by admin")]
        assert seen_a.closed == []


async def test_clusters_on_different_databases_do_not_hear_each_other(
    redis_server: RedisServer,
) -> None:
    first, second = redis_server.fresh_url(), redis_server.fresh_url()
    async with node(first) as (a, _), node(second) as (_, other), node(first) as (_, same):
        await a.publish(Audience(), "for the first cluster")
        await eventually(lambda: bool(same.frames))
        await a.ping()  # a round trip after the publish: the other database had its chance
        assert other.frames == []


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, to stop and start."""
    with running_redis() as server:
        yield server


async def test_delivery_resumes_by_itself_after_redis_restarts(
    private_redis: RedisServer,
) -> None:
    url = private_redis.url
    async with node(url) as (a, seen_a), node(url) as (b, seen_b):
        private_redis.stop()
        await eventually(lambda: not a.subscribed, 4 * TIMEOUT)
        with pytest.raises((ConnectionError, OSError)):
            await a.ping()
        # While Redis is down: this node still gets the frame, the others are counted out.
        await a.publish(Audience(room="r", connection_type="chat"), "while down")
        assert seen_a.frames[-1][1] == "while down"
        assert a.dropped == 1
        private_redis.start()
        back = asyncio.get_running_loop().time()
        await eventually(lambda: a.subscribed and b.subscribed)
        resumed = asyncio.get_running_loop().time() - back
        assert (a.gaps, b.gaps) == (1, 1)
        await a.publish(Audience(), "after")
        await eventually(lambda: bool(seen_b.frames))
        assert [frame for _, frame in seen_b.frames] == ["after"]
        await a.ping()
    # The subscriber's backoff is capped at 1 s: both are back within about that.
    assert resumed < 2 + TIMEOUT


async def test_nothing_hangs_while_redis_is_down(private_redis: RedisServer) -> None:
    broker, seen = RedisBroker(private_redis.url), Node()
    await broker.start(seen.deliver, seen.disconnect)
    private_redis.stop()
    with anyio.fail_after(4 * TIMEOUT):
        await broker.publish(Audience(), "x")
        with pytest.raises((ConnectionError, OSError)):
            await broker.ping()
        await broker.close()


async def test_start_fails_fast_when_redis_is_unreachable(private_redis: RedisServer) -> None:
    private_redis.stop()
    broker, seen = RedisBroker(private_redis.url), Node()
    with (
        anyio.fail_after(4 * TIMEOUT),
        pytest.raises(ConnectionError, match=r"^Redis at 127\.0\.0\.1:"),
    ):
        await broker.start(seen.deliver, seen.disconnect)
