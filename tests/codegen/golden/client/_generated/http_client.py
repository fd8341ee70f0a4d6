# generated from openapi.yaml by codegen — do not edit
"""HTTP clients of the Shelf API, async and sync.

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
    Item,
    ItemCreate,
    ItemId,
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
    """Async client of the Shelf API."""

    def __init__(
        self, transport: AsyncHttpTransport, headers: Mapping[str, str] | None = None
    ) -> None:
        self.transport = transport
        self.headers = dict(headers or {})

    async def get_item(self, *, item_id: ItemId) -> Item:
        """One item."""
        response = await self.transport.request(
            "GET", f"/items/{quote(str(item_id), safe='')}", headers=self.headers
        )
        return _json(response, 200, Item)

    async def delete_item(self, *, item_id: ItemId) -> None:
        """Remove one item."""
        response = await self.transport.request(
            "DELETE", f"/items/{quote(str(item_id), safe='')}", headers=self.headers
        )
        _check(response, 204)

    async def create_item(
        self,
        *,
        body: ItemCreate,
        dry_run: bool | None = None,
        limit: Annotated[int, Meta(ge=1, le=10)] | None = None,
    ) -> Item:
        """Add an item."""
        response = await self.transport.request(
            "POST",
            "/items",
            content=msgspec.json.encode(body),
            params=_query(dry_run=dry_run, limit=limit),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 201, Item)

    async def ping(self) -> str:
        """Plain-text liveness."""
        response = await self.transport.request("GET", "/ping", headers=self.headers)
        return _text(response, 200)


class SyncApiClient:
    """Blocking client of the Shelf API."""

    def __init__(
        self, transport: SyncHttpTransport, headers: Mapping[str, str] | None = None
    ) -> None:
        self.transport = transport
        self.headers = dict(headers or {})

    def get_item(self, *, item_id: ItemId) -> Item:
        """One item."""
        response = self.transport.request(
            "GET", f"/items/{quote(str(item_id), safe='')}", headers=self.headers
        )
        return _json(response, 200, Item)

    def delete_item(self, *, item_id: ItemId) -> None:
        """Remove one item."""
        response = self.transport.request(
            "DELETE", f"/items/{quote(str(item_id), safe='')}", headers=self.headers
        )
        _check(response, 204)

    def create_item(
        self,
        *,
        body: ItemCreate,
        dry_run: bool | None = None,
        limit: Annotated[int, Meta(ge=1, le=10)] | None = None,
    ) -> Item:
        """Add an item."""
        response = self.transport.request(
            "POST",
            "/items",
            content=msgspec.json.encode(body),
            params=_query(dry_run=dry_run, limit=limit),
            headers={**self.headers, **_JSON_HEADERS},
        )
        return _json(response, 201, Item)

    def ping(self) -> str:
        """Plain-text liveness."""
        response = self.transport.request("GET", "/ping", headers=self.headers)
        return _text(response, 200)
