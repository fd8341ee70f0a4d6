# generated from openapi.yaml by codegen — do not edit
"""Litestar route declarations of the wsrouter admin API.

Each route checks credentials with ``HttpOperations.authorize`` (when the spec
asks for security), then delegates to the ``HttpOperations`` method of its
operation. Implement that interface and pass it to ``route_handlers``.
"""

import abc
from typing import Annotated, Any, Literal

from litestar import Request, delete, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, PathParameter, QueryParameter
from msgspec import Meta

from .http_models import (
    BroadcastRequest,
    BroadcastResult,
    ConnectionId,
    ConnectionList,
    ConnectionType,
    Health,
    NotificationCreate,
    NotificationCreated,
    Readiness,
    RoomName,
    TestSession,
    TestSessionCreate,
    UserId,
    WsStats,
)

__all__ = ["HttpOperations", "route_handlers"]


class HttpOperations(abc.ABC):
    """The operations of the HTTP API, to be implemented by the server."""

    @abc.abstractmethod
    async def authorize(self, request: Request[Any, Any, Any], schemes: tuple[str, ...]) -> None:
        """Check the request against the named security schemes; raise to refuse it."""

    @abc.abstractmethod
    async def get_ws_stats(self) -> WsStats:
        """Connection statistics, cluster-wide."""

    @abc.abstractmethod
    async def broadcast(
        self,
        *,
        body: BroadcastRequest,
        connection_type: ConnectionType | None,
        user_id: UserId | None,
        room: RoomName | None,
    ) -> BroadcastResult:
        """Send a frame to every matching connection."""

    @abc.abstractmethod
    async def list_connections(
        self,
        *,
        connection_type: ConnectionType | None,
        user_id: UserId | None,
        room: RoomName | None,
        limit: Annotated[int, Meta(ge=1, le=500)],
        offset: Annotated[int, Meta(ge=0, le=1000000)],
    ) -> ConnectionList:
        """The open connections, cluster-wide, oldest first."""

    @abc.abstractmethod
    async def disconnect_connection(self, *, connection_id: ConnectionId) -> None:
        """Close a connection with code 4000, on whichever node holds it."""

    @abc.abstractmethod
    async def create_notification(self, *, body: NotificationCreate) -> NotificationCreated:
        """Store a notification, then deliver it to the user's notifications connections."""

    @abc.abstractmethod
    async def create_test_session(self, *, body: TestSessionCreate) -> TestSession:
        """Start an exam attempt for a user; its id is the `room` of `test-session`
        connections.
        """

    @abc.abstractmethod
    async def get_test_session(self, *, session_id: RoomName) -> TestSession:
        """One exam attempt."""

    @abc.abstractmethod
    async def get_health(self) -> Health:
        """Liveness - the process is up."""

    @abc.abstractmethod
    async def get_ready(self) -> Readiness:
        """Readiness - the broker and the database are reachable."""

    @abc.abstractmethod
    async def get_metrics(self) -> str:
        """Prometheus metrics, in the text exposition format."""


