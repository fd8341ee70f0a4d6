"""``user_joined`` / ``user_left`` of one node, throttled and coalesced per room.

Every presence change is a frame to every other member of the room, so a member that
joins and leaves in a loop, or a storm of newcomers, would make each frame received
cost a frame per member. Here each room counts its changes in intervals (started by its
first change): a change goes out at once unless the same user already changed in the
interval or ``burst`` changes already went out in it. The others wait for the interval's
end; there a user's changes that undo each other (joined and left again) go out as
nothing, the rest as one frame each, or, when more than ``burst``, as a single
``presence`` list that replaces the members' own (and uses up the next interval's
budget). So a member gets at most about ``burst`` presence frames per interval whatever
the rate of changes, and a quiet room's changes are not delayed at all.

Each node throttles the changes its own connections made; the registry has already
said which changes are a user's first or last connection in the room cluster-wide.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from wsrouter._generated.messages import Presence, RoomUser, UserJoined, UserLeft
from wsrouter.broker import Audience, Broker
from wsrouter.clock import now_iso
from wsrouter.protocol.frames import encode

log = logging.getLogger("wsrouter.presence")

RoomUsers = Callable[[str, str], Awaitable[list[tuple[str, str]]]]
"""``(connection_type, room)`` → ``(user_id, username)`` of its users (the registry's)."""


@dataclass(frozen=True, slots=True)
class Change:
    """A user's first connection entered a room (``joined``), or its last one left it."""

    connection_type: str
    room: str
    user_id: str
    username: str
    joined: bool
    exclude: str | None = None
    """The connection that made the change: it is told by its own replies instead."""

    def frame(self) -> UserJoined | UserLeft:
        """The frame that announces the change."""
        kind = UserJoined if self.joined else UserLeft
        return kind(
            room=self.room, user_id=self.user_id, username=self.username, timestamp=now_iso()
        )


@dataclass(slots=True)
class _Interval:
    """What one room's current interval announced, and what waits for its end."""

    announced: set[str] = field(default_factory=set)
    """Users whose change went out in this interval: their next change waits."""
    count: int = 0
    """Changes that went out in this interval (against the burst)."""
    pending: dict[str, Change] = field(default_factory=dict)
    timer: asyncio.TimerHandle | None = None


class PresenceFeed:
    """Announces the presence changes of this node's connections, throttled per room."""

    def __init__(self, broker: Broker, users: RoomUsers, interval: float, burst: int) -> None:
        self._broker = broker
        self._users = users
        self._interval = interval
        self._burst = burst
        self._rooms: dict[tuple[str, str], _Interval] = {}
        self._flushing: set[asyncio.Task[None]] = set()
        self.coalesced = 0
        """Changes that never became a frame of their own (undone, or in a list)."""

    async def changed(self, change: Change) -> None:
        """Announce ``change`` now, or at the end of its room's interval."""
        key = (change.connection_type, change.room)
        current = self._rooms.get(key)
        if current is None:
            current = self._rooms[key] = self._start_interval(key, _Interval())
        earlier = current.pending.pop(change.user_id, None)
        if earlier is not None and earlier.joined != change.joined:
            self.coalesced += 2  # joined and left again (or the reverse): nothing to say
            return
        waits = earlier is not None or change.user_id in current.announced
        if waits or current.count >= self._burst:
            current.pending[change.user_id] = change
        else:
            await self._publish_now(current, change)

    async def speaking(self, connection_type: str, room: str, user_id: str) -> None:
        """Announce a pending change of ``user_id`` now, before what the user sends the room.

        A member must never see a newcomer's message before the newcomer's ``user_joined``.
        """
        current = self._rooms.get((connection_type, room))
        if current is not None:
            change = current.pending.pop(user_id, None)
            if change is not None:
                await self._publish_now(current, change)

    @property
    def idle(self) -> bool:
        """Whether no room is in an interval and nothing is being announced."""
        return not self._rooms and not self._flushing

    async def close(self) -> None:
        """Stop every interval; what is still pending is dropped (the node is stopping)."""
        for current in self._rooms.values():
            if current.timer is not None:
                current.timer.cancel()
        self._rooms.clear()
        for task in list(self._flushing):
            task.cancel()
        await asyncio.gather(*self._flushing, return_exceptions=True)

    # ------------------------------------------------------------------ internals

    def _start_interval(self, key: tuple[str, str], current: _Interval) -> _Interval:
        loop = asyncio.get_running_loop()
        current.timer = loop.call_later(self._interval, self._end_interval, key)
        return current

    def _end_interval(self, key: tuple[str, str]) -> None:
        ended = self._rooms[key]
        if not ended.pending:
            del self._rooms[key]  # a quiet end: the room's next change starts afresh
            return
        changes = list(ended.pending.values())
        if len(changes) > self._burst:
            # One list now stands for them all, and for what the next interval brings.
            following = _Interval(count=self._burst)
        else:
            following = _Interval(announced={c.user_id for c in changes}, count=len(changes))
        self._rooms[key] = self._start_interval(key, following)
        task = asyncio.get_running_loop().create_task(self._announce(key, changes))
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _announce(self, key: tuple[str, str], changes: list[Change]) -> None:
        try:
            if len(changes) <= self._burst:
                for change in changes:
                    await self._publish(change)
                return
            self.coalesced += len(changes)
            connection_type, room = key
            users = await self._users(connection_type, room)
            frame = Presence(
                room=room,
                users=[RoomUser(user_id=u, username=n) for u, n in users],
                timestamp=now_iso(),
            )
            await self._broker.publish(
                Audience(connection_type=connection_type, room=room), encode(frame)
            )
        except Exception:
            # At most once, like every live frame; the next change or join tells the truth.
            log.warning("presence of room=%s not announced", key[1], exc_info=True)

    async def _publish_now(self, current: _Interval, change: Change) -> None:
        """Announce ``change`` now, counted against the ``current`` interval's budget."""
        current.announced.add(change.user_id)
        current.count += 1
        await self._publish(change)

    async def _publish(self, change: Change) -> None:
        audience = Audience(
            connection_type=change.connection_type, room=change.room, exclude=change.exclude
        )
        await self._broker.publish(audience, encode(change.frame()))
