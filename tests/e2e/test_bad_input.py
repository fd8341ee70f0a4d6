"""Bad frames get the spec's error codes; the connection and the server stay up."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess

pytestmark = pytest.mark.anyio


async def connected(server: ServerProcess, sub: str = "bad") -> Peer:
    peer = await Peer.open(server, f"token={server.token(sub)}")
    await peer.expect("connection_established")
    return peer


async def still_serving(peer: Peer) -> None:
    assert (await peer.request({"type": "ping"}, "pong"))["type"] == "pong"


async def test_invalid_json_is_invalid_json(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send_raw("{not json")
    await peer.expect("error", code="invalid_json")
    await peer.send_raw("[1, 2]")
    await peer.expect("error", code="invalid_json")
    await still_serving(peer)


async def test_binary_frame_is_binary_not_supported(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send_raw(b'{"type":"ping"}')
    await peer.expect("error", code="binary_not_supported")
    await still_serving(peer)


async def test_unknown_type_is_unknown_type(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send({"type": "send_message", "message": "chat only", "request_id": "u"})
    err = await peer.expect("error", code="unknown_type", request_id="u")
    assert "send_message" in err["message"]
    await peer.send({"no_type": True})
    await peer.expect("error", code="unknown_type")
    await still_serving(peer)


async def test_wrong_field_type_names_the_json_path(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send({"type": "join_room", "room": 5, "request_id": "7"})
    err = await peer.expect("error", code="invalid_message", request_id="7")
    assert err["message"] == "Expected `str`, got `int` - at `$.room`"
    await still_serving(peer)


async def test_missing_and_extra_fields_are_invalid_message(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send({"type": "echo"})
    assert "message" in (await peer.expect("error", code="invalid_message"))["message"]
    await peer.send({"type": "ping", "extra": 1})
    assert "extra" in (await peer.expect("error", code="invalid_message"))["message"]
    await still_serving(peer)


async def test_bad_room_name_is_invalid_message(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send({"type": "join_room", "room": "no spaces allowed"})
    assert "$.room" in (await peer.expect("error", code="invalid_message"))["message"]
    await peer.send({"type": "join_room", "room": "x" * 65})
    await peer.expect("error", code="invalid_message")


async def test_oversize_frame_closes_with_1009(server: ServerProcess) -> None:
    peer = await connected(server)
    await peer.send({"type": "echo", "message": "x" * (70 * 1024)})
    await peer.expect("error", code="message_too_big")
    assert (await peer.closed())[0] == 1009


async def test_too_many_rooms_is_room_limit(start_server: StartServer) -> None:
    server = start_server({"WSROUTER_ROOMS_PER_CONNECTION": "2"})
    peer = await connected(server)
    for room in ("a", "b"):
        await peer.request({"type": "join_room", "room": room}, "room_joined")
    await peer.send({"type": "join_room", "room": "c"})
    await peer.expect("error", code="room_limit")
    await peer.request({"type": "join_room", "room": "a"}, "room_joined")  # rejoining is fine


async def test_message_flood_is_rate_limited_then_closed_with_4029(
    start_server: StartServer,
) -> None:
    server = start_server({"WSROUTER_MESSAGES_PER_SECOND": "1", "WSROUTER_MESSAGE_BURST": "3"})
    peer = await connected(server)
    for _ in range(12):
        await peer.send({"type": "ping"})
    codes = []
    while True:
        frame = await peer.recv()
        codes.append(frame.get("code", frame["type"]))
        if len(codes) >= 9:
            break
    assert codes[:3] == ["pong", "pong", "pong"]
    assert set(codes[3:]) == {"rate_limited"}
    assert (await peer.closed())[0] == 4029
    other = await connected(server, "bystander")
    await still_serving(other)
