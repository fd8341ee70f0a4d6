"""What only the PostgreSQL store promises: its migrations, its row locks, its pool."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import anyio
import anyio.abc
import psycopg
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

from tests.server.store.helpers import T0, at, opened
from tests.servers import PostgresServer, free_port, running_postgres
from tests.timing import MS, TIMEOUT
from wsrouter.store import SessionClosed, StorageUnavailable, open_store
from wsrouter.store import TestSessionRecord as SessionRecord  # no `Test*` name for pytest
from wsrouter.store._postgres_schema import migrations
from wsrouter.store.postgres import PostgresStore

pytestmark = pytest.mark.anyio


def test_open_store_gives_a_postgres_store_for_both_url_schemes() -> None:
    for url in ("postgresql://u@h/db", "postgres://u@h/db"):
        store = open_store(url)
        assert isinstance(store, PostgresStore)
        assert store.url == url


def test_migrations_are_numbered_from_one_without_gaps() -> None:
    steps = migrations()
    assert [m.version for m in steps] == list(range(1, len(steps) + 1))
    assert steps[0].name == "0001_initial.sql"


async def _applied(url: str) -> list[int]:
    async with await psycopg.AsyncConnection.connect(url) as db:
        cursor = await db.execute("SELECT version FROM wsrouter_schema_migrations ORDER BY 1")
        return [row[0] for row in await cursor.fetchall()]


async def test_nodes_starting_together_migrate_once(postgres_url: str) -> None:
    stores = [open_store(postgres_url) for _ in range(4)]
    with anyio.fail_after(4 * TIMEOUT):
        await asyncio.gather(*(store.start() for store in stores))
    try:
        assert await _applied(postgres_url) == [m.version for m in migrations()]
        exam = await stores[0].create_test_session(
            user_id="u", duration_seconds=60, title="", question_count=1, now=T0
        )
        assert await stores[3].get_test_session(exam.id) == exam
    finally:
        await asyncio.gather(*(store.close() for store in stores))


async def test_a_schema_newer_than_this_wsrouter_is_refused(postgres_url: str) -> None:
    async with opened(postgres_url):
        pass
    async with await psycopg.AsyncConnection.connect(postgres_url) as db:
        await db.execute(
            "INSERT INTO wsrouter_schema_migrations (version, name) VALUES (%s, 'future')",
            (len(migrations()) + 1,),
        )
        await db.commit()
    store = open_store(postgres_url)
    with pytest.raises(RuntimeError, match="schema version"):
        await store.start()


async def test_an_answer_waits_for_a_submit_in_progress_and_is_then_refused(
    postgres_url: str,
) -> None:
    # Another node's submit has updated the row but not committed yet. An answer that
    # checked the session without locking its row would see it open and be stored
    # after the submit commits; with the lock it waits, then sees the submit.
    async with opened(postgres_url) as store:
        exam = await store.create_test_session(
            user_id="u", duration_seconds=3600, title="", question_count=1, now=T0
        )
        async with await psycopg.AsyncConnection.connect(postgres_url) as other:
            await other.execute(
                "UPDATE test_sessions SET submitted_at = %s, submit_reason = 'manual'"
                " WHERE id = %s",
                (at(5), exam.id),
            )
            saving = asyncio.create_task(
                store.save_answer(
                    exam.id,
                    question_id="q1",
                    answer=json.dumps("late").encode(),
                    client_answer_id=None,
                    now=at(6),
                )
            )
            with anyio.fail_after(TIMEOUT):
                while not saving.done() and not await _someone_waits_for_a_lock(postgres_url):
                    await asyncio.sleep(10 * MS)
            assert not saving.done(), "the answer did not wait for the submit's row lock"
            await other.commit()
        with pytest.raises(SessionClosed), anyio.fail_after(TIMEOUT):
            await saving
        assert await store.answers(exam.id) == {}


async def _someone_waits_for_a_lock(url: str) -> bool:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as db:
        cursor = await db.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        row = await cursor.fetchone()
        return row is not None and row[0] > 0


async def test_an_unreachable_server_fails_start_within_the_pool_timeout() -> None:
    store = open_store(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")
    with anyio.fail_after(4 * TIMEOUT):
        with pytest.raises(psycopg.OperationalError):
            await store.start()


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own, to restart."""
    with running_postgres() as server:
        yield server


async def test_requests_fail_while_postgres_is_down_and_succeed_once_it_is_back(
    private_postgres: PostgresServer,
) -> None:
    async with opened(private_postgres.fresh_url()) as store:
        exam = await store.create_test_session(
            user_id="u", duration_seconds=3600, title="", question_count=1, now=T0
        )
        private_postgres.stop()
        with anyio.fail_after(4 * TIMEOUT), pytest.raises(StorageUnavailable):
            await store.get_test_session(exam.id)
        private_postgres.start()
        # Every pooled connection died with the server; none of them is handed out again.
        for n in range(20):
            _, written = await store.save_answer(
                exam.id, question_id=f"q{n}", answer=b"1", client_answer_id=None, now=at(n)
            )
            assert written
        assert len(await store.answers(exam.id)) == 20


