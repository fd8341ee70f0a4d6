"""Chat history, on a SQLite connection (run on the store's worker thread)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from wsrouter.store._ids import new_message_id
from wsrouter.store._sqlite_schema import from_micros, to_micros, transaction
from wsrouter.store.base import ChatMessageRecord


def add_chat_message(
    db: sqlite3.Connection,
    *,
    room: str,
    sender_id: str,
    sender_name: str,
    message: str,
    now: datetime,
) -> ChatMessageRecord:
    """Insert a message of ``room``; see :meth:`Store.add_chat_message`."""
    created_us = to_micros(now)
    record = ChatMessageRecord(
        id=new_message_id(),
        room=room,
        sender_id=sender_id,
        sender_name=sender_name,
        message=message,
        created_at=from_micros(created_us),  # in UTC, as a later read would give it
    )
    with transaction(db, write=True):
        db.execute(
            "INSERT INTO chat_messages (id, room, sender_id, sender_name, message, created_us)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (record.id, room, sender_id, sender_name, message, created_us),
        )
    return record


def chat_history(db: sqlite3.Connection, room: str, limit: int) -> list[ChatMessageRecord]:
    """The last ``limit`` messages of ``room``, oldest first."""
    # Newest first is what LIMIT can cut; the page is then turned around.
    rows = db.execute(
        "SELECT id, room, sender_id, sender_name, message, created_us FROM chat_messages"
        " WHERE room = ? ORDER BY created_us DESC, seq DESC LIMIT ?",
        (room, limit),
    ).fetchall()
    return [
        ChatMessageRecord(
            id=id_,
            room=room_,
            sender_id=sender_id,
            sender_name=sender_name,
            message=message,
            created_at=from_micros(created_us),
        )
        for id_, room_, sender_id, sender_name, message, created_us in reversed(rows)
    ]
