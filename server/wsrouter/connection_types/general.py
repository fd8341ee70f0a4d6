"""``general``: echo, ping/pong, rooms and room broadcasts."""

from __future__ import annotations

from wsrouter._generated.handlers import GeneralHandler
from wsrouter._generated.messages import (
    BroadcastToRoom,
    Echo,
    EchoReply,
    Ping,
    Pong,
    RoomMessage,
)
from wsrouter.clock import now_iso
from wsrouter.connection_types.base import RoomsHandler


class GeneralConnection(RoomsHandler, GeneralHandler):
    """A ``general`` connection."""

    async def open(self) -> None:
        self.send(self.established())

    async def on_ping(self, message: Ping) -> Pong:
        """Answer with ``pong``."""
        return Pong(timestamp=now_iso())

    async def on_echo(self, message: Echo) -> EchoReply:
        """Send the text back."""
        return EchoReply(message=message.message, timestamp=now_iso())

    async def on_broadcast_to_room(self, message: BroadcastToRoom) -> RoomMessage:
        """Send to every member of the room; the sender's copy is the reply."""
        self.require_member(message.room)
        principal = self.peer.principal
        frame = RoomMessage(
            room=message.room,
            message=message.message,
            data=message.data,
            sender_id=principal.user_id,
            sender_name=principal.name,
            connection_id=self.peer.id,
            timestamp=now_iso(),
        )
        await self.publish(self.audience(message.room), frame)
        return frame
