"""Fan-out of encoded frames to connections, on this node or across a cluster."""

from wsrouter.broker.base import Audience, Broker, Delivery, Disconnector

__all__ = ["Audience", "Broker", "Delivery", "Disconnector", "open_broker"]


def open_broker(url: str) -> Broker:
    """The broker for a ``WSROUTER_BROKER_URL`` (``memory://``)."""
    if url.startswith("memory://"):
        from wsrouter.broker.memory import MemoryBroker  # noqa: PLC0415 - load only the backend in use

        return MemoryBroker()
    raise ValueError(f"unsupported broker URL scheme: {url.split(':', 1)[0]!r}")
