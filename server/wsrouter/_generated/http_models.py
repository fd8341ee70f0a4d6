# generated from openapi.yaml by codegen — do not edit
"""Request and response models of the wsrouter admin API."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

import msgspec
from msgspec import UNSET, Meta, UnsetType

ConnectionType: TypeAlias = Literal["general", "notifications", "test-session", "chat"]
"""ConnectionType."""

UserId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=128)]
"""UserId."""

RoomName: TypeAlias = Annotated[
    str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+\\Z")
]
"""RoomName."""

ConnectionId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=256)]
"""ConnectionId."""

Priority: TypeAlias = Literal["low", "normal", "high", "urgent"]
"""Priority."""

Timestamp: TypeAlias = Annotated[
    str, Meta(pattern="^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z\\Z")
]
"""ISO 8601, UTC, with milliseconds."""

ConnectionCounts: TypeAlias = dict[str, Annotated[int, Meta(ge=0)]]
"""Open connections per connection type: one key for every type of the `ConnectionType` enum,
zeros included.
"""


class Schema(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of the named object schemas."""


class ValidationIssue(Schema, kw_only=True):
    """ValidationIssue."""

    message: str
    key: str | UnsetType = UNSET
    source: Literal["body", "query", "path"] | UnsetType = UNSET


class ErrorBody(Schema, kw_only=True):
    """ErrorBody."""

    status_code: Annotated[int, Meta(ge=400, le=599)]
    detail: str
    extra: list[ValidationIssue] | UnsetType = UNSET


class WsStats(Schema, kw_only=True):
    """WsStats."""

    total_connections: Annotated[int, Meta(ge=0)]
    total_users: Annotated[int, Meta(ge=0)]
    connections_by_type: ConnectionCounts
    connections_by_user: dict[str, Annotated[int, Meta(ge=1)]]


class BroadcastRequest(Schema, kw_only=True):
    """BroadcastRequest."""

    type: Annotated[str, Meta(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+\\Z")]
    title: Annotated[str, Meta(max_length=256)] | UnsetType = UNSET
    message: Annotated[str, Meta(max_length=16384)]
    priority: Priority | UnsetType = UNSET
    data: dict[str, Any] | UnsetType = UNSET


class BroadcastResult(Schema, kw_only=True):
    """BroadcastResult."""

    recipients: Annotated[int, Meta(ge=0)]


class ConnectionInfo(Schema, kw_only=True):
    """ConnectionInfo."""

    connection_id: ConnectionId
    connection_type: ConnectionType
    user_id: UserId
    username: Annotated[str, Meta(max_length=256)]
    rooms: list[RoomName]
    connected_at: Timestamp
    node: Annotated[str, Meta(max_length=128)]


class ConnectionList(Schema, kw_only=True):
    """ConnectionList."""

    items: list[ConnectionInfo]
    total: Annotated[int, Meta(ge=0)]


class NotificationCreate(Schema, kw_only=True):
    """NotificationCreate."""

    user_id: UserId | UnsetType = UNSET
    title: Annotated[str, Meta(min_length=1, max_length=256)]
    message: Annotated[str, Meta(max_length=4000)]
    priority: Priority = "normal"
    data: dict[str, Any] | UnsetType = UNSET


class NotificationCreated(Schema, kw_only=True):
    """NotificationCreated."""

    id: Annotated[str, Meta(min_length=1, max_length=64)]
    user_id: str | None
    title: str
    message: str
    priority: Priority
    data: dict[str, Any] | UnsetType = UNSET
    created_at: Timestamp
    recipients: Annotated[int, Meta(ge=0)]


class TestSessionCreate(Schema, kw_only=True):
    """TestSessionCreate."""

    user_id: UserId
    duration_seconds: Annotated[int, Meta(ge=1, le=86400)]
    title: Annotated[str, Meta(max_length=256)] | UnsetType = UNSET
    question_count: Annotated[int, Meta(ge=0, le=10000)] | UnsetType = UNSET


class TestSession(Schema, kw_only=True):
    """TestSession."""

    id: RoomName
    user_id: UserId
    title: str
    question_count: Annotated[int, Meta(ge=0)]
    status: Literal["in_progress", "submitted", "expired"]
    started_at: Timestamp
    ends_at: Timestamp
    submitted_at: Timestamp | UnsetType = UNSET
    submit_reason: Literal["manual", "time_expired"] | UnsetType = UNSET
    answered_count: Annotated[int, Meta(ge=0)]


class Health(Schema, kw_only=True):
    """Health."""

    status: Literal["ok"]


class Readiness(Schema, kw_only=True):
    """Readiness."""

    status: Literal["ready", "not_ready"]
    checks: dict[str, str]
