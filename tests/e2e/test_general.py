"""``general`` connections against a real server: ping, echo, rooms, room broadcasts."""

from __future__ import annotations

import re

import pytest

from tests.e2e.harness import Peer, ServerProcess

pytestmark = pytest.mark.anyio


async def general(
    server: ServerProcess, sub: str, name: str | None = None
) -> tuple[Peer, dict[str, object]]:
    peer = await Peer.open(server, f"connection_type=general&token={server.token(sub, name=name)}")
    return peer, await peer.expect("connection_established")


async def test_connection_established_is_the_first_frame(server: ServerProcess) -> None:
    peer, hello = await general(server, "42")
    assert re.fullmatch(r"general_42_\d{16}", str(hello["connection_id"]))
    assert hello["connection_type"] == "general"
    assert hello["user_id"] == "42"
    assert hello["room"] is None
    assert hello["heartbeat_interval"] == 20
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", str(hello["timestamp"]))
    await peer.close()


async def test_ping_gets_pong_with_the_request_id(server: ServerProcess) -> None:
    peer, _ = await general(server, "1")
    assert "request_id" not in await peer.request({"type": "ping"}, "pong")
    pong = await peer.request({"type": "ping", "request_id": "p-1"}, "pong")
    assert pong["request_id"] == "p-1"
    await peer.close()


async def test_a_client_timestamp_as_in_the_seeds_message_format_is_accepted(
    server: ServerProcess,
) -> None:
    peer, _ = await general(server, "1")
    sent_at = "2025-07-10T10:30:00.000Z"
    pong = await peer.request({"type": "ping", "request_id": "t-1", "timestamp": sent_at}, "pong")
    assert pong["request_id"] == "t-1"
    joined = await peer.request(
        {"type": "join_room", "room": "ts", "request_id": "t-2", "timestamp": sent_at},
        "room_joined",
    )
    assert joined["request_id"] == "t-2"
    await peer.close()


async def test_echo_sends_the_text_back(server: ServerProcess) -> None:
    peer, _ = await general(server, "1")
    echo = await peer.request({"type": "echo", "message": "Hello WebSocket!"}, "echo")
    assert echo["message"] == "Hello WebSocket!"
    await peer.close()


async def test_room_broadcast_reaches_every_member_and_not_others(server: ServerProcess) -> None:
    alice, _ = await general(server, "10", "Alice")
    bob, _ = await general(server, "11", "Bob")
    carol, _ = await general(server, "12", "Carol")
    joined = await alice.request({"type": "join_room", "room": "room1"}, "room_joined")
    assert joined == {**joined, "room": "room1", "member_count": 1}
    assert (await bob.request({"type": "join_room", "room": "room1"}, "room_joined"))[
        "member_count"
    ] == 2
    await alice.send(
        {"type": "broadcast_to_room", "room": "room1", "message": "hi all", "request_id": "b1"}
    )
    mine = await alice.expect("room_message", room="room1", message="hi all", request_id="b1")
    assert mine["sender_id"] == "10"
    assert mine["sender_name"] == "Alice"
    theirs = await bob.expect("room_message", room="room1", message="hi all", sender_name="Alice")
    assert "request_id" not in theirs
    await carol.nothing_more()
    for peer in (alice, bob, carol):
        await peer.close()


async def test_rooms_are_namespaced_by_connection_type(server: ServerProcess) -> None:
    alice, _ = await general(server, "20")
    await alice.request({"type": "join_room", "room": "shared"}, "room_joined")
    chat = await Peer.open(server, f"connection_type=chat&room=shared&token={server.token('21')}")
    await chat.expect("connection_established")
    await chat.expect("chat_history")
    await chat.expect("presence")
    await alice.request(
        {"type": "broadcast_to_room", "room": "shared", "message": "x"}, "room_message"
    )
    await chat.nothing_more()
    await alice.close()
    await chat.close()


async def test_leave_room_stops_delivery(server: ServerProcess) -> None:
    alice, _ = await general(server, "30")
    bob, _ = await general(server, "31")
    for peer in (alice, bob):
        await peer.request({"type": "join_room", "room": "r"}, "room_joined")
    await bob.request({"type": "leave_room", "room": "r"}, "room_left")
    await alice.request({"type": "broadcast_to_room", "room": "r", "message": "x"}, "room_message")
    await bob.nothing_more()
    await alice.close()
    await bob.close()


async def test_broadcast_to_a_room_not_joined_is_not_in_room(server: ServerProcess) -> None:
    peer, _ = await general(server, "40")
    await peer.send(
        {"type": "broadcast_to_room", "room": "elsewhere", "message": "x", "request_id": "7"}
    )
    assert await peer.expect("error", code="not_in_room", request_id="7")
    err = await peer.request({"type": "leave_room", "room": "elsewhere"}, "error")
    assert err["code"] == "not_in_room"
    await peer.close()