def route_handlers(api: HttpOperations) -> list[HTTPRouteHandler]:
    """The route handlers of every operation, delegating to ``api``."""

    @get(
        "/ws/stats",
        operation_id="getWsStats",
        summary="Connection statistics, cluster-wide.",
        tags=["websocket"],
        status_code=200,
        media_type="application/json",
    )
    async def get_ws_stats(request: Request[Any, Any, Any]) -> WsStats:
        """Connection statistics, cluster-wide."""
        await api.authorize(request, ("bearerAuth",))
        return await api.get_ws_stats()

    @post(
        "/ws/broadcast",
        operation_id="broadcast",
        summary="Send a frame to every matching connection.",
        tags=["websocket"],
        status_code=202,
        media_type="application/json",
    )
    async def broadcast(
        request: Request[Any, Any, Any],
        data: JSONBody[BroadcastRequest],
        connection_type: Annotated[
            Literal["general", "notifications", "test-session", "chat"] | None, QueryParameter()
        ] = None,
        user_id: Annotated[str | None, QueryParameter(min_length=1, max_length=128)] = None,
        room: Annotated[
            str | None, QueryParameter(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+$")
        ] = None,
    ) -> BroadcastResult:
        """Send a frame to every matching connection."""
        await api.authorize(request, ("bearerAuth",))
        return await api.broadcast(
            body=data, connection_type=connection_type, user_id=user_id, room=room
        )

    @get(
        "/ws/connections",
        operation_id="listConnections",
        summary="The open connections, cluster-wide, oldest first.",
        tags=["websocket"],
        status_code=200,
        media_type="application/json",
    )
    async def list_connections(
        request: Request[Any, Any, Any],
        connection_type: Annotated[
            Literal["general", "notifications", "test-session", "chat"] | None, QueryParameter()
        ] = None,
        user_id: Annotated[str | None, QueryParameter(min_length=1, max_length=128)] = None,
        room: Annotated[
            str | None, QueryParameter(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+$")
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=1000000)] = 0,
    ) -> ConnectionList:
        """The open connections, cluster-wide, oldest first."""
        await api.authorize(request, ("bearerAuth",))
        return await api.list_connections(
            connection_type=connection_type, user_id=user_id, room=room, limit=limit, offset=offset
        )

    @delete(
        "/ws/connections/{connection_id:str}",
        operation_id="disconnectConnection",
        summary="Close a connection with code 4000, on whichever node holds it.",
        tags=["websocket"],
        status_code=204,
        media_type="application/json",
    )
    async def disconnect_connection(
        request: Request[Any, Any, Any],
        connection_id: Annotated[str, PathParameter(min_length=1, max_length=256)],
    ) -> None:
        """Close a connection with code 4000, on whichever node holds it."""
        await api.authorize(request, ("bearerAuth",))
        return await api.disconnect_connection(connection_id=connection_id)

    @post(
        "/notifications",
        operation_id="createNotification",
        summary="Store a notification, then deliver it to the user's notifications connections.",
        tags=["notifications"],
        status_code=201,
        media_type="application/json",
    )
    async def create_notification(
        request: Request[Any, Any, Any], data: JSONBody[NotificationCreate]
    ) -> NotificationCreated:
        """Store a notification, then deliver it to the user's notifications connections."""
        await api.authorize(request, ("bearerAuth",))
        return await api.create_notification(body=data)

    @post(
        "/test-sessions",
        operation_id="createTestSession",
        summary="Start an exam attempt for a user; its id is the `room` of `test-session` connections.",
        tags=["test-sessions"],
        status_code=201,
        media_type="application/json",
    )
    async def create_test_session(
        request: Request[Any, Any, Any], data: JSONBody[TestSessionCreate]
    ) -> TestSession:
        """Start an exam attempt for a user; its id is the `room` of `test-session`
        connections.
        """
        await api.authorize(request, ("bearerAuth",))
        return await api.create_test_session(body=data)

    @get(
        "/test-sessions/{session_id:str}",
        operation_id="getTestSession",
        summary="One exam attempt.",
        tags=["test-sessions"],
        status_code=200,
        media_type="application/json",
    )
    async def get_test_session(
        request: Request[Any, Any, Any],
        session_id: Annotated[
            str, PathParameter(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+$")
        ],
    ) -> TestSession:
        """One exam attempt."""
        await api.authorize(request, ("bearerAuth",))
        return await api.get_test_session(session_id=session_id)

    @get(
        "/health",
        operation_id="getHealth",
        summary="Liveness - the process is up.",
        tags=["probes"],
        status_code=200,
        media_type="application/json",
    )
    async def get_health(request: Request[Any, Any, Any]) -> Health:
        """Liveness - the process is up."""
        return await api.get_health()

    @get(
        "/ready",
        operation_id="getReady",
        summary="Readiness - the broker and the database are reachable.",
        tags=["probes"],
        status_code=200,
        media_type="application/json",
    )
    async def get_ready(request: Request[Any, Any, Any]) -> Readiness:
        """Readiness - the broker and the database are reachable."""
        return await api.get_ready()

    @get(
        "/metrics",
        operation_id="getMetrics",
        summary="Prometheus metrics, in the text exposition format.",
        tags=["probes"],
        status_code=200,
        media_type="text/plain",
    )
    async def get_metrics(request: Request[Any, Any, Any]) -> str:
        """Prometheus metrics, in the text exposition format."""
        return await api.get_metrics()

    return [
        get_ws_stats,
        broadcast,
        list_connections,
        disconnect_connection,
        create_notification,
        create_test_session,
        get_test_session,
        get_health,
        get_ready,
        get_metrics,
    ]
