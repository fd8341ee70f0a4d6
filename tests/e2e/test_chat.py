"""``chat``: history, presence, join/leave, messages and typing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import Peer, ServerProcess

pytestmark = pytest.mark.anyio


async def enter(
    server: ServerProcess, room: str, sub: str, name: str
) -> tuple[Peer, dict[str, Any], dict[str, Any]]:
    peer = await Peer.open(
        server, f"connection_type=chat&room={room}&token={server.token(sub, name=name)}"
    )
    await peer.expect("connection_established", room=room)
    history = await peer.expect("chat_history", room=room)
    presence = await peer.expect("presence", room=room)
    return peer, history, presence


async def test_join_message_typing_and_leave(server: ServerProcess) -> None:
    alice, history, presence = await enter(server, "lobby", "c1", "Alice")
    assert history["messages"] == []
    assert presence["users"] == [{"user_id": "c1", "username": "Alice"}]
    bob, _, presence = await enter(server, "lobby", "c2", "Bob")
    assert [u["username"] for u in presence["users"]] == ["Alice", "Bob"]
    await alice.expect("user_joined", user_id="c2", username="Bob")

    sent = await bob.request(
        {"type": "send_message", "message": "Hello, chat!", "request_id": "m"}, "chat_message"
    )
    assert sent == {
        **sent,
        "room": "lobby",
        "sender_id": "c2",
        "sender_name": "Bob",
        "request_id": "m",
    }
    got = await alice.expect(
        "chat_message", id=sent["id"], message="Hello, chat!", sender_name="Bob"
    )
    assert got["timestamp"] == sent["timestamp"]

    await bob.send({"type": "typing"})
    await alice.expect("user_typing", user_id="c2", username="Bob", room="lobby")
    await bob.send({"type": "typing"})  # within 2 s: absorbed
    await alice.nothing_more()
    await bob.nothing_more()

    await bob.close()
    await alice.expect("user_left", user_id="c2", username="Bob")
    await alice.close()


async def test_history_holds_the_last_messages_for_a_newcomer(server: ServerProcess) -> None:
    writer, _, _ = await enter(server, "archive", "h1", "Writer")
    for i in range(52):
        await writer.request({"type": "send_message", "message": f"m{i}"}, "chat_message")
    reader, history, _ = await enter(server, "archive", "h2", "Reader")
    assert [m["message"] for m in history["messages"]] == [f"m{i}" for i in range(2, 52)]
    await writer.close()
    await reader.close()


async def test_second_connection_of_a_user_does_not_announce_again(server: ServerProcess) -> None:
    watcher, _, _ = await enter(server, "twice", "w1", "Watcher")
    first, _, _ = await enter(server, "twice", "w2", "Twin")
    await watcher.expect("user_joined", user_id="w2")
    second, _, _ = await enter(server, "twice", "w2", "Twin")
    await watcher.nothing_more()
    await first.close()
    await watcher.nothing_more()  # w2 is still there
    await second.close()
    await watcher.expect("user_left", user_id="w2")
    await watcher.close()


async def test_extra_rooms_and_sending_to_them(server: ServerProcess) -> None:
    alice, _, _ = await enter(server, "main", "x1", "Alice")
    bob, _, _ = await enter(server, "side", "x2", "Bob")
    joined = await alice.request(
        {"type": "join_room", "room": "side", "request_id": "j"}, "room_joined"
    )
    assert joined["member_count"] == 2
    await alice.expect("chat_history", room="side")
    await alice.expect("presence", room="side")
    await bob.expect("user_joined", user_id="x1", room="side")
    await alice.request(
        {"type": "send_message", "message": "hi side", "room": "side"}, "chat_message"
    )
    await bob.expect("chat_message", message="hi side", room="side")
    await alice.send(
        {"type": "send_message", "message": "nope", "room": "elsewhere", "request_id": "n"}
    )
    await alice.expect("error", code="not_in_room", request_id="n")
    await alice.send({"type": "send_message", "message": ""})
    await alice.expect("error", code="invalid_message")
    await alice.close()
    await bob.expect("user_left", user_id="x1", room="side")
    await bob.close()
