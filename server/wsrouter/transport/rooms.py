"""The :class:`~wsrouter.connection_types.base.Rooms` of one connection.

A join or a leave changes the cluster's registry (membership, presence counts) and
this node's hub (fan-out) together, so that handlers cannot update one and forget
the other.
"""

from __future__ import annotations

from wsrouter.broker import Audience
from wsrouter.registry import Registry, RoomChange
from wsrouter.transport.connection import Connection
from wsrouter.transport.hub import Hub


class ConnectionRooms:
    """The rooms of ``connection``, kept in step in the registry and the hub."""

    __slots__ = ("_connection", "_hub", "_registry")

    def __init__(self, connection: Connection, registry: Registry, hub: Hub) -> None:
        self._connection = connection
        self._registry = registry
        self._hub = hub

    def __contains__(self, room: object) -> bool:
        return room in self._connection.rooms

    def __len__(self) -> int:
        return len(self._connection.rooms)

    async def join(self, room: str) -> RoomChange | None:
        """Join ``room`` of the connection's type; ``None`` if already in it."""
        change = await self._registry.join(self._connection.id, room)
        self._hub.join(self._connection, room)
        return change

    async def leave(self, room: str) -> RoomChange | None:
        """Leave ``room``; ``None`` if not in it."""
        change = await self._registry.leave(self._connection.id, room)
        if change is not None:
            self._hub.leave(self._connection, room)
        return change

    async def member_count(self, room: str) -> int:
        """How many connections are in ``room`` (cluster-wide)."""
        return await self._registry.count(
            Audience(connection_type=self._connection.type, room=room)
        )

    async def users(self, room: str) -> list[tuple[str, str]]:
        """``(user_id, username)`` of every user in ``room``, by join order."""
        return await self._registry.room_users(self._connection.type, room)
