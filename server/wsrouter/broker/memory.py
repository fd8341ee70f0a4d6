"""The embedded broker: one process, so publishing is delivering."""

from __future__ import annotations

from wsrouter.broker.base import Audience, Broker, Delivery, Disconnector


class MemoryBroker(Broker):
    """Delivers synchronously to this process's connections."""

    def __init__(self) -> None:
        self._deliver: Delivery | None = None
        self._disconnect: Disconnector | None = None

    async def start(self, deliver: Delivery, disconnect: Disconnector) -> None:
        self._deliver = deliver
        self._disconnect = disconnect

    async def close(self) -> None:
        self._deliver = None
        self._disconnect = None

    async def ping(self) -> None:
        if self._deliver is None:
            raise RuntimeError("the broker is not started")

    async def publish(self, audience: Audience, frame: str) -> None:
        if self._deliver is not None:
            self._deliver(audience, frame)

    async def disconnect(self, connection_id: str, code: int, reason: str) -> None:
        if self._disconnect is not None:
            self._disconnect(connection_id, code, reason)
