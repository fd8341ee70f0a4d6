"""The broker contract, run against every implementation: memory and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from wsrouter.broker import Audience, Broker, open_broker

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Node:
    """Records what the broker hands to this node."""

    def __init__(self) -> None:
        self.frames: list[tuple[Audience, str]] = []
        self.closed: list[tuple[str, int, str]] = []

    def deliver(self, audience: Audience, frame: str) -> int:
        self.frames.append((audience, frame))
        return 1

    def disconnect(self, connection_id: str, code: int, reason: str) -> bool:
        self.closed.append((connection_id, code, reason))
        return True


@pytest.fixture(params=["memory", "redis"])
def broker_url(request: pytest.FixtureRequest) -> str:
    """``memory://``, or a Redis database of this test's own (``tests/conftest.py``)."""
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
async def started(broker_url: str, anyio_backend: str) -> AsyncIterator[tuple[Broker, Node]]:
    broker = open_broker(broker_url)
    node = Node()
    await broker.start(node.deliver, node.disconnect)
    yield broker, node
    await broker.close()


async def test_published_frames_arrive_in_order_with_their_audience(
    started: tuple[Broker, Node],
) -> None:
    broker, node = started
    room = Audience(connection_type="chat", room="lobby", exclude="c1")
    for i in range(5):
        await broker.publish(room, f"frame {i}")
    assert node.frames == [(room, f"frame {i}") for i in range(5)]


async def test_disconnect_reaches_the_node(started: tuple[Broker, Node]) -> None:
    broker, node = started
    await broker.disconnect("c9", 4000, "disconnected by admin")
    assert node.closed == [("c9", 4000, "disconnected by admin")]


async def test_a_started_broker_is_reachable(started: tuple[Broker, Node]) -> None:
    broker, _ = started
    await broker.ping()


async def test_an_unknown_url_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported broker"):
        open_broker("kafka://x")
