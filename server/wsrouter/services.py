"""The shared services of one process (the endpoint, the clocks, the admin API), wired once."""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from wsrouter.auth import TokenVerifier
from wsrouter.broker import Audience, Broker
from wsrouter.metrics import Metrics
from wsrouter.protocol.frames import encode
from wsrouter.registry import Registry
from wsrouter.settings import Settings
from wsrouter.store import Store
from wsrouter.transport.hub import Hub


@dataclass
class Services:
    """What handlers may use; nothing here belongs to one connection."""

    settings: Settings
    store: Store
    broker: Broker
    registry: Registry
    hub: Hub
    tokens: TokenVerifier
    metrics: Metrics

    async def publish(self, audience: Audience, message: msgspec.Struct) -> None:
        """Encode ``message`` once and send it to ``audience``, cluster-wide."""
        await self.broker.publish(audience, encode(message))
