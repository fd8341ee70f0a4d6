"""Test sessions and their answers, on a SQLite connection.

These functions run on the store's worker thread; :class:`~wsrouter.store.sqlite.SQLiteStore`
documents the contract of each. Every check that guards a write happens inside the
write's ``BEGIN IMMEDIATE`` transaction, so no other process can submit the session or
save an answer between the check and the write.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from typing import Any

from wsrouter.store._ids import new_session_id
from wsrouter.store._sqlite_schema import from_micros, to_micros, transaction
from wsrouter.store.base import AnswerRecord, DeadlinePassed, SessionClosed, TestSessionRecord

_SELECT = """
    SELECT s.id, s.user_id, s.title, s.question_count, s.started_us, s.ends_us,
           s.submitted_us, s.submit_reason,
           (SELECT count(*) FROM answers AS a WHERE a.session_id = s.id)
    FROM test_sessions AS s
"""


def _record(row: tuple[Any, ...]) -> TestSessionRecord:
    id_, user_id, title, question_count, started_us, ends_us, submitted_us, reason, answered = row
    return TestSessionRecord(
        id=id_,
        user_id=user_id,
        title=title,
        question_count=question_count,
        started_at=from_micros(started_us),
        ends_at=from_micros(ends_us),
        submitted_at=from_micros(submitted_us) if submitted_us is not None else None,
        submit_reason=reason,
        answered_count=answered,
    )


def create_test_session(
    db: sqlite3.Connection,
    *,
    user_id: str,
    duration_seconds: int,
    title: str,
    question_count: int,
    now: datetime,
) -> TestSessionRecord:
    """Insert a session that starts ``now``; see :meth:`Store.create_test_session`."""
    started_at = from_micros(to_micros(now))  # in UTC, as a later read would give it
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
    with transaction(db, write=True):
        db.execute(
            "INSERT INTO test_sessions"
            " (id, user_id, title, question_count, started_us, ends_us)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                record.id,
                user_id,
                title,
                question_count,
                to_micros(record.started_at),
                to_micros(record.ends_at),
            ),
        )
    return record


def get_test_session(db: sqlite3.Connection, session_id: str) -> TestSessionRecord | None:
    """The session, or ``None``."""
    row = db.execute(_SELECT + " WHERE s.id = ?", (session_id,)).fetchone()
    return _record(row) if row is not None else None


def save_answer(
    db: sqlite3.Connection,
    session_id: str,
    *,
    question_id: str,
    answer: bytes,
    client_answer_id: str | None,
    now: datetime,
) -> tuple[AnswerRecord, bool]:
    """Check the session and write the answer, in one transaction."""
    saved_us = to_micros(now)
    with transaction(db, write=True):
        session = db.execute(
            "SELECT submitted_us, ends_us FROM test_sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if session is None:
            raise KeyError(session_id)
        if client_answer_id is not None:
            # Looked up before the closed/deadline checks on purpose: a retry of a write
            # that was applied (its acknowledgement lost) gets that write's record even
            # after the session closed, because the answer it reports *was* saved.
            applied = db.execute(
                "SELECT question_id, answer, version, saved_us FROM applied_answers"
                " WHERE session_id = ? AND client_answer_id = ?",
                (session_id, client_answer_id),
            ).fetchone()
            if applied is not None:
                first_question, first_answer, first_version, first_saved_us = applied
                return AnswerRecord(
                    question_id=first_question,
                    answer=first_answer,
                    version=first_version,
                    saved_at=from_micros(first_saved_us),
                    client_answer_id=client_answer_id,
                ), False
        submitted_us, ends_us = session
        if submitted_us is not None:
            raise SessionClosed(session_id)
        if saved_us >= ends_us:
            raise DeadlinePassed(session_id)
        (version,) = db.execute(
            "INSERT INTO answers"
            " (session_id, question_id, answer, version, saved_us, client_answer_id)"
            " VALUES (?, ?, ?, 1, ?, ?)"
            " ON CONFLICT (session_id, question_id) DO UPDATE SET"
            "  answer = excluded.answer, version = answers.version + 1,"
            "  saved_us = excluded.saved_us, client_answer_id = excluded.client_answer_id"
            " RETURNING version",
            (session_id, question_id, answer, saved_us, client_answer_id),
        ).fetchone()
        if client_answer_id is not None:
            db.execute(
                "INSERT INTO applied_answers"
                " (session_id, client_answer_id, question_id, answer, version, saved_us)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, client_answer_id, question_id, answer, version, saved_us),
            )
    return AnswerRecord(
        question_id=question_id,
        answer=answer,
        version=version,
        saved_at=from_micros(saved_us),  # in UTC, as a later read would give it
        client_answer_id=client_answer_id,
    ), True


def answers(db: sqlite3.Connection, session_id: str) -> dict[str, AnswerRecord]:
    """The latest answer of every question of the session (empty for an unknown one)."""
    rows = db.execute(
        "SELECT question_id, answer, version, saved_us, client_answer_id FROM answers"
        " WHERE session_id = ? ORDER BY question_id",
        (session_id,),
    )
    return {
        question_id: AnswerRecord(
            question_id=question_id,
            answer=answer,
            version=version,
            saved_at=from_micros(saved_us),
            client_answer_id=client_answer_id,
        )
        for question_id, answer, version, saved_us, client_answer_id in rows
    }


def submit_test_session(
    db: sqlite3.Connection, session_id: str, *, reason: str, now: datetime
) -> TestSessionRecord | None:
    """Submit the session unless it is submitted; ``None`` if it was, or is unknown.

    An unknown session gives ``None`` rather than ``KeyError``: the callers (the
    ``submit_session`` handler, the auto-submit timer) treat "nothing to submit" the
    same either way, and a conditional update cannot tell the two apart for free.
    """
    with transaction(db, write=True):
        # The WHERE clause is the whole race: of any number of submitters, in this
        # process or another, exactly one finds submitted_us still NULL.
        changed = db.execute(
            "UPDATE test_sessions SET submitted_us = ?, submit_reason = ?"
            " WHERE id = ? AND submitted_us IS NULL",
            (to_micros(now), reason, session_id),
        ).rowcount
        if changed != 1:
            return None
        row = db.execute(_SELECT + " WHERE s.id = ?", (session_id,)).fetchone()
    return _record(row)


def sessions_due(db: sqlite3.Connection, now: datetime) -> list[TestSessionRecord]:
    """Unsubmitted sessions whose end is at or before ``now``, earliest end first."""
    rows = db.execute(
        _SELECT + " WHERE s.submitted_us IS NULL AND s.ends_us <= ? ORDER BY s.ends_us, s.id",
        (to_micros(now),),
    ).fetchall()
    return [_record(row) for row in rows]
