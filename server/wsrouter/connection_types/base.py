"""What every connection type's handler shares, and the narrow interfaces it talks to.

A handler sees its connection through a :class:`Context`: the :class:`Peer` (who
is connected), the :class:`Outbox` (frames to this connection), :class:`Rooms` (its
room memberships, kept in step across the node's index and the cluster's
registry), the broker to publish to others, and the store. It never sees the
transport or the other connections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import msgspec

from wsrouter._generated.messages import (
    CloseCode,
    ConnectionEstablished,
    JoinRoom,
    LeaveRoom,
    RefreshToken,
    RoomJoined,
    RoomLeft,
    TokenRefreshed,
)
from wsrouter.auth import InvalidToken, Principal, TokenVerifier
from wsrouter.broker import Audience, Broker
from wsrouter.clock import iso, now_iso
from wsrouter.connection_types.presence import PresenceFeed
from wsrouter.protocol.errors import fail
from wsrouter.protocol.frames import encode
from wsrouter.protocol.session import Outbox, Peer, Session
from wsrouter.protocol.throttle import TypingThrottle
from wsrouter.registry import RoomChange
from wsrouter.settings import Settings
from wsrouter.store import Store


class Rooms(Protocol):
    """The rooms of one connection: joins and leaves, cluster-wide and on this node."""

    def __contains__(self, room: object) -> bool:
        """Whether the connection is in ``room``."""
        ...

    def __len__(self) -> int:
        """How many rooms the connection is in."""
        ...

    async def join(self, room: str) -> RoomChange | None:
        """Join ``room`` of this connection's type; ``None`` if already in it."""
        ...

    async def leave(self, room: str) -> RoomChange | None:
        """Leave ``room``; ``None`` if not in it."""
        ...

    async def member_count(self, room: str) -> int:
        """How many connections are in ``room`` (cluster-wide)."""
        ...

    async def users(self, room: str) -> list[tuple[str, str]]:
        """``(user_id, username)`` of every user in ``room``, by join order."""
        ...


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a handler may use."""

    session: Session
    rooms: Rooms
    broker: Broker
    store: Store
    tokens: TokenVerifier
    settings: Settings
    typing: TypingThrottle
    presence: PresenceFeed


class ConnectionHandler:
    """The state and helpers of one connection's handler, whatever its type.

    A concrete handler also implements its type's generated interface
    (``GeneralHandler`` & co.); the server binds one such class to each type of the
    generated table at start-up. Frames a handler wants to send *after* its reply
    (``chat_history`` after ``room_joined``) go through :meth:`defer`.
    """

    def __init__(self, context: Context) -> None:
        self.session = context.session
        self.peer: Peer = context.session.peer
        self.outbox: Outbox = context.session.outbox
        self.rooms = context.rooms
        self.broker = context.broker
        self.store = context.store
        self.tokens = context.tokens
        self.settings = context.settings
        self.typing = context.typing
        self.presence = context.presence

    # ------------------------------------------------------------- frames

    def send(self, message: msgspec.Struct) -> None:
        """Queue a frame for this connection now."""
        self.outbox.send(message)

    def defer(self, message: msgspec.Struct) -> None:
        """Queue a frame for this connection after the current reply."""
        self.outbox.defer(message)

    async def publish(self, audience: Audience, message: msgspec.Struct) -> None:
        """Encode ``message`` once and send it to ``audience``, cluster-wide."""
        await self.broker.publish(audience, encode(message))

    def audience(self, room: str) -> Audience:
        """Everyone else in ``room`` of this connection type."""
        return Audience(connection_type=self.peer.type, room=room, exclude=self.peer.id)

    # ------------------------------------------------------------- lifecycle

    async def open(self) -> None:
        """Send the first frames of the connection (after the handshake succeeded)."""

    async def close(self) -> None:
        """Clean up after the connection is gone; the registry is already updated."""

    async def rooms_left(self, changes: list[tuple[str, RoomChange]]) -> None:
        """React to the rooms the connection left by closing (chat announces ``user_left``)."""

    # ------------------------------------------------------------- every type

    def still_allowed(self, principal: Principal) -> str | None:
        """Why ``principal`` may no longer hold this connection, or ``None`` if it may.

        A type whose handshake checked more than the token (a test session's owner,
        or an admin) checks it again here, so that a refresh cannot keep a privilege
        the new token does not carry.
        """
        return None

    async def on_refresh_token(self, message: RefreshToken) -> TokenRefreshed:
        """Replace the connection's token; the new one must allow what the first did.

        Another user's token is refused and the old token stays in force. A token of
        the same user that no longer allows the connection is refused and the
        connection closed with 4401 (reconnecting needs a token that allows it).
        """
        try:
            principal = self.tokens.verify(message.token)
        except InvalidToken as exc:
            raise fail("unauthorized", exc.reason) from None
        if principal.user_id != self.peer.user_id:
            raise fail("unauthorized", "the new token is for another user")
        problem = self.still_allowed(principal)
        if problem is not None:
            refusal = fail("unauthorized", problem)
            refusal.reply.request_id = message.request_id
            # Sent here, before the close: the transport's copy of the reply would come
            # after it and is dropped.
            self.outbox.send(refusal.reply)
            self.outbox.close(CloseCode.UNAUTHORIZED, "token no longer allows this connection")
            raise refusal
        self.session.refreshed(principal)
        return TokenRefreshed(expires_at=iso(principal.expires_at), timestamp=now_iso())

    def established(self) -> ConnectionEstablished:
        """The ``connection_established`` frame of this connection."""
        peer = self.peer
        now = now_iso()
        return ConnectionEstablished(
            connection_id=peer.id,
            connection_type=peer.type,  # type: ignore[arg-type]
            user_id=peer.user_id,
            room=peer.room,
            server_time=now,
            heartbeat_interval=max(1, round(self.settings.heartbeat_seconds)),
            timestamp=now,
        )


class RoomsHandler(ConnectionHandler):
    """``join_room`` and ``leave_room``, for the types that have them."""

    async def on_join_room(self, message: JoinRoom) -> RoomJoined:
        """Join a room of this connection type (idempotent)."""
        room = message.room
        limit = self.settings.limits.rooms_per_connection
        if room not in self.rooms and len(self.rooms) >= limit:
            raise fail("room_limit", f"a connection may join at most {limit} rooms")
        change = await self.rooms.join(room)
        if change is None:
            count = await self.rooms.member_count(room)
            change = RoomChange(member_count=count, user_changed=False)
        else:
            await self.joined(room, change)
        return RoomJoined(room=room, member_count=change.member_count, timestamp=now_iso())

    async def on_leave_room(self, message: LeaveRoom) -> RoomLeft:
        """Leave a room this connection is in."""
        change = await self.rooms.leave(message.room)
        if change is None:
            raise fail("not_in_room", f"this connection is not in room {message.room!r}")
        await self.left(message.room, change)
        return RoomLeft(room=message.room, timestamp=now_iso())

    def require_member(self, room: str) -> None:
        """Raise ``not_in_room`` unless this connection is in ``room``."""
        if room not in self.rooms:
            raise fail("not_in_room", f"this connection is not in room {room!r}; join it first")

    async def joined(self, room: str, change: RoomChange) -> None:
        """After a new join (chat sends history, presence and ``user_joined``)."""

    async def left(self, room: str, change: RoomChange) -> None:
        """After a leave (chat sends ``user_left``)."""

    async def rooms_left(self, changes: list[tuple[str, RoomChange]]) -> None:
        for room, change in changes:
            await self.left(room, change)
