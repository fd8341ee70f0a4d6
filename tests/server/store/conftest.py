"""Fixtures for the store tests: one empty database per test, for every implementation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.server.store.helpers import opened
from wsrouter.store import Store


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# Add an implementation here and the whole contract suite runs against it.
@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database; for SQLite, in a folder that does not exist yet.

    PostgreSQL: a new database on the session's server (``tests/conftest.py``).
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'store.db'}"
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    raise AssertionError(f"no database for {request.param!r}")


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A started store on an empty database, closed after the test."""
    async with opened(database_url) as store:
        yield store
