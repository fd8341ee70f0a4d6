"""The send queue: bounded, never waits, closes a slow consumer with 4008."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import pytest

from wsrouter.auth import Principal
from wsrouter.transport.connection import Connection

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
    principal = Principal(
        user_id="u", name="u", role=None, expires_at=datetime(2100, 1, 1, tzinfo=UTC)
    )
    return Connection(
        connection_id="general_u_1",
        connection_type="general",
        principal=principal,
        room=None,
        connected_at=datetime.now(UTC),
        send=socket.send,
        max_frames=frames,
        max_bytes=size,
    )


async def test_frames_are_sent_in_order_then_the_close() -> None:
    socket = Socket()
    conn = connection(socket)
    writer = asyncio.create_task(conn.run_writer())
    assert conn.enqueue("a")
    assert conn.enqueue("b")
    conn.close(1000, "bye")
    await asyncio.wait_for(writer, 1)
    assert [e.get("text") for e in socket.sent] == ["a", "b", None]
    assert socket.sent[-1] == {"type": "websocket.close", "code": 1000, "reason": "bye"}


async def test_a_full_queue_closes_with_4008_without_waiting() -> None:
    socket = Socket()
    socket.gate.clear()  # the client stopped reading
    conn = connection(socket, frames=2)
    writer = asyncio.create_task(conn.run_writer())
    assert conn.enqueue("1")
    await asyncio.sleep(0)  # the writer takes "1" and blocks on the socket
    assert conn.enqueue("2")
    assert conn.enqueue("3")
    assert not conn.enqueue("4")  # overflow: returns at once
    assert conn.closing
    assert not conn.enqueue("5")
    socket.gate.set()
    await asyncio.wait_for(writer, 1)
    assert socket.sent[-1]["code"] == 4008
    assert [e.get("text") for e in socket.sent[:-1]] == ["1"]  # the queue was dropped


async def test_the_byte_limit_counts_too() -> None:
    socket = Socket()
    socket.gate.clear()
    conn = connection(socket, frames=100, size=10)
    assert conn.enqueue("x" * 10)
    assert not conn.enqueue("y")
    assert conn.closing
