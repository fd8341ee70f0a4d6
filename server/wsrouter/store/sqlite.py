"""The embedded store: one SQLite file, for a single node or a few on one machine.

``sqlite3`` blocks, so the connection lives on one dedicated worker thread and every
call is a job on it, awaited from the event loop. One thread means one connection
and no locking of our own: jobs run one at a time, in the order they were called,
each in its own transaction. Other processes may open the same file (WAL mode lets
them read while one writes); their writes take turns through SQLite's write lock.

A caller cancelled while its job waits in the queue never runs it; once the job has
started it runs to its commit, so a cancelled write may or may not have happened, but
a write that returned has always committed.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from wsrouter.store import _sqlite_chat as chat
from wsrouter.store import _sqlite_notifications as notifications
from wsrouter.store import _sqlite_test_sessions as test_sessions
from wsrouter.store._sqlite_schema import connect
from wsrouter.store.base import (
    AnswerRecord,
    ChatMessageRecord,
    NotificationRecord,
    StorageUnavailable,
    Store,
    TestSessionRecord,
)

_P = ParamSpec("_P")
_T = TypeVar("_T")


class SQLiteStore(Store):
    """A :class:`Store` in the SQLite database file at ``path``.

    The file and its folder are created on :meth:`start` if missing. Ids:
    notifications ``n_…`` and chat messages ``m_…`` (22 random url-safe characters),
    test sessions ``ts_`` and 16 hex digits.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._worker: ThreadPoolExecutor | None = None
        self.failing: str | None = None
        """What the last failed write said, until a write succeeds again."""
        # Created by, and only ever used on, the worker thread.
        self._db: sqlite3.Connection | None = None

    async def _run(
        self,
        operation: Callable[Concatenate[sqlite3.Connection, _P], _T],
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T:
        """Run ``operation(connection, ...)`` on the worker thread and await its result."""
        if self._worker is None or self._db is None:
            raise RuntimeError("the SQLite store is not started, or is closed")
        job = functools.partial(operation, self._db, *args, **kwargs)
        try:
            return await asyncio.get_running_loop().run_in_executor(self._worker, job)
        except sqlite3.IntegrityError:
            raise  # a constraint: the caller's logic, not the storage
        except (sqlite3.OperationalError, sqlite3.DatabaseError) as exc:
            # A full disk, a read-only file, I/O errors: the storage failed, and the
            # transaction was rolled back. /ready says so until a write succeeds.
            self.failing = str(exc)
            raise StorageUnavailable(f"{self.path}: {exc}") from exc

    async def start(self) -> None:
        """Open the file (creating it and its folder) and bring the schema up to date."""
        if self._worker is not None:
            raise RuntimeError("the SQLite store is already started")
        worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wsrouter-sqlite")
        try:
            self._db = await asyncio.get_running_loop().run_in_executor(worker, connect, self.path)
        except BaseException:
            worker.shutdown(wait=False)
            raise
        self._worker = worker

    async def close(self) -> None:
        """Let the jobs already queued finish, then close the connection and the thread."""
        worker, db = self._worker, self._db
        self._worker = self._db = None  # calls from now on fail fast instead of queueing
        if worker is None or db is None:
            return
        try:
            # Queued behind every job submitted before close(), so those finish first.
            await asyncio.get_running_loop().run_in_executor(worker, db.close)
        finally:
            # Nothing is left in the queue, so the thread exits at once; no need to
            # block the event loop joining it.
            worker.shutdown(wait=False)

    async def ping(self) -> None:
        """Raise if the store is closed or the file is unusable.

        ``SELECT 1`` while all is well; after a failed write, a probe write (the
        header's ``user_version``, rewritten as it is) until one succeeds: reads may
        work on a disk that is full.
        """
        if self.failing is None:
            await self._run(lambda db: db.execute("SELECT 1").fetchone())
            return
        await self._run(_probe_write)
        self.failing = None

    # ------------------------------------------------------------ notifications

    async def create_notification(
        self,
        *,
        user_id: str | None,
        title: str,
        message: str,
        priority: str,
        data: dict[str, Any] | None,
        now: datetime,
    ) -> NotificationRecord:
        """See :meth:`Store.create_notification`; the id is ``n_…``."""
        return await self._run(
            notifications.create_notification,
            user_id=user_id,
            title=title,
            message=message,
            priority=priority,
            data=data,
            now=now,
        )

    async def unread_notifications(self, user_id: str, limit: int) -> list[NotificationRecord]:
        """See :meth:`Store.unread_notifications`: the oldest ``limit`` unread ones."""
        return await self._run(notifications.unread_notifications, user_id, limit)

    async def list_notifications(
        self, user_id: str, *, unread_only: bool, limit: int, before: str | None
    ) -> tuple[list[NotificationRecord], bool]:
        """See :meth:`Store.list_notifications`; another user's id as ``before`` is unknown."""
        return await self._run(
            notifications.list_notifications,
            user_id,
            unread_only=unread_only,
            limit=limit,
            before=before,
        )

    async def mark_notification_read(
        self, user_id: str, notification_id: str, now: datetime
    ) -> datetime | None:
        """See :meth:`Store.mark_notification_read`."""
        return await self._run(notifications.mark_notification_read, user_id, notification_id, now)

    async def mark_all_notifications_read(self, user_id: str, now: datetime) -> list[str]:
        """See :meth:`Store.mark_all_notifications_read`."""
        return await self._run(notifications.mark_all_notifications_read, user_id, now)

    # ------------------------------------------------------------ test sessions

    async def create_test_session(
        self,
        *,
        user_id: str,
        duration_seconds: int,
        title: str,
        question_count: int,
        now: datetime,
    ) -> TestSessionRecord:
        """See :meth:`Store.create_test_session`; the id is ``ts_`` and 16 hex digits."""
        return await self._run(
            test_sessions.create_test_session,
            user_id=user_id,
            duration_seconds=duration_seconds,
            title=title,
            question_count=question_count,
            now=now,
        )

    async def get_test_session(self, session_id: str) -> TestSessionRecord | None:
        """See :meth:`Store.get_test_session`."""
        return await self._run(test_sessions.get_test_session, session_id)

    async def save_answer(
        self,
        session_id: str,
        *,
        question_id: str,
        answer: bytes,
        client_answer_id: str | None,
        now: datetime,
    ) -> tuple[AnswerRecord, bool]:
        """See :meth:`Store.save_answer`.

        A retry of an applied ``client_answer_id`` gets its first record back even
        after the session closed: that write happened while it was open.
        """
        return await self._run(
            test_sessions.save_answer,
            session_id,
            question_id=question_id,
            answer=answer,
            client_answer_id=client_answer_id,
            now=now,
        )

    async def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        """See :meth:`Store.answers`; empty for an unknown session."""
        return await self._run(test_sessions.answers, session_id)

    async def submit_test_session(
        self, session_id: str, *, reason: str, now: datetime
    ) -> TestSessionRecord | None:
        """See :meth:`Store.submit_test_session`; ``None`` for an unknown session too."""
        return await self._run(
            test_sessions.submit_test_session, session_id, reason=reason, now=now
        )

    async def sessions_due(self, now: datetime) -> list[TestSessionRecord]:
        """See :meth:`Store.sessions_due`; earliest ``ends_at`` first."""
        return await self._run(test_sessions.sessions_due, now)

    # ------------------------------------------------------------ chat

    async def add_chat_message(
        self, *, room: str, sender_id: str, sender_name: str, message: str, now: datetime
    ) -> ChatMessageRecord:
        """See :meth:`Store.add_chat_message`; the id is ``m_…``."""
        return await self._run(
            chat.add_chat_message,
            room=room,
            sender_id=sender_id,
            sender_name=sender_name,
            message=message,
            now=now,
        )

    async def chat_history(self, room: str, limit: int) -> list[ChatMessageRecord]:
        """See :meth:`Store.chat_history`."""
        return await self._run(chat.chat_history, room, limit)


def _probe_write(db: sqlite3.Connection) -> None:
    """A real write that changes nothing: the database header's ``user_version``."""
    with db:
        (version,) = db.execute("PRAGMA user_version").fetchone()
        db.execute(f"PRAGMA user_version = {int(version)}")
