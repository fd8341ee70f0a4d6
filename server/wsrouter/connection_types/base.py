"""What every connection type shares: token refresh, rooms, and deferred frames."""

from __future__ import annotations

import msgspec

from wsrouter._generated.messages import (
    ConnectionEstablished,
    JoinRoom,
    LeaveRoom,
    RefreshToken,
    RoomJoined,
    RoomLeft,
    TokenRefreshed,
)
from wsrouter.auth import InvalidToken
from wsrouter.broker import Audience
from wsrouter.clock import iso, now_iso
from wsrouter.protocol.errors import fail
from wsrouter.protocol.frames import encode
from wsrouter.registry import RoomChange
from wsrouter.services import Services
from wsrouter.transport.connection import Connection


class ConnectionHandler:
    """The state and helpers of one connection's handler, whatever its type.

    Frames a handler wants to send *after* its reply (``chat_history`` after
    ``room_joined``) go through :meth:`defer`; the transport sends them once the
    reply is queued.
    """

    def __init__(self, connection: Connection, services: Services) -> None:
        self.connection = connection
        self.services = services
        self.deferred: list[str] = []
        """Frames deferred while handling the current message (the same list, always)."""

    # ------------------------------------------------------------- frames

    def send(self, message: msgspec.Struct) -> None:
        """Queue a frame for this connection now."""
        self.connection.enqueue(encode(message))

    def defer(self, message: msgspec.Struct) -> None:
        """Queue a frame for this connection after the current reply."""
        self.deferred.append(encode(message))

    def take_deferred(self) -> list[str]:
        """The frames deferred while handling the last message; empties :attr:`deferred`."""
        frames = self.deferred[:]
        self.deferred.clear()
        return frames

    def audience(self, room: str) -> Audience:
        """Everyone else in ``room`` of this connection type."""
        return Audience(connection_type=self.connection.type, room=room, exclude=self.connection.id)

    # ------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        """Send the first frames of the connection (after the handshake succeeded)."""

    async def close(self) -> None:
        """Clean up after the connection is gone; the registry is already updated."""

    async def rooms_left(self, changes: list[tuple[str, RoomChange]]) -> None:
        """React to the rooms the connection left by closing (chat announces ``user_left``)."""

    # ------------------------------------------------------------- every type

    async def on_refresh_token(self, message: RefreshToken) -> TokenRefreshed:
        """Replace the connection's token; the new one must name the same user."""
        try:
            principal = self.services.tokens.verify(message.token)
        except InvalidToken as exc:
            raise fail("unauthorized", exc.reason) from None
        if principal.user_id != self.connection.user_id:
            raise fail("unauthorized", "the new token is for another user")
        self.connection.principal = principal
        return TokenRefreshed(expires_at=iso(principal.expires_at), timestamp=now_iso())


class RoomsHandler(ConnectionHandler):
    """``join_room`` and ``leave_room``, for the types that have them."""

    async def on_join_room(self, message: JoinRoom) -> RoomJoined:
        """Join a room of this connection type (idempotent)."""
        connection, room = self.connection, message.room
        limit = self.services.settings.limits.rooms_per_connection
        if room not in connection.rooms and len(connection.rooms) >= limit:
            raise fail("room_limit", f"a connection may join at most {limit} rooms")
        change = await self.services.registry.join(connection.id, room)
        self.services.hub.join(connection, room)
        if change is None:
            _, count = await self.services.registry.find(
                Audience(connection_type=connection.type, room=room), limit=0, offset=0
            )
            change = RoomChange(member_count=count, user_changed=False)
        else:
            await self.joined(room, change)
        return RoomJoined(room=room, member_count=change.member_count, timestamp=now_iso())

    async def on_leave_room(self, message: LeaveRoom) -> RoomLeft:
        """Leave a room this connection is in."""
        change = await self.services.registry.leave(self.connection.id, message.room)
        if change is None:
            raise fail("not_in_room", f"this connection is not in room {message.room!r}")
        self.services.hub.leave(self.connection, message.room)
        await self.left(message.room, change)
        return RoomLeft(room=message.room, timestamp=now_iso())

    def require_member(self, room: str) -> None:
        """Raise ``not_in_room`` unless this connection is in ``room``."""
        if room not in self.connection.rooms:
            raise fail("not_in_room", f"this connection is not in room {room!r}; join it first")

    async def joined(self, room: str, change: RoomChange) -> None:
        """After a new join (chat sends history, presence and ``user_joined``)."""

    async def left(self, room: str, change: RoomChange) -> None:
        """After a leave (chat sends ``user_left``)."""

    async def rooms_left(self, changes: list[tuple[str, RoomChange]]) -> None:
        for room, change in changes:
            await self.left(room, change)


def established(handler: ConnectionHandler) -> ConnectionEstablished:
    """The ``connection_established`` frame of a connection."""
    connection = handler.connection
    now = now_iso()
    return ConnectionEstablished(
        connection_id=connection.id,
        connection_type=connection.type,  # type: ignore[arg-type]
        user_id=connection.user_id,
        room=connection.room,
        server_time=now,
        heartbeat_interval=max(1, round(handler.services.settings.heartbeat_seconds)),
        timestamp=now,
    )
