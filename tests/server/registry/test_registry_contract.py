"""The registry contract, run against every implementation: memory and Redis."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from wsrouter.broker import Audience
from wsrouter.registry import ConnectionInfo, Registry, TooManyConnections, open_registry

pytestmark = pytest.mark.anyio

T0 = datetime(2025, 7, 10, 10, 30, tzinfo=UTC)
LIMIT = 20
TYPES = ("general", "notifications", "test-session", "chat")


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["memory", "redis"])
def registry_url(request: pytest.FixtureRequest) -> str:
    """``memory://``, or a Redis database of this test's own (``tests/conftest.py``)."""
    if request.param == "memory":
        return "memory://"
    url: str = request.getfixturevalue("redis_url")
    return url


@pytest.fixture
async def registry(registry_url: str, anyio_backend: str) -> AsyncIterator[Registry]:
    opened = open_registry(registry_url)
    await opened.start()
    yield opened
    await opened.close()


def info(connection_id: str, user: str, kind: str = "general", seconds: int = 0) -> ConnectionInfo:
    return ConnectionInfo(
        connection_id=connection_id,
        connection_type=kind,
        user_id=user,
        username=user.title(),
        connected_at=T0 + timedelta(seconds=seconds),
        node="n1",
    )


async def test_an_id_can_be_registered_once(registry: Registry) -> None:
    assert await registry.add(info("c1", "u"), LIMIT)
    assert not await registry.add(info("c1", "v"), LIMIT)
    found = await registry.get("c1")
    assert found is not None
    assert found.user_id == "u"


async def test_connections_are_counted_per_user(registry: Registry) -> None:
    for i in range(3):
        await registry.add(info(f"c{i}", "u", seconds=i), LIMIT)
    await registry.add(info("d", "v"), LIMIT)
    assert await registry.user_connection_count("u") == 3
    await registry.remove("c0")
    assert await registry.user_connection_count("u") == 2
    assert await registry.user_connection_count("nobody") == 0


async def test_add_refuses_a_user_at_the_limit_and_stores_nothing(registry: Registry) -> None:
    for i in range(3):
        assert await registry.add(info(f"c{i}", "u"), 3)
    with pytest.raises(TooManyConnections) as refused:
        await registry.add(info("c3", "u"), 3)
    assert refused.value.limit == 3
    assert await registry.get("c3") is None
    assert await registry.user_connection_count("u") == 3
    assert await registry.add(info("d", "v"), 3)  # other users are not affected
    await registry.remove("c0")
    assert await registry.add(info("c3", "u"), 3)


async def test_concurrent_adds_never_pass_the_limit(registry: Registry) -> None:
    results = await asyncio.gather(
        *(registry.add(info(f"c{i}", "u"), 5) for i in range(40)), return_exceptions=True
    )
    assert sum(1 for r in results if r is True) == 5
    assert all(isinstance(r, TooManyConnections) for r in results if r is not True)
    assert await registry.user_connection_count("u") == 5


async def test_count_matches_find(registry: Registry) -> None:
    await registry.add(info("a", "u", "chat"), LIMIT)
    await registry.add(info("b", "v", "chat"), LIMIT)
    await registry.add(info("c", "v", "general"), LIMIT)
    await registry.join("a", "r")
    await registry.join("b", "r")
    for audience in (
        Audience(),
        Audience(connection_type="chat"),
        Audience(connection_type="chat", room="r"),
        Audience(connection_type="chat", room="r", exclude="a"),
        Audience(connection_type="chat", room="r", user_id="v"),
        Audience(user_id="v"),
        Audience(connection_id="c"),
        Audience(connection_type="general", room="r"),
    ):
        _, total = await registry.find(audience, limit=100, offset=0)
        assert await registry.count(audience) == total, audience


async def test_join_reports_the_users_first_connection_and_leave_its_last(
    registry: Registry,
) -> None:
    await registry.add(info("a1", "alice", "chat"), LIMIT)
    await registry.add(info("a2", "alice", "chat"), LIMIT)
    await registry.add(info("b1", "bob", "chat"), LIMIT)
    first = await registry.join("a1", "lobby")
    assert first is not None
    assert (first.member_count, first.user_changed) == (1, True)
    second = await registry.join("a2", "lobby")
    assert second is not None
    assert (second.member_count, second.user_changed) == (2, False)
    assert await registry.join("a2", "lobby") is None  # already in it
    await registry.join("b1", "lobby")
    assert await registry.room_users("chat", "lobby") == [("alice", "Alice"), ("bob", "Bob")]
    left = await registry.leave("a1", "lobby")
    assert left is not None
    assert not left.user_changed  # alice is still there through a2
    assert await registry.leave("a1", "lobby") is None
    changes = await registry.remove("a2")
    assert [(room, change.user_changed) for room, change in changes] == [("lobby", True)]
    assert await registry.room_users("chat", "lobby") == [("bob", "Bob")]


async def test_rooms_are_namespaced_by_connection_type(registry: Registry) -> None:
    await registry.add(info("g", "u", "general"), LIMIT)
    await registry.add(info("c", "u", "chat"), LIMIT)
    await registry.join("g", "x")
    assert await registry.room_users("chat", "x") == []
    _, total = await registry.find(Audience(connection_type="chat", room="x"), limit=10, offset=0)
    assert total == 0


async def test_find_filters_with_and_and_pages_oldest_first(registry: Registry) -> None:
    await registry.add(info("g1", "u", "general", seconds=1), LIMIT)
    await registry.add(info("g2", "v", "general", seconds=2), LIMIT)
    await registry.add(info("n1", "u", "notifications", seconds=3), LIMIT)
    await registry.join("g2", "r")
    page, total = await registry.find(Audience(), limit=2, offset=1)
    assert total == 3
    assert [i.connection_id for i in page] == ["g2", "n1"]
    both, _ = await registry.find(
        Audience(connection_type="general", user_id="u"), limit=10, offset=0
    )
    assert [i.connection_id for i in both] == ["g1"]
    in_room, _ = await registry.find(Audience(room="r"), limit=10, offset=0)
    assert [i.connection_id for i in in_room] == ["g2"]
    others, _ = await registry.find(Audience(user_id="u", exclude="g1"), limit=10, offset=0)
    assert [i.connection_id for i in others] == ["n1"]


async def test_stats_list_every_connection_type(registry: Registry) -> None:
    assert await registry.stats(TYPES) == (
        0,
        {"general": 0, "notifications": 0, "test-session": 0, "chat": 0},
        {},
    )
    await registry.add(info("g1", "1", "general"), LIMIT)
    await registry.add(info("c1", "1", "chat"), LIMIT)
    await registry.add(info("c2", "2", "chat"), LIMIT)
    total, by_type, by_user = await registry.stats(TYPES)
    assert total == 3
    assert by_type == {"general": 1, "notifications": 0, "test-session": 0, "chat": 2}
    assert by_user == {"1": 2, "2": 1}
