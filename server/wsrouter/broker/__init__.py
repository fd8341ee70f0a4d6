"""Fan-out of encoded frames to connections, on this node or across a cluster."""

from wsrouter.broker.base import Audience, Broker, Delivery, Disconnector

__all__ = ["Audience", "Broker", "Delivery", "Disconnector", "open_broker"]


def open_broker(url: str) -> Broker:
    """The broker for a ``WSROUTER_BROKER_URL`` (``memory://`` or ``redis://HOST:PORT/DB``)."""
    if url.startswith("memory://"):
        from wsrouter.broker.memory import MemoryBroker  # noqa: PLC0415 - load only the backend in use

        return MemoryBroker()
    if url.startswith(("redis://", "rediss://")):
        from wsrouter.broker.redis import RedisBroker  # noqa: PLC0415

        return RedisBroker(url)
    raise ValueError(f"unsupported broker URL scheme: {url.split(':', 1)[0]!r}")
