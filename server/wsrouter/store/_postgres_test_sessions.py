"""Test sessions and their answers, on a PostgreSQL connection.

:class:`~wsrouter.store.postgres.PostgresStore` runs each function in one transaction
and documents its contract. What SQLite gets from its single writer, these get from
row locks: :func:`save_answer` locks the session row (``FOR UPDATE``) before it checks
that the session is open, so a submit committing meanwhile waits for the answer's
commit, or the answer sees the submit and is refused; never an answer stored after
the submit committed (reproduced without the lock). Due sessions are claimed with
``FOR UPDATE SKIP LOCKED``, so nodes polling at once each take different ones.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import TupleRow

from wsrouter.store._ids import new_session_id
from wsrouter.store.base import (
    Announce,
    AnswerRecord,
    DeadlinePassed,
    SessionClosed,
    TestSessionRecord,
)

Db = AsyncConnection[TupleRow]

_SELECT = """
    SELECT s.id, s.user_id, s.title, s.question_count, s.started_at, s.ends_at,
           s.submitted_at, s.submit_reason,
           (SELECT count(*) FROM answers AS a WHERE a.session_id = s.id)
    FROM test_sessions AS s
"""


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC; refuses naive datetimes (their zone is a guess)."""
    if moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")
    return moment.astimezone(UTC)


def _record(row: tuple[Any, ...]) -> TestSessionRecord:
    id_, user_id, title, question_count, started, ends, submitted, reason, answered = row
    return TestSessionRecord(
        id=id_,
        user_id=user_id,
        title=title,
        question_count=question_count,
        started_at=utc(started),
        ends_at=utc(ends),
        submitted_at=utc(submitted) if submitted is not None else None,
        submit_reason=reason,
        answered_count=answered,
    )


def _answer(row: tuple[Any, ...], client_answer_id: str | None) -> AnswerRecord:
    question_id, answer, version, saved_at = row
    return AnswerRecord(
        question_id=question_id,
        answer=bytes(answer),
        version=version,
        saved_at=utc(saved_at),
        client_answer_id=client_answer_id,
    )


async def create_test_session(
    db: Db, *, user_id: str, duration_seconds: int, title: str, question_count: int, now: datetime
) -> TestSessionRecord:
    """Insert a session that starts ``now``."""
    started_at = utc(now)
    record = TestSessionRecord(
        id=new_session_id(),
        user_id=user_id,
        title=title,
        question_count=question_count,
        started_at=started_at,
        ends_at=started_at + timedelta(seconds=duration_seconds),
        submitted_at=None,
        submit_reason=None,
        answered_count=0,
    )
    await db.execute(
        "INSERT INTO test_sessions (id, user_id, title, question_count, started_at, ends_at)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (record.id, user_id, title, question_count, record.started_at, record.ends_at),
    )
    return record


async def get_test_session(db: Db, session_id: str) -> TestSessionRecord | None:
    """The session, or ``None``."""
    cursor = await db.execute(_SELECT + " WHERE s.id = %s", (session_id,))
    row = await cursor.fetchone()
    return _record(row) if row is not None else None


