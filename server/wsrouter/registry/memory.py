"""The embedded registry: plain dictionaries, for one process."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from wsrouter.broker import Audience
from wsrouter.registry.base import ConnectionInfo, Registry, RoomChange, TooManyConnections


class MemoryRegistry(Registry):
    """Keeps the index in this process."""

    def __init__(self) -> None:
        self._connections: dict[str, ConnectionInfo] = {}
        self._per_user: Counter[str] = Counter()
        # (type, room) -> connection ids, in join order
        self._rooms: dict[tuple[str, str], dict[str, None]] = {}
        # (type, room) -> user id -> [connections in the room, username], in join order:
        # a join or a leave knows at once whether it was the user's first or last.
        self._room_users: dict[tuple[str, str], dict[str, list[Any]]] = {}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        self._connections.clear()
        self._per_user.clear()
        self._rooms.clear()
        self._room_users.clear()

    async def add(self, info: ConnectionInfo, max_per_user: int) -> bool:
        if info.connection_id in self._connections:
            return False
        if self._per_user[info.user_id] >= max_per_user:
            raise TooManyConnections(max_per_user)
        self._connections[info.connection_id] = info
        self._per_user[info.user_id] += 1
        return True

    async def remove(self, connection_id: str) -> list[tuple[str, RoomChange]]:
        info = self._connections.get(connection_id)
        if info is None:
            return []
        changes = []
        for room in list(info.rooms):
            change = await self.leave(connection_id, room)
            if change is not None:
                changes.append((room, change))
        del self._connections[connection_id]
        self._per_user[info.user_id] -= 1
        if self._per_user[info.user_id] <= 0:
            del self._per_user[info.user_id]
        return changes

    async def get(self, connection_id: str) -> ConnectionInfo | None:
        return self._connections.get(connection_id)

    async def user_connection_count(self, user_id: str) -> int:
        return self._per_user.get(user_id, 0)

    async def join(self, connection_id: str, room: str) -> RoomChange | None:
        info = self._connections[connection_id]
        if room in info.rooms:
            return None
        key = (info.connection_type, room)
        members = self._rooms.setdefault(key, {})
        members[connection_id] = None
        info.rooms.append(room)
        users = self._room_users.setdefault(key, {})
        entry = users.setdefault(info.user_id, [0, info.username])
        entry[0] += 1
        return RoomChange(member_count=len(members), user_changed=entry[0] == 1)

    async def leave(self, connection_id: str, room: str) -> RoomChange | None:
        info = self._connections.get(connection_id)
        if info is None or room not in info.rooms:
            return None
        key = (info.connection_type, room)
        members = self._rooms[key]
        del members[connection_id]
        if not members:
            del self._rooms[key]
        info.rooms.remove(room)
        users = self._room_users[key]
        entry = users[info.user_id]
        entry[0] -= 1
        last = entry[0] == 0
        if last:
            del users[info.user_id]
            if not users:
                del self._room_users[key]
        return RoomChange(member_count=len(members), user_changed=last)

    async def room_users(self, connection_type: str, room: str) -> list[tuple[str, str]]:
        users = self._room_users.get((connection_type, room), {})
        return [(user_id, entry[1]) for user_id, entry in users.items()]

    async def count(self, audience: Audience) -> int:
        if audience.room is not None and audience.connection_type is not None:
            ids = self._rooms.get((audience.connection_type, audience.room), {})
            if audience.user_id is None and audience.connection_id is None:
                return len(ids) - (audience.exclude in ids)
            candidates = [self._connections[c] for c in ids]
        else:
            candidates = list(self._connections.values())
        return sum(1 for info in candidates if _matches(info, audience))

    async def find(
        self, audience: Audience, *, limit: int, offset: int
    ) -> tuple[list[ConnectionInfo], int]:
        if audience.room is not None and audience.connection_type is not None:
            ids = self._rooms.get((audience.connection_type, audience.room), {})
            candidates = [self._connections[c] for c in ids]
            candidates.sort(key=lambda info: info.connected_at)
        else:
            candidates = list(self._connections.values())
        matching = [info for info in candidates if _matches(info, audience)]
        return matching[offset : offset + limit], len(matching)

    async def stats(
        self, connection_types: Iterable[str]
    ) -> tuple[int, dict[str, int], dict[str, int]]:
        by_type = dict.fromkeys(connection_types, 0)
        for info in self._connections.values():
            by_type[info.connection_type] = by_type.get(info.connection_type, 0) + 1
        return len(self._connections), by_type, dict(self._per_user)


def _matches(info: ConnectionInfo, audience: Audience) -> bool:
    return (
        (audience.connection_type is None or info.connection_type == audience.connection_type)
        and (audience.user_id is None or info.user_id == audience.user_id)
        and (audience.room is None or audience.room in info.rooms)
        and (audience.connection_id is None or info.connection_id == audience.connection_id)
        and info.connection_id != audience.exclude
    )
