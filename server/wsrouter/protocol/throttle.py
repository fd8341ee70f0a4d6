"""Throttles shared by every connection of a node."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


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
