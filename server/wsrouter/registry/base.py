"""The registry interface.

It answers the questions that span nodes: how many connections a user has, who is
in a room, the statistics and the connection list of the admin API. Each node
adds and removes its own connections; every method is safe to call concurrently
from many nodes.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from wsrouter.broker import Audience


class TooManyConnections(Exception):
    """The user already has the most connections allowed; nothing was added."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a user may have at most {limit} connections open")
        self.limit = limit


class RegistryUnavailable(Exception):
    """The registry's backing service (Redis) cannot be reached now; nothing was changed.

    A handshake that meets it is refused with 1013 (try again later).
    """


@dataclass
class ConnectionInfo:
    """What the cluster knows of one connection."""

    connection_id: str
    connection_type: str
    user_id: str
    username: str
    connected_at: datetime
    node: str
    rooms: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RoomChange:
    """The effect of a join or a leave.

    ``member_count`` counts connections; ``user_changed`` says whether this was the
    user's first connection in the room (join) or its last (leave).
    """

    member_count: int
    user_changed: bool


class Registry(abc.ABC):
    """The cluster-wide index of open connections."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Connect to the backing service."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Forget this node's connections and disconnect."""

    @abc.abstractmethod
    async def add(self, info: ConnectionInfo, max_per_user: int) -> bool:
        """Register a connection if its user has fewer than ``max_per_user``; one atomic step.

        ``False`` (and nothing stored) if the id is taken; raises
        :class:`TooManyConnections` (and stores nothing) when the user is at the limit.
        Checking and adding at once is what keeps the limit under concurrent
        handshakes, on one node or many.
        """

    @abc.abstractmethod
    async def remove(self, connection_id: str) -> list[tuple[str, RoomChange]]:
        """Unregister a connection and leave its rooms; return each room and its change."""

    @abc.abstractmethod
    async def get(self, connection_id: str) -> ConnectionInfo | None:
        """One connection, or ``None``."""

    @abc.abstractmethod
    async def user_connection_count(self, user_id: str) -> int:
        """The user's open connections, of every type."""

    @abc.abstractmethod
    async def join(self, connection_id: str, room: str) -> RoomChange | None:
        """Add the connection to a room of its type; ``None`` if it was already in it."""

    @abc.abstractmethod
    async def leave(self, connection_id: str, room: str) -> RoomChange | None:
        """Remove the connection from a room; ``None`` if it was not in it."""

    @abc.abstractmethod
    async def room_users(self, connection_type: str, room: str) -> list[tuple[str, str]]:
        """``(user_id, username)`` of every user with a connection in the room, by join order."""

    @abc.abstractmethod
    async def count(self, audience: Audience) -> int:
        """How many connections ``audience`` matches."""

    @abc.abstractmethod
    async def find(
        self, audience: Audience, *, limit: int, offset: int
    ) -> tuple[list[ConnectionInfo], int]:
        """A page of the connections of ``audience``, oldest first, and their total."""

    @abc.abstractmethod
    async def stats(
        self, connection_types: Iterable[str]
    ) -> tuple[int, dict[str, int], dict[str, int]]:
        """Total connections, by type (each of ``connection_types``, zeros too), by user id."""
