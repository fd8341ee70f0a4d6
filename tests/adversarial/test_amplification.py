"""Presence amplification: one frame in must not become a frame to every member, each time.

A member that joins and leaves a room in a loop, or a storm of newcomers, used to cost
one ``user_joined``/``user_left`` per change to every member. Now the changes of a room
are throttled per interval (``Limits.presence_interval_seconds``): a user's second change
in an interval, and any change past ``Limits.presence_burst`` of them, waits for its end,
where the changes that undo each other vanish and many go out as one ``presence`` list.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from tests.e2e.harness import Peer, ServerProcess
from tests.timing import MS, TIMEOUT

pytestmark = pytest.mark.anyio

PRESENCE = {"presence", "user_joined", "user_left"}


class Watcher:
    """A chat member that keeps the room's user list from what the server tells it."""

    def __init__(self, peer: Peer, users: set[str]) -> None:
        self.peer = peer
        self.users = users
        self.presence_frames = 0

    @classmethod
    async def join(cls, server: ServerProcess, room: str) -> Watcher:
        peer = await Peer.open(
            server, f"connection_type=chat&room={room}&token={server.token('watcher')}"
        )
        await peer.expect("connection_established")
        await peer.expect("chat_history")
        presence = await peer.expect("presence")
        return cls(peer, {u["user_id"] for u in presence["users"]})

    def apply(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "presence":
            self.users = {u["user_id"] for u in frame["users"]}
        elif kind == "user_joined":
            self.users.add(frame["user_id"])
        elif kind == "user_left":
            self.users.discard(frame["user_id"])
        if kind in PRESENCE:
            self.presence_frames += 1

    async def listen(self, quiet: float) -> None:
        """Take frames until none has come for ``quiet`` seconds."""
        while True:
            try:
                frame = await asyncio.wait_for(self.peer.ws.recv(), quiet)
            except TimeoutError:
                return
            self.apply(json.loads(frame))


async def test_a_member_joining_and_leaving_in_a_loop_is_announced_once_per_interval(
    server: ServerProcess,
) -> None:
    watcher = await Watcher.join(server, "crowd")
    flapper = await Peer.open(
        server, f"connection_type=chat&room=lobby&token={server.token('flapper')}"
    )
    await flapper.expect("connection_established")
    await flapper.expect("chat_history")
    await flapper.expect("presence")
    listening = asyncio.create_task(watcher.listen(quiet=1500 * MS))
    for _ in range(15):  # 30 frames: inside the rate limit's burst
        await flapper.send({"type": "join_room", "room": "crowd"})
        await flapper.send({"type": "leave_room", "room": "crowd"})
    for _ in range(15):
        await flapper.expect("room_joined")
        await flapper.expect("chat_history")
        await flapper.expect("presence")
        await flapper.expect("room_left")
    await asyncio.wait_for(listening, 10 * TIMEOUT)
    # 30 changes; before the throttle, 30 frames to every member of the room
    assert watcher.presence_frames <= 6
    assert watcher.users == {"watcher"}  # the net result: the flapper is not there


async def test_a_join_storm_reaches_the_members_as_a_few_frames_with_the_right_users(
    server: ServerProcess,
) -> None:
    watcher = await Watcher.join(server, "storm")
    listening = asyncio.create_task(watcher.listen(quiet=1500 * MS))

    async def newcomer(n: int) -> None:
        peer = await Peer.open(
            server, f"connection_type=chat&room=storm&token={server.token(f'n{n}')}"
        )
        await peer.expect("connection_established")
        with contextlib.suppress(ConnectionClosed):
            async for _ in peer.ws:  # read what comes, as a browser would
                pass

    readers = [asyncio.create_task(newcomer(n)) for n in range(200)]
    await asyncio.wait_for(listening, 10 * TIMEOUT)
    for peer in Peer.opened:
        await peer.close()
    await asyncio.gather(*readers)
    # 200 first joins; before the throttle, 200 frames to every member (quadratic)
    assert watcher.presence_frames <= 50
    assert watcher.users == {"watcher"} | {f"n{n}" for n in range(200)}
