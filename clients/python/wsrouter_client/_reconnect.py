"""When and how soon to reconnect: full-jitter exponential backoff and the close codes.

Full jitter (a uniformly random wait between zero and an exponentially growing cap)
spreads the reconnections of many clients dropped at once, e.g. by a server restart,
instead of bringing them back in waves.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field

from ._errors import ConnectionClosed
from ._generated.messages import CloseCode


@dataclass(frozen=True, kw_only=True)
class Reconnect:
    """Opt-in reconnection; pass ``reconnect=Reconnect(...)`` (or ``True``) to ``connect``.

    Before attempt ``n`` (from 0) the client waits a random time between 0 and
    ``min(cap, base * 2**n)`` seconds; it gives up after ``max_attempts`` failed
    attempts in a row (never, when ``None``). ``random`` and ``sleep`` are there for
    tests.
    """

    base: float = 0.5
    """Seconds: the cap of the first wait."""
    cap: float = 30.0
    """Seconds: the longest wait."""
    max_attempts: int | None = None
    """Failed attempts in a row before giving up; ``None``: keep trying."""
    random: Callable[[], float] = field(default=random.random, repr=False)
    """A number in [0, 1), scaling each wait."""
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    """Waits that many seconds (on the connection's event loop)."""

    def delay(self, attempt: int) -> float:
        """Seconds to wait before attempt number ``attempt`` (counted from 0)."""
        # The exponent is clamped so that a long outage cannot overflow a float.
        return self.random() * min(self.cap, self.base * 2.0 ** min(attempt, 64))

    def attempts(self) -> Iterator[int]:
        """The attempt numbers: 0, 1, 2, ... up to ``max_attempts``."""
        if self.max_attempts is None:
            return itertools.count()
        return iter(range(self.max_attempts))


def should_reconnect(closed: ConnectionClosed, *, can_refresh_token: bool) -> bool:
    """Whether a connection that ended with ``closed`` should be reopened.

    Never after the client's own close or a terminal code (1000, 4500-4999); after
    4401 only when a token provider can supply a fresh token, since the same token
    would be refused again.
    """
    if closed.by_client or not closed.retryable:
        return False
    return closed.code != CloseCode.UNAUTHORIZED or can_refresh_token
