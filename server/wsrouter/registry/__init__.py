"""The cluster-wide index of open connections: who is connected, and in which rooms."""

from wsrouter.registry.base import (
    ConnectionInfo,
    Registry,
    RegistryUnavailable,
    RoomChange,
    TooManyConnections,
)

__all__ = [
    "ConnectionInfo",
    "Registry",
    "RegistryUnavailable",
    "RoomChange",
    "TooManyConnections",
    "open_registry",
]


def open_registry(url: str) -> Registry:
    """The registry for a ``WSROUTER_BROKER_URL``, where the broker is (``memory://``, ``redis://``)."""
    if url.startswith("memory://"):
        from wsrouter.registry.memory import MemoryRegistry  # noqa: PLC0415 - load only the backend in use

        return MemoryRegistry()
    if url.startswith(("redis://", "rediss://")):
        from wsrouter.registry.redis import RedisRegistry  # noqa: PLC0415

        return RedisRegistry(url)
    raise ValueError(f"unsupported broker URL scheme: {url.split(':', 1)[0]!r}")
