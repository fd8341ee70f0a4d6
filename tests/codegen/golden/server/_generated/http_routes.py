# generated from openapi.yaml by codegen — do not edit
"""Litestar route declarations of the Shelf API.

Each route checks credentials with ``HttpOperations.authorize`` (when the spec
asks for security), then delegates to the ``HttpOperations`` method of its
operation. Implement that interface and pass it to ``route_handlers``.
"""

import abc
from typing import Annotated, Any

from litestar import Request, delete, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, PathParameter, QueryParameter
from msgspec import Meta

from .http_models import (
    Item,
    ItemCreate,
    ItemId,
)

__all__ = ["HttpOperations", "route_handlers"]


class HttpOperations(abc.ABC):
    """The operations of the HTTP API, to be implemented by the server."""

    @abc.abstractmethod
    async def authorize(self, request: Request[Any, Any, Any], schemes: tuple[str, ...]) -> None:
        """Check the request against the named security schemes; raise to refuse it."""

    @abc.abstractmethod
    async def get_item(self, *, item_id: ItemId) -> Item:
        """One item."""

    @abc.abstractmethod
    async def delete_item(self, *, item_id: ItemId) -> None:
        """Remove one item."""

    @abc.abstractmethod
    async def create_item(
        self, *, body: ItemCreate, dry_run: bool | None, limit: Annotated[int, Meta(ge=1, le=10)]
    ) -> Item:
        """Add an item."""

    @abc.abstractmethod
    async def ping(self) -> str:
        """Plain-text liveness."""


def route_handlers(api: HttpOperations) -> list[HTTPRouteHandler]:
    """The route handlers of every operation, delegating to ``api``."""

    @get(
        "/items/{item_id:str}",
        operation_id="getItem",
        summary="One item.",
        tags=["items"],
        status_code=200,
        media_type="application/json",
    )
    async def get_item(
        request: Request[Any, Any, Any],
        item_id: Annotated[str, PathParameter(min_length=1, max_length=8, pattern="^[a-z0-9]+$")],
    ) -> Item:
        """One item."""
        await api.authorize(request, ("token",))
        return await api.get_item(item_id=item_id)

    @delete(
        "/items/{item_id:str}",
        operation_id="deleteItem",
        summary="Remove one item.",
        tags=[],
        status_code=204,
        media_type="application/json",
    )
    async def delete_item(
        request: Request[Any, Any, Any],
        item_id: Annotated[str, PathParameter(min_length=1, max_length=8, pattern="^[a-z0-9]+$")],
    ) -> None:
        """Remove one item."""
        await api.authorize(request, ("token",))
        return await api.delete_item(item_id=item_id)

    @post(
        "/items",
        operation_id="createItem",
        summary="Add an item.",
        tags=[],
        status_code=201,
        media_type="application/json",
    )
    async def create_item(
        request: Request[Any, Any, Any],
        data: JSONBody[ItemCreate],
        dry_run: Annotated[bool | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=10)] = 5,
    ) -> Item:
        """Add an item."""
        await api.authorize(request, ("token",))
        return await api.create_item(body=data, dry_run=dry_run, limit=limit)

    @get(
        "/ping",
        operation_id="ping",
        summary="Plain-text liveness.",
        tags=[],
        status_code=200,
        media_type="text/plain",
    )
    async def ping(request: Request[Any, Any, Any]) -> str:
        """Plain-text liveness."""
        return await api.ping()

    return [get_item, delete_item, create_item, ping]
