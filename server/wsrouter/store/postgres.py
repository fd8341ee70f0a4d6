"""The cluster store: PostgreSQL, shared by every node, through a psycopg connection pool.

Each method is one transaction on a pooled connection: it commits before the method
returns (so an acknowledgement sent after it is durable), and rolls back if anything
in it fails. The pool checks a connection before handing it out, so a PostgreSQL that
restarted costs no failed request once it is back; while it is down, methods raise
:class:`~wsrouter.store.StorageUnavailable` within :data:`POOL_TIMEOUT` and callers
answer with an error (``storage_unavailable``, HTTP 503), never an acknowledgement.

Times are ``timestamptz`` (microseconds, as SQLite's integers), read back in UTC.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Concatenate, ParamSpec, TypeVar

import psycopg
from psycopg import AsyncConnection
from psycopg.rows import TupleRow
from psycopg.types.json import Json
from psycopg_pool import AsyncConnectionPool

from wsrouter.store import _postgres_test_sessions as test_sessions
from wsrouter.store._ids import new_message_id, new_notification_id
from wsrouter.store._postgres_schema import migrate
from wsrouter.store._postgres_test_sessions import Db, utc
from wsrouter.store.base import (
    Announce,
    AnswerRecord,
    ChatMessageRecord,
    NotificationRecord,
    StorageUnavailable,
    Store,
    TestSessionRecord,
)

_P = ParamSpec("_P")
_T = TypeVar("_T")

POOL_TIMEOUT = 5.0
"""Seconds a method waits for a pooled connection (PostgreSQL down: it raises then)."""

STATEMENT_TIMEOUT_MS = 10_000
"""No statement runs longer (a lock held by a stuck node included)."""

RECONNECT_TIMEOUT = 1.0
"""Seconds the pool keeps retrying one lost connection before it gives that attempt up.

psycopg_pool retries with a delay that doubles each time, up to this: with its default
of five minutes, a minute's outage leaves the next attempt half a minute away, and
requests fail that long after the server is back. Given up, a connection is made again
when a request needs one, at once.
"""

# The notification as one user sees it: %(user)s is that user throughout, which also
# picks their own receipt out of the receipts of a system notification.
_NOTIFICATION = """
    SELECT n.id, n.user_id, n.title, n.message, n.priority, n.data, n.created_at, r.read_at
    FROM notifications AS n
    LEFT JOIN notification_receipts AS r ON r.notification_id = n.id AND r.user_id = %(user)s
    WHERE (n.user_id = %(user)s OR n.user_id IS NULL)
