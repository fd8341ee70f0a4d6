"""``chat`` in process: joining with history and presence, messages, typing, leaving."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

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
    await h.presence_settled()
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
    await h.presence_settled()  # bob's second change in the interval waited for its end
    assert [(f["type"], f["user_id"]) for f in alice.sink.take()] == [("user_left", "bob")]


def presence_of(frames: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(f["type"], f["user_id"]) for f in frames if f["type"] in ("user_joined", "user_left")]


async def fill_the_burst(h: Harness, room: str) -> None:
    """Spend the budget of ``room``'s interval, which its first member's join started."""
    for n in range(h.settings.limits.presence_burst - 1):
        await h.connect("chat", f"filler{n:02}", room=room)


async def test_a_users_first_change_in_an_interval_is_announced_at_once(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    await h.connect("chat", "bob", room="lobby")
    assert presence_of(alice.sink.take()) == [("user_joined", "bob")]


async def test_a_users_later_changes_in_an_interval_go_out_as_their_net_result(
    h: Harness,
) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    flapper, _ = await h.connect("chat", "flapper", room="hall")
    for _ in range(5):
        await flapper.request({"type": "join_room", "room": "lobby"})
        await flapper.request({"type": "leave_room", "room": "lobby"})
    assert presence_of(alice.sink.take()) == [("user_joined", "flapper")]
    await h.presence_settled()
    assert presence_of(alice.sink.take()) == [("user_left", "flapper")]
    assert h.presence.coalesced == 8  # four leaves undone by a join: eight frames saved


async def test_changes_past_the_burst_wait_and_then_go_out_in_order(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    await fill_the_burst(h, "lobby")
    alice.sink.take()
    bob, _ = await h.connect("chat", "bob", room="lobby")
    await h.connect("chat", "carol", room="lobby")
    await h.disconnect(bob)  # undoes bob's pending join
    assert alice.sink.take() == []
    await h.presence_settled()
    assert presence_of(alice.sink.take()) == [("user_joined", "carol")]


async def test_more_changes_than_a_burst_go_out_as_one_presence_list(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    await fill_the_burst(h, "lobby")
    alice.sink.take()
    burst = h.settings.limits.presence_burst
    newcomers = [f"u{n:02}" for n in range(burst + 1)]
    for user in newcomers:
        await h.connect("chat", user, room="lobby")
    await h.presence_settled()
    frames = alice.sink.take()
    assert [f["type"] for f in frames] == ["presence"]
    fillers = [f"filler{n:02}" for n in range(burst - 1)]
    assert [u["user_id"] for u in frames[0]["users"]] == ["alice", *fillers, *newcomers]


async def test_a_newcomer_is_announced_before_its_first_message(h: Harness) -> None:
    alice, _ = await h.connect("chat", "alice", room="lobby")
    await fill_the_burst(h, "lobby")
    alice.sink.take()
    bob, _ = await h.connect("chat", "bob", room="lobby")  # waits for the interval's end
    await bob.request({"type": "send_message", "message": "hello"})
    assert [(f["type"], f.get("user_id", f.get("sender_id"))) for f in alice.sink.take()] == [
        ("user_joined", "bob"),
        ("chat_message", "bob"),
    ]
    await h.presence_settled()
    assert alice.sink.take() == []  # announced once
