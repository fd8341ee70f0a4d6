"""What every load user shares: tokens, blocking SDK calls off the gevent hub, reporting.

Nothing here imports Locust, so pytest may import this module (Locust monkeypatches
on import; only ``locustfile.py`` imports it, and only Locust's own process runs that).

Why the SDK calls run on gevent's thread pool: the SDK's blocking client runs an
asyncio event loop on a private OS thread and waits on a ``concurrent.futures``
future. Under Locust's default ``gevent.monkey.patch_all()`` that "thread" becomes a
greenlet, and a second connection fails (asyncio allows one running loop per OS
thread: "the connection's event loop is stopped"). So the load runs with
``LOCUST_SKIP_MONKEY_PATCH=1`` (the locustfile refuses to run otherwise): the SDK's
threads are real threads, and each blocking call (a WebSocket request or an admin
HTTP call) runs on a real thread of gevent's pool (``hub.threadpool.spawn(...).get()``)
while the Locust user's greenlet waits cooperatively, so users stay concurrent.
Nothing else in the users blocks (they sleep with ``gevent.sleep`` via ``wait_time``).
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import jwt
import msgspec

T = TypeVar("T")

SECRET_ENV = "WSROUTER_LOAD_SECRET"  # noqa: S105 - the variable's name
"""The HS256 secret of the server under load (its ``WSROUTER_JWT_SECRET``)."""

RUN_ID = secrets.token_hex(3)
"""Tells this process's users apart from other workers' (distributed mode)."""

_counter = itertools.count()
_counter_lock = threading.Lock()


def next_index() -> int:
    """0, 1, 2, ... across every user of this process."""
    with _counter_lock:
        return next(_counter)


@dataclass(frozen=True)
class Tokens:
    """Signs tokens the server accepts: HS256 with its secret (and its aud/iss, if any)."""

    secret: str
    audience: str | None = None
    issuer: str | None = None
    ttl_seconds: int = 4 * 3600

    @classmethod
    def from_env(cls, secret: str | None = None) -> Tokens:
        """From ``--token-secret`` or ``$WSROUTER_LOAD_SECRET`` (``WSROUTER_JWT_AUDIENCE``,
        ``WSROUTER_JWT_ISSUER`` when the server checks them)."""
        secret = secret or os.environ.get(SECRET_ENV) or ""
        if len(secret) < 32:
            raise SystemExit(
                f"loadtests: pass the server's WSROUTER_JWT_SECRET as --token-secret or "
                f"${SECRET_ENV} (at least 32 bytes) so the users can sign their tokens"
            )
        return cls(
            secret=secret,
            audience=os.environ.get("WSROUTER_JWT_AUDIENCE") or None,
            issuer=os.environ.get("WSROUTER_JWT_ISSUER") or None,
        )

    def token(self, sub: str, *, name: str | None = None, role: str | None = None) -> str:
        """A token for user ``sub``."""
        now = int(time.time())
        claims: dict[str, Any] = {"sub": sub, "iat": now, "exp": now + self.ttl_seconds}
        if name is not None:
            claims["name"] = name
        if role is not None:
            claims["role"] = role
        if self.audience is not None:
            claims["aud"] = self.audience
        if self.issuer is not None:
            claims["iss"] = self.issuer
        return jwt.encode(claims, self.secret, algorithm="HS256")


def ws_url(host: str) -> str:
    """``http://h:p`` (Locust's ``--host``) -> ``ws://h:p/ws``; ``https`` -> ``wss``."""
    host = host.rstrip("/")
    if host.startswith("https://"):
        return "wss://" + host.removeprefix("https://") + "/ws"
    if host.startswith("http://"):
        return "ws://" + host.removeprefix("http://") + "/ws"
    return host if host.endswith("/ws") else host + "/ws"


@dataclass(frozen=True)
class Sample:
    """One measurement for Locust's statistics (fired from the user's greenlet)."""

    name: str
    response_time_ms: float
    length: int = 0
    exception: BaseException | None = None


@dataclass
class Inbox:
    """Samples recorded on the SDK's callback threads, fired later by the user's greenlet.

    Locust's statistics are not meant to be written from other OS threads, so
    callbacks only append here (``deque.append`` is thread-safe).
    """

    samples: deque[Sample] = field(default_factory=deque)

    def add(self, sample: Sample) -> None:
        """Keep ``sample`` for the next :meth:`drain`."""
        self.samples.append(sample)

    def drain(self) -> list[Sample]:
        """Everything recorded so far, oldest first."""
        out: list[Sample] = []
        while True:
            try:
                out.append(self.samples.popleft())
            except IndexError:
                return out


def elapsed_ms(since: float) -> float:
    """Milliseconds from the wall-clock time ``since`` (``time.time()``) to now."""
    return max(0.0, (time.time() - since) * 1000)


def timed(name: str, call: Callable[[], T]) -> tuple[Sample, T | None]:
    """Run ``call`` and measure it; an exception becomes the sample's failure."""
    start = time.perf_counter()
    try:
        result = call()
    except Exception as exc:  # every failure is reported, none is fatal to the run
        return Sample(name, (time.perf_counter() - start) * 1000, exception=exc), None
    return Sample(name, (time.perf_counter() - start) * 1000, reply_size(result)), result


def reply_size(reply: object) -> int:
    """The bytes of a reply as JSON on the wire (Locust's "Average size"); 0 for none."""
    if isinstance(reply, msgspec.Struct):
        return len(msgspec.json.encode(reply))
    return 0
