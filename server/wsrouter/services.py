"""The shared services every connection and the admin API use, wired once per process."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

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
class TypingThrottle:
    """At most one ``user_typing`` per user per room per interval (on this node)."""

    interval: float
    _last: dict[tuple[str, str], float] = field(default_factory=dict)

    def allow(self, user_id: str, room: str) -> bool:
        """Whether a typing signal may go out now; records it if so."""
        now = time.monotonic()
        key = (user_id, room)
        if now - self._last.get(key, -self.interval) < self.interval:
            return False
        self._last[key] = now
        if len(self._last) > 10_000:  # forget stale entries so the map stays small
            self._last = {k: t for k, t in self._last.items() if now - t < self.interval}
        return True


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
    typing: TypingThrottle

    async def publish(self, audience: Audience, message: msgspec.Struct) -> None:
        """Encode ``message`` once and send it to ``audience``, cluster-wide."""
        await self.broker.publish(audience, encode(message))
