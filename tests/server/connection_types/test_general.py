"""``general`` in process: ping, echo, rooms, room broadcasts and token refresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.server.connection_types.harness import Harness, harness

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def h(tmp_path: Path, anyio_backend: str) -> AsyncIterator[Harness]:
    async with harness(tmp_path) as opened:
        yield opened


async def test_open_sends_connection_established(h: Harness) -> None:
    client, opening = await h.connect("general", "u1")
    assert [f["type"] for f in opening] == ["connection_established"]
    assert opening[0]["connection_id"] == client.session.peer.id
    assert opening[0]["connection_type"] == "general"
    assert opening[0]["room"] is None


async def test_ping_and_echo_answer_with_the_request_id(h: Harness) -> None:
    client, _ = await h.connect("general", "u1")
    pong = await client.request({"type": "ping", "request_id": "p1"})
    assert (pong["type"], pong["request_id"]) == ("pong", "p1")
    echoed = await client.request({"type": "echo", "message": "hé", "request_id": "e"})
    assert (echoed["type"], echoed["message"]) == ("echo", "hé")


async def test_room_broadcast_reaches_the_other_members_only(h: Harness) -> None:
    alice, _ = await h.connect("general", "alice")
    bob, _ = await h.connect("general", "bob")
    carol, _ = await h.connect("general", "carol")
    assert (await alice.request({"type": "join_room", "room": "r"}))["member_count"] == 1
    assert (await bob.request({"type": "join_room", "room": "r"}))["member_count"] == 2
    again = await bob.request({"type": "join_room", "room": "r"})
    assert (again["type"], again["member_count"]) == ("room_joined", 2)
    sent = await alice.send({"type": "broadcast_to_room", "room": "r", "message": "hi"})
    assert [(f["type"], f["sender_id"]) for f in sent] == [("room_message", "alice")]
    assert [f["message"] for f in bob.sink.take()] == ["hi"]
    assert carol.sink.take() == []


async def test_broadcast_outside_the_room_is_not_in_room(h: Harness) -> None:
    client, _ = await h.connect("general", "u1")
    refused = await client.request(
        {"type": "broadcast_to_room", "room": "r", "message": "x", "request_id": "b"}
    )
    assert (refused["code"], refused["request_id"]) == ("not_in_room", "b")
    left = await client.request({"type": "leave_room", "room": "r"})
    assert left["code"] == "not_in_room"


async def test_the_room_limit_holds(tmp_path: Path) -> None:
    async with harness(tmp_path, rooms_per_connection="2") as h:
        client, _ = await h.connect("general", "u1")
        for room in ("a", "b"):
            assert (await client.request({"type": "join_room", "room": room}))["type"] == (
                "room_joined"
            )
        refused = await client.request({"type": "join_room", "room": "c"})
        assert refused["code"] == "room_limit"


async def test_refresh_replaces_the_token_and_moves_the_deadline(h: Harness) -> None:
    client, _ = await h.connect("general", "u1")
    moved: list[bool] = []
    client.session.on_deadline_moved = lambda: moved.append(True)
    reply = await client.request({"type": "refresh_token", "token": h.token("u1", ttl=60)})
    assert reply["type"] == "token_refreshed"
    assert moved == [True]
    deadline = client.session.check_deadline(datetime.now(UTC))
    assert deadline is not None
    assert deadline < 75  # the new token's 60 s (plus the leeway), not the old hour


async def test_refresh_with_another_users_token_is_refused(h: Harness) -> None:
    client, _ = await h.connect("general", "u1")
    before = client.session.deadline
    refused = await client.request({"type": "refresh_token", "token": h.token("u2")})
    assert refused["code"] == "unauthorized"
    assert client.session.deadline == before
    bad = await client.request({"type": "refresh_token", "token": "not-a-jwt"})
    assert bad["code"] == "unauthorized"


async def test_a_token_deadline_in_the_past_closes_with_4401(h: Harness) -> None:
    client, _ = await h.connect("general", "u1")
    assert client.session.check_deadline(datetime.now(UTC) + timedelta(hours=2)) is None
    assert client.sink.closed == (4401, "token expired")
    assert client.sink.take()[0]["code"] == "unauthorized"
