# generated from openapi.yaml by codegen — do not edit
"""Litestar route declarations of the Shelf API.

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
    Item,
    ItemCreate,
    ItemId,
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


class _CreateItemQuery(msgspec.Struct, kw_only=True, forbid_unknown_fields=False):
    """The query parameters of ``create_item``."""

    dry_run: bool | UnsetType = UNSET
    limit: Annotated[int, Meta(ge=1, le=10)] = 5


_create_item_body = msgspec.json.Decoder(ItemCreate)


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
        "/items/{item_id:str}",
        operation_id="getItem",
        summary="One item.",
        tags=["items"],
        status_code=200,
        media_type="application/json",
        guards=requires("token"),
    )
    async def get_item(
        request: Request[Any, Any, Any],
        item_id: Annotated[str, PathParameter(min_length=1, max_length=8, pattern="^[a-z0-9]+\\Z")],
    ) -> Item:
        """One item."""
        return await api.get_item(item_id=item_id)

    @delete(
        "/items/{item_id:str}",
        operation_id="deleteItem",
        summary="Remove one item.",
        tags=[],
        status_code=204,
        media_type="application/json",
        guards=requires("token"),
    )
    async def delete_item(
        request: Request[Any, Any, Any],
        item_id: Annotated[str, PathParameter(min_length=1, max_length=8, pattern="^[a-z0-9]+\\Z")],
    ) -> None:
        """Remove one item."""
        return await api.delete_item(item_id=item_id)

    @post(
        "/items",
        operation_id="createItem",
        summary="Add an item.",
        tags=[],
        status_code=201,
        media_type="application/json",
        guards=requires("token"),
    )
    async def create_item(request: Request[Any, Any, Any]) -> Item:
        """Add an item."""
        query = _query(request, _CreateItemQuery)
        body = await _body(request, _create_item_body)
        return await api.create_item(body=body, dry_run=_or_none(query.dry_run), limit=query.limit)

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
