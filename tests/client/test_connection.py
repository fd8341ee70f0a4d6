"""The async connection: handshake, request/reply matching, errors, streams, callbacks."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import wsrouter_client as wc
from tests.client.fakes import FakeServer, protocol_handler
from tests.timing import TIMEOUT
from wsrouter_client._generated.ws_client import ChatClient, GeneralClient
from wsrouter_client.messages import (
    ChatMessage,
    ConnectionEstablished,
    EchoReply,
    Error,
    Pong,
    RoomJoined,
)

pytestmark = pytest.mark.anyio

URL = "ws://router.test/ws"


async def general(server: FakeServer, request_timeout: float = TIMEOUT) -> wc.GeneralConnection:
    return await wc.connect(URL, token="t0", opener=server.open, request_timeout=request_timeout)


async def test_connect_hands_over_the_typed_client_once_the_first_frame_came() -> None:
    server = FakeServer()
    async with wc.connect(
        "ws://router.test", connection_type="chat", room="lobby", token="t0", opener=server.open
    ) as chat:
        assert isinstance(chat, ChatClient)
        assert isinstance(chat.established, ConnectionEstablished)
        assert chat.connection_id == "chat_u1_1"
        assert chat.rooms == frozenset({"lobby"})  # the handshake joins the chat room
        peer = await server.accept()
    assert peer.url == "ws://router.test/ws?connection_type=chat&room=lobby"
    assert peer.headers["Authorization"] == "Bearer t0"
    assert peer.closed_by_client == 1000


async def test_an_awaited_connect_is_an_open_connection_until_closed() -> None:
    server = FakeServer()
    connection = await general(server)
    assert isinstance(connection, GeneralClient)
    await connection.close()
    closed = await connection.wait_closed()
    assert connection.closed is closed
    assert (closed.code, closed.by_client, closed.retryable) == (1000, True, False)


async def test_replies_find_their_request_by_request_id_whatever_their_order() -> None:
    server = FakeServer()
    async with await general(server) as client:
        peer = await server.accept()
        first = asyncio.ensure_future(client.echo(message="one"))
        second = asyncio.ensure_future(client.echo(message="two"))
        one, two = await peer.recv(), await peer.recv()
        assert one["request_id"] != two["request_id"]
        peer.send({"type": "echo", "message": "two", "request_id": two["request_id"]})
        peer.send({"type": "echo", "message": "one", "request_id": one["request_id"]})
        assert (await first).message == "one"
        assert (await second).message == "two"


async def test_request_ids_are_never_reused_on_a_connection() -> None:
    async with await general(FakeServer()) as client:
        ids = {client.transport.next_request_id() for _ in range(1000)}
    assert len(ids) == 1000


async def test_an_error_reply_raises_request_failed_carrying_the_spec_error_code() -> None:
    async with await general(FakeServer(protocol_handler)) as client:
        with pytest.raises(wc.RequestFailed) as caught:
            await client.leave_room(room="nowhere")
    assert caught.value.error_code == "not_in_room"
    assert isinstance(caught.value, wc.ReplyError)  # what the generated clients document
    assert isinstance(caught.value.reply, Error)
    assert str(caught.value) == "not_in_room: not in room"


async def test_a_request_without_reply_raises_request_timeout() -> None:
    async with await general(FakeServer(), request_timeout=0.05) as client:
        with pytest.raises(wc.RequestTimeout) as caught:
            await client.ping()
        assert isinstance(caught.value, TimeoutError)
        with pytest.raises(wc.RequestTimeout, match=r"within 0\.01 s"):
            await client.ping(timeout=0.01)  # a per-call timeout wins over the default


async def test_a_late_reply_after_a_timeout_is_only_a_stream_frame() -> None:
    server = FakeServer()
    async with await general(server, request_timeout=0.01) as client:
        peer = await server.accept()
        with pytest.raises(wc.RequestTimeout):
            await client.ping()
        late = await peer.recv()
        peer.send({"type": "pong", "request_id": late["request_id"]})
        stream = client.messages(timeout=TIMEOUT)
        assert isinstance(await anext(stream), ConnectionEstablished)
        assert isinstance(await anext(stream), Pong)


async def test_requests_in_flight_fail_with_connection_closed_when_the_server_closes() -> None:
    server = FakeServer()
    client = await general(server)
    peer = await server.accept()
    pending = asyncio.ensure_future(client.ping())
    await peer.recv()
    peer.close(4008, "slow consumer")
    with pytest.raises(wc.ConnectionClosed) as caught:
        await pending
    assert (caught.value.code, caught.value.reason, caught.value.retryable) == (
        4008,
        "slow consumer",
        True,
    )
    with pytest.raises(wc.ConnectionClosed):
        await client.ping()  # and so does every later request
    await client.close()


async def test_a_message_without_reply_is_only_sent() -> None:
    server = FakeServer(protocol_handler)
    async with wc.connect(
        URL, connection_type="chat", room="lobby", token="t", opener=server.open
    ) as chat:
        peer = await server.accept()
        await chat.typing(room="lobby")
        assert await peer.recv() == {"type": "typing", "room": "lobby"}


async def test_the_stream_has_every_frame_from_the_first_replies_included() -> None:
    server = FakeServer(protocol_handler)
    async with await general(server) as client:
        peer = await server.accept()
        await client.join_room(room="r1")
        peer.send({"type": "room_message", "room": "r1", "message": "hi", "sender_id": "u2"} | {
            "sender_name": "B", "connection_id": "general_u2_1"
        })  # fmt: skip
        stream = client.messages(timeout=TIMEOUT)
        kinds = [type(await anext(stream)).__name__ for _ in range(3)]
    assert kinds == ["ConnectionEstablished", "RoomJoined", "RoomMessage"]


async def test_frames_before_any_iterator_go_to_the_first_one_only() -> None:
    async with await general(FakeServer(protocol_handler)) as client:
        await client.ping()
        first = client.messages(timeout=TIMEOUT)
        second = client.messages(timeout=0.01)
        echoed = await client.echo(message="both see this")
        assert [type(await anext(first)) for _ in range(3)] == [
            ConnectionEstablished,
            Pong,
            EchoReply,
        ]
        assert await anext(second) == echoed
        with pytest.raises(TimeoutError):
            await anext(second)


async def test_close_takes_an_application_code_and_a_reason() -> None:
    server = FakeServer()
    connection = await general(server)
    peer = await server.accept()

    await connection.close(4001, "user logged out")

    closed = await connection.wait_closed()
    assert (closed.code, closed.reason, closed.by_client) == (4001, "user logged out", True)
    assert peer.closed_by_client == 4001


@pytest.mark.parametrize(
    ("code", "reason"), [(1001, ""), (2999, ""), (5000, ""), (1000, "x" * 124)]
)
async def test_close_refuses_what_a_client_may_not_send(code: int, reason: str) -> None:
    connection = await general(FakeServer())

    with pytest.raises(ValueError, match="close"):
        await connection.close(code, reason)

    assert connection.closed is None  # still open: nothing was sent
    await connection.close()


async def test_the_stream_ends_quietly_after_close() -> None:
    client = await general(FakeServer())
    stream = client.messages()
    await client.close()
    assert [type(frame) async for frame in stream] == [ConnectionEstablished]
    assert [frame async for frame in client.messages()] == []  # and so do later ones


async def test_the_stream_raises_connection_closed_when_the_server_closes() -> None:
    server = FakeServer()
    client = await general(server)
    peer = await server.accept()
    stream = client.messages(timeout=TIMEOUT)
    peer.close(4000, "disconnected by admin")
    assert isinstance(await anext(stream), ConnectionEstablished)
    with pytest.raises(wc.ConnectionClosed) as caught:
        await anext(stream)
    assert caught.value.code == 4000
    assert (await client.wait_closed()).code == 4000
    with pytest.raises(wc.ConnectionClosed):
        await anext(stream)  # it stays ended
    await client.close()


async def test_callbacks_get_the_frames_of_their_type_until_removed() -> None:
    server = FakeServer(protocol_handler)
    seen: list[Any] = []
    async with wc.connect(
        URL, connection_type="chat", room="lobby", token="t", opener=server.open
    ) as chat:
        remove = chat.on(ChatMessage, seen.append)
        chat.on(RoomJoined, lambda frame: seen.append(frame.room))
        sent = await chat.send_message(message="hello")
        await chat.join_room(room="side")
        remove()
        await chat.send_message(message="not seen")
    assert seen == [sent, "side"]


async def test_async_callbacks_run_as_tasks_and_failures_are_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    done = asyncio.Event()

    async def later(frame: Pong) -> None:
        await asyncio.sleep(0)
        done.set()

    def broken(frame: Pong) -> None:
        raise ValueError("a bug in the application")

    async with await general(FakeServer(protocol_handler)) as client:
        client.on(Pong, broken)
        client.on(Pong, later)
        with caplog.at_level(logging.ERROR, logger="wsrouter_client"):
            await client.ping()
            await asyncio.wait_for(done.wait(), TIMEOUT)
    assert "a listener failed" in caplog.text


async def test_an_async_callback_may_close_the_connection_and_carry_on() -> None:
    client = await general(FakeServer(protocol_handler))
    finished = asyncio.Event()

    async def stop(frame: Pong) -> None:
        await client.close()
        await asyncio.sleep(0)  # close() cancelled the other callbacks, not this one
        finished.set()

    client.on(Pong, stop)
    await client.ping()
    await asyncio.wait_for(finished.wait(), TIMEOUT)
    assert (await client.wait_closed()).by_client


async def test_a_frame_the_spec_does_not_allow_is_dropped_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FakeServer(protocol_handler)
    async with await general(server) as client:
        peer = await server.accept()
        with caplog.at_level(logging.WARNING, logger="wsrouter_client"):
            peer.send({"type": "pong", "unexpected": True})
            peer.send("not json")
            await client.ping()
    assert caplog.text.count("dropped a frame") == 2


@pytest.mark.parametrize(
    ("code", "error", "retryable"),
    [
        (4401, "unauthorized", True),
        (4403, "too_many_connections", True),
        (4503, "forbidden", False),
    ],
)
async def test_a_refused_handshake_raises_handshake_refused(
    code: int, error: str, retryable: bool
) -> None:
    server = FakeServer()
    server.refusals.append((code, error))
    with pytest.raises(wc.HandshakeRefused) as caught:
        await general(server)
    assert (caught.value.code, caught.value.error_code) == (code, error)
    assert caught.value.retryable is retryable
    assert isinstance(caught.value, wc.ConnectionClosed)


async def test_a_websocket_that_cannot_open_raises_connect_failed() -> None:
    server = FakeServer()
    server.failures = 1
    with pytest.raises(wc.ConnectFailed):
        await general(server)


async def test_the_real_opener_reports_an_unreachable_server_as_connect_failed() -> None:
    with pytest.raises(wc.ConnectFailed):
        await wc.connect("ws://127.0.0.1:1/ws", token="t", open_timeout=TIMEOUT)


def test_an_unknown_connection_type_is_refused_before_connecting() -> None:
    with pytest.raises(ValueError, match="unknown connection_type 'gossip'"):
        wc.connect(URL, connection_type="gossip")  # type: ignore[call-overload]


async def test_the_token_provider_supplies_the_first_token_when_none_is_given() -> None:
    server = FakeServer()

    async def provider() -> str:
        return "from-provider"

    async with wc.connect(URL, token_provider=provider, opener=server.open):
        peer = await server.accept()
    assert peer.headers["Authorization"] == "Bearer from-provider"
