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


# Add an implementation here (e.g. "postgres", with a fresh database or schema per test)
# and the whole contract suite runs against it.
@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database; for SQLite, in a folder that does not exist yet."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'store.db'}"
    raise AssertionError(f"no database for {request.param!r}")


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    """A started store on an empty database, closed after the test."""
    async with opened(database_url) as store:
        yield store
