# generated from asyncapi.yaml by codegen — do not edit
"""Message types of the wsrouter WebSocket protocol.

One Struct per message, tagged by ``type``; per group of connections an
inbound union (what clients send) and an outbound union (what the server sends),
each with a module-level decoder that is built once and reused. The document was
read as the server's document (its requests with a reply are `receive` operations).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Final, Literal, TypeAlias, final

import msgspec
from msgspec import UNSET, Meta, UnsetType

RequestId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=64)]
"""Chosen by the client; echoed in the direct reply."""

Timestamp: TypeAlias = Annotated[
    str, Meta(pattern="^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\Z")
]
"""ISO 8601, UTC, with milliseconds, e.g. `2025-07-10T10:30:00.000Z`."""

ClientTimestamp: TypeAlias = Annotated[str, Meta(max_length=64)]
"""When the client sent the frame, as the client likes to write it (`2025-07-10T10:30:00.000Z`,
say). Every client message may carry one, as the message format says; the server accepts it
and ignores it.
"""

RoomName: TypeAlias = Annotated[
    str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+\\Z")
]
"""1-64 characters of `A-Z a-z 0-9 _ . : -`."""

UserId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=128)]
"""The token's `sub`."""

DisplayName: TypeAlias = Annotated[str, Meta(max_length=256)]
"""The token's `name`, or its `sub` when it has none."""

ConnectionId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=256)]
"""`{connection_type}_{user_id}_{timestamp in microseconds}`, unique cluster-wide."""

ConnectionType: TypeAlias = Literal["general", "notifications", "test-session", "chat"]
"""ConnectionType."""

Priority: TypeAlias = Literal["low", "normal", "high", "urgent"]
"""Priority."""

NotificationId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=64)]
"""NotificationId."""

QuestionId: TypeAlias = Annotated[
    str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+\\Z")
]
"""QuestionId."""

ChatMessageId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=64)]
"""ChatMessageId."""

Data: TypeAlias = dict[str, Any]
"""A free-form JSON object."""

ErrorCode: TypeAlias = Literal[
    "invalid_json",
    "invalid_message",
    "unknown_type",
    "binary_not_supported",
    "message_too_big",
    "unauthorized",
    "forbidden",
    "bad_handshake",
    "too_many_connections",
    "not_found",
    "not_in_room",
    "room_limit",
    "rate_limited",
    "session_closed",
    "deadline_passed",
    "storage_unavailable",
    "internal_error",
    "unavailable",
]
"""* `invalid_json` - the text frame is not JSON, or not a JSON object; * `invalid_message` - a
field is missing, extra or of the wrong type or range; `message` names the JSON path; *
`unknown_type` - `type` is missing or not a message of this connection type; *
`binary_not_supported` - a binary frame; * `message_too_big` - sent just before close 1009;
* `unauthorized` - bad token (handshake: close 4401) or a bad `refresh_token`; * `forbidden`
- not allowed (handshake: close 4503); * `bad_handshake` - handshake parameters (close
4500); * `too_many_connections` - per-user connection limit (close 4403); * `not_found` -
unknown id (handshake: test session, close 4504); * `not_in_room` - the connection is not a
member of that room; * `room_limit` - the connection has joined the maximum number of rooms;
* `rate_limited` - too many frames; further ones close with 4029; * `session_closed` - the
test session is submitted; * `deadline_passed` - the test session's time is up; *
`storage_unavailable` - the server could not store what was asked (a full disk, a read-only
or unreachable database): nothing was stored, nothing was acknowledged; retry later. The
server's failure, never counted against the client's streak of bad frames; *
`internal_error` - the server failed; the request may be retried; * `unavailable` - a
service the server needs is unreachable (close 1013); retry later.
"""

SessionState: TypeAlias = Literal["in_progress", "submitted", "expired"]
"""`expired` is a session whose time is up and whose auto-submit has not run yet; the server
submits it (reason `time_expired`) within moments.
"""


