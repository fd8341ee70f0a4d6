"""The options of ``connect`` and ``connect_sync``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict

from ._reconnect import Reconnect
from ._token import TokenProvider
from ._wire import Opener


class CommonOptions(TypedDict, total=False):
    """The options both APIs share (all optional)."""

    token: str
    """The JWT, sent as ``Authorization: Bearer``."""
    reconnect: Reconnect | bool
    """Reopen the connection after a close that allows it; ``True``: ``Reconnect()``.
    Default: no."""
    request_timeout: float | None
    """Seconds to wait for a reply (default 10); ``None``: forever."""
    open_timeout: float | None
    """Seconds to wait for the WebSocket and its first frame (default 10)."""
    refresh_before: float
    """Seconds before the token's ``exp`` to refresh it (default 30)."""
    headers: Mapping[str, str]
    """More HTTP headers for the handshake (e.g. ``Origin``)."""
    opener: Opener
    """Opens the WebSocket; the default uses ``websockets``. Tests pass a fake."""


class ConnectOptions(CommonOptions, total=False):
    """The options of :func:`wsrouter_client.connect`."""

    token_provider: TokenProvider
    """Returns a fresh token (a plain or an ``async`` function): used when ``token`` is
    not given, at each reconnection, and ``refresh_before`` seconds before the token in
    force expires (the connection then sends ``refresh_token``)."""


class SyncConnectOptions(CommonOptions, total=False):
    """The options of :func:`wsrouter_client.connect_sync`."""

    token_provider: Callable[[], str]
    """Returns a fresh token: used when ``token`` is not given, at each reconnection,
    and ``refresh_before`` seconds before the token in force expires. It runs on a
    worker thread."""


def connection_settings(options: CommonOptions) -> dict[str, Any]:
    """The keyword arguments of ``Connection`` for ``options``."""
    settings: dict[str, Any] = dict(options)
    reconnect = settings.pop("reconnect", False)
    settings["reconnect"] = Reconnect() if reconnect is True else reconnect or None
    return settings
