"""The SQLite schema, its migrations, and how connections and transactions are set up.

Everything here runs on the store's worker thread (see :mod:`wsrouter.store.sqlite`).

Times are stored as integer microseconds since the Unix epoch, UTC: exact (no rounding
on the way in or out), ordered by plain integer comparison, and cheap to compare with
``now`` in SQL. Tables whose rows are listed in order keep an ``AUTOINCREMENT`` ``seq``
as the tiebreaker, so rows created in the same microsecond keep their creation order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another process's write lock before failing."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

# MIGRATIONS[n] takes the schema from version n to n + 1 (``PRAGMA user_version``).
# Append to it; never edit a step that has shipped. Each statement is idempotent so
# that a half-created schema from a crashed first start is completed, not refused.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE IF NOT EXISTS notifications (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            user_id TEXT,  -- NULL: a system notification, visible to every user
            title TEXT NOT NULL,
            message TEXT NOT NULL,
            priority TEXT NOT NULL,
            data TEXT,  -- a JSON object, or NULL
            created_us INTEGER NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS notifications_by_user"
        " ON notifications (user_id, created_us, seq)",
        # Receipts are per user, so one system notification can be read by each user.
        """
        CREATE TABLE IF NOT EXISTS notification_receipts (
            notification_id TEXT NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            read_us INTEGER NOT NULL,
            PRIMARY KEY (notification_id, user_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE IF NOT EXISTS test_sessions (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            title TEXT NOT NULL,
            question_count INTEGER NOT NULL,
            started_us INTEGER NOT NULL,
            ends_us INTEGER NOT NULL,
            submitted_us INTEGER,
            submit_reason TEXT
        )
        """,
        # Only open sessions are ever searched by deadline (the auto-submit timer).
        "CREATE INDEX IF NOT EXISTS test_sessions_open_by_end"
        " ON test_sessions (ends_us) WHERE submitted_us IS NULL",
        """
        CREATE TABLE IF NOT EXISTS answers (
            session_id TEXT NOT NULL REFERENCES test_sessions (id) ON DELETE CASCADE,
            question_id TEXT NOT NULL,
            answer BLOB NOT NULL,
            version INTEGER NOT NULL,
            saved_us INTEGER NOT NULL,
            client_answer_id TEXT,
            PRIMARY KEY (session_id, question_id)
        ) WITHOUT ROWID
        """,
        # The record each client_answer_id produced, kept apart from ``answers`` because
        # a later write to the same question replaces that row but a retry of the first
        # write must still get the first write's record back.
        """
        CREATE TABLE IF NOT EXISTS applied_answers (
            session_id TEXT NOT NULL REFERENCES test_sessions (id) ON DELETE CASCADE,
            client_answer_id TEXT NOT NULL,
            question_id TEXT NOT NULL,
            answer BLOB NOT NULL,
            version INTEGER NOT NULL,
            saved_us INTEGER NOT NULL,
            PRIMARY KEY (session_id, client_answer_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE IF NOT EXISTS chat_messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            room TEXT NOT NULL,
            sender_id TEXT NOT NULL,
            sender_name TEXT NOT NULL,
            message TEXT NOT NULL,
            created_us INTEGER NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS chat_messages_by_room ON chat_messages (room, created_us, seq)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)
"""The schema version this code writes and understands."""


def to_micros(moment: datetime) -> int:
    """Microseconds since the Unix epoch; refuses naive datetimes (their zone is a guess)."""
    if moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware datetime is required, got {moment!r}")
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    """The inverse of :func:`to_micros`: a timezone-aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=micros)


@contextmanager
def transaction(db: sqlite3.Connection, *, write: bool) -> Iterator[None]:
    """Run the block in one transaction; commit when it returns, roll back if it raises.

    Writes take the write lock up front (``BEGIN IMMEDIATE``): a deferred transaction
    that reads and then writes can fail with "database is locked" without waiting if
    another process wrote in between, where an immediate one waits ``busy_timeout``.
    """
    db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def connect(path: Path) -> sqlite3.Connection:
    """Open the database file (creating its folder), set it up, and migrate the schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: no implicit BEGINs; :func:`transaction` says where they go.
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        (mode,) = db.execute("PRAGMA journal_mode = WAL").fetchone()
        if mode != "wal":  # e.g. ":memory:", which cannot keep anything past a crash
            raise RuntimeError(f"SQLite store {str(path)!r} cannot use WAL (got {mode!r})")
        # FULL: a commit is on disk before it returns, so an acknowledgement is durable
        # even across power loss, not just across a crash of this process.
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def migrate(db: sqlite3.Connection) -> None:
    """Bring the schema up to :data:`SCHEMA_VERSION`, in one transaction.

    Safe to run from several processes at once: the write lock makes them take turns
    and the later ones find nothing left to do.
    """
    with transaction(db, write=True):
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"the database has schema version {version}; this wsrouter knows up to "
                f"{SCHEMA_VERSION} (upgrade wsrouter, or use another database)"
            )
        for step in MIGRATIONS[version:]:
            for statement in step:
                db.execute(statement)
        # PRAGMA takes no bound parameters; SCHEMA_VERSION is an int of ours.
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
