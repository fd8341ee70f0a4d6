"""The admin HTTP API: the generated clients over an httpx client with a bearer token.

Every method is the generated one (``get_ws_stats``, ``broadcast``,
``list_connections``, ``disconnect_connection``, ``create_notification``,
``create_test_session``, ...), with the SDK's exceptions: a status other than the
operation's success raises :class:`ApiError` (a ``WsrouterError`` naming the failing
fields of a 422), a server that cannot be reached :class:`ConnectFailed`.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import httpx

from ._errors import ApiError, ConnectFailed
from ._generated import http_client
from ._generated.http_client import AsyncApiClient, SyncApiClient


def _headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class AdminClient(SyncApiClient):
    """A blocking admin API client: ``with AdminClient(base_url, token) as admin:``.

    ``token`` needs ``role: admin``. ``transport`` is any ``httpx.BaseTransport``
    (``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers=_headers(token), timeout=timeout, transport=transport
        )
        """The underlying ``httpx.Client``."""
        super().__init__(self.http)

    def close(self) -> None:
        """Close the HTTP connections."""
        self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAdminClient(AsyncApiClient):
    """An async admin API client: ``async with AsyncAdminClient(base_url, token) as admin:``.

    ``token`` needs ``role: admin``. ``transport`` is any ``httpx.AsyncBaseTransport``.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(
            base_url=base_url, headers=_headers(token), timeout=timeout, transport=transport
        )
        """The underlying ``httpx.AsyncClient``."""
        super().__init__(self.http)

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()


def _raise_sdk_error(exc: Exception, base_url: httpx.URL) -> None:
    """Raise the SDK's exception for what the generated client or httpx raised, if any."""
    if isinstance(exc, http_client.ApiError) and not isinstance(exc, ApiError):
        raise ApiError(exc.status_code, exc.content) from None
    if isinstance(exc, httpx.TransportError):
        raise ConnectFailed(f"the admin API at {base_url} was not reached: {exc!r}") from exc


def _sync_method(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: AdminClient, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except (http_client.ApiError, httpx.TransportError) as exc:
            _raise_sdk_error(exc, self.http.base_url)
            raise

    return call


def _async_method(method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    @functools.wraps(method)
    async def call(self: AsyncAdminClient, *args: Any, **kwargs: Any) -> Any:
        try:
            return await method(self, *args, **kwargs)
        except (http_client.ApiError, httpx.TransportError) as exc:
            _raise_sdk_error(exc, self.http.base_url)
            raise

    return call


# Each generated operation, wrapped: the signatures (and so the types) stay the generated
# ones; only the exceptions become the SDK's.
for _name, _member in vars(SyncApiClient).items():
    if not _name.startswith("_") and callable(_member):
        setattr(AdminClient, _name, _sync_method(_member))
for _name, _member in vars(AsyncApiClient).items():
    if not _name.startswith("_") and callable(_member):
        setattr(AsyncAdminClient, _name, _async_method(_member))
