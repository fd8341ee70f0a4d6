# generated from asyncapi.yaml by codegen — do not edit
"""Typed WebSocket clients of the wsrouter WebSocket protocol, one per group of connections.

Each client wraps a ``Transport`` (the SDK's runtime supplies one): a method per
message the client may send, which awaits the reply matched by request id where
the spec declares one, and ``messages()``, a typed stream of what the server sends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any, ClassVar, Protocol, TypeVar

import msgspec
from msgspec import UNSET, Meta, UnsetType

from .messages import (
    AnswerSaved,
    BroadcastToRoom,
    ChatMessage,
    ChatOutbound,
    ClientTimestamp,
    Data,
    Echo,
    EchoReply,
    Error,
    GeneralOutbound,
    GetNotifications,
    GetSessionStatus,
    JoinRoom,
    LeaveRoom,
    MarkAllNotificationsRead,
    MarkNotificationRead,
    NotificationId,
    NotificationList,
    NotificationRead,
    NotificationsOutbound,
    NotificationsRead,
    Ping,
    Pong,
    QuestionId,
    RefreshToken,
    ReplyError,
    RoomJoined,
    RoomLeft,
    RoomMessage,
    RoomName,
    SaveAnswer,
    SendMessage,
    SessionStatus,
    SessionSubmitted,
    SubmitSession,
    TestSessionOutbound,
    TokenRefreshed,
    Typing,
    decode_chat_outbound,
    decode_general_outbound,
    decode_notifications_outbound,
    decode_test_session_outbound,
)

_M_co = TypeVar("_M_co", covariant=True)
_T = TypeVar("_T")


class Transport(Protocol[_M_co]):
    """What a typed client needs from a connection."""

    def next_request_id(self) -> str:
        """A request id not in use on this connection."""
        ...

    async def send(self, message: msgspec.Struct) -> None:
        """Encode and send one message."""
        ...

    async def request(
        self, message: msgspec.Struct, request_id: str, timeout: float | None
    ) -> _M_co:
        """Send ``message`` and return the first frame that carries ``request_id``."""
        ...

    def messages(self) -> AsyncIterator[_M_co]:
        """Every frame the server sends, decoded."""
        ...


class UnexpectedReplyError(Exception):
    """The server answered a request with a message the spec does not list as its reply."""

    def __init__(self, reply: object) -> None:
        super().__init__(f"unexpected reply: {reply!r}")
        self.reply = reply


def _expect(reply: object, kind: type[_T]) -> _T:
    if isinstance(reply, kind):
        return reply
    if isinstance(reply, (Error,)):
        raise ReplyError(reply)
    raise UnexpectedReplyError(reply)


class GeneralClient:
    """A ``general`` connection. Echo, ping, rooms and room broadcasts."""

    group: ClassVar[str] = "general"

    def __init__(self, transport: Transport[GeneralOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> GeneralOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_general_outbound(data)

    def messages(self) -> AsyncIterator[GeneralOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    async def refresh_token(
        self,
        *,
        token: Annotated[str, Meta(min_length=1, max_length=8192)],
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> TokenRefreshed:
        """Replace the connection's token before it expires. Returns the ``token_refreshed``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    async def ping(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> Pong:
        """Application-level liveness check. Returns the ``pong`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            Ping(timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, Pong)

    async def echo(
        self,
        *,
        message: Annotated[str, Meta(max_length=16384)],
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> EchoReply:
        """Send a text back to its sender. Returns the ``echo`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            Echo(message=message, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, EchoReply)

    async def join_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomJoined:
        """Join a room of this connection type (idempotent). Returns the ``room_joined`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            JoinRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomJoined)

    async def leave_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomLeft:
        """Leave a room (`not_in_room` when not a member). Returns the ``room_left`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            LeaveRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomLeft)

    async def broadcast_to_room(
        self,
        *,
        room: RoomName,
        message: Annotated[str, Meta(max_length=16384)],
        data: Data | UnsetType = UNSET,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomMessage:
        """Send a message to every member of a room the sender has joined. Returns the
        ``room_message`` reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            BroadcastToRoom(
                room=room, message=message, data=data, timestamp=timestamp, request_id=request_id
            ),
            request_id,
            timeout,
        )
        return _expect(reply, RoomMessage)


