"""The admin HTTP API: the generated clients over an httpx client with a bearer token.

Every method is the generated one (``get_ws_stats``, ``broadcast``,
``list_connections``, ``disconnect_connection``, ``create_notification``,
``create_test_session``, ...); a status other than the operation's success raises the
generated ``ApiError``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

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
