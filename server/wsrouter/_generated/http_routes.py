# generated from openapi.yaml by codegen — do not edit
"""Litestar route declarations of the wsrouter admin API.

Each route checks credentials with ``HttpOperations.authorize`` in a guard (when the
spec asks for security), so a request without them gets 401 or 403 before anything
else about it is looked at. It then decodes the query and the body exactly as the spec
says (a parameter given twice, or ``"42"`` for an integer field, is refused with a
``ValidationException``; a body that is not JSON with a 400) and delegates to the
``HttpOperations`` method of its operation. Implement that interface and pass it to
``route_handlers``.
"""

import abc
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, delete, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.params import PathParameter
from litestar.types import Guard
from msgspec import UNSET, Meta, UnsetType

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

_T = TypeVar("_T")
_Query = TypeVar("_Query", bound=msgspec.Struct)


class HttpOperations(abc.ABC):
    """The operations of the HTTP API, to be implemented by the server."""

    @abc.abstractmethod
    async def authorize(
        self, connection: ASGIConnection[Any, Any, Any, Any], schemes: tuple[str, ...]
    ) -> None:
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
    async def disconnect_connection(self, *, connection_id: ConnectionId, reconnect: bool) -> None:
        """Close a connection, on whichever node holds it."""

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


class _BroadcastQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """The query parameters of ``broadcast``."""

    connection_type: ConnectionType | UnsetType = UNSET
    user_id: UserId | UnsetType = UNSET
    room: RoomName | UnsetType = UNSET


class _ListConnectionsQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """The query parameters of ``list_connections``."""

    connection_type: ConnectionType | UnsetType = UNSET
    user_id: UserId | UnsetType = UNSET
    room: RoomName | UnsetType = UNSET
    limit: Annotated[int, Meta(ge=1, le=500)] = 100
    offset: Annotated[int, Meta(ge=0, le=1000000)] = 0


class _DisconnectConnectionQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """The query parameters of ``disconnect_connection``."""

    reconnect: bool = False


_broadcast_body = msgspec.json.Decoder(BroadcastRequest)

_create_notification_body = msgspec.json.Decoder(NotificationCreate)

_create_test_session_body = msgspec.json.Decoder(TestSessionCreate)


def _refused(
    request: Request[Any, Any, Any], source: str, message: str, key: str
) -> ValidationException:
    """A refused request, in the shape Litestar gives its own validation errors."""
    where: dict[str, str] = {"message": message, "source": source}
    if key:
        where["key"] = key
    return ValidationException(
        f"Validation failed for {request.method} {request.url.path}", extra=[where]
    )


def _invalid(
    request: Request[Any, Any, Any], source: str, exc: msgspec.ValidationError
) -> ValidationException:
    # msgspec says "Expected `int`, got `str` - at `$.limit`"; the key is what follows `$.`.
    message, _, path = str(exc).partition(" - at `$")
    return _refused(request, source, message, path.rstrip("`").removeprefix("."))


