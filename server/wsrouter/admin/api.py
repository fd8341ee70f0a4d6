"""The operations of ``openapi.yaml``, on top of the shared services."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from msgspec import UNSET

from wsrouter._generated import messages as protocol
from wsrouter._generated.connection_types import CONNECTION_TYPES
from wsrouter._generated.http_models import (
    BroadcastRequest,
    BroadcastResult,
    ConnectionInfo,
    ConnectionList,
    Health,
    NotificationCreate,
    NotificationCreated,
    Readiness,
    TestSession,
    TestSessionCreate,
    WsStats,
)
from wsrouter._generated.http_routes import HttpOperations
from wsrouter.auth import InvalidToken, bearer_token
from wsrouter.broker import Audience
from wsrouter.clock import iso, now_iso, utcnow
from wsrouter.connection_types.notifications import notification_frame
from wsrouter.services import Services
from wsrouter.store import TestSessionRecord

DISCONNECTED_BY_ADMIN = protocol.CloseCode.DISCONNECTED_BY_ADMIN
REMOVED_BY_ADMIN = protocol.CloseCode.REMOVED_BY_ADMIN

# Every tag a protocol message uses: an admin broadcast may not pretend to be one.
PROTOCOL_TAGS = frozenset(
    tag for name in dir(protocol) if name.endswith("_TAGS") for tag in getattr(protocol, name)
)


class NotReady(HTTPException):
    """``/ready`` failed; the body says which check."""

    status_code = 503


def test_session_model(record: TestSessionRecord) -> TestSession:
    """The HTTP model of a stored test session."""
    return TestSession(
        id=record.id,
        user_id=record.user_id,
        title=record.title,
        question_count=record.question_count,
        status=record.status(utcnow()),  # type: ignore[arg-type]
        started_at=iso(record.started_at),
        ends_at=iso(record.ends_at),
        submitted_at=iso(record.submitted_at) if record.submitted_at else UNSET,
        submit_reason=record.submit_reason if record.submit_reason else UNSET,  # type: ignore[arg-type]
        answered_count=record.answered_count,
    )


class AdminApi(HttpOperations):
    """The admin API of one node; cluster-wide through the registry and the broker."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def authorize(
        self, connection: ASGIConnection[Any, Any, Any, Any], schemes: tuple[str, ...]
    ) -> None:
        token = bearer_token(connection.headers.get("authorization"))
        if token is None:
            raise NotAuthorizedException(
                "a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
            )
        try:
            principal = self.services.tokens.verify(token)
        except InvalidToken as exc:
            raise NotAuthorizedException(
                exc.reason, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}
            ) from None
        if not principal.is_admin:
            raise PermissionDeniedException("the admin role is required")

    async def get_ws_stats(self) -> WsStats:
        total, by_type, by_user = await self.services.registry.stats(CONNECTION_TYPES)
        return WsStats(
            total_connections=total,
            total_users=len(by_user),
            connections_by_type=by_type,
            connections_by_user=by_user,
        )

    async def broadcast(
        self,
        *,
        body: BroadcastRequest,
        connection_type: Any,
        user_id: str | None,
        room: str | None,
    ) -> BroadcastResult:
        if body.type in PROTOCOL_TAGS:
            message = f"type {body.type!r} is a message of the WebSocket protocol; choose another"
            raise ValidationException(
                message, extra=[{"message": message, "key": "type", "source": "body"}]
            )
        audience = Audience(connection_type=connection_type, user_id=user_id, room=room)
        recipients = await self.services.registry.count(audience)
        frame = protocol.AdminBroadcast(
            type=body.type,
            title=body.title,
            message=body.message,
            priority=body.priority,
            data=body.data,
            timestamp=now_iso(),
        )
        await self.services.publish(audience, frame)
        self.services.metrics.inc("wsrouter_broadcast_recipients_total", recipients)
        return BroadcastResult(recipients=recipients)

    async def list_connections(
        self,
        *,
        connection_type: Any,
        user_id: str | None,
        room: str | None,
        limit: int,
        offset: int,
    ) -> ConnectionList:
        audience = Audience(connection_type=connection_type, user_id=user_id, room=room)
        infos, total = await self.services.registry.find(audience, limit=limit, offset=offset)
        return ConnectionList(
            items=[
                ConnectionInfo(
                    connection_id=i.connection_id,
                    connection_type=i.connection_type,  # type: ignore[arg-type]
                    user_id=i.user_id,
                    username=i.username,
                    rooms=list(i.rooms),
                    connected_at=iso(i.connected_at),
                    node=i.node,
                )
                for i in infos
            ],
            total=total,
        )

    async def disconnect_connection(self, *, connection_id: str, reconnect: bool) -> None:
        if await self.services.registry.get(connection_id) is None:
            raise NotFoundException(f"no connection {connection_id!r}")
        if reconnect:
            code, reason = DISCONNECTED_BY_ADMIN, "disconnected by admin"
        else:
            code, reason = REMOVED_BY_ADMIN, "removed by admin"
        await self.services.broker.disconnect(connection_id, code, reason)

    async def create_notification(self, *, body: NotificationCreate) -> NotificationCreated:
        user_id = body.user_id if isinstance(body.user_id, str) else None
        data = body.data if isinstance(body.data, dict) else None
        record = await self.services.store.create_notification(
            user_id=user_id,
            title=body.title,
            message=body.message,
            priority=body.priority,
            data=data,
            now=utcnow(),
        )
        audience = Audience(connection_type="notifications", user_id=user_id)
        recipients = await self.services.registry.count(audience)
        await self.services.publish(audience, notification_frame(record))
        return NotificationCreated(
            id=record.id,
            user_id=record.user_id,
            title=record.title,
            message=record.message,
            priority=record.priority,  # type: ignore[arg-type]
            data=record.data if record.data is not None else UNSET,
            created_at=iso(record.created_at),
            recipients=recipients,
        )

    async def create_test_session(self, *, body: TestSessionCreate) -> TestSession:
        record = await self.services.store.create_test_session(
            user_id=body.user_id,
            duration_seconds=body.duration_seconds,
            title=body.title if isinstance(body.title, str) else "",
            question_count=body.question_count if isinstance(body.question_count, int) else 0,
            now=utcnow(),
        )
        return test_session_model(record)

    async def get_test_session(self, *, session_id: str) -> TestSession:
        record = await self.services.store.get_test_session(session_id)
        if record is None:
            raise NotFoundException(f"no test session {session_id!r}")
        return test_session_model(record)

    async def get_health(self) -> Health:
        return Health(status="ok")

    async def get_ready(self) -> Readiness:
        checks: dict[str, str] = {}
        for name, probe in (
            ("database", self.services.store.ping),
            ("broker", self.services.broker.ping),
        ):
            try:
                await probe()
                checks[name] = "ok"
            except Exception as exc:
                checks[name] = f"failed: {type(exc).__name__}"
        if any(value != "ok" for value in checks.values()):
            raise NotReady(detail="not ready", extra={"checks": checks})
        return Readiness(status="ready", checks=checks)

    async def get_metrics(self) -> str:
        return self.services.metrics.render()
