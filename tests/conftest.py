"""Fixtures for every test folder: the real Redis and PostgreSQL servers (``tests/servers.py``).

Each server starts the first time a test asks for it and runs until the session ends;
tests isolate themselves with a fresh database (``redis_url``, ``postgres_url``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import PostgresServer, RedisServer, running_postgres, running_redis


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One ``redis-server`` for the whole session."""
    with running_redis() as server:
        yield server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL cluster for the whole session."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """A Redis database of this test's own."""
    return redis_server.fresh_url()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """An empty PostgreSQL database of this test's own."""
    return postgres_server.fresh_url()
