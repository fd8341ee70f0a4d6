"""Shared by the store tests: the tests' clock, opening a store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from wsrouter.store import Store, open_store

T0 = datetime(2025, 7, 10, 10, 30, tzinfo=UTC)
"""The tests' clock starts here; stores take ``now`` as an argument, never the real time."""


def at(seconds: float) -> datetime:
    """``seconds`` after :data:`T0`."""
    return T0 + timedelta(seconds=seconds)


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Store]:
    """A started store on ``url``, closed on exit (another instance on the same data)."""
    store = open_store(url)
    await store.start()
    try:
        yield store
    finally:
        await store.close()