class Schema(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of the named object schemas."""


class NotificationItem(Schema, kw_only=True):
    """NotificationItem."""

    id: NotificationId
    title: Annotated[str, Meta(max_length=256)]
    message: Annotated[str, Meta(max_length=4000)]
    priority: Priority
    data: Data | UnsetType = UNSET
    created_at: Timestamp
    read: bool
    read_at: Timestamp | UnsetType = UNSET


class ChatMessageItem(Schema, kw_only=True):
    """ChatMessageItem."""

    id: ChatMessageId
    room: RoomName
    sender_id: UserId
    sender_name: DisplayName
    message: Annotated[str, Meta(min_length=1, max_length=4000)]
    timestamp: Timestamp


class RoomUser(Schema, kw_only=True):
    """RoomUser."""

    user_id: UserId
    username: DisplayName


class SavedAnswer(Schema, kw_only=True):
    """SavedAnswer."""

    answer: Any
    version: Annotated[int, Meta(ge=1)]
    saved_at: Timestamp


class Message(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """Base of the tagged messages."""


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Ping(Message, tag="ping", kw_only=True):
    """Ping."""

    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Pong(Message, tag="pong", kw_only=True):
    """Pong."""

    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Echo(Message, tag="echo", kw_only=True):
    """Echo."""

    message: Annotated[str, Meta(max_length=16384)]
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class EchoReply(Message, tag="echo", kw_only=True):
    """EchoReply."""

    message: Annotated[str, Meta(max_length=16384)]
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class JoinRoom(Message, tag="join_room", kw_only=True):
    """JoinRoom."""

    room: RoomName
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class RoomJoined(Message, tag="room_joined", kw_only=True):
    """RoomJoined."""

    room: RoomName
    member_count: Annotated[int, Meta(ge=1)]
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class LeaveRoom(Message, tag="leave_room", kw_only=True):
    """LeaveRoom."""

    room: RoomName
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class RoomLeft(Message, tag="room_left", kw_only=True):
    """RoomLeft."""

    room: RoomName
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class BroadcastToRoom(Message, tag="broadcast_to_room", kw_only=True):
    """BroadcastToRoom."""

    room: RoomName
    message: Annotated[str, Meta(max_length=16384)]
    data: Data | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class RoomMessage(Message, tag="room_message", kw_only=True):
    """RoomMessage."""

    room: RoomName
    message: Annotated[str, Meta(max_length=16384)]
    data: Data | UnsetType = UNSET
    sender_id: UserId
    sender_name: DisplayName
    connection_id: ConnectionId
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class RefreshToken(Message, tag="refresh_token", kw_only=True):
    """RefreshToken."""

    token: Annotated[str, Meta(min_length=1, max_length=8192)]
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class TokenRefreshed(Message, tag="token_refreshed", kw_only=True):
    """TokenRefreshed."""

    expires_at: Timestamp
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class ConnectionEstablished(Message, tag="connection_established", kw_only=True):
    """ConnectionEstablished."""

    connection_id: ConnectionId
    connection_type: ConnectionType
    user_id: UserId
    room: Annotated[str, Meta(max_length=64)] | None
    server_time: Timestamp
    heartbeat_interval: Annotated[int, Meta(ge=1)]
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Error(Message, tag="error", kw_only=True):
    """Error."""

    code: ErrorCode
    message: Annotated[str, Meta(max_length=1024)]
    details: Data | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class AdminBroadcast(Schema, kw_only=True):
    """AdminBroadcast."""

    type: Annotated[str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+\\Z")]
    title: Annotated[str, Meta(max_length=256)] | UnsetType = UNSET
    message: Annotated[str, Meta(max_length=16384)]
    priority: Priority | UnsetType = UNSET
    data: Data | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Notification(Message, tag="notification", kw_only=True):
    """Notification."""

    id: NotificationId
    title: Annotated[str, Meta(max_length=256)]
    message: Annotated[str, Meta(max_length=4000)]
    priority: Priority
    data: Data | UnsetType = UNSET
    created_at: Timestamp
    read: bool
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class MarkNotificationRead(Message, tag="mark_notification_read", kw_only=True):
    """MarkNotificationRead."""

    notification_id: NotificationId
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class NotificationRead(Message, tag="notification_read", kw_only=True):
    """NotificationRead."""

    notification_id: NotificationId
    read_at: Timestamp
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class MarkAllNotificationsRead(Message, tag="mark_all_notifications_read", kw_only=True):
    """MarkAllNotificationsRead."""

    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class NotificationsRead(Message, tag="notifications_read", kw_only=True):
    """NotificationsRead."""

    notification_ids: list[NotificationId]
    read_at: Timestamp
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class GetNotifications(Message, tag="get_notifications", kw_only=True):
    """GetNotifications."""

    unread_only: bool = False
    limit: Annotated[int, Meta(ge=1, le=100)] = 20
    before: NotificationId | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class NotificationList(Message, tag="notification_list", kw_only=True):
    """NotificationList."""

    items: Annotated[list[NotificationItem], Meta(max_length=100)]
    has_more: bool
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class TestSessionReady(Message, tag="test_session_ready", kw_only=True):
    """TestSessionReady."""

    connection_id: ConnectionId
    connection_type: ConnectionType
    user_id: UserId
    room: RoomName
    session_id: RoomName
    server_time: Timestamp
    heartbeat_interval: Annotated[int, Meta(ge=1)]
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class GetSessionStatus(Message, tag="get_session_status", kw_only=True):
    """GetSessionStatus."""

    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class SessionStatus(Message, tag="session_status", kw_only=True):
    """SessionStatus."""

    session_id: RoomName
    status: SessionState
    started_at: Timestamp
    ends_at: Timestamp
    submitted_at: Timestamp | UnsetType = UNSET
    remaining_seconds: Annotated[int, Meta(ge=0)]
    answered_count: Annotated[int, Meta(ge=0)]
    answers: dict[str, SavedAnswer] | UnsetType = UNSET
    server_time: Timestamp
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class TimerUpdate(Message, tag="timer_update", kw_only=True):
    """TimerUpdate."""

    session_id: RoomName
    remaining_seconds: Annotated[int, Meta(ge=0)]
    ends_at: Timestamp
    warning: bool = False
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class SaveAnswer(Message, tag="save_answer", kw_only=True):
    """SaveAnswer."""

    question_id: QuestionId
    answer: Any
    client_answer_id: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class AnswerSaved(Message, tag="answer_saved", kw_only=True):
    """AnswerSaved."""

    question_id: QuestionId
    version: Annotated[int, Meta(ge=1)]
    saved_at: Timestamp
    client_answer_id: Annotated[str, Meta(min_length=1, max_length=64)] | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class AnswerSynced(Message, tag="answer_synced", kw_only=True):
    """AnswerSynced."""

    session_id: RoomName
    question_id: QuestionId
    answer: Any
    version: Annotated[int, Meta(ge=1)]
    saved_at: Timestamp
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class SubmitSession(Message, tag="submit_session", kw_only=True):
    """SubmitSession."""

    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class SessionSubmitted(Message, tag="session_submitted", kw_only=True):
    """SessionSubmitted."""

    session_id: RoomName
    submitted_at: Timestamp
    reason: Literal["manual", "time_expired"]
    answered_count: Annotated[int, Meta(ge=0)]
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class ChatHistory(Message, tag="chat_history", kw_only=True):
    """ChatHistory."""

    room: RoomName
    messages: Annotated[list[ChatMessageItem], Meta(max_length=50)]
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Presence(Message, tag="presence", kw_only=True):
    """Presence."""

    room: RoomName
    users: list[RoomUser]
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class UserJoined(Message, tag="user_joined", kw_only=True):
    """UserJoined."""

    room: RoomName
    user_id: UserId
    username: DisplayName
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class UserLeft(Message, tag="user_left", kw_only=True):
    """UserLeft."""

    room: RoomName
    user_id: UserId
    username: DisplayName
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class SendMessage(Message, tag="send_message", kw_only=True):
    """SendMessage."""

    message: Annotated[str, Meta(min_length=1, max_length=4000)]
    room: RoomName | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class ChatMessage(Message, tag="chat_message", kw_only=True):
    """ChatMessage."""

    id: ChatMessageId
    room: RoomName
    sender_id: UserId
    sender_name: DisplayName
    message: Annotated[str, Meta(min_length=1, max_length=4000)]
    request_id: RequestId | UnsetType = UNSET
    timestamp: Timestamp


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Typing(Message, tag="typing", kw_only=True):
    """Typing."""

    room: RoomName | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET
    timestamp: ClientTimestamp | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class UserTyping(Message, tag="user_typing", kw_only=True):
    """UserTyping."""

    room: RoomName
    user_id: UserId
    username: DisplayName
    timestamp: Timestamp


class WsQuery(Schema, kw_only=True, forbid_unknown_fields=False):
    """WsQuery."""

    connection_type: ConnectionType = "general"
    token: Annotated[str, Meta(max_length=8192)] | UnsetType = UNSET
    room: RoomName | UnsetType = UNSET


ErrorMessage: TypeAlias = Error
"""The failure replies."""


class ReplyError(Exception):
    """A failure reply: handlers raise it to answer with it; client methods raise it."""

    def __init__(self, reply: ErrorMessage) -> None:
        super().__init__(reply)
        self.reply = reply


class _Tagged(msgspec.Struct):
    type: object = None


_tag_decoder: Final = msgspec.json.Decoder(_Tagged)


def peek_tag(data: bytes | str) -> str | None:
    """The ``type`` of a JSON frame, or ``None`` when it has no string one."""
    try:
        tag = _tag_decoder.decode(data).type
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return tag if isinstance(tag, str) else None


GeneralInbound: TypeAlias = RefreshToken | Ping | Echo | JoinRoom | LeaveRoom | BroadcastToRoom
"""What clients send on a 'general' connection."""

GENERAL_INBOUND_TAGS: Final = frozenset(
    {"refresh_token", "ping", "echo", "join_room", "leave_room", "broadcast_to_room"}
)
"""The tags of ``GeneralInbound``."""

_decode_general_inbound: Final[msgspec.json.Decoder[GeneralInbound]] = msgspec.json.Decoder(
    RefreshToken | Ping | Echo | JoinRoom | LeaveRoom | BroadcastToRoom
)


def decode_general_inbound(data: bytes | str) -> GeneralInbound:
    """Decode and validate one frame of ``GeneralInbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    return _decode_general_inbound.decode(data)


GeneralOutbound: TypeAlias = (
    ConnectionEstablished
    | Error
    | AdminBroadcast
    | RoomMessage
    | TokenRefreshed
    | Pong
    | EchoReply
    | RoomJoined
    | RoomLeft
)
"""What the server sends to a 'general' connection."""

GENERAL_OUTBOUND_TAGS: Final = frozenset(
    {
        "connection_established",
        "error",
        "room_message",
        "token_refreshed",
        "pong",
        "echo",
        "room_joined",
        "room_left",
    }
)
"""The tags of ``GeneralOutbound``."""

_decode_general_outbound: Final[msgspec.json.Decoder[GeneralOutbound]] = msgspec.json.Decoder(
    ConnectionEstablished
    | Error
    | RoomMessage
    | TokenRefreshed
    | Pong
    | EchoReply
    | RoomJoined
    | RoomLeft
)
_decode_general_outbound_fallback: Final = msgspec.json.Decoder(AdminBroadcast)


def decode_general_outbound(data: bytes | str) -> GeneralOutbound:
    """Decode and validate one frame of ``GeneralOutbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    try:
        return _decode_general_outbound.decode(data)
    except msgspec.ValidationError:
        if peek_tag(data) in GENERAL_OUTBOUND_TAGS:
            raise
    return _decode_general_outbound_fallback.decode(data)


NotificationsInbound: TypeAlias = (
    RefreshToken | MarkNotificationRead | MarkAllNotificationsRead | GetNotifications
)
"""What clients send on a 'notifications' connection."""

NOTIFICATIONS_INBOUND_TAGS: Final = frozenset(
    {"refresh_token", "mark_notification_read", "mark_all_notifications_read", "get_notifications"}
)
"""The tags of ``NotificationsInbound``."""

_decode_notifications_inbound: Final[msgspec.json.Decoder[NotificationsInbound]] = (
    msgspec.json.Decoder(
        RefreshToken | MarkNotificationRead | MarkAllNotificationsRead | GetNotifications
    )
)


def decode_notifications_inbound(data: bytes | str) -> NotificationsInbound:
    """Decode and validate one frame of ``NotificationsInbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    return _decode_notifications_inbound.decode(data)


NotificationsOutbound: TypeAlias = (
    ConnectionEstablished
    | Error
    | AdminBroadcast
    | Notification
    | NotificationRead
    | NotificationsRead
    | TokenRefreshed
    | NotificationList
)
"""What the server sends to a 'notifications' connection."""

NOTIFICATIONS_OUTBOUND_TAGS: Final = frozenset(
    {
        "connection_established",
        "error",
        "notification",
        "notification_read",
        "notifications_read",
        "token_refreshed",
        "notification_list",
    }
)
"""The tags of ``NotificationsOutbound``."""

_decode_notifications_outbound: Final[msgspec.json.Decoder[NotificationsOutbound]] = (
    msgspec.json.Decoder(
        ConnectionEstablished
        | Error
        | Notification
        | NotificationRead
        | NotificationsRead
        | TokenRefreshed
        | NotificationList
    )
)
_decode_notifications_outbound_fallback: Final = msgspec.json.Decoder(AdminBroadcast)


def decode_notifications_outbound(data: bytes | str) -> NotificationsOutbound:
    """Decode and validate one frame of ``NotificationsOutbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    try:
        return _decode_notifications_outbound.decode(data)
    except msgspec.ValidationError:
        if peek_tag(data) in NOTIFICATIONS_OUTBOUND_TAGS:
            raise
    return _decode_notifications_outbound_fallback.decode(data)


TestSessionInbound: TypeAlias = RefreshToken | GetSessionStatus | SaveAnswer | SubmitSession
"""What clients send on a 'test-session' connection."""

TEST_SESSION_INBOUND_TAGS: Final = frozenset(
    {"refresh_token", "get_session_status", "save_answer", "submit_session"}
)
"""The tags of ``TestSessionInbound``."""

_decode_test_session_inbound: Final[msgspec.json.Decoder[TestSessionInbound]] = (
    msgspec.json.Decoder(RefreshToken | GetSessionStatus | SaveAnswer | SubmitSession)
)


def decode_test_session_inbound(data: bytes | str) -> TestSessionInbound:
    """Decode and validate one frame of ``TestSessionInbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    return _decode_test_session_inbound.decode(data)


TestSessionOutbound: TypeAlias = (
    Error
    | AdminBroadcast
    | TestSessionReady
    | SessionStatus
    | TimerUpdate
    | AnswerSynced
    | SessionSubmitted
    | TokenRefreshed
    | AnswerSaved
)
"""What the server sends to a 'test-session' connection."""

TEST_SESSION_OUTBOUND_TAGS: Final = frozenset(
    {
        "error",
        "test_session_ready",
        "session_status",
        "timer_update",
        "answer_synced",
        "session_submitted",
        "token_refreshed",
        "answer_saved",
    }
)
"""The tags of ``TestSessionOutbound``."""

_decode_test_session_outbound: Final[msgspec.json.Decoder[TestSessionOutbound]] = (
    msgspec.json.Decoder(
        Error
        | TestSessionReady
        | SessionStatus
        | TimerUpdate
        | AnswerSynced
        | SessionSubmitted
        | TokenRefreshed
        | AnswerSaved
    )
)
_decode_test_session_outbound_fallback: Final = msgspec.json.Decoder(AdminBroadcast)


def decode_test_session_outbound(data: bytes | str) -> TestSessionOutbound:
    """Decode and validate one frame of ``TestSessionOutbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    try:
        return _decode_test_session_outbound.decode(data)
    except msgspec.ValidationError:
        if peek_tag(data) in TEST_SESSION_OUTBOUND_TAGS:
            raise
    return _decode_test_session_outbound_fallback.decode(data)


ChatInbound: TypeAlias = RefreshToken | JoinRoom | LeaveRoom | SendMessage | Typing
"""What clients send on a 'chat' connection."""

CHAT_INBOUND_TAGS: Final = frozenset(
    {"refresh_token", "join_room", "leave_room", "send_message", "typing"}
)
"""The tags of ``ChatInbound``."""

_decode_chat_inbound: Final[msgspec.json.Decoder[ChatInbound]] = msgspec.json.Decoder(
    RefreshToken | JoinRoom | LeaveRoom | SendMessage | Typing
)


def decode_chat_inbound(data: bytes | str) -> ChatInbound:
    """Decode and validate one frame of ``ChatInbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    return _decode_chat_inbound.decode(data)


ChatOutbound: TypeAlias = (
    ConnectionEstablished
    | Error
    | AdminBroadcast
    | ChatHistory
    | Presence
    | UserJoined
    | UserLeft
    | ChatMessage
    | UserTyping
    | TokenRefreshed
    | RoomJoined
    | RoomLeft
)
"""What the server sends to a 'chat' connection."""

CHAT_OUTBOUND_TAGS: Final = frozenset(
    {
        "connection_established",
        "error",
        "chat_history",
        "presence",
        "user_joined",
        "user_left",
        "chat_message",
        "user_typing",
        "token_refreshed",
        "room_joined",
        "room_left",
    }
)
"""The tags of ``ChatOutbound``."""

_decode_chat_outbound: Final[msgspec.json.Decoder[ChatOutbound]] = msgspec.json.Decoder(
    ConnectionEstablished
    | Error
    | ChatHistory
    | Presence
    | UserJoined
    | UserLeft
    | ChatMessage
    | UserTyping
    | TokenRefreshed
    | RoomJoined
    | RoomLeft
)
_decode_chat_outbound_fallback: Final = msgspec.json.Decoder(AdminBroadcast)


def decode_chat_outbound(data: bytes | str) -> ChatOutbound:
    """Decode and validate one frame of ``ChatOutbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    try:
        return _decode_chat_outbound.decode(data)
    except msgspec.ValidationError:
        if peek_tag(data) in CHAT_OUTBOUND_TAGS:
            raise
    return _decode_chat_outbound_fallback.decode(data)


class CloseCode(enum.IntEnum):
    """The close codes of the protocol."""

    NORMAL_CLOSURE = 1000
    """The connection was closed normally."""

    MESSAGE_TOO_BIG = 1009
    """A frame was larger than the limit (64 KiB by default)."""

    INTERNAL_ERROR = 1011
    """The server met an unexpected condition."""

    SERVICE_RESTART = 1012
    """The server is shutting down or restarting; reconnect to another node."""

    TRY_AGAIN_LATER = 1013
    """A service the server needs (cluster mode's Redis, or the database a connection's opening
    reads) is unreachable right now; reconnect after a backoff, to this node or another.
    """

    DISCONNECTED_BY_ADMIN = 4000
    """An administrator closed this connection and let it reconnect (`DELETE
    /ws/connections/{id}?reconnect=true`).
    """

    SLOW_CONSUMER = 4008
    """The connection's outbound queue passed its limit."""

    RATE_LIMITED = 4029
    """The client kept sending after `rate_limited` errors, or sent too many bad frames in a
    row.
    """

    UNAUTHORIZED = 4401
    """Token missing, invalid or expired (also at expiry mid-connection); reconnect with a
    fresh token.
    """

    TOO_MANY_CONNECTIONS = 4403
    """The user already has the maximum number of connections open."""

    BAD_HANDSHAKE = 4500
    """Unknown `connection_type`, or a missing or malformed `room`."""

    FORBIDDEN = 4503
    """The token's user may not open this connection (another user's test session)."""

    SESSION_NOT_FOUND = 4504
    """The test session named by `room` does not exist."""

    REMOVED_BY_ADMIN = 4505
    """An administrator closed this connection for good (`DELETE /ws/connections/{id}`, without
    `reconnect=true`).
    """


RETRYABLE_CLOSE_CODES: Final[frozenset[int]] = frozenset(
    {1009, 1011, 1012, 1013, 4000, 4008, 4029, 4401, 4403}
)
"""Close codes after which reconnecting may help."""

CLOSE_CODE_DESCRIPTIONS: Final[dict[int, str]] = {
    1000: "The connection was closed normally.",
    1009: "A frame was larger than the limit (64 KiB by default).",
    1011: "The server met an unexpected condition.",
    1012: "The server is shutting down or restarting; reconnect to another node.",
    1013: "A service the server needs (cluster mode's Redis, or the database a connection's opening reads) is unreachable right now; reconnect after a backoff, to this node or another.",
    4000: "An administrator closed this connection and let it reconnect (`DELETE /ws/connections/{id}?reconnect=true`).",
    4008: "The connection's outbound queue passed its limit.",
    4029: "The client kept sending after `rate_limited` errors, or sent too many bad frames in a row.",
    4401: "Token missing, invalid or expired (also at expiry mid-connection); reconnect with a fresh token.",
    4403: "The user already has the maximum number of connections open.",
    4500: "Unknown `connection_type`, or a missing or malformed `room`.",
    4503: "The token's user may not open this connection (another user's test session).",
    4504: "The test session named by `room` does not exist.",
    4505: "An administrator closed this connection for good (`DELETE /ws/connections/{id}`, without `reconnect=true`).",
}
"""What each close code means, in words."""
