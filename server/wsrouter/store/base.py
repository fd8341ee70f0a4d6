"""The store interface: what the connection types need to keep, and its guarantees.

Every method that changes data returns only after its transaction has committed, so
a reply sent after it (``answer_saved``, ``notification_read``, ``chat_message``)
never acknowledges something a crash can take back. Every method may be called
from any node of a cluster at the same time; the ones that must happen once
(:meth:`Store.submit_test_session`) are conditional updates.

Times are timezone-aware UTC ``datetime``s; ids are strings the store chooses.
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any


class StorageUnavailable(Exception):
    """The store could not do what was asked (disk full, read-only, unreachable).

    Nothing was written. The message says what the database said; it is for the log,
    not for clients.
    """


class SessionClosed(Exception):
    """The test session is submitted; it takes no more answers."""


class DeadlinePassed(Exception):
    """The test session's time is up; it takes no more answers."""


@dataclass(frozen=True)
class NotificationRecord:
    """A stored notification, as seen by one user (``read_at`` is that user's receipt)."""

    id: str
    user_id: str | None
    title: str
    message: str
    priority: str
    data: dict[str, Any] | None
    created_at: datetime
    read_at: datetime | None = None


@dataclass(frozen=True)
class TestSessionRecord:
    """An online exam attempt."""

    id: str
    user_id: str
    title: str
    question_count: int
    started_at: datetime
    ends_at: datetime
    submitted_at: datetime | None
    submit_reason: str | None
    answered_count: int

    def status(self, now: datetime) -> str:
        """``in_progress``, ``submitted``, or ``expired`` (time up, not yet submitted)."""
        if self.submitted_at is not None:
            return "submitted"
        return "expired" if now >= self.ends_at else "in_progress"


@dataclass(frozen=True)
class AnswerRecord:
    """The latest answer to one question; ``answer`` is the JSON text as the client sent it."""

    question_id: str
    answer: bytes
    version: int
    saved_at: datetime
    client_answer_id: str | None = None


@dataclass(frozen=True)
class ChatMessageRecord:
    """A stored chat message."""

    id: str
    room: str
    sender_id: str
    sender_name: str
    message: str
    created_at: datetime


Announce = Callable[[list[TestSessionRecord]], Awaitable[None]]
"""Tells submitted sessions' connections (:meth:`Store.submit_due_sessions`), a batch at once."""


class Store(abc.ABC):
    """Durable storage. One instance per process, shared by every connection."""

    @abc.abstractmethod
    async def start(self) -> None:
        """Open connections and create the schema if it is missing."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Finish pending work and close; no method may be called afterwards."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the database cannot be reached (for ``/ready``)."""

    # ------------------------------------------------------------ notifications

    @abc.abstractmethod
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
        """Store a notification for ``user_id``, or for every user when it is ``None``."""

    @abc.abstractmethod
    async def unread_notifications(self, user_id: str, limit: int) -> list[NotificationRecord]:
        """The user's unread notifications (their own and system ones), oldest first."""

    @abc.abstractmethod
    async def list_notifications(
        self, user_id: str, *, unread_only: bool, limit: int, before: str | None
    ) -> tuple[list[NotificationRecord], bool]:
        """The user's notifications, newest first, older than ``before`` when given.

        Returns the page and whether more exist past it. An unknown ``before`` gives
        an empty page.
        """

    @abc.abstractmethod
    async def mark_notification_read(
        self, user_id: str, notification_id: str, now: datetime
    ) -> datetime | None:
        """Record the user's receipt; return its time (the first one, if already read).

        ``None`` when the notification does not exist or is another user's.
        """

    @abc.abstractmethod
    async def mark_all_notifications_read(self, user_id: str, now: datetime) -> list[str]:
        """Mark every unread notification of the user read; return their ids, oldest first."""

    # ------------------------------------------------------------ test sessions

    @abc.abstractmethod
    async def create_test_session(
        self,
        *,
        user_id: str,
        duration_seconds: int,
        title: str,
        question_count: int,
        now: datetime,
    ) -> TestSessionRecord:
        """Start a session for ``user_id`` now; its id is a valid room name."""

    @abc.abstractmethod
    async def get_test_session(self, session_id: str) -> TestSessionRecord | None:
        """The session, or ``None``."""

    @abc.abstractmethod
    async def save_answer(
        self,
        session_id: str,
        *,
        question_id: str,
        answer: bytes,
        client_answer_id: str | None,
        now: datetime,
    ) -> tuple[AnswerRecord, bool]:
        """Save an answer (last write wins, ``version`` grows by one per question).

        A ``client_answer_id`` already applied to this session is not applied again:
        the record of that first write is returned. Returns the record and whether
        this call wrote it. Raises :class:`SessionClosed` after submission and
        :class:`DeadlinePassed` at or after ``ends_at``; ``KeyError`` for an unknown
        session.
        """

    @abc.abstractmethod
    async def answers(self, session_id: str) -> dict[str, AnswerRecord]:
        """The latest answer of every question of the session."""

    @abc.abstractmethod
    async def submit_test_session(
        self, session_id: str, *, reason: str, now: datetime
    ) -> TestSessionRecord | None:
        """Submit the session if it is not yet submitted; ``None`` if it already was.

        Exactly one caller wins, across processes (a conditional update).
        """

    @abc.abstractmethod
    async def sessions_due(self, now: datetime) -> list[TestSessionRecord]:
        """Sessions not submitted whose ``ends_at`` is at or before ``now``."""

    async def submit_due_sessions(
        self, now: datetime, limit: int = 100, announce: Announce | None = None
    ) -> list[TestSessionRecord]:
        """Submit (``time_expired``) up to ``limit`` due sessions; return those this call submitted.

        Across nodes polling at once, each due session is returned by exactly one call.
        ``announce`` is awaited with the sessions this call submits: before the submission
        commits where the store can (PostgreSQL), so that a node that dies in between
        leaves the session due and the next poller submits and announces it again (the
        announcement reaches the tabs at least once); after it here, where a process
        killed in between announces nothing (with SQLite, one machine: the tabs learn it
        from ``session_status`` when they reconnect).

        This default goes through :meth:`sessions_due` and :meth:`submit_test_session`
        (its conditional update makes one caller win); a store that can claim rows
        without waiting for another node's claim (PostgreSQL's ``SKIP LOCKED``) does so.
        """
        submitted = []
        for record in (await self.sessions_due(now))[:limit]:
            won = await self.submit_test_session(record.id, reason="time_expired", now=now)
            if won is not None:
                submitted.append(won)
                if announce is not None:
                    await announce([won])
        return submitted

    # ------------------------------------------------------------ chat

    @abc.abstractmethod
    async def add_chat_message(
        self, *, room: str, sender_id: str, sender_name: str, message: str, now: datetime
    ) -> ChatMessageRecord:
        """Store a chat message of ``room``."""

    @abc.abstractmethod
    async def chat_history(self, room: str, limit: int) -> list[ChatMessageRecord]:
        """The last ``limit`` messages of ``room``, oldest first."""