class NotificationsClient:
    """A ``notifications`` connection. User and system notifications with read receipts."""

    group: ClassVar[str] = "notifications"

    def __init__(self, transport: Transport[NotificationsOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> NotificationsOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_notifications_outbound(data)

    def messages(self) -> AsyncIterator[NotificationsOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    async def refresh_token(
        self,
        *,
        token: Annotated[str, Meta(min_length=1, max_length=8192)],
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> TokenRefreshed:
        """Replace the connection's token before it expires. Returns the ``token_refreshed``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    async def mark_notification_read(
        self,
        *,
        notification_id: NotificationId,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> NotificationRead:
        """Mark one notification read (idempotent). Returns the ``notification_read`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            MarkNotificationRead(
                notification_id=notification_id, timestamp=timestamp, request_id=request_id
            ),
            request_id,
            timeout,
        )
        return _expect(reply, NotificationRead)

    async def mark_all_notifications_read(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> NotificationsRead:
        """Mark every unread notification of the user read. Returns the ``notifications_read``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            MarkAllNotificationsRead(timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, NotificationsRead)

    async def get_notifications(
        self,
        *,
        unread_only: bool = False,
        limit: Annotated[int, Meta(ge=1, le=100)] = 20,
        before: NotificationId | UnsetType = UNSET,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> NotificationList:
        """List the user's notifications, newest first. Returns the ``notification_list``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            GetNotifications(
                unread_only=unread_only,
                limit=limit,
                before=before,
                timestamp=timestamp,
                request_id=request_id,
            ),
            request_id,
            timeout,
        )
        return _expect(reply, NotificationList)


class TestSessionClient:
    """A ``test-session`` connection. Live monitoring of one online exam attempt."""

    group: ClassVar[str] = "test-session"

    def __init__(self, transport: Transport[TestSessionOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> TestSessionOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_test_session_outbound(data)

    def messages(self) -> AsyncIterator[TestSessionOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    async def refresh_token(
        self,
        *,
        token: Annotated[str, Meta(min_length=1, max_length=8192)],
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> TokenRefreshed:
        """Replace the connection's token before it expires. Returns the ``token_refreshed``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    async def get_session_status(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> SessionStatus:
        """The session's status; also sent unasked right after `test_session_ready`. Returns
        the ``session_status`` reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            GetSessionStatus(timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, SessionStatus)

    async def save_answer(
        self,
        *,
        question_id: QuestionId,
        answer: Any,
        client_answer_id: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType = UNSET,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> AnswerSaved:
        """Save the answer to one question, durably. Returns the ``answer_saved`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            SaveAnswer(
                question_id=question_id,
                answer=answer,
                client_answer_id=client_answer_id,
                timestamp=timestamp,
                request_id=request_id,
            ),
            request_id,
            timeout,
        )
        return _expect(reply, AnswerSaved)

    async def submit_session(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> SessionSubmitted:
        """Submit the session; every connection of the session gets `session_submitted`.
        Returns the ``session_submitted`` reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            SubmitSession(timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, SessionSubmitted)


class ChatClient:
    """A ``chat`` connection. Chat rooms with messages, presence and typing indicators."""

    group: ClassVar[str] = "chat"

    def __init__(self, transport: Transport[ChatOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> ChatOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_chat_outbound(data)

    def messages(self) -> AsyncIterator[ChatOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    async def refresh_token(
        self,
        *,
        token: Annotated[str, Meta(min_length=1, max_length=8192)],
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> TokenRefreshed:
        """Replace the connection's token before it expires. Returns the ``token_refreshed``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    async def join_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomJoined:
        """Join a room of this connection type (idempotent). Returns the ``room_joined`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            JoinRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomJoined)

    async def leave_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomLeft:
        """Leave a room (`not_in_room` when not a member). Returns the ``room_left`` reply."""
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            LeaveRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomLeft)

    async def send_message(
        self,
        *,
        message: Annotated[str, Meta(min_length=1, max_length=4000)],
        room: RoomName | UnsetType = UNSET,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> ChatMessage:
        """Post a chat message; it is stored, then sent to every member, the sender included.
        Returns the ``chat_message`` reply.
        """
        request_id = self.transport.next_request_id()
        reply = await self.transport.request(
            SendMessage(message=message, room=room, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, ChatMessage)

    async def typing(
        self, *, room: RoomName | UnsetType = UNSET, timestamp: ClientTimestamp | UnsetType = UNSET
    ) -> None:
        """Tell the room's other members that the user is typing."""
        await self.transport.send(Typing(room=room, timestamp=timestamp))
