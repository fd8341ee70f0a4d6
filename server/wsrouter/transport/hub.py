"""This node's connections, indexed for fan-out. It only indexes; it never sends itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from wsrouter.broker import Audience
from wsrouter.transport.connection import Connection, send_to_all

K = TypeVar("K")


class Hub:
    """Finds this node's connections by id, user, type and room."""

    def __init__(self) -> None:
        self._by_id: dict[str, Connection] = {}
        self._by_user: dict[str, set[Connection]] = {}
        self._by_type: dict[str, set[Connection]] = {}
        self._by_room: dict[tuple[str, str], set[Connection]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def add(self, connection: Connection) -> None:
        """Index a new connection."""
        self._by_id[connection.id] = connection
        self._by_user.setdefault(connection.user_id, set()).add(connection)
        self._by_type.setdefault(connection.type, set()).add(connection)

    def remove(self, connection: Connection) -> None:
        """Forget a connection and its rooms."""
        self._by_id.pop(connection.id, None)
        for room in list(connection.rooms):
            self.leave(connection, room)
        _discard(self._by_user, connection.user_id, connection)
        _discard(self._by_type, connection.type, connection)

    def join(self, connection: Connection, room: str) -> None:
        """Index the connection as a member of ``room`` (of its connection type)."""
        connection.rooms.add(room)
        self._by_room.setdefault((connection.type, room), set()).add(connection)

    def leave(self, connection: Connection, room: str) -> None:
        """Remove the connection from ``room``."""
        connection.rooms.discard(room)
        _discard(self._by_room, (connection.type, room), connection)

    def get(self, connection_id: str) -> Connection | None:
        """A local connection by id."""
        return self._by_id.get(connection_id)

    def all(self) -> list[Connection]:
        """Every local connection."""
        return list(self._by_id.values())

    def in_room(self, connection_type: str, room: str) -> set[Connection]:
        """The local members of a room."""
        return self._by_room.get((connection_type, room), set())

    def select(self, audience: Audience) -> Iterable[Connection]:
        """The local connections of ``audience``, starting from the narrowest index."""
        if audience.connection_id is not None:
            found = self._by_id.get(audience.connection_id)
            candidates: Iterable[Connection] = [found] if found else []
        elif audience.room is not None and audience.connection_type is not None:
            candidates = self._by_room.get((audience.connection_type, audience.room), ())
        elif audience.user_id is not None:
            candidates = self._by_user.get(audience.user_id, ())
        elif audience.connection_type is not None:
            candidates = self._by_type.get(audience.connection_type, ())
        else:
            candidates = self._by_id.values()
        return [c for c in candidates if _matches(c, audience)]

    def deliver(self, audience: Audience, frame: str) -> int:
        """Queue ``frame`` on every local connection of ``audience``; return how many took it."""
        if (
            audience.room is not None
            and audience.connection_type is not None
            and audience.user_id is None
            and audience.connection_id is None
        ):
            # A room (the busiest case): its index is exact, only the sender is skipped.
            members = self._by_room.get((audience.connection_type, audience.room))
            if not members:
                return 0
            exclude = audience.exclude
            return send_to_all([c for c in members if c.id != exclude], frame)
        return send_to_all(self.select(audience), frame)

    def disconnect(self, connection_id: str, code: int, reason: str) -> bool:
        """Close a local connection; ``False`` if this node has no such connection."""
        connection = self._by_id.get(connection_id)
        if connection is None:
            return False
        connection.close(code, reason)
        return True


def _matches(connection: Connection, audience: Audience) -> bool:
    return (
        connection.id != audience.exclude
        and (audience.connection_type is None or connection.type == audience.connection_type)
        and (audience.user_id is None or connection.user_id == audience.user_id)
        and (audience.room is None or audience.room in connection.rooms)
        and (audience.connection_id is None or connection.id == audience.connection_id)
    )


def _discard(index: dict[K, set[Connection]], key: K, connection: Connection) -> None:
    members = index.get(key)
    if members is not None:
        members.discard(connection)
        if not members:
            del index[key]
