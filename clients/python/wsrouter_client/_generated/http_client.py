# generated from openapi.yaml by codegen — do not edit
"""HTTP clients of the wsrouter admin API, async and sync.

Both wrap a transport with httpx's ``request`` signature (``httpx.AsyncClient``
and ``httpx.Client`` fit); a response other than the operation's success raises
``ApiError`` with the status code and the server's ``detail``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Final, Protocol, TypeVar
from urllib.parse import quote

import msgspec
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

_T = TypeVar("_T")


class HttpResponse(Protocol):
    """The parts of an HTTP response the clients read."""

    @property
    def status_code(self) -> int:
        """The status code."""
        ...

    @property
    def content(self) -> bytes:
        """The body."""
        ...


class AsyncHttpTransport(Protocol):
    """An async HTTP client, such as ``httpx.AsyncClient``."""

    async def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request."""
        ...


class SyncHttpTransport(Protocol):
    """A blocking HTTP client, such as ``httpx.Client``."""

    def request(
        self,
        method: str,
        url: str,
        *,
        content: bytes | None = None,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> HttpResponse:
        """Send one request."""
        ...


class ApiError(Exception):
    """The server answered with a status other than the operation's success."""

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content
        self.detail = _detail(content)
        super().__init__(f"HTTP {status_code}: {self.detail}")


def _detail(content: bytes) -> str:
    try:
        body = msgspec.json.decode(content)
    except msgspec.DecodeError:
        return content.decode("utf-8", "replace")
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return str(body["detail"])
    return content.decode("utf-8", "replace")


def _check(response: HttpResponse, status: int) -> None:
    if response.status_code != status:
        raise ApiError(response.status_code, response.content)


def _json(response: HttpResponse, status: int, kind: type[_T]) -> _T:
    _check(response, status)
    return msgspec.json.decode(response.content, type=kind)


def _text(response: HttpResponse, status: int) -> str:
    _check(response, status)
    return response.content.decode("utf-8")


def _query(**values: object) -> dict[str, str]:
    return {
        key: (str(value).lower() if isinstance(value, bool) else str(value))
        for key, value in values.items()
        if value is not None
    }


_JSON_HEADERS: Final = {"content-type": "application/json"}


class AsyncApiClient:
    """Async client of the wsrouter admin API."""

    def __init__(
        self, transport: AsyncHttpTransport, headers: Mapping[str, str] | None = None
    ) -> None:
        self.transport = transport
        self.headers = dict(headers or {})

    async def get_ws_stats(self) -> WsStats:
        """Connection statistics, cluster-wide."""
        response = await self.transport.request("GET", "/ws/stats", headers=self.headers)
        return _json(response, 200, WsStats)

    async def broadcast(
        self,
        *,
        body: BroadcastRequest,
        connection_type: ConnectionType | None = None,
        user_id: UserId | None = None,
        room: RoomName | None = None,
    ) -> BroadcastResult:
        """Send a frame to every matching connection."""
        response = await self.transport.request(
            "POST",
            "/ws/broadcast",
            content=msgspec.json.encode(body),
            params=_query(connection_type=connection_type, user_id=user_id, room=room),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 202, BroadcastResult)

    async def list_connections(
        self,
        *,
        connection_type: ConnectionType | None = None,
        user_id: UserId | None = None,
        room: RoomName | None = None,
        limit: Annotated[int, Meta(ge=1, le=500)] | None = None,
        offset: Annotated[int, Meta(ge=0, le=1000000)] | None = None,
    ) -> ConnectionList:
        """The open connections, cluster-wide, oldest first."""
        response = await self.transport.request(
            "GET",
            "/ws/connections",
            params=_query(
                connection_type=connection_type,
                user_id=user_id,
                room=room,
                limit=limit,
                offset=offset,
            ),
            headers=self.headers,
        )
        return _json(response, 200, ConnectionList)

    async def disconnect_connection(
        self, *, connection_id: ConnectionId, reconnect: bool | None = None
    ) -> None:
        """Close a connection, on whichever node holds it."""
        response = await self.transport.request(
            "DELETE",
            f"/ws/connections/{quote(str(connection_id), safe='')}",
            params=_query(reconnect=reconnect),
            headers=self.headers,
        )
        _check(response, 204)

    async def create_notification(self, *, body: NotificationCreate) -> NotificationCreated:
        """Store a notification, then deliver it to the user's notifications connections."""
        response = await self.transport.request(
            "POST",
            "/notifications",
            content=msgspec.json.encode(body),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 201, NotificationCreated)

    async def create_test_session(self, *, body: TestSessionCreate) -> TestSession:
        """Start an exam attempt for a user; its id is the `room` of `test-session`
        connections.
        """
        response = await self.transport.request(
            "POST",
            "/test-sessions",
            content=msgspec.json.encode(body),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 201, TestSession)

    async def get_test_session(self, *, session_id: RoomName) -> TestSession:
        """One exam attempt."""
        response = await self.transport.request(
            "GET", f"/test-sessions/{quote(str(session_id), safe='')}", headers=self.headers
        )
        return _json(response, 200, TestSession)

    async def get_health(self) -> Health:
        """Liveness - the process is up."""
        response = await self.transport.request("GET", "/health", headers=self.headers)
        return _json(response, 200, Health)

    async def get_ready(self) -> Readiness:
        """Readiness - the broker and the database are reachable."""
        response = await self.transport.request("GET", "/ready", headers=self.headers)
        return _json(response, 200, Readiness)

    async def get_metrics(self) -> str:
        """Prometheus metrics, in the text exposition format."""
        response = await self.transport.request("GET", "/metrics", headers=self.headers)
        return _text(response, 200)


class SyncApiClient:
    """Blocking client of the wsrouter admin API."""

    def __init__(
        self, transport: SyncHttpTransport, headers: Mapping[str, str] | None = None
    ) -> None:
        self.transport = transport
        self.headers = dict(headers or {})

    def get_ws_stats(self) -> WsStats:
        """Connection statistics, cluster-wide."""
        response = self.transport.request("GET", "/ws/stats", headers=self.headers)
        return _json(response, 200, WsStats)

    def broadcast(
        self,
        *,
        body: BroadcastRequest,
        connection_type: ConnectionType | None = None,
        user_id: UserId | None = None,
        room: RoomName | None = None,
    ) -> BroadcastResult:
        """Send a frame to every matching connection."""
        response = self.transport.request(
            "POST",
            "/ws/broadcast",
            content=msgspec.json.encode(body),
            params=_query(connection_type=connection_type, user_id=user_id, room=room),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 202, BroadcastResult)

    def list_connections(
        self,
        *,
        connection_type: ConnectionType | None = None,
        user_id: UserId | None = None,
        room: RoomName | None = None,
        limit: Annotated[int, Meta(ge=1, le=500)] | None = None,
        offset: Annotated[int, Meta(ge=0, le=1000000)] | None = None,
    ) -> ConnectionList:
        """The open connections, cluster-wide, oldest first."""
        response = self.transport.request(
            "GET",
            "/ws/connections",
            params=_query(
                connection_type=connection_type,
                user_id=user_id,
                room=room,
                limit=limit,
                offset=offset,
            ),
            headers=self.headers,
        )
        return _json(response, 200, ConnectionList)

    def disconnect_connection(
        self, *, connection_id: ConnectionId, reconnect: bool | None = None
    ) -> None:
        """Close a connection, on whichever node holds it."""
        response = self.transport.request(
            "DELETE",
            f"/ws/connections/{quote(str(connection_id), safe='')}",
            params=_query(reconnect=reconnect),
            headers=self.headers,
        )
        _check(response, 204)

    def create_notification(self, *, body: NotificationCreate) -> NotificationCreated:
        """Store a notification, then deliver it to the user's notifications connections."""
        response = self.transport.request(
            "POST",
            "/notifications",
            content=msgspec.json.encode(body),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 201, NotificationCreated)

    def create_test_session(self, *, body: TestSessionCreate) -> TestSession:
        """Start an exam attempt for a user; its id is the `room` of `test-session`
        connections.
        """
        response = self.transport.request(
            "POST",
            "/test-sessions",
            content=msgspec.json.encode(body),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 201, TestSession)

    def get_test_session(self, *, session_id: RoomName) -> TestSession:
        """One exam attempt."""
        response = self.transport.request(
            "GET", f"/test-sessions/{quote(str(session_id), safe='')}", headers=self.headers
        )
        return _json(response, 200, TestSession)

    def get_health(self) -> Health:
        """Liveness - the process is up."""
        response = self.transport.request("GET", "/health", headers=self.headers)
        return _json(response, 200, Health)

    def get_ready(self) -> Readiness:
        """Readiness - the broker and the database are reachable."""
        response = self.transport.request("GET", "/ready", headers=self.headers)
        return _json(response, 200, Readiness)

    def get_metrics(self) -> str:
        """Prometheus metrics, in the text exposition format."""
        response = self.transport.request("GET", "/metrics", headers=self.headers)
        return _text(response, 200)
