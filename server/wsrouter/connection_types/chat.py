"""``chat``: rooms with stored messages, presence, join/leave and typing indicators."""

from __future__ import annotations

from msgspec import UNSET

from wsrouter._generated.handlers import ChatHandler
from wsrouter._generated.messages import (
    ChatHistory,
    ChatMessage,
    ChatMessageItem,
    JoinRoom,
    Presence,
    RoomUser,
    SendMessage,
    Typing,
    UserTyping,
)
from wsrouter.clock import iso, now_iso, utcnow
from wsrouter.connection_types.base import RoomsHandler
from wsrouter.connection_types.presence import Change
from wsrouter.protocol.errors import fail
from wsrouter.registry import RoomChange

HISTORY_LENGTH = 50


class ChatConnection(RoomsHandler, ChatHandler):
    """A ``chat`` connection; its handshake room is joined on connect."""

    async def open(self) -> None:
        self.send(self.established())
        if self.peer.room is None:
            raise RuntimeError("a chat connection needs a room; the handshake checks it")
        await self.on_join_room(JoinRoom(room=self.peer.room))

    async def joined(self, room: str, change: RoomChange) -> None:
        history = await self.store.chat_history(room, HISTORY_LENGTH)
        self.defer(
            ChatHistory(
                room=room,
                messages=[
                    ChatMessageItem(
                        id=m.id,
                        room=m.room,
                        sender_id=m.sender_id,
                        sender_name=m.sender_name,
                        message=m.message,
                        timestamp=iso(m.created_at),
                    )
                    for m in history
                ],
                timestamp=now_iso(),
            )
        )
        users = await self.rooms.users(room)
        self.defer(
            Presence(
                room=room,
                users=[RoomUser(user_id=u, username=n) for u, n in users],
                timestamp=now_iso(),
            )
        )
        if change.user_changed:
            await self.presence.changed(self._presence_change(room, joined=True))

    async def left(self, room: str, change: RoomChange) -> None:
        if change.user_changed:
            await self.presence.changed(self._presence_change(room, joined=False))

    def _presence_change(self, room: str, *, joined: bool) -> Change:
        principal = self.peer.principal
        return Change(
            connection_type=self.peer.type,
            room=room,
            user_id=principal.user_id,
            username=principal.name,
            joined=joined,
            exclude=self.peer.id,
        )

    def _room(self, room: str | object) -> str:
        target = self.peer.room if room is UNSET else room
        if not isinstance(target, str):
            raise fail("invalid_message", "a `room` is required - at `$.room`")
        self.require_member(target)
        return target

    async def on_send_message(self, message: SendMessage) -> ChatMessage:
        """Store the message, then send it to every member (the sender's copy is the reply)."""
        room = self._room(message.room)
        principal = self.peer.principal
        await self.presence.speaking(self.peer.type, room, principal.user_id)
        stored = await self.store.add_chat_message(
            room=room,
            sender_id=principal.user_id,
            sender_name=principal.name,
            message=message.message,
            now=utcnow(),
        )
        frame = ChatMessage(
            id=stored.id,
            room=room,
            sender_id=stored.sender_id,
            sender_name=stored.sender_name,
            message=stored.message,
            timestamp=iso(stored.created_at),
        )
        await self.publish(self.audience(room), frame)
        return frame

    async def on_typing(self, message: Typing) -> None:
        """Tell the others, at most once per user per room per interval."""
        room = self._room(message.room)
        principal = self.peer.principal
        if self.typing.allow(principal.user_id, room):
            await self.presence.speaking(self.peer.type, room, principal.user_id)
            await self.publish(
                self.audience(room),
                UserTyping(
                    room=room,
                    user_id=principal.user_id,
                    username=principal.name,
                    timestamp=now_iso(),
                ),
            )
