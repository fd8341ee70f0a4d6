"""What only the SQLite store promises: its file, its settings, its schema version, its thread."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import datetime
from pathlib import Path

import anyio
import pytest

from tests.server.store.helpers import T0, opened
from tests.timing import TIMEOUT
from wsrouter.store import open_store
from wsrouter.store._sqlite_schema import SCHEMA_VERSION, connect
from wsrouter.store.sqlite import SQLiteStore

pytestmark = pytest.mark.anyio


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "deep" / "er" / "store.db"


@pytest.fixture
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain connection to the file, standing for another process."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        yield db


def test_open_store_gives_a_sqlite_store_for_a_sqlite_url(path: Path) -> None:
    store = open_store(f"sqlite:///{path}")
    assert isinstance(store, SQLiteStore)
    assert store.path == path


async def test_start_creates_the_missing_folders_and_the_file(path: Path) -> None:
    async with opened(f"sqlite:///{path}"):
        assert path.is_file()


async def test_the_file_is_in_wal_mode_at_the_current_schema_version(
    path: Path, raw: sqlite3.Connection
) -> None:
    for _ in range(2):  # and starting again on an existing file changes nothing
        async with opened(f"sqlite:///{path}"):
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
            assert raw.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)


def test_connections_sync_every_commit_and_enforce_foreign_keys(path: Path) -> None:
    with closing(connect(path)) as db:
        assert db.execute("PRAGMA synchronous").fetchone() == (2,)  # FULL
        assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
        assert db.execute("PRAGMA busy_timeout").fetchone() == (5000,)


async def test_a_database_from_a_newer_wsrouter_is_refused(
    path: Path, raw: sqlite3.Connection
) -> None:
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    store = SQLiteStore(path)
    with pytest.raises(RuntimeError, match="schema version"):
        await store.start()


async def test_an_in_memory_database_is_refused() -> None:
    # It would lose every acknowledged write with the process.
    with pytest.raises(RuntimeError, match="WAL"):
        await SQLiteStore(":memory:").start()


async def test_calls_after_close_raise(path: Path) -> None:
    async with opened(f"sqlite:///{path}") as store:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        await store.ping()
    await store.close()  # closing twice is harmless


async def test_naive_datetimes_are_refused(path: Path) -> None:
    async with opened(f"sqlite:///{path}") as store:
        with pytest.raises(ValueError, match="timezone-aware"):
            await store.add_chat_message(
                room="r", sender_id="u", sender_name="U", message="m", now=datetime(2025, 1, 1)
            )


async def test_a_write_waiting_for_another_process_does_not_block_the_event_loop(
    path: Path, raw: sqlite3.Connection
) -> None:
    async with opened(f"sqlite:///{path}") as store:
        raw.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        saved = anyio.Event()

        async def write() -> None:
            await store.add_chat_message(
                room="r", sender_id="u", sender_name="U", message="m", now=T0
            )
            saved.set()

        async with anyio.create_task_group() as group:
            group.start_soon(write)
            # The write cannot finish while the lock is held; the loop must keep running
            # meanwhile (were it blocked, this timeout would not fire before the write
            # gave up with "database is locked").
            with anyio.move_on_after(0.05):
                await saved.wait()
            assert not saved.is_set()
            raw.execute("COMMIT")
            with anyio.fail_after(TIMEOUT):
                await saved.wait()
        assert len(await store.chat_history("r", 10)) == 1
