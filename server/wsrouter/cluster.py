"""What cluster mode adds around the backends: a start-up check, metrics, reaped presence.

``wsrouter serve`` checks its backends before it starts serving, so that a Redis or
PostgreSQL it cannot reach, or an SQLite file it cannot use (corrupted, not a database,
a folder, on a read-only disk), is one clear line naming it and exit status 2, not a
traceback from the lifespan (and the migrations are applied then; PostgreSQL's under
their advisory lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

from wsrouter._generated.messages import UserLeft
from wsrouter.broker import Audience
from wsrouter.clock import now_iso
from wsrouter.protocol.frames import encode
from wsrouter.services import Services
from wsrouter.settings import ConfigError, Settings, redact_url

CHECK_TIMEOUT = 10.0
"""Seconds the start-up check gives each server (a migration included)."""


def check_backends(settings: Settings) -> None:
    """Reach the Redis and PostgreSQL the settings name; :class:`ConfigError` if one fails."""
    asyncio.run(_check(settings))


async def _check(settings: Settings) -> None:
    if settings.database_url.startswith("sqlite:///"):
        await asyncio.to_thread(
            _check_sqlite, Path(settings.database_url.removeprefix("sqlite:///"))
        )
    if settings.broker_url.startswith(("redis://", "rediss://")):
        from wsrouter.redis_client import redis_client  # noqa: PLC0415 - only in cluster mode

        client = redis_client(settings.broker_url)
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await client.ping()
        except Exception as exc:
            raise ConfigError(
                f"WSROUTER_BROKER_URL: cannot reach Redis at {redact_url(settings.broker_url)}:"
                f" {_first_line(exc)}"
            ) from None
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()
    if settings.database_url.startswith(("postgresql://", "postgres://")):
        from wsrouter.store.postgres import PostgresStore  # noqa: PLC0415

        store = PostgresStore(settings.database_url, min_size=1, max_size=1)
        try:
            async with asyncio.timeout(CHECK_TIMEOUT):
                await store.start()  # applies the missing migrations
        except Exception as exc:
            raise ConfigError(
                "WSROUTER_DATABASE_URL: cannot use PostgreSQL at"
                f" {redact_url(settings.database_url)}: {_first_line(exc)}"
            ) from None
        finally:
            await store.close()


def _check_sqlite(path: Path) -> None:
    from wsrouter.store._sqlite_schema import connect  # noqa: PLC0415 - SQLite only

    try:
        connect(path).close()  # creates and migrates it, as the store's start will
    except (sqlite3.DatabaseError, OSError, RuntimeError) as exc:
        advice = ""
        if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
            advice = " (corrupted, or not an SQLite database: restore a backup, or move it aside)"
        raise ConfigError(
            f"WSROUTER_DATABASE_URL: cannot use the SQLite database {str(path)!r}:"
            f" {_first_line(exc)}{advice}"
        ) from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def attach(services: Services) -> None:
    """Wire the Redis backends' counters into ``/metrics`` and the reaper into presence."""
    from wsrouter.broker.redis import RedisBroker  # noqa: PLC0415
    from wsrouter.registry.redis import ReapedConnection, RedisRegistry  # noqa: PLC0415

    broker, registry, metrics = services.broker, services.registry, services.metrics
    if isinstance(broker, RedisBroker):
        metrics.gauge(
            "wsrouter_broker_gaps",
            "Re-subscriptions to Redis after a lost link (frames may have been missed).",
            lambda: broker.gaps,
        )
        metrics.gauge(
            "wsrouter_broker_dropped_frames",
            "Frames other nodes never got (Redis unreachable, or the publish queue full).",
            lambda: broker.dropped,
        )
        metrics.gauge(
            "wsrouter_broker_published_frames",
            "Frames sent to other nodes.",
            lambda: broker.published,
        )
    if isinstance(registry, RedisRegistry):
        metrics.gauge(
            "wsrouter_registry_reaped_connections",
            "Connections of dead nodes this node removed from the registry.",
            lambda: registry.reaped,
        )

        async def announce(removed: list[ReapedConnection]) -> None:
            # Only chat announces presence; a room change that was the user's last
            # connection there (cluster-wide) is a `user_left`, as on a normal close.
            for gone in removed:
                if gone.connection_type != "chat":
                    continue
                for room, change in gone.changes:
                    if change.user_changed:
                        frame = UserLeft(
                            room=room,
                            user_id=gone.user_id,
                            username=gone.username,
                            timestamp=now_iso(),
                        )
                        await broker.publish(
                            Audience(connection_type="chat", room=room), encode(frame)
                        )

        registry.on_reaped = announce
