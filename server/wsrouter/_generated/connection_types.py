# generated from asyncapi.yaml by codegen — do not edit
"""The connection types of the wsrouter WebSocket protocol: one row each, in spec order.

A row says what the server needs to serve the type: the handler interface its
handler class implements (one ``on_<message>`` method per name in ``methods``),
the decoder of what clients send, whether the handshake needs a ``room``, and the
message that opens the connection. Nothing else lists the connection types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from .handlers import (
    ChatHandler,
    GeneralHandler,
    NotificationsHandler,
    TestSessionHandler,
)
from .messages import (
    CHAT_INBOUND_TAGS,
    CHAT_OUTBOUND_TAGS,
    GENERAL_INBOUND_TAGS,
    GENERAL_OUTBOUND_TAGS,
    NOTIFICATIONS_INBOUND_TAGS,
    NOTIFICATIONS_OUTBOUND_TAGS,
    TEST_SESSION_INBOUND_TAGS,
    TEST_SESSION_OUTBOUND_TAGS,
    ConnectionEstablished,
    TestSessionReady,
    decode_chat_inbound,
    decode_general_inbound,
    decode_notifications_inbound,
    decode_test_session_inbound,
)

ConnectionTypeName: TypeAlias = Literal["general", "notifications", "test-session", "chat"]
"""The ``connection_type`` of a handshake."""


@dataclass(frozen=True, slots=True)
class ConnectionTypeSpec:
    """One connection type of the protocol."""

    name: str
    """The ``connection_type`` of the handshake."""
    description: str
    module: str
    """The conventional module name of its handler (``connection_types/<module>.py``)."""
    interface: type[Any]
    """The generated handler interface (an abstract class) its handler implements."""
    methods: tuple[str, ...]
    """The ``on_<message>`` methods of the interface, one per message clients send."""
    decode: Callable[[str | bytes], Any]
    """Decodes a frame a client sends (``msgspec`` errors for bad input)."""
    inbound_tags: frozenset[str]
    """The ``type`` of every message clients may send."""
    outbound_tags: frozenset[str]
    """The ``type`` of every message the server may send."""
    room_required: bool
    """Whether the handshake needs a ``room`` (it is ignored otherwise)."""
    room_description: str
    """What the handshake's ``room`` names, when it needs one."""
    greeting: type[Any] | None
    """The first message of a connection."""


GENERAL: Final = ConnectionTypeSpec(
    name="general",
    description="Echo, ping, rooms and room broadcasts.",
    module="general",
    interface=GeneralHandler,
    methods=(
        "on_refresh_token",
        "on_ping",
        "on_echo",
        "on_join_room",
        "on_leave_room",
        "on_broadcast_to_room",
    ),
    decode=decode_general_inbound,
    inbound_tags=GENERAL_INBOUND_TAGS,
    outbound_tags=GENERAL_OUTBOUND_TAGS,
    room_required=False,
    room_description="",
    greeting=ConnectionEstablished,
)
"""``general``: Echo, ping, rooms and room broadcasts."""

NOTIFICATIONS: Final = ConnectionTypeSpec(
    name="notifications",
    description="User and system notifications with read receipts.",
    module="notifications",
    interface=NotificationsHandler,
    methods=(
        "on_refresh_token",
        "on_mark_notification_read",
        "on_mark_all_notifications_read",
        "on_get_notifications",
    ),
    decode=decode_notifications_inbound,
    inbound_tags=NOTIFICATIONS_INBOUND_TAGS,
    outbound_tags=NOTIFICATIONS_OUTBOUND_TAGS,
    room_required=False,
    room_description="",
    greeting=ConnectionEstablished,
)
"""``notifications``: User and system notifications with read receipts."""

TEST_SESSION: Final = ConnectionTypeSpec(
    name="test-session",
    description="Live monitoring of one online exam attempt.",
    module="test_session",
    interface=TestSessionHandler,
    methods=("on_refresh_token", "on_get_session_status", "on_save_answer", "on_submit_session"),
    decode=decode_test_session_inbound,
    inbound_tags=TEST_SESSION_INBOUND_TAGS,
    outbound_tags=TEST_SESSION_OUTBOUND_TAGS,
    room_required=True,
    room_description="the test session's id",
    greeting=TestSessionReady,
)
"""``test-session``: Live monitoring of one online exam attempt."""

CHAT: Final = ConnectionTypeSpec(
    name="chat",
    description="Chat rooms with messages, presence and typing indicators.",
    module="chat",
    interface=ChatHandler,
    methods=("on_refresh_token", "on_join_room", "on_leave_room", "on_send_message", "on_typing"),
    decode=decode_chat_inbound,
    inbound_tags=CHAT_INBOUND_TAGS,
    outbound_tags=CHAT_OUTBOUND_TAGS,
    room_required=True,
    room_description="the chat room to join",
    greeting=ConnectionEstablished,
)
"""``chat``: Chat rooms with messages, presence and typing indicators."""

CONNECTION_TYPES: Final[dict[str, ConnectionTypeSpec]] = {
    "general": GENERAL,
    "notifications": NOTIFICATIONS,
    "test-session": TEST_SESSION,
    "chat": CHAT,
}
"""Every connection type, by name, in spec order."""
