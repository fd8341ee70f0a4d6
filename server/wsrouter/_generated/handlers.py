# generated from asyncapi.yaml by codegen — do not edit
"""Handler interfaces of the wsrouter WebSocket protocol, one per group of connections.

Implement a group's interface (one ``on_<message>`` method per message its clients
may send) and call ``dispatch`` with each decoded inbound message: it runs the
matching method and returns the reply to send, with the request id copied from
the request. A method raises ``ReplyError`` to answer with an error instead.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable
from typing import Protocol, TypeAlias, TypeVar, assert_never

from msgspec import UnsetType

from .messages import (
    AnswerSaved,
    BroadcastToRoom,
    ChatInbound,
    ChatMessage,
    Echo,
    EchoReply,
    Error,
    ErrorMessage,
    GeneralInbound,
    GetNotifications,
    GetSessionStatus,
    JoinRoom,
    LeaveRoom,
    MarkAllNotificationsRead,
    MarkNotificationRead,
    NotificationList,
    NotificationRead,
    NotificationsInbound,
    NotificationsRead,
    Ping,
    Pong,
    RefreshToken,
    ReplyError,
    RequestId,
    RoomJoined,
    RoomLeft,
    RoomMessage,
    SaveAnswer,
    SendMessage,
    SessionStatus,
    SessionSubmitted,
    SubmitSession,
    TestSessionInbound,
    TokenRefreshed,
    Typing,
)


class _Correlated(Protocol):
    request_id: RequestId | UnsetType


_R = TypeVar("_R", bound=_Correlated)


async def _answer(pending: Awaitable[_R], request_id: RequestId | UnsetType) -> _R | ErrorMessage:
    """Await a handler; copy the request's id into its reply, or into its error."""
    try:
        reply = await pending
    except ReplyError as exc:
        exc.reply.request_id = request_id
        return exc.reply
    reply.request_id = request_id
    return reply


async def _no_answer(
    pending: Awaitable[None], request_id: RequestId | UnsetType
) -> ErrorMessage | None:
    """Await a handler that has no reply; return its error, if it raised one."""
    try:
        await pending
    except ReplyError as exc:
        exc.reply.request_id = request_id
        return exc.reply
    return None


GeneralReply: TypeAlias = (
    TokenRefreshed | Error | Pong | EchoReply | RoomJoined | RoomLeft | RoomMessage
)
"""What ``GeneralHandler.dispatch`` may return."""


class GeneralHandler(abc.ABC):
    """Handles what a ``general`` connection sends. Echo, ping, rooms and room broadcasts."""

    @abc.abstractmethod
    async def on_refresh_token(self, message: RefreshToken) -> TokenRefreshed:
        """Replace the connection's token before it expires."""

    @abc.abstractmethod
    async def on_ping(self, message: Ping) -> Pong:
        """Application-level liveness check."""

    @abc.abstractmethod
    async def on_echo(self, message: Echo) -> EchoReply:
        """Send a text back to its sender."""

    @abc.abstractmethod
    async def on_join_room(self, message: JoinRoom) -> RoomJoined:
        """Join a room of this connection type (idempotent)."""

    @abc.abstractmethod
    async def on_leave_room(self, message: LeaveRoom) -> RoomLeft:
        """Leave a room (`not_in_room` when not a member)."""

    @abc.abstractmethod
    async def on_broadcast_to_room(self, message: BroadcastToRoom) -> RoomMessage:
        """Send a message to every member of a room the sender has joined."""

    async def dispatch(self, message: GeneralInbound) -> GeneralReply | None:
        """Run the method for ``message`` and return what to send back, if anything."""
        match message:
            case RefreshToken():
                return await _answer(self.on_refresh_token(message), message.request_id)
            case Ping():
                return await _answer(self.on_ping(message), message.request_id)
            case Echo():
                return await _answer(self.on_echo(message), message.request_id)
            case JoinRoom():
                return await _answer(self.on_join_room(message), message.request_id)
            case LeaveRoom():
                return await _answer(self.on_leave_room(message), message.request_id)
            case BroadcastToRoom():
                return await _answer(self.on_broadcast_to_room(message), message.request_id)
            case _:
                assert_never(message)


NotificationsReply: TypeAlias = (
    TokenRefreshed | Error | NotificationRead | NotificationsRead | NotificationList
)
"""What ``NotificationsHandler.dispatch`` may return."""


