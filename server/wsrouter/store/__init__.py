"""Durable storage: notifications, test sessions and their answers, chat history."""

from wsrouter.store.base import (
    AnswerRecord,
    ChatMessageRecord,
    DeadlinePassed,
    NotificationRecord,
    SessionClosed,
    StorageUnavailable,
    Store,
    TestSessionRecord,
)

__all__ = [
    "AnswerRecord",
    "ChatMessageRecord",
    "DeadlinePassed",
    "NotificationRecord",
    "SessionClosed",
    "StorageUnavailable",
    "Store",
    "TestSessionRecord",
    "open_store",
]


def open_store(url: str) -> Store:
    """The store for a ``WSROUTER_DATABASE_URL`` (``sqlite:///path`` or ``postgresql://…``)."""
    if url.startswith("sqlite:///"):
        from wsrouter.store.sqlite import SQLiteStore  # noqa: PLC0415 - load only the backend in use

        return SQLiteStore(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from wsrouter.store.postgres import PostgresStore  # noqa: PLC0415

        return PostgresStore(url)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]!r}")
