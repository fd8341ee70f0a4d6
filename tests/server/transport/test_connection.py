"""The send queue: bounded, never waits, closes a slow consumer with 4008."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import pytest

from wsrouter.transport.connection import Connection, send_to_all

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Socket:
    """Records what is sent; blocks sends while ``gate`` is closed."""

    def __init__(self) -> None:
        self.sent: list[MutableMapping[str, Any]] = []
        self.gate = asyncio.Event()
        self.gate.set()

    async def send(self, event: MutableMapping[str, Any]) -> None:
        await self.gate.wait()
        self.sent.append(event)


def connection(socket: Socket, frames: int = 3, size: int = 100) -> Connection:
    return Connection(
        connection_id="general_u_1",
        connection_type="general",
        user_id="u",
        connected_at=datetime.now(UTC),
        send=socket.send,
        max_frames=frames,
        max_bytes=size,
    )


async def test_a_writable_socket_gets_each_frame_at_once_then_the_close() -> None:
    socket = Socket()
    conn = connection(socket)
    assert conn.enqueue("a")
    assert conn.enqueue("b")
    assert [e["text"] for e in socket.sent] == ["a", "b"]  # no task, no waiting
    conn.close(1000, "bye")
    assert socket.sent[-1] == {"type": "websocket.close", "code": 1000, "reason": "bye"}
    await asyncio.wait_for(conn.wait_closed(), 1)
    assert not conn.enqueue("c")


async def test_frames_wait_in_order_behind_a_send_that_blocks() -> None:
    socket = Socket()
    socket.gate.clear()  # the transport paused writing
    conn = connection(socket, frames=10, size=1000)
    assert conn.enqueue("1")  # started, blocked in the socket
    assert conn.enqueue("2")
    assert conn.enqueue("3")
    assert conn.queued == 2
    conn.close(1000, "bye")  # after what is queued
    assert socket.sent == []
    socket.gate.set()
    await asyncio.wait_for(conn.wait_closed(), 1)
    assert [e.get("text") for e in socket.sent] == ["1", "2", "3", None]
    assert socket.sent[-1]["code"] == 1000
    assert conn.queued == 0


async def test_sends_are_direct_again_once_the_queue_drained() -> None:
    socket = Socket()
    socket.gate.clear()
    conn = connection(socket, frames=10, size=1000)
    assert conn.enqueue("1")
    assert conn.enqueue("2")
    socket.gate.set()
    await asyncio.wait_for(conn.wait_closed(), 1)  # the draining task is done
    assert conn.enqueue("3")
    assert [e["text"] for e in socket.sent] == ["1", "2", "3"]


async def test_a_full_queue_closes_with_4008_without_waiting() -> None:
    socket = Socket()
    socket.gate.clear()  # the client stopped reading
    conn = connection(socket, frames=2)
    assert conn.enqueue("1")  # blocks on the socket
    assert conn.enqueue("2")
    assert conn.enqueue("3")
    assert not conn.enqueue("4")  # overflow: returns at once
    assert conn.closing
    assert not conn.enqueue("5")
    socket.gate.set()
    await asyncio.wait_for(conn.wait_closed(), 1)
    assert socket.sent[-1]["code"] == 4008
    assert [e.get("text") for e in socket.sent[:-1]] == ["1"]  # the queue was dropped


async def test_the_byte_limit_counts_too() -> None:
    socket = Socket()
    socket.gate.clear()
    conn = connection(socket, frames=100, size=10)
    assert conn.enqueue("first")  # in flight, not queued
    assert conn.enqueue("x" * 10)
    assert not conn.enqueue("y")
    assert conn.closing
    conn.abandon()


async def test_abandon_stops_a_blocked_send_and_drops_the_queue() -> None:
    socket = Socket()
    socket.gate.clear()
    conn = connection(socket, frames=10, size=1000)
    assert conn.enqueue("1")
    assert conn.enqueue("2")
    conn.abandon()  # the peer is gone
    await asyncio.wait_for(conn.wait_closed(), 1)
    assert socket.sent == []
    assert conn.closing
    assert conn.queued == 0
    assert not conn.enqueue("3")


async def test_a_peer_gone_mid_send_closes_the_connection() -> None:
    async def gone(event: MutableMapping[str, Any]) -> None:
        raise OSError("connection reset")

    conn = connection(Socket())
    conn._send = gone
    assert not conn.enqueue("a")
    assert conn.closing


async def test_a_fan_out_reaches_every_writable_connection_at_once() -> None:
    sockets = [Socket() for _ in range(5)]
    connections = [connection(s) for s in sockets]
    assert send_to_all(connections, "hi") == 5
    assert all([e["text"] for e in s.sent] == ["hi"] for s in sockets)


async def test_a_fan_out_does_not_wait_for_a_blocked_connection() -> None:
    sockets = [Socket() for _ in range(4)]
    sockets[1].gate.clear()  # this peer stopped reading
    connections = [connection(s, frames=10, size=1000) for s in sockets]
    assert send_to_all(connections, "1") == 4
    assert send_to_all(connections, "2") == 4  # queued behind the blocked send
    for index in (0, 2, 3):
        assert [e["text"] for e in sockets[index].sent] == ["1", "2"]
    assert sockets[1].sent == []
    assert connections[1].queued == 1
    sockets[1].gate.set()
    await asyncio.wait_for(connections[1].wait_closed(), 1)  # its send task is done
    assert [e["text"] for e in sockets[1].sent] == ["1", "2"]
    assert send_to_all(connections, "3") == 4  # direct again
    assert all(s.sent[-1]["text"] == "3" for s in sockets)


async def test_a_fan_out_skips_closed_and_gone_connections() -> None:
    async def gone(event: MutableMapping[str, Any]) -> None:
        raise OSError("connection reset")

    alive, closed, broken = Socket(), Socket(), Socket()
    connections = [connection(alive), connection(closed), connection(broken)]
    connections[1].close(1000, "bye")
    connections[2]._send = gone
    assert send_to_all(connections, "x") == 1
    assert [e.get("text") for e in alive.sent] == ["x"]
    assert closed.sent == [{"type": "websocket.close", "code": 1000, "reason": "bye"}]
    assert connections[2].closing


async def test_a_fan_out_overflowing_a_blocked_queue_closes_it_as_slow() -> None:
    sockets = [Socket(), Socket()]
    sockets[0].gate.clear()
    connections = [connection(s, frames=1) for s in sockets]
    assert send_to_all(connections, "1") == 2
    assert send_to_all(connections, "2") == 2
    assert send_to_all(connections, "3") == 1  # the slow one overflowed
    assert connections[0].closing
    assert [e["text"] for e in sockets[1].sent] == ["1", "2", "3"]
    sockets[0].gate.set()
    await asyncio.wait_for(connections[0].wait_closed(), 1)
    assert sockets[0].sent[-1]["code"] == 4008


async def test_a_reply_to_a_writable_socket_is_sent_before_it_returns() -> None:
    socket = Socket()
    conn = connection(socket)
    await conn.reply("a")
    assert [e["text"] for e in socket.sent] == ["a"]
    assert conn.enqueue("b")  # nothing left in flight: direct again
    assert [e["text"] for e in socket.sent] == ["a", "b"]


async def test_frames_queue_in_order_behind_a_reply_that_waits_then_the_close() -> None:
    socket = Socket()
    socket.gate.clear()
    conn = connection(socket, frames=10, size=1000)
    replying = asyncio.ensure_future(conn.reply("reply"))
    await asyncio.sleep(0)  # the reader now waits in its send
    assert conn.enqueue("fan-out 1")  # from others meanwhile: queued behind it
    assert conn.enqueue("fan-out 2")
    assert conn.queued == 2
    conn.close(1000, "bye")
    closed = asyncio.ensure_future(conn.wait_closed())
    await asyncio.sleep(0)
    assert socket.sent == []
    assert not closed.done()
    socket.gate.set()
    await asyncio.wait_for(replying, 1)
    await asyncio.wait_for(closed, 1)
    assert [e.get("text") for e in socket.sent] == ["reply", "fan-out 1", "fan-out 2", None]
    assert socket.sent[-1] == {"type": "websocket.close", "code": 1000, "reason": "bye"}


async def test_a_reply_behind_a_blocked_send_is_queued_not_sent_alongside() -> None:
    socket = Socket()
    socket.gate.clear()
    conn = connection(socket, frames=10, size=1000)
    assert conn.enqueue("first")  # blocked: a task finishes it
    await asyncio.wait_for(conn.reply("second"), 1)  # returns at once: queued
    assert conn.queued == 1
    socket.gate.set()
    conn.close(1000, "bye")
    await asyncio.wait_for(conn.wait_closed(), 1)
    assert [e.get("text") for e in socket.sent] == ["first", "second", None]


async def test_a_reply_after_close_is_dropped() -> None:
    socket = Socket()
    conn = connection(socket)
    conn.close(1000, "bye")
    await conn.reply("late")
    assert [e.get("text") for e in socket.sent] == [None]


async def test_a_peer_gone_during_a_reply_closes_the_connection_without_a_task() -> None:
    async def gone(event: MutableMapping[str, Any]) -> None:
        raise OSError("connection lost")

    conn = connection(Socket())
    conn._send = gone
    await conn.reply("a")
    assert conn.closing
    assert not conn.enqueue("b")
    await asyncio.wait_for(conn.wait_closed(), 1)  # nothing in flight


async def test_a_held_connection_gets_others_frames_after_its_own() -> None:
    socket = Socket()
    conn = connection(socket)
    conn.hold()
    assert send_to_all([conn], "from another node") == 1
    assert conn.enqueue("its own greeting")
    assert [e["text"] for e in socket.sent] == ["its own greeting"]
    conn.release()
    assert send_to_all([conn], "later") == 1
    assert [e["text"] for e in socket.sent] == ["its own greeting", "from another node", "later"]


async def test_a_held_connection_overflowing_closes_with_4008() -> None:
    socket = Socket()
    conn = connection(socket, frames=2)
    conn.hold()
    assert send_to_all([conn], "a") + send_to_all([conn], "b") == 2
    assert send_to_all([conn], "c") == 0
    assert socket.sent[-1]["code"] == 4008
    conn.release()  # nothing more goes out after the close
    assert socket.sent[-1]["code"] == 4008
