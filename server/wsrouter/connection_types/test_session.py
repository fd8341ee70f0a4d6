"""``test-session``: one exam attempt's status, timer, answers and submission."""

from __future__ import annotations

from typing import ClassVar

import msgspec
from msgspec import UNSET, UnsetType

from wsrouter._generated.handlers import TestSessionHandler
from wsrouter._generated.messages import (
    AnswerSaved,
    AnswerSynced,
    GetSessionStatus,
    SaveAnswer,
    SavedAnswer,
    SessionStatus,
    SessionSubmitted,
    SubmitSession,
    TestSessionReady,
)
from wsrouter.auth import Principal
from wsrouter.broker import Audience
from wsrouter.clock import iso, now_iso, utcnow
from wsrouter.connection_types.base import ConnectionHandler
from wsrouter.protocol.errors import fail
from wsrouter.store import DeadlinePassed, SessionClosed, TestSessionRecord

_raw_encoder = msgspec.json.Encoder()


def submitted_frame(record: TestSessionRecord) -> SessionSubmitted:
    """The ``session_submitted`` frame of a submitted session."""
    if record.submitted_at is None or record.submit_reason is None:
        raise ValueError(f"test session {record.id} is not submitted")
    return SessionSubmitted(
        session_id=record.id,
        submitted_at=iso(record.submitted_at),
        reason=record.submit_reason,  # type: ignore[arg-type]
        answered_count=record.answered_count,
        timestamp=now_iso(),
    )


class TestSessionConnection(ConnectionHandler, TestSessionHandler):
    """A ``test-session`` connection: the owner taking the exam, or an admin watching it."""

    __test__: ClassVar[bool] = False  # not a test class, whatever pytest thinks of its name

    @property
    def session_id(self) -> str:
        """The session, which is the handshake room."""
        room = self.peer.room
        if room is None:
            raise RuntimeError("a test-session connection needs a room; the handshake checks it")
        return room

    @property
    def is_owner(self) -> bool:
        """Whether the connection's user is the candidate (not a proctor)."""
        return self.peer.principal.user_id == self._owner

    def still_allowed(self, principal: Principal) -> str | None:
        if principal.user_id == self._owner or principal.is_admin:
            return None
        return "the new token may not watch this test session (it is not an admin's)"

    async def open(self) -> None:
        record = await self._record()
        self._owner = record.user_id
        peer = self.peer
        await self.rooms.join(self.session_id)
        now = now_iso()
        self.send(
            TestSessionReady(
                connection_id=peer.id,
                connection_type="test-session",
                user_id=peer.user_id,
                room=self.session_id,
                session_id=self.session_id,
                server_time=now,
                heartbeat_interval=max(1, round(self.settings.heartbeat_seconds)),
                timestamp=now,
            )
        )
        self.send(await self._status(record))

    async def _record(self) -> TestSessionRecord:
        record = await self.store.get_test_session(self.session_id)
        if record is None:
            raise fail("not_found", f"test session {self.session_id!r} no longer exists")
        return record

    async def _status(self, record: TestSessionRecord) -> SessionStatus:
        now = utcnow()
        answers: dict[str, SavedAnswer] | UnsetType = UNSET
        if self.is_owner:
            stored = await self.store.answers(record.id)
            answers = {
                q: SavedAnswer(
                    answer=msgspec.json.decode(a.answer),
                    version=a.version,
                    saved_at=iso(a.saved_at),
                )
                for q, a in stored.items()
            }
        return SessionStatus(
            session_id=record.id,
            status=record.status(now),  # type: ignore[arg-type]
            started_at=iso(record.started_at),
            ends_at=iso(record.ends_at),
            submitted_at=iso(record.submitted_at) if record.submitted_at else UNSET,
            remaining_seconds=max(0, int((record.ends_at - now).total_seconds())),
            answered_count=record.answered_count,
            answers=answers,
            server_time=iso(now),
            timestamp=iso(now),
        )

    async def on_get_session_status(self, message: GetSessionStatus) -> SessionStatus:
        """The session's status (answers only for its owner)."""
        return await self._status(await self._record())

    async def on_save_answer(self, message: SaveAnswer) -> AnswerSaved:
        """Store the answer durably, then acknowledge it and sync the other connections."""
        if not self.is_owner:
            raise fail("forbidden", "only the session's candidate may save answers")
        answer = _raw_encoder.encode(message.answer)
        limit = self.settings.limits.max_answer_bytes
        if len(answer) > limit:
            raise fail("invalid_message", f"an answer is limited to {limit} bytes - at `$.answer`")
        client_answer_id = (
            message.client_answer_id if isinstance(message.client_answer_id, str) else None
        )
        try:
            record, written = await self.store.save_answer(
                self.session_id,
                question_id=message.question_id,
                answer=answer,
                client_answer_id=client_answer_id,
                now=utcnow(),
            )
        except SessionClosed:
            raise fail("session_closed", "the session is submitted; answers are closed") from None
        except DeadlinePassed:
            raise fail("deadline_passed", "the session's time is up") from None
        except KeyError:
            raise fail("not_found", f"test session {self.session_id!r} no longer exists") from None
        saved_at = iso(record.saved_at)
        if written:
            await self.publish(
                Audience(
                    connection_type="test-session", room=self.session_id, exclude=self.peer.id
                ),
                AnswerSynced(
                    session_id=self.session_id,
                    question_id=record.question_id,
                    answer=message.answer,
                    version=record.version,
                    saved_at=saved_at,
                    timestamp=now_iso(),
                ),
            )
        return AnswerSaved(
            question_id=record.question_id,
            version=record.version,
            saved_at=saved_at,
            client_answer_id=message.client_answer_id,
            timestamp=now_iso(),
        )

    async def on_submit_session(self, message: SubmitSession) -> SessionSubmitted:
        """Submit the session; every connection of the session is told."""
        if not self.is_owner:
            raise fail("forbidden", "only the session's candidate may submit it")
        record = await self.store.submit_test_session(
            self.session_id, reason="manual", now=utcnow()
        )
        if record is None:
            raise fail("session_closed", "the session is already submitted")
        frame = submitted_frame(record)
        await self.publish(
            Audience(connection_type="test-session", room=self.session_id, exclude=self.peer.id),
            frame,
        )
        return frame
