"""Notifications and their per-user read receipts, on a SQLite connection.

These functions run on the store's worker thread; :class:`~wsrouter.store.sqlite.SQLiteStore`
documents the contract of each. A user sees their own notifications and every system one
(``user_id IS NULL``); lists are ordered by ``(created_us, seq)``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from wsrouter.store._ids import new_notification_id
from wsrouter.store._sqlite_schema import from_micros, to_micros, transaction
from wsrouter.store.base import NotificationRecord

# The notification as one user sees it: `?1` is that user throughout, which also
# picks their own receipt out of the receipts of a system notification.
_SELECT = """
    SELECT n.id, n.user_id, n.title, n.message, n.priority, n.data, n.created_us, r.read_us
    FROM notifications AS n
    LEFT JOIN notification_receipts AS r ON r.notification_id = n.id AND r.user_id = ?1
    WHERE (n.user_id = ?1 OR n.user_id IS NULL)
"""


def _record(row: tuple[Any, ...]) -> NotificationRecord:
    id_, user_id, title, message, priority, data, created_us, read_us = row
    return NotificationRecord(
        id=id_,
        user_id=user_id,
        title=title,
        message=message,
        priority=priority,
        data=json.loads(data) if data is not None else None,
        created_at=from_micros(created_us),
        read_at=from_micros(read_us) if read_us is not None else None,
    )


def create_notification(
    db: sqlite3.Connection,
    *,
    user_id: str | None,
    title: str,
    message: str,
    priority: str,
    data: dict[str, Any] | None,
    now: datetime,
) -> NotificationRecord:
    """Insert a notification; see :meth:`Store.create_notification`."""
    created_us = to_micros(now)
    record = NotificationRecord(
        id=new_notification_id(),
        user_id=user_id,
        title=title,
        message=message,
        priority=priority,
        data=data,
        created_at=from_micros(created_us),  # in UTC, as a later read would give it
    )
    with transaction(db, write=True):
        db.execute(
            "INSERT INTO notifications"
            " (id, user_id, title, message, priority, data, created_us)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                user_id,
                title,
                message,
                priority,
                json.dumps(data, separators=(",", ":")) if data is not None else None,
                created_us,
            ),
        )
    return record


def unread_notifications(
    db: sqlite3.Connection, user_id: str, limit: int
) -> list[NotificationRecord]:
    """The first ``limit`` unread notifications of the user, oldest first."""
    rows = db.execute(
        _SELECT + " AND r.read_us IS NULL ORDER BY n.created_us, n.seq LIMIT ?2",
        (user_id, limit),
    ).fetchall()
    return [_record(row) for row in rows]


def list_notifications(
    db: sqlite3.Connection, user_id: str, *, unread_only: bool, limit: int, before: str | None
) -> tuple[list[NotificationRecord], bool]:
    """A page of the user's notifications, newest first, and whether more follow it."""
    conditions = " AND r.read_us IS NULL" if unread_only else ""
    # One more row than asked tells whether more exist past the page.
    params: tuple[object, ...] = (user_id, limit + 1)
    # A read transaction, so the cursor lookup and the page see the same snapshot.
    with transaction(db, write=False):
        if before is not None:
            # Only a notification this user can see is a cursor: another user's id is
            # as unknown to them as a made-up one (and must not reveal its position).
            cursor = db.execute(
                "SELECT created_us, seq FROM notifications"
                " WHERE id = ?2 AND (user_id = ?1 OR user_id IS NULL)",
                (user_id, before),
            ).fetchone()
            if cursor is None:
                return [], False
            conditions += " AND (n.created_us, n.seq) < (?3, ?4)"
            params += tuple(cursor)
        rows = db.execute(
            _SELECT + conditions + " ORDER BY n.created_us DESC, n.seq DESC LIMIT ?2", params
        ).fetchall()
    return [_record(row) for row in rows[:limit]], len(rows) > limit


def mark_notification_read(
    db: sqlite3.Connection, user_id: str, notification_id: str, now: datetime
) -> datetime | None:
    """Store the receipt unless there is one; return the receipt's time."""
    with transaction(db, write=True):
        visible = db.execute(
            "SELECT 1 FROM notifications WHERE id = ? AND (user_id = ? OR user_id IS NULL)",
            (notification_id, user_id),
        ).fetchone()
        if visible is None:
            return None
        db.execute(
            "INSERT INTO notification_receipts (notification_id, user_id, read_us)"
            " VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (notification_id, user_id, to_micros(now)),
        )
        (read_us,) = db.execute(
            "SELECT read_us FROM notification_receipts WHERE notification_id = ? AND user_id = ?",
            (notification_id, user_id),
        ).fetchone()
    return from_micros(read_us)


def mark_all_notifications_read(db: sqlite3.Connection, user_id: str, now: datetime) -> list[str]:
    """Store a receipt for every unread notification of the user; return their ids."""
    with transaction(db, write=True):
        ids = [
            id_
            for (id_,) in db.execute(
                "SELECT n.id FROM notifications AS n"
                " LEFT JOIN notification_receipts AS r"
                "  ON r.notification_id = n.id AND r.user_id = ?1"
                " WHERE (n.user_id = ?1 OR n.user_id IS NULL) AND r.read_us IS NULL"
                " ORDER BY n.created_us, n.seq",
                (user_id,),
            )
        ]
        read_us = to_micros(now)
        db.executemany(
            "INSERT INTO notification_receipts (notification_id, user_id, read_us)"
            " VALUES (?, ?, ?)",
            [(id_, user_id, read_us) for id_ in ids],
        )
    return ids
