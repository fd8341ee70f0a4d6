# generated from asyncapi.yaml by codegen — do not edit
"""Handler interfaces of the wsrouter WebSocket protocol, one per group of connections.

Implement a group's interface (one ``on_<message>`` method per message its clients
may send) and call ``dispatch`` with each decoded inbound message: it runs the
matching method and returns the reply to send, with the request id copied from
the request. A method raises ``ReplyError`` to answer with an error instead.
"""

from __future__ import annotations

import abc
from typing import TypeAlias, assert_never

from .messages import (
    AnswerSaved,
    BroadcastToRoom,
    ChatInbound,
    ChatMessage,
    Echo,
    EchoReply,
    Error,
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
        """Run the method for ``message`` and return what to send back, if anything.

        A ``ReplyError`` the method raises comes back as its error message; the request's
        id is copied into the reply or the error.
        """
        # `type(...) is` rather than `match`: a class pattern costs several times as much
        # (this runs once per frame), and the message classes are final.
        if type(message) is RefreshToken:
            try:
                reply_token_refreshed = await self.on_refresh_token(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_token_refreshed.request_id = message.request_id
            return reply_token_refreshed
        if type(message) is Ping:
            try:
                reply_pong = await self.on_ping(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_pong.request_id = message.request_id
            return reply_pong
        if type(message) is Echo:
            try:
                reply_echo_reply = await self.on_echo(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_echo_reply.request_id = message.request_id
            return reply_echo_reply
        if type(message) is JoinRoom:
            try:
                reply_room_joined = await self.on_join_room(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_room_joined.request_id = message.request_id
            return reply_room_joined
        if type(message) is LeaveRoom:
            try:
                reply_room_left = await self.on_leave_room(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_room_left.request_id = message.request_id
            return reply_room_left
        if type(message) is BroadcastToRoom:
            try:
                reply_room_message = await self.on_broadcast_to_room(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_room_message.request_id = message.request_id
            return reply_room_message
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
        """Run the method for ``message`` and return what to send back, if anything.

        A ``ReplyError`` the method raises comes back as its error message; the request's
        id is copied into the reply or the error.
        """
        # `type(...) is` rather than `match`: a class pattern costs several times as much
        # (this runs once per frame), and the message classes are final.
        if type(message) is RefreshToken:
            try:
                reply_token_refreshed = await self.on_refresh_token(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_token_refreshed.request_id = message.request_id
            return reply_token_refreshed
        if type(message) is MarkNotificationRead:
            try:
                reply_notification_read = await self.on_mark_notification_read(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_notification_read.request_id = message.request_id
            return reply_notification_read
        if type(message) is MarkAllNotificationsRead:
            try:
                reply_notifications_read = await self.on_mark_all_notifications_read(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_notifications_read.request_id = message.request_id
            return reply_notifications_read
        if type(message) is GetNotifications:
            try:
                reply_notification_list = await self.on_get_notifications(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_notification_list.request_id = message.request_id
            return reply_notification_list
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
        """Run the method for ``message`` and return what to send back, if anything.

        A ``ReplyError`` the method raises comes back as its error message; the request's
        id is copied into the reply or the error.
        """
        # `type(...) is` rather than `match`: a class pattern costs several times as much
        # (this runs once per frame), and the message classes are final.
        if type(message) is RefreshToken:
            try:
                reply_token_refreshed = await self.on_refresh_token(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_token_refreshed.request_id = message.request_id
            return reply_token_refreshed
        if type(message) is GetSessionStatus:
            try:
                reply_session_status = await self.on_get_session_status(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_session_status.request_id = message.request_id
            return reply_session_status
        if type(message) is SaveAnswer:
            try:
                reply_answer_saved = await self.on_save_answer(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_answer_saved.request_id = message.request_id
            return reply_answer_saved
        if type(message) is SubmitSession:
            try:
                reply_session_submitted = await self.on_submit_session(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_session_submitted.request_id = message.request_id
            return reply_session_submitted
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
        """Run the method for ``message`` and return what to send back, if anything.

        A ``ReplyError`` the method raises comes back as its error message; the request's
        id is copied into the reply or the error.
        """
        # `type(...) is` rather than `match`: a class pattern costs several times as much
        # (this runs once per frame), and the message classes are final.
        if type(message) is RefreshToken:
            try:
                reply_token_refreshed = await self.on_refresh_token(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_token_refreshed.request_id = message.request_id
            return reply_token_refreshed
        if type(message) is JoinRoom:
            try:
                reply_room_joined = await self.on_join_room(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_room_joined.request_id = message.request_id
            return reply_room_joined
        if type(message) is LeaveRoom:
            try:
                reply_room_left = await self.on_leave_room(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_room_left.request_id = message.request_id
            return reply_room_left
        if type(message) is SendMessage:
            try:
                reply_chat_message = await self.on_send_message(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            reply_chat_message.request_id = message.request_id
            return reply_chat_message
        if type(message) is Typing:
            try:
                await self.on_typing(message)
            except ReplyError as exc:
                exc.reply.request_id = message.request_id
                return exc.reply
            return None
        assert_never(message)
