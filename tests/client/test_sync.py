"""The blocking API: the same connection on a private event loop thread."""

from __future__ import annotations

import threading
from typing import Any

import pytest

import wsrouter_client as wc
from tests.client.fakes import FakeServer, protocol_handler
from tests.timing import TIMEOUT
from wsrouter_client._generated.ws_client_sync import SyncChatClient, SyncGeneralClient
from wsrouter_client.messages import ChatMessage, ConnectionEstablished, Pong, RoomJoined

URL = "ws://router.test/ws"


def chat(server: FakeServer, **options: Any) -> wc.SyncChatConnection:
    return wc.connect_sync(
        URL, connection_type="chat", room="lobby", token="t", opener=server.open, **options
    )


def test_connect_sync_hands_over_the_typed_blocking_client() -> None:
    server = FakeServer(protocol_handler)
    with chat(server) as client:
        assert isinstance(client, SyncChatClient)
        assert client.connection_id == "chat_u1_1"
        sent = client.send_message(message="hi")
        assert isinstance(sent, ChatMessage)
        assert sent.message == "hi"
        assert client.join_room(room="side").room == "side"
        assert client.rooms == frozenset({"lobby", "side"})
        peer = server.accept_sync()
    assert peer.closed_by_client == 1000
    closed = client.closed
    assert closed is not None
    assert closed.by_client


def test_errors_and_timeouts_are_the_async_ones() -> None:
    with chat(FakeServer(protocol_handler), request_timeout=0.05) as client:
        with pytest.raises(wc.RequestFailed) as caught:
            client.leave_room(room="nowhere")
        assert caught.value.error_code == "not_in_room"
        client.typing()  # no reply expected
    with chat(FakeServer(), request_timeout=0.05) as silent, pytest.raises(wc.RequestTimeout):
        silent.send_message(message="into the void")


def test_the_blocking_stream_has_every_frame_and_a_timeout() -> None:
    with wc.connect_sync(URL, token="t", opener=FakeServer(protocol_handler).open) as client:
        assert isinstance(client, SyncGeneralClient)
        client.ping()
        stream = client.messages(timeout=0.05)
        assert [type(next(stream)) for _ in range(2)] == [ConnectionEstablished, Pong]
        with pytest.raises(TimeoutError):
            next(stream)


def test_the_blocking_stream_ends_with_the_connection() -> None:
    server = FakeServer()
    client = wc.connect_sync(URL, token="t", opener=server.open)
    stream = client.messages(timeout=TIMEOUT)
    server.accept_sync().close(4000, "by admin")
    assert isinstance(next(stream), ConnectionEstablished)
    with pytest.raises(wc.ConnectionClosed) as caught:
        next(stream)
    assert caught.value.code == 4000
    assert client.wait_closed(TIMEOUT).code == 4000
    client.close()
    with pytest.raises(wc.ConnectionClosed):
        client.ping()  # after close, every call says why the connection ended
    client.close()  # twice is fine


def test_callbacks_run_in_order_on_their_own_thread_and_may_call_the_client() -> None:
    server = FakeServer(protocol_handler)
    seen: list[str] = []
    threads: set[str] = set()
    done = threading.Event()
    with chat(server) as client:

        def on_message(frame: ChatMessage) -> None:
            threads.add(threading.current_thread().name)
            seen.append(frame.message)
            if frame.message == "ping me":
                client.join_room(room=f"after-{frame.message.replace(' ', '-')}")  # blocking

        def on_joined(frame: RoomJoined) -> None:
            seen.append(f"joined {frame.room}")
            if frame.room.startswith("after-"):
                done.set()

        client.on(ChatMessage, on_message)
        remove = client.on(RoomJoined, on_joined)
        client.send_message(message="first")
        client.send_message(message="ping me")
        assert done.wait(TIMEOUT)
        remove()
    assert seen == ["first", "ping me", "joined after-ping-me"]
    assert threads == {"wsrouter-client-callbacks"}


def test_a_refused_handshake_raises_and_leaves_no_thread_behind() -> None:
    server = FakeServer()
    server.refusals.append((4504, "not_found"))
    before = threading.active_count()
    with pytest.raises(wc.HandshakeRefused) as caught:
        chat(server)
    assert (caught.value.code, caught.value.error_code, caught.value.retryable) == (
        4504,
        "not_found",
        False,
    )
    assert threading.active_count() == before


def test_a_blocking_connection_reconnects_like_the_async_one() -> None:
    server = FakeServer(protocol_handler)
    with chat(server, reconnect=wc.Reconnect(base=0.001, cap=0.001)) as client:
        client.join_room(room="side")
        stream = client.messages(timeout=TIMEOUT)
        server.accept_sync().close(1012, "restart")
        frames = [next(stream) for _ in range(3)]  # the backlog, then the new connection
        assert isinstance(frames[-1], ConnectionEstablished)
        assert frames[-1].connection_id == "chat_u1_2"
        second = server.accept_sync()
        assert second.recv_sync() == {"type": "join_room", "room": "side", "request_id": "2"}
        assert client.send_message(message="back").message == "back"
        assert client.reconnects == 1


def test_a_blocking_close_takes_a_code_and_a_reason_and_refuses_a_bad_one() -> None:
    server = FakeServer(protocol_handler)
    client = wc.connect_sync(URL, token="t", opener=server.open)
    peer = server.accept_sync()

    with pytest.raises(ValueError, match="close"):
        client.close(1001)
    assert isinstance(client.ping(), Pong)  # still open, its threads still running

    client.close(4002, "switching accounts")
    assert peer.closed_by_client == 4002
    closed = client.wait_closed(TIMEOUT)
    assert (closed.code, closed.reason) == (4002, "switching accounts")
