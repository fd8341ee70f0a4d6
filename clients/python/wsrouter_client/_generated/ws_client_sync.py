# generated from asyncapi.yaml by codegen — do not edit
"""Blocking WebSocket clients of the wsrouter WebSocket protocol, one per group of connections.

The same clients as ``ws_client.py``, without ``async``: each wraps a
``SyncTransport`` (the SDK's runtime supplies one) and blocks until the reply
matched by request id arrives; ``messages()`` is a blocking iterator.
"""

from __future__ import annotations

from collections.abc import Iterator
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
from .ws_client import _expect

_M_co = TypeVar("_M_co", covariant=True)


class SyncTransport(Protocol[_M_co]):
    """What a blocking typed client needs from a connection."""

    def next_request_id(self) -> str:
        """A request id not in use on this connection."""
        ...

    def send(self, message: msgspec.Struct) -> None:
        """Encode and send one message."""
        ...

    def request(self, message: msgspec.Struct, request_id: str, timeout: float | None) -> _M_co:
        """Send ``message`` and return the first frame that carries ``request_id``."""
        ...

    def messages(self) -> Iterator[_M_co]:
        """Every frame the server sends, decoded."""
        ...


class SyncGeneralClient:
    """A ``general`` connection, blocking. Echo, ping, rooms and room broadcasts."""

    group: ClassVar[str] = "general"

    def __init__(self, transport: SyncTransport[GeneralOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> GeneralOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_general_outbound(data)

    def messages(self) -> Iterator[GeneralOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    def refresh_token(
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
        reply = self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    def ping(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> Pong:
        """Application-level liveness check. Returns the ``pong`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            Ping(timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, Pong)

    def echo(
        self,
        *,
        message: Annotated[str, Meta(max_length=16384)],
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> EchoReply:
        """Send a text back to its sender. Returns the ``echo`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            Echo(message=message, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, EchoReply)

    def join_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomJoined:
        """Join a room of this connection type (idempotent). Returns the ``room_joined`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            JoinRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomJoined)

    def leave_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomLeft:
        """Leave a room (`not_in_room` when not a member). Returns the ``room_left`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            LeaveRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomLeft)

    def broadcast_to_room(
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
        reply = self.transport.request(
            BroadcastToRoom(
                room=room, message=message, data=data, timestamp=timestamp, request_id=request_id
            ),
            request_id,
            timeout,
        )
        return _expect(reply, RoomMessage)


class SyncNotificationsClient:
    """A ``notifications`` connection, blocking. User and system notifications with read
    receipts.
    """

    group: ClassVar[str] = "notifications"

    def __init__(self, transport: SyncTransport[NotificationsOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> NotificationsOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_notifications_outbound(data)

    def messages(self) -> Iterator[NotificationsOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    def refresh_token(
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
        reply = self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    def mark_notification_read(
        self,
        *,
        notification_id: NotificationId,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> NotificationRead:
        """Mark one notification read (idempotent). Returns the ``notification_read`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            MarkNotificationRead(
                notification_id=notification_id, timestamp=timestamp, request_id=request_id
            ),
            request_id,
            timeout,
        )
        return _expect(reply, NotificationRead)

    def mark_all_notifications_read(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> NotificationsRead:
        """Mark every unread notification of the user read. Returns the ``notifications_read``
        reply.
        """
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            MarkAllNotificationsRead(timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, NotificationsRead)

    def get_notifications(
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
        reply = self.transport.request(
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


class SyncTestSessionClient:
    """A ``test-session`` connection, blocking. Live monitoring of one online exam attempt."""

    group: ClassVar[str] = "test-session"

    def __init__(self, transport: SyncTransport[TestSessionOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> TestSessionOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_test_session_outbound(data)

    def messages(self) -> Iterator[TestSessionOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    def refresh_token(
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
        reply = self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    def get_session_status(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> SessionStatus:
        """The session's status; also sent unasked right after `test_session_ready`. Returns
        the ``session_status`` reply.
        """
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            GetSessionStatus(timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, SessionStatus)

    def save_answer(
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
        reply = self.transport.request(
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

    def submit_session(
        self, *, timestamp: ClientTimestamp | UnsetType = UNSET, timeout: float | None = None
    ) -> SessionSubmitted:
        """Submit the session; every connection of the session gets `session_submitted`.
        Returns the ``session_submitted`` reply.
        """
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            SubmitSession(timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, SessionSubmitted)


class SyncChatClient:
    """A ``chat`` connection, blocking. Chat rooms with messages, presence and typing
    indicators.
    """

    group: ClassVar[str] = "chat"

    def __init__(self, transport: SyncTransport[ChatOutbound]) -> None:
        self.transport = transport

    @staticmethod
    def decode(data: bytes | str) -> ChatOutbound:
        """Decode one frame the server sent to this kind of connection."""
        return decode_chat_outbound(data)

    def messages(self) -> Iterator[ChatOutbound]:
        """Every frame the server sends, decoded."""
        return self.transport.messages()

    def refresh_token(
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
        reply = self.transport.request(
            RefreshToken(token=token, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, TokenRefreshed)

    def join_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomJoined:
        """Join a room of this connection type (idempotent). Returns the ``room_joined`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            JoinRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomJoined)

    def leave_room(
        self,
        *,
        room: RoomName,
        timestamp: ClientTimestamp | UnsetType = UNSET,
        timeout: float | None = None,
    ) -> RoomLeft:
        """Leave a room (`not_in_room` when not a member). Returns the ``room_left`` reply."""
        request_id = self.transport.next_request_id()
        reply = self.transport.request(
            LeaveRoom(room=room, timestamp=timestamp, request_id=request_id), request_id, timeout
        )
        return _expect(reply, RoomLeft)

    def send_message(
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
        reply = self.transport.request(
            SendMessage(message=message, room=room, timestamp=timestamp, request_id=request_id),
            request_id,
            timeout,
        )
        return _expect(reply, ChatMessage)

    def typing(
        self, *, room: RoomName | UnsetType = UNSET, timestamp: ClientTimestamp | UnsetType = UNSET
    ) -> None:
        """Tell the room's other members that the user is typing."""
        self.transport.send(Typing(room=room, timestamp=timestamp))
