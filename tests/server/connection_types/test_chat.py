"""``chat`` in process: joining with history and presence, messages, typing, leaving."""

from __future__ import annotations

from collections.abc import AsyncIterator
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


async def test_open_joins_the_room_with_history_and_presence(h: Harness) -> None:
    alice, opening = await h.connect("chat", "alice", room="lobby")
    assert [f["type"] for f in opening] == ["connection_established", "chat_history", "presence"]
    assert opening[2]["users"] == [{"user_id": "alice", "username": "Alice"}]
    await alice.request({"type": "send_message", "message": "first"})
    _, second = await h.connect("chat", "bob", room="lobby")
    assert [m["message"] for m in second[1]["messages"]] == ["first"]
    assert [u["user_id"] for u in second[2]["users"]] == ["alice", "bob"]
    assert [(f["type"], f["user_id"]) for f in alice.sink.take()] == [("user_joined", "bob")]


async def test_a_message_is_stored_and_sent_to_the_others(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    bob, _ = await h.connect("chat", "bob", room="lobby")
    alice.sink.take()
    sent = await alice.request({"type": "send_message", "message": "hi", "request_id": "m"})
    assert (sent["type"], sent["request_id"], sent["sender_id"]) == ("chat_message", "m", "alice")
    assert [f["message"] for f in bob.sink.take()] == ["hi"]
    history = await h.store.chat_history("lobby", 10)
    assert [m.message for m in history] == ["hi"]


async def test_typing_is_throttled_per_user_and_room(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    bob, _ = await h.connect("chat", "bob", room="lobby")
    alice.sink.take()
    for _ in range(3):
        assert await alice.send({"type": "typing"}) == []
    assert [f["type"] for f in bob.sink.take()] == ["user_typing"]


async def test_user_left_only_when_the_users_last_connection_leaves(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    bob1, _ = await h.connect("chat", "bob", room="lobby")
    bob2, _ = await h.connect("chat", "bob", room="lobby")
    alice.sink.take()
    await h.disconnect(bob1)
    assert alice.sink.take() == []
    left = await bob2.request({"type": "leave_room", "room": "lobby"})
    assert left["type"] == "room_left"
    assert [(f["type"], f["user_id"]) for f in alice.sink.take()] == [("user_left", "bob")]
