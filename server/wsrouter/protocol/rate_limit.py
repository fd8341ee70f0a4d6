"""A token bucket: ``rate`` frames per second on average, ``burst`` at once."""

from __future__ import annotations

import time
from collections.abc import Callable


class TokenBucket:
    """Allows ``burst`` frames at once, refilled at ``rate`` per second."""

    __slots__ = ("_clock", "_tokens", "_updated", "burst", "rate")

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._clock = clock
        self._tokens = float(burst)
        self._updated = clock()

    def allow(self) -> bool:
        """Take one token if there is one (once per frame: kept to plain arithmetic)."""
        now = self._clock()
        tokens = self._tokens + (now - self._updated) * self.rate
        if tokens > self.burst:  # noqa: PLR1730 - a comparison costs less than min()
            tokens = self.burst
        self._updated = now
        if tokens >= 1.0:
            self._tokens = tokens - 1.0
            return True
        self._tokens = tokens
        return False
