"""The hub: this node's connections, found by id, user, type and room for fan-out."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

import pytest

from wsrouter.broker import Audience
from wsrouter.transport.connection import Connection
from wsrouter.transport.hub import Hub

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Inbox:
    """What one connection was sent."""

    def __init__(self) -> None:
        self.frames: list[str] = []

    async def send(self, event: MutableMapping[str, Any]) -> None:
        self.frames.append(event["text"])


def connect(hub: Hub, connection_id: str, user: str, kind: str = "general") -> Inbox:
    inbox = Inbox()
    hub.add(
        Connection(
            connection_id=connection_id,
            connection_type=kind,
            user_id=user,
            connected_at=datetime.now(UTC),
            send=inbox.send,
            max_frames=8,
            max_bytes=1024,
        )
    )
    return inbox


def joined(hub: Hub, connection_id: str, room: str) -> None:
    connection = hub.get(connection_id)
    assert connection is not None
    hub.join(connection, room)


async def test_a_room_delivery_reaches_its_members_but_the_sender() -> None:
    hub = Hub()
    a, b = connect(hub, "a", "u1"), connect(hub, "b", "u2")
    outsider = connect(hub, "c", "u3")
    other_type = connect(hub, "d", "u4", kind="chat")
    for connection_id in ("a", "b", "d"):
        joined(hub, connection_id, "lobby")
    took = hub.deliver(Audience(connection_type="general", room="lobby", exclude="a"), "hi")
    assert took == 1
    assert (a.frames, b.frames, outsider.frames, other_type.frames) == ([], ["hi"], [], [])


async def test_a_room_and_user_delivery_takes_both_filters() -> None:
    hub = Hub()
    mine, theirs = connect(hub, "a", "u1"), connect(hub, "b", "u2")
    joined(hub, "a", "lobby")
    joined(hub, "b", "lobby")
    audience = Audience(connection_type="general", room="lobby", user_id="u2")
    assert hub.deliver(audience, "x") == 1
    assert (mine.frames, theirs.frames) == ([], ["x"])


async def test_deliveries_by_user_type_id_and_to_everyone() -> None:
    hub = Hub()
    a1, a2 = connect(hub, "a1", "alice"), connect(hub, "a2", "alice", kind="chat")
    bob = connect(hub, "b", "bob")
    assert hub.deliver(Audience(user_id="alice"), "1") == 2
    assert hub.deliver(Audience(connection_type="chat"), "2") == 1
    assert hub.deliver(Audience(connection_id="b"), "3") == 1
    assert hub.deliver(Audience(), "4") == 3
    assert (a1.frames, a2.frames, bob.frames) == (["1", "4"], ["1", "2", "4"], ["3", "4"])


async def test_an_empty_room_and_a_removed_connection_get_nothing() -> None:
    hub = Hub()
    inbox = connect(hub, "a", "u1")
    joined(hub, "a", "lobby")
    connection = hub.get("a")
    assert connection is not None
    hub.remove(connection)
    assert hub.deliver(Audience(connection_type="general", room="lobby"), "x") == 0
    assert hub.deliver(Audience(connection_type="general", room="nowhere"), "x") == 0
    assert inbox.frames == []
    assert len(hub) == 0