def _query(request: Request[Any, Any, Any], kind: type[_Query]) -> _Query:
    """The query parameters ``kind`` declares, converted as the spec says; others are ignored."""
    given: dict[str, str] = {}
    for name in kind.__struct_encode_fields__:
        values = request.query_params.getall(name, [])
        if len(values) > 1:
            raise _refused(request, "query", f"Expected one value, got {len(values)}", name)
        if values:
            given[name] = values[0]
    try:
        # Lax only to read numbers and booleans from text: no None here for "null" to become.
        return msgspec.convert(given, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise _invalid(request, "query", exc) from None


def _whole_numbers(value: Any) -> Any:
    """``value`` with every float that is a whole number made an int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


async def _body(request: Request[Any, Any, Any], decoder: msgspec.json.Decoder[_T]) -> _T:
    """The JSON body, decoded strictly (Litestar's own decoding turns ``"42"`` into ``42``)."""
    raw = await request.body()
    try:
        try:
            return decoder.decode(raw)
        except msgspec.ValidationError:
            # JSON Schema's `integer` takes 60.0, msgspec's `int` does not: one more try with
            # whole numbers as ints (only then, so valid bodies reach the API as they were sent).
            return msgspec.convert(_whole_numbers(msgspec.json.decode(raw)), decoder.type)
    except msgspec.ValidationError as exc:
        raise _invalid(request, "body", exc) from None
    except msgspec.DecodeError as exc:  # not JSON (a ValidationError is a DecodeError too)
        raise ClientException(str(exc)) from None


def _or_none(value: _T | UnsetType) -> _T | None:
    return None if isinstance(value, UnsetType) else value


def route_handlers(api: HttpOperations) -> list[HTTPRouteHandler]:
    """The route handlers of every operation, delegating to ``api``."""

    def requires(*schemes: str) -> list[Guard]:
        async def authorize(
            connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
        ) -> None:
            await api.authorize(connection, schemes)

        return [authorize]

    @get(
        "/ws/stats",
        operation_id="getWsStats",
        summary="Connection statistics, cluster-wide.",
        tags=["websocket"],
        status_code=200,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def get_ws_stats(request: Request[Any, Any, Any]) -> WsStats:
        """Connection statistics, cluster-wide."""
        return await api.get_ws_stats()

    @post(
        "/ws/broadcast",
        operation_id="broadcast",
        summary="Send a frame to every matching connection.",
        tags=["websocket"],
        status_code=202,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def broadcast(request: Request[Any, Any, Any]) -> BroadcastResult:
        """Send a frame to every matching connection."""
        query = _query(request, _BroadcastQuery)
        body = await _body(request, _broadcast_body)
        return await api.broadcast(
            body=body,
            connection_type=_or_none(query.connection_type),
            user_id=_or_none(query.user_id),
            room=_or_none(query.room),
        )

    @get(
        "/ws/connections",
        operation_id="listConnections",
        summary="The open connections, cluster-wide, oldest first.",
        tags=["websocket"],
        status_code=200,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def list_connections(request: Request[Any, Any, Any]) -> ConnectionList:
        """The open connections, cluster-wide, oldest first."""
        query = _query(request, _ListConnectionsQuery)
        return await api.list_connections(
            connection_type=_or_none(query.connection_type),
            user_id=_or_none(query.user_id),
            room=_or_none(query.room),
            limit=query.limit,
            offset=query.offset,
        )

    @delete(
        "/ws/connections/{connection_id:str}",
        operation_id="disconnectConnection",
        summary="Close a connection, on whichever node holds it.",
        tags=["websocket"],
        status_code=204,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def disconnect_connection(
        request: Request[Any, Any, Any],
        connection_id: Annotated[str, PathParameter(min_length=1, max_length=256)],
    ) -> None:
        """Close a connection, on whichever node holds it."""
        query = _query(request, _DisconnectConnectionQuery)
        return await api.disconnect_connection(
            connection_id=connection_id, reconnect=query.reconnect
        )

    @post(
        "/notifications",
        operation_id="createNotification",
        summary="Store a notification, then deliver it to the user's notifications connections.",
        tags=["notifications"],
        status_code=201,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def create_notification(request: Request[Any, Any, Any]) -> NotificationCreated:
        """Store a notification, then deliver it to the user's notifications connections."""
        body = await _body(request, _create_notification_body)
        return await api.create_notification(body=body)

    @post(
        "/test-sessions",
        operation_id="createTestSession",
        summary="Start an exam attempt for a user; its id is the `room` of `test-session` connections.",
        tags=["test-sessions"],
        status_code=201,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def create_test_session(request: Request[Any, Any, Any]) -> TestSession:
        """Start an exam attempt for a user; its id is the `room` of `test-session`
        connections.
        """
        body = await _body(request, _create_test_session_body)
        return await api.create_test_session(body=body)

    @get(
        "/test-sessions/{session_id:str}",
        operation_id="getTestSession",
        summary="One exam attempt.",
        tags=["test-sessions"],
        status_code=200,
        media_type="application/json",
        guards=requires("bearerAuth"),
    )
    async def get_test_session(
        request: Request[Any, Any, Any],
        session_id: Annotated[
            str, PathParameter(min_length=1, max_length=64, pattern="^[A-Za-z0-9_.:-]+\\Z")
        ],
    ) -> TestSession:
        """One exam attempt."""
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