async def save_answer(
    db: Db,
    session_id: str,
    *,
    question_id: str,
    answer: bytes,
    client_answer_id: str | None,
    now: datetime,
) -> tuple[AnswerRecord, bool]:
    """Lock the session row, check it, and write the answer (one transaction)."""
    saved_at = utc(now)
    cursor = await db.execute(
        "SELECT submitted_at, ends_at FROM test_sessions WHERE id = %s FOR UPDATE", (session_id,)
    )
    session = await cursor.fetchone()
    if session is None:
        raise KeyError(session_id)
    if client_answer_id is not None:
        # Before the closed/deadline checks on purpose, as in SQLite: a retry of a write
        # that was applied gets that write's record even after the session closed.
        cursor = await db.execute(
            "SELECT question_id, answer, version, saved_at FROM applied_answers"
            " WHERE session_id = %s AND client_answer_id = %s",
            (session_id, client_answer_id),
        )
        applied = await cursor.fetchone()
        if applied is not None:
            return _answer(applied, client_answer_id), False
    submitted_at, ends_at = session
    if submitted_at is not None:
        raise SessionClosed(session_id)
    if saved_at >= ends_at:
        raise DeadlinePassed(session_id)
    cursor = await db.execute(
        "INSERT INTO answers"
        " (session_id, question_id, answer, version, saved_at, client_answer_id)"
        " VALUES (%s, %s, %s, 1, %s, %s)"
        " ON CONFLICT (session_id, question_id) DO UPDATE SET"
        "  answer = excluded.answer, version = answers.version + 1,"
        "  saved_at = excluded.saved_at, client_answer_id = excluded.client_answer_id"
        " RETURNING version",
        (session_id, question_id, answer, saved_at, client_answer_id),
    )
    row = await cursor.fetchone()
    assert row is not None  # noqa: S101 - an upsert with RETURNING always gives its row
    (version,) = row
    if client_answer_id is not None:
        await db.execute(
            "INSERT INTO applied_answers"
            " (session_id, client_answer_id, question_id, answer, version, saved_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (session_id, client_answer_id, question_id, answer, version, saved_at),
        )
    return AnswerRecord(
        question_id=question_id,
        answer=answer,
        version=version,
        saved_at=saved_at,
        client_answer_id=client_answer_id,
    ), True


async def answers(db: Db, session_id: str) -> dict[str, AnswerRecord]:
    """The latest answer of every question of the session (empty for an unknown one)."""
    cursor = await db.execute(
        "SELECT question_id, answer, version, saved_at, client_answer_id FROM answers"
        " WHERE session_id = %s ORDER BY question_id",
        (session_id,),
    )
    return {row[0]: _answer(row[:4], row[4]) for row in await cursor.fetchall()}


async def submit_test_session(
    db: Db, session_id: str, *, reason: str, now: datetime
) -> TestSessionRecord | None:
    """Submit unless submitted; ``None`` if it was, or is unknown."""
    # The WHERE clause is the whole race: of any number of submitters, on any node,
    # exactly one finds submitted_at still NULL (the others wait for its row lock,
    # then see it set).
    cursor = await db.execute(
        "UPDATE test_sessions SET submitted_at = %s, submit_reason = %s"
        " WHERE id = %s AND submitted_at IS NULL",
        (utc(now), reason, session_id),
    )
    if cursor.rowcount != 1:
        return None
    # A statement of its own: its snapshot counts answers committed while the update
    # waited for the session's row lock.
    return await get_test_session(db, session_id)


async def sessions_due(db: Db, now: datetime) -> list[TestSessionRecord]:
    """Unsubmitted sessions whose end is at or before ``now``, earliest end first."""
    cursor = await db.execute(
        _SELECT + " WHERE s.submitted_at IS NULL AND s.ends_at <= %s ORDER BY s.ends_at, s.id",
        (utc(now),),
    )
    return [_record(row) for row in await cursor.fetchall()]


async def submit_due_sessions(
    db: Db, now: datetime, limit: int, announce: Announce | None
) -> list[TestSessionRecord]:
    """Submit up to ``limit`` due sessions that no other node is submitting; return them.

    ``announce`` is awaited with them, once, before the caller's transaction commits.
    """
    cursor = await db.execute(
        "UPDATE test_sessions SET submitted_at = %s, submit_reason = 'time_expired'"
        " WHERE id IN ("
        "  SELECT id FROM test_sessions WHERE submitted_at IS NULL AND ends_at <= %s"
        "  ORDER BY ends_at, id LIMIT %s FOR UPDATE SKIP LOCKED)"
        " RETURNING id",
        (utc(now), utc(now), limit),
    )
    ids = [row[0] for row in await cursor.fetchall()]
    if not ids:
        return []
    cursor = await db.execute(_SELECT + " WHERE s.id = ANY(%s) ORDER BY s.ends_at, s.id", (ids,))
    records = [_record(row) for row in await cursor.fetchall()]
    if announce is not None:
        await announce(records)
    return records