# A poller submits due sessions in batches and prints each id after its batch committed.
POLLER = """
import asyncio, sys
from datetime import UTC, datetime
from wsrouter.store import open_store

async def main(url):
    store = open_store(url)
    await store.start()
    print("ready", flush=True)
    while True:
        for record in await store.submit_due_sessions(datetime.now(UTC), limit=5):
            print(record.id, flush=True)

asyncio.run(main(sys.argv[1]))
"""


async def test_pollers_submit_every_due_session_once_when_one_is_killed(
    postgres_url: str,
) -> None:
    async with opened(postgres_url) as store:
        due = {
            (
                await store.create_test_session(
                    user_id=f"u{n}", duration_seconds=1, title="", question_count=1, now=T0
                )
            ).id
            for n in range(600)
        }
    claimed: dict[int, list[str]] = {}
    command = [sys.executable, "-c", POLLER, postgres_url]
    # The first poller starts alone, and the others once it has claimed a batch: however
    # slow the machine, it is killed in the middle of the run, with the others polling.
    pollers = [await anyio.open_process(command)]
    first_claimed = anyio.Event()

    async def read(index: int, poller: anyio.abc.Process) -> None:
        assert poller.stdout is not None
        lines = BufferedByteReceiveStream(poller.stdout)
        claimed[index] = []
        try:
            while True:
                line = (await lines.receive_until(b"\n", 100)).decode()
                if line != "ready":
                    claimed[index].append(line)
                    first_claimed.set()
                if index == 0 and len(claimed[0]) == 20:
                    _kill(poller)  # SIGKILL mid-run, maybe inside a batch's transaction
        except (anyio.IncompleteRead, anyio.EndOfStream, anyio.ClosedResourceError):
            return

    try:
        with anyio.fail_after(8 * TIMEOUT):
            async with anyio.create_task_group() as group:
                group.start_soon(read, 0, pollers[0])
                await first_claimed.wait()
                for index in (1, 2):
                    pollers.append(await anyio.open_process(command))
                    group.start_soon(read, index, pollers[index])

                async def all_claimed() -> None:
                    while sum(len(ids) for ids in claimed.values()) < len(due):
                        await anyio.sleep(20 * MS)
                    for poller in pollers:
                        _kill(poller)

                group.start_soon(all_claimed)
    finally:
        for poller in pollers:
            _kill(poller)
            await poller.wait()
    everything = [i for ids in claimed.values() for i in ids]
    assert sorted(everything) == sorted(due)  # every one, and none twice
    assert len(claimed[0]) >= 20
    async with opened(postgres_url) as store:
        assert await store.sessions_due(at(10)) == []


# A poller that announces the sessions it claimed before its commit, and hangs there.
HANGING_POLLER = """
import asyncio, sys
from datetime import UTC, datetime
from wsrouter.store import open_store

async def announce(records):
    print("announcing", records[0].id, flush=True)
    await asyncio.sleep(3600)

async def main(url):
    store = open_store(url)
    await store.start()
    await store.submit_due_sessions(datetime.now(UTC), announce=announce)

asyncio.run(main(sys.argv[1]))
"""


async def test_a_node_killed_while_announcing_leaves_the_sessions_to_the_next_poller(
    postgres_url: str,
) -> None:
    async with opened(postgres_url) as store:
        due = [
            await store.create_test_session(
                user_id=f"u{n}", duration_seconds=1, title="", question_count=1, now=T0
            )
            for n in range(3)
        ]
        poller = await anyio.open_process([sys.executable, "-c", HANGING_POLLER, postgres_url])
        try:
            assert poller.stdout is not None
            lines = BufferedByteReceiveStream(poller.stdout)
            with anyio.fail_after(4 * TIMEOUT):
                first = (await lines.receive_until(b"\n", 100)).decode()
            assert first.startswith("announcing ts_")
            # It announced one, and holds the claim: the others cannot take those rows...
            assert await store.submit_due_sessions(datetime.now(UTC)) == []
        finally:
            _kill(poller)  # ...until it dies before its commit
            await poller.wait()
        announced: list[str] = []

        async def announce(records: list[SessionRecord]) -> None:
            announced.extend(record.id for record in records)

        with anyio.fail_after(TIMEOUT):
            while not announced:  # the dead connection's locks go when the server notices
                await store.submit_due_sessions(datetime.now(UTC), announce=announce)
                await anyio.sleep(20 * MS)
        # So every one of them is announced again, the one the dead node announced too.
        assert sorted(announced) == sorted(s.id for s in due)
        assert await store.sessions_due(at(10)) == []


def _kill(process: anyio.abc.Process) -> None:
    with contextlib.suppress(ProcessLookupError):  # already gone
        process.kill()