"""


def _notification(row: tuple[Any, ...]) -> NotificationRecord:
    id_, user_id, title, message, priority, data, created_at, read_at = row
    return NotificationRecord(
        id=id_,
        user_id=user_id,
        title=title,
        message=message,
        priority=priority,
        data=data,
        created_at=utc(created_at),
        read_at=utc(read_at) if read_at is not None else None,
    )


class PostgresStore(Store):
    """A :class:`Store` in the PostgreSQL database at ``url`` (``postgresql://…``).

    :meth:`start` opens the pool and applies the migrations that are missing (under an
    advisory lock, so nodes may start together). Ids are the SQLite store's.
    """

    def __init__(self, url: str, *, min_size: int = 2, max_size: int = 16) -> None:
        self.url = url
        self._connect_options: dict[str, Any] = {
            "options": f"-c TimeZone=UTC -c statement_timeout={STATEMENT_TIMEOUT_MS}",
            "connect_timeout": int(POOL_TIMEOUT),
        }
        self._pool = AsyncConnectionPool(
            url,
            min_size=min_size,
            max_size=max_size,
            open=False,
            timeout=POOL_TIMEOUT,
            reconnect_timeout=RECONNECT_TIMEOUT,
            # A connection the server dropped (a restart) is replaced, not handed out.
            check=AsyncConnectionPool.check_connection,
            kwargs=self._connect_options,
            name="wsrouter",
        )
        self._started = False

    async def _run(
        self,
        operation: Callable[Concatenate[Db, _P], Awaitable[_T]],
        /,
        *args: _P.args,
        **kwargs: _P.kwargs,
    ) -> _T:
        """Run ``operation(connection, ...)`` in one transaction; it has committed on return."""
        if not self._started:
            raise RuntimeError("the PostgreSQL store is not started, or is closed")
        connection: AsyncConnection[TupleRow]
        try:
            async with self._pool.connection() as connection, connection.transaction():
                return await operation(connection, *args, **kwargs)
        except psycopg.OperationalError as exc:  # unreachable, restarting, disk full, pool timeout
            raise StorageUnavailable(f"PostgreSQL: {str(exc).strip().splitlines()[0]}") from exc

    async def start(self) -> None:
        """Open the pool (raises if the server cannot be reached) and migrate the schema."""
        if self._started:
            raise RuntimeError("the PostgreSQL store is already started")
        # One plain connection first: an unreachable server fails at once with its
        # reason (the pool would retry until its timeout), and the schema is there
        # before the pool hands out connections.
        async with await AsyncConnection.connect(self.url, **self._connect_options) as db:
            await migrate(db)
        await self._pool.open(wait=True, timeout=POOL_TIMEOUT)
        self._started = True

    async def close(self) -> None:
        """Wait for the connections in use to come back, then close them all."""
        if self._started:
            self._started = False
            await self._pool.close(timeout=POOL_TIMEOUT)

    async def ping(self) -> None:
        """Run ``SELECT 1``; raises if the server cannot be reached."""

        async def select_one(db: Db) -> None:
            await db.execute("SELECT 1")

        await self._run(select_one)

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
        record = NotificationRecord(
            id=new_notification_id(),
            user_id=user_id,
            title=title,
            message=message,
            priority=priority,
            data=data,
            created_at=utc(now),
        )

        async def insert(db: Db) -> None:
            await db.execute(
                "INSERT INTO notifications"
                " (id, user_id, title, message, priority, data, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    record.id,
                    user_id,
                    title,
                    message,
                    priority,
                    Json(data) if data is not None else None,
                    record.created_at,
                ),
            )

        await self._run(insert)
        return record

    async def unread_notifications(self, user_id: str, limit: int) -> list[NotificationRecord]:
        """See :meth:`Store.unread_notifications`: the oldest ``limit`` unread ones."""

        async def select(db: Db) -> list[NotificationRecord]:
            cursor = await db.execute(
                _NOTIFICATION
                + " AND r.read_at IS NULL ORDER BY n.created_at, n.seq LIMIT %(limit)s",
                {"user": user_id, "limit": limit},
            )
            return [_notification(row) for row in await cursor.fetchall()]

        return await self._run(select)

    async def list_notifications(
        self, user_id: str, *, unread_only: bool, limit: int, before: str | None
    ) -> tuple[list[NotificationRecord], bool]:
        """See :meth:`Store.list_notifications`; another user's id as ``before`` is unknown."""
        conditions = " AND r.read_at IS NULL" if unread_only else ""
        # One more row than asked tells whether more exist past the page.
        params: dict[str, object] = {"user": user_id, "limit": limit + 1, "before": before}

        async def select(db: Db) -> tuple[list[NotificationRecord], bool]:
            query = _NOTIFICATION + conditions
            if before is not None:
                # Only a notification this user can see is a cursor: another user's id
                # is as unknown to them as a made-up one.
                cursor = await db.execute(
                    "SELECT created_at, seq FROM notifications"
                    " WHERE id = %(before)s AND (user_id = %(user)s OR user_id IS NULL)",
                    params,
                )
                found = await cursor.fetchone()
                if found is None:
                    return [], False
                params["at"], params["seq"] = found
                query += " AND (n.created_at, n.seq) < (%(at)s, %(seq)s)"
            cursor = await db.execute(
                query + " ORDER BY n.created_at DESC, n.seq DESC LIMIT %(limit)s", params
            )
            rows = await cursor.fetchall()
            return [_notification(row) for row in rows[:limit]], len(rows) > limit

        return await self._run(select)

    async def mark_notification_read(
        self, user_id: str, notification_id: str, now: datetime
    ) -> datetime | None:
        """See :meth:`Store.mark_notification_read`."""

        async def upsert(db: Db) -> datetime | None:
            # One statement: a visible notification gets a receipt, or keeps its first
            # one (the no-op update makes RETURNING give the stored time).
            cursor = await db.execute(
                "INSERT INTO notification_receipts (notification_id, user_id, read_at)"
                " SELECT id, %(user)s, %(now)s FROM notifications"
                "  WHERE id = %(id)s AND (user_id = %(user)s OR user_id IS NULL)"
                " ON CONFLICT (notification_id, user_id)"
                "  DO UPDATE SET read_at = notification_receipts.read_at"
                " RETURNING read_at",
                {"user": user_id, "now": utc(now), "id": notification_id},
            )
            row = await cursor.fetchone()
            return utc(row[0]) if row is not None else None

        return await self._run(upsert)

    async def mark_all_notifications_read(self, user_id: str, now: datetime) -> list[str]:
        """See :meth:`Store.mark_all_notifications_read`."""

        async def insert(db: Db) -> list[str]:
            cursor = await db.execute(
                "WITH marked AS ("
                " INSERT INTO notification_receipts (notification_id, user_id, read_at)"
                " SELECT n.id, %(user)s, %(now)s FROM notifications AS n"
                "  WHERE (n.user_id = %(user)s OR n.user_id IS NULL) AND NOT EXISTS ("
                "   SELECT 1 FROM notification_receipts AS r"
                "   WHERE r.notification_id = n.id AND r.user_id = %(user)s)"
                " ON CONFLICT DO NOTHING RETURNING notification_id)"
                " SELECT n.id FROM marked JOIN notifications AS n ON n.id = marked.notification_id"
                " ORDER BY n.created_at, n.seq",
                {"user": user_id, "now": utc(now)},
            )
            return [row[0] for row in await cursor.fetchall()]

        return await self._run(insert)

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
        """See :meth:`Store.save_answer`; the session row is locked while it runs."""
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

    async def submit_due_sessions(
        self, now: datetime, limit: int = 100, announce: Announce | None = None
    ) -> list[TestSessionRecord]:
        """See :meth:`Store.submit_due_sessions`: one ``UPDATE … SKIP LOCKED`` claims them.

        ``announce`` runs inside the claiming transaction, before its commit: the rows
        stay locked meanwhile (a ``save_answer`` of those sessions waits, then is refused),
        and if this node dies or the announcement fails, the claim is rolled back and the
        next poller submits and announces them.
        """
        return await self._run(test_sessions.submit_due_sessions, now, limit, announce)

    # ------------------------------------------------------------ chat

    async def add_chat_message(
        self, *, room: str, sender_id: str, sender_name: str, message: str, now: datetime
    ) -> ChatMessageRecord:
        """See :meth:`Store.add_chat_message`; the id is ``m_…``."""
        record = ChatMessageRecord(
            id=new_message_id(),
            room=room,
            sender_id=sender_id,
            sender_name=sender_name,
            message=message,
            created_at=utc(now),
        )

        async def insert(db: Db) -> None:
            await db.execute(
                "INSERT INTO chat_messages (id, room, sender_id, sender_name, message, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (record.id, room, sender_id, sender_name, message, record.created_at),
            )

        await self._run(insert)
        return record

    async def chat_history(self, room: str, limit: int) -> list[ChatMessageRecord]:
        """See :meth:`Store.chat_history`."""

        async def select(db: Db) -> list[ChatMessageRecord]:
            # Newest first is what LIMIT can cut; the page is then turned around.
            cursor = await db.execute(
                "SELECT id, room, sender_id, sender_name, message, created_at"
                " FROM chat_messages WHERE room = %s"
                " ORDER BY created_at DESC, seq DESC LIMIT %s",
                (room, limit),
            )
            return [
                ChatMessageRecord(
                    id=id_,
                    room=room_,
                    sender_id=sender_id,
                    sender_name=sender_name,
                    message=message,
                    created_at=utc(created_at),
                )
                for id_, room_, sender_id, sender_name, message, created_at in reversed(
                    await cursor.fetchall()
                )
            ]

        return await self._run(select)