class NotificationsHandler(abc.ABC):
    """Handles what a ``notifications`` connection sends. User and system notifications with
    read receipts.
    """

    @abc.abstractmethod
    async def on_refresh_token(self, message: RefreshToken) -> TokenRefreshed:
        """Replace the connection's token before it expires."""

    @abc.abstractmethod
    async def on_mark_notification_read(self, message: MarkNotificationRead) -> NotificationRead:
        """Mark one notification read (idempotent)."""

    @abc.abstractmethod
    async def on_mark_all_notifications_read(
        self, message: MarkAllNotificationsRead
    ) -> NotificationsRead:
        """Mark every unread notification of the user read."""

    @abc.abstractmethod
    async def on_get_notifications(self, message: GetNotifications) -> NotificationList:
        """List the user's notifications, newest first."""

    async def dispatch(self, message: NotificationsInbound) -> NotificationsReply | None:
        """Run the method for ``message`` and return what to send back, if anything."""
        match message:
            case RefreshToken():
                return await _answer(self.on_refresh_token(message), message.request_id)
            case MarkNotificationRead():
                return await _answer(self.on_mark_notification_read(message), message.request_id)
            case MarkAllNotificationsRead():
                return await _answer(
                    self.on_mark_all_notifications_read(message), message.request_id
                )
            case GetNotifications():
                return await _answer(self.on_get_notifications(message), message.request_id)
            case _:
                assert_never(message)


TestSessionReply: TypeAlias = (
    TokenRefreshed | Error | SessionStatus | AnswerSaved | SessionSubmitted
)
"""What ``TestSessionHandler.dispatch`` may return."""


class TestSessionHandler(abc.ABC):
    """Handles what a ``test-session`` connection sends. Live monitoring of one online exam
    attempt.
    """

    @abc.abstractmethod
    async def on_refresh_token(self, message: RefreshToken) -> TokenRefreshed:
        """Replace the connection's token before it expires."""

    @abc.abstractmethod
    async def on_get_session_status(self, message: GetSessionStatus) -> SessionStatus:
        """The session's status; also sent unasked right after `test_session_ready`."""

    @abc.abstractmethod
    async def on_save_answer(self, message: SaveAnswer) -> AnswerSaved:
        """Save the answer to one question, durably."""

    @abc.abstractmethod
    async def on_submit_session(self, message: SubmitSession) -> SessionSubmitted:
        """Submit the session; every connection of the session gets `session_submitted`."""

    async def dispatch(self, message: TestSessionInbound) -> TestSessionReply | None:
        """Run the method for ``message`` and return what to send back, if anything."""
        match message:
            case RefreshToken():
                return await _answer(self.on_refresh_token(message), message.request_id)
            case GetSessionStatus():
                return await _answer(self.on_get_session_status(message), message.request_id)
            case SaveAnswer():
                return await _answer(self.on_save_answer(message), message.request_id)
            case SubmitSession():
                return await _answer(self.on_submit_session(message), message.request_id)
            case _:
                assert_never(message)


ChatReply: TypeAlias = TokenRefreshed | Error | RoomJoined | RoomLeft | ChatMessage
"""What ``ChatHandler.dispatch`` may return."""


class ChatHandler(abc.ABC):
    """Handles what a ``chat`` connection sends. Chat rooms with messages, presence and typing
    indicators.
    """

    @abc.abstractmethod
    async def on_refresh_token(self, message: RefreshToken) -> TokenRefreshed:
        """Replace the connection's token before it expires."""

    @abc.abstractmethod
    async def on_join_room(self, message: JoinRoom) -> RoomJoined:
        """Join a room of this connection type (idempotent)."""

    @abc.abstractmethod
    async def on_leave_room(self, message: LeaveRoom) -> RoomLeft:
        """Leave a room (`not_in_room` when not a member)."""

    @abc.abstractmethod
    async def on_send_message(self, message: SendMessage) -> ChatMessage:
        """Post a chat message; it is stored, then sent to every member, the sender included."""

    @abc.abstractmethod
    async def on_typing(self, message: Typing) -> None:
        """Tell the room's other members that the user is typing."""

    async def dispatch(self, message: ChatInbound) -> ChatReply | None:
        """Run the method for ``message`` and return what to send back, if anything."""
        match message:
            case RefreshToken():
                return await _answer(self.on_refresh_token(message), message.request_id)
            case JoinRoom():
                return await _answer(self.on_join_room(message), message.request_id)
            case LeaveRoom():
                return await _answer(self.on_leave_room(message), message.request_id)
            case SendMessage():
                return await _answer(self.on_send_message(message), message.request_id)
            case Typing():
                return await _no_answer(self.on_typing(message), message.request_id)
            case _:
                assert_never(message)
