"""The one way wsrouter makes a Redis client (broker and registry): every call bounded.

redis-py's defaults do not suit a router that must never hang on Redis: its pool
raises when exhausted, it retries ten times with backoff, and a connection waits as
long as the kernel lets it. Here the pool blocks for at most :data:`REDIS_TIMEOUT`,
connects and reads within it, and retries a failed call once at once (the asyncio
``Retry``; redis-py's synchronous one would silently disable retries on the asyncio
client), which is what a stale pooled connection after a Redis restart needs. Every
script the registry runs is safe to repeat for that reason.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

REDIS_TIMEOUT = 1.0
"""Seconds one Redis call may take to connect, or to answer (twice that with its retry)."""


def redis_client(url: str, *, max_connections: int = 32) -> Redis:
    """A client of the Redis at ``url`` (``redis://HOST:PORT/DB``) owning its own pool."""
    pool = BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
        socket_connect_timeout=REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 1),
        client_name="wsrouter",
    )
    return Redis.from_pool(pool)


def redis_database(url: str) -> int:
    """The database number of a ``redis://`` URL (0 when it has none)."""
    path = urlsplit(url).path.strip("/")
    return int(path) if path else 0
