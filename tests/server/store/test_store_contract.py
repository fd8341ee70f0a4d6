"""The contract of :class:`wsrouter.store.Store`, run against every implementation.

Each test pins one guarantee stated in ``wsrouter/store/base.py``. The ``store`` and
``database_url`` fixtures (``conftest.py``) are parametrised over the implementations.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sys
from datetime import timedelta, timezone
from typing import Any

import anyio
import pytest
from anyio.streams.buffered import BufferedByteReceiveStream

from tests.server.store.helpers import T0, at, opened
from tests.timing import TIMEOUT
from wsrouter.clock import utcnow
from wsrouter.store import (
    AnswerRecord,
    DeadlinePassed,
    NotificationRecord,
    SessionClosed,
    Store,
)
from wsrouter.store import TestSessionRecord as SessionRecord  # no `Test*` name for pytest

pytestmark = pytest.mark.anyio

ROOM_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


async def notify(
    store: Store, user_id: str | None, seconds: float = 0, *, title: str = "title"
) -> NotificationRecord:
    return await store.create_notification(
        user_id=user_id,
        title=title,
        message="message",
        priority="normal",
        data=None,
        now=at(seconds),
    )


async def session(store: Store, user_id: str = "alice", minutes: int = 60) -> SessionRecord:
    return await store.create_test_session(
        user_id=user_id, duration_seconds=minutes * 60, title="Exam", question_count=10, now=T0
    )


async def save(
    store: Store,
    session_id: str,
    question_id: str,
    answer: Any,
    *,
    seconds: float = 1,
    cid: str | None = None,
) -> tuple[AnswerRecord, bool]:
    return await store.save_answer(
        session_id,
        question_id=question_id,
        answer=json.dumps(answer).encode(),
        client_answer_id=cid,
        now=at(seconds),
    )


def ids(records: list[NotificationRecord]) -> list[str]:
    return [r.id for r in records]


# ---------------------------------------------------------------- lifecycle and durability


async def test_ping_succeeds_on_a_started_store(store: Store) -> None:
    await store.ping()


async def test_data_persists_after_close_and_reopen(database_url: str) -> None:
    async with opened(database_url) as store:
        note = await notify(store, "alice")
        read_at = await store.mark_notification_read("alice", note.id, at(5))
        exam = await session(store)
        answer, _ = await save(store, exam.id, "q1", {"choice": "b"}, cid="c1")
        submitted = await store.submit_test_session(exam.id, reason="manual", now=at(9))
        message = await store.add_chat_message(
            room="lobby", sender_id="bob", sender_name="Bob", message="hi", now=at(2)
        )
    async with opened(database_url) as store:
        assert await store.list_notifications(
            "alice", unread_only=False, limit=10, before=None
        ) == ([NotificationRecord(**{**vars(note), "read_at": read_at})], False)
        assert await store.get_test_session(exam.id) == submitted
        assert await store.answers(exam.id) == {"q1": answer}
        assert await save(store, exam.id, "q1", "retry", cid="c1") == (answer, False)
        assert await store.chat_history("lobby", 10) == [message]


async def test_writes_are_visible_to_another_instance_as_soon_as_they_return(
    store: Store, database_url: str
) -> None:
    async with opened(database_url) as other:
        note = await notify(store, "alice")
        assert ids(await other.unread_notifications("alice", 10)) == [note.id]
        assert await store.mark_notification_read("alice", note.id, at(1)) is not None
        assert await other.unread_notifications("alice", 10) == []
        second = await notify(store, None, 2)
        assert await store.mark_all_notifications_read("alice", at(3)) == [second.id]
        assert await other.unread_notifications("alice", 10) == []
        exam = await session(store)
        assert await other.get_test_session(exam.id) == exam
        answer, _ = await save(store, exam.id, "q1", 1)
        assert await other.answers(exam.id) == {"q1": answer}
        submitted = await store.submit_test_session(exam.id, reason="manual", now=at(4))
        assert await other.get_test_session(exam.id) == submitted
        message = await store.add_chat_message(
            room="lobby", sender_id="bob", sender_name="Bob", message="hi", now=at(5)
        )
        assert await other.chat_history("lobby", 1) == [message]


# The child saves answers as fast as it can and prints each one only after the store
# acknowledged it; whatever it printed before SIGKILL must be in the database.
CHILD = """
import asyncio, sys
from datetime import UTC, datetime
from wsrouter.store import open_store

async def main(url, session_id):
    store = open_store(url)
    await store.start()
    for n in range(1_000_000):
        record, _ = await store.save_answer(
            session_id, question_id=f"q{n % 7}", answer=b"%d" % n,
            client_answer_id=f"c{n}", now=datetime.now(UTC),
        )
        print(f"c{n}", record.question_id, record.version, flush=True)

asyncio.run(main(*sys.argv[1:]))
"""


def _ack(line: bytes) -> tuple[str, str, int]:
    cid, question_id, version = line.decode().split()
    return cid, question_id, int(version)


async def test_acknowledged_answers_survive_sigkill(database_url: str) -> None:
    async with opened(database_url) as store:
        exam = await store.create_test_session(
            user_id="alice", duration_seconds=3600, title="", question_count=7, now=utcnow()
        )
    acks: list[tuple[str, str, int]] = []
    command = [sys.executable, "-c", CHILD, database_url, exam.id]
    async with await anyio.open_process(command) as child:
        assert child.stdout is not None
        assert child.stderr is not None
        lines = BufferedByteReceiveStream(child.stdout)
        try:
            with anyio.fail_after(4 * TIMEOUT):  # a cold interpreter start included
                while len(acks) < 50:
                    acks.append(_ack(await lines.receive_until(b"\n", 200)))
        except anyio.IncompleteRead:
            errors = (await child.stderr.receive()).decode(errors="replace")
            pytest.fail(f"the child stopped after {len(acks)} answers:\n{errors}")
        finally:
            os.kill(child.pid, signal.SIGKILL)
        with anyio.fail_after(TIMEOUT):
            assert await child.wait() == -signal.SIGKILL
            # Lines written between the 50th and the kill are acknowledgements too; a
            # line the kill cut short is not (its `print` had not finished).
            while True:
                try:
                    acks.append(_ack(await lines.receive_until(b"\n", 200)))
                except anyio.IncompleteRead:
                    break

    async with opened(database_url) as store:
        latest = await store.answers(exam.id)
        for cid, question_id, version in acks:
            # A retry of an applied client_answer_id returns that write's record.
            record, written = await store.save_answer(
                exam.id, question_id=question_id, answer=b"0", client_answer_id=cid, now=T0
            )
            assert (record.question_id, record.version, written) == (question_id, version, False)
            assert latest[question_id].version >= version


# ---------------------------------------------------------------- notifications


async def test_created_notification_keeps_its_fields_and_is_unread(store: Store) -> None:
    created = await store.create_notification(
        user_id="alice", title="Hi", message="Hello", priority="high", data=None, now=at(1.5)
    )
    assert created == NotificationRecord(
        id=created.id,
        user_id="alice",
        title="Hi",
        message="Hello",
        priority="high",
        data=None,
        created_at=at(1.5),
        read_at=None,
    )
    assert await store.unread_notifications("alice", 10) == [created]


async def test_notification_ids_are_unique_valid_protocol_ids(store: Store) -> None:
    created = [await notify(store, "alice", n) for n in range(20)]
    assert len({n.id for n in created}) == 20
    assert all(1 <= len(n.id) <= 64 for n in created)


async def test_notification_data_round_trips(store: Store) -> None:
    data = {"course": {"id": 7, "tags": ["a", "ü"]}, "ok": True, "none": None, "x": 1.5}
    created = await store.create_notification(
        user_id="alice", title="t", message="m", priority="low", data=data, now=T0
    )
    assert created.data == data
    [listed], _ = await store.list_notifications("alice", unread_only=False, limit=1, before=None)
    assert listed.data == data


async def test_user_notification_is_invisible_to_other_users(store: Store) -> None:
    note = await notify(store, "alice")
    assert await store.unread_notifications("bob", 10) == []
    assert await store.list_notifications("bob", unread_only=False, limit=10, before=None) == (
        [],
        False,
    )
    assert await store.mark_all_notifications_read("bob", at(1)) == []
    assert ids(await store.unread_notifications("alice", 10)) == [note.id]


async def test_system_notification_is_unread_for_every_user(store: Store) -> None:
    system = await notify(store, None)
    assert system.user_id is None
    for user in ("alice", "bob", "someone-new"):
        assert await store.unread_notifications(user, 10) == [system]


async def test_read_receipt_of_a_system_notification_is_per_user(store: Store) -> None:
    system = await notify(store, None)
    assert await store.mark_notification_read("alice", system.id, at(1)) == at(1)
    assert await store.unread_notifications("alice", 10) == []
    assert ids(await store.unread_notifications("bob", 10)) == [system.id]
    assert await store.mark_notification_read("bob", system.id, at(2)) == at(2)
    [seen_by_alice], _ = await store.list_notifications(
        "alice", unread_only=False, limit=10, before=None
    )
    assert seen_by_alice.read_at == at(1)


async def test_unread_notifications_are_the_oldest_first_up_to_the_limit(store: Store) -> None:
    # Created out of time order, mixing the user's own and system ones.
    third = await notify(store, "alice", 3)
    first = await notify(store, None, 1)
    await notify(store, "bob", 2)
    second = await notify(store, "alice", 2)
    fourth = await notify(store, None, 4)
    assert ids(await store.unread_notifications("alice", 10)) == [
        first.id,
        second.id,
        third.id,
        fourth.id,
    ]
    assert ids(await store.unread_notifications("alice", 2)) == [first.id, second.id]


async def test_notifications_created_at_the_same_instant_keep_creation_order(store: Store) -> None:
    created = [await notify(store, "alice" if n % 2 else None, 0) for n in range(30)]
    oldest_first = ids(created)
    assert ids(await store.unread_notifications("alice", 100)) == oldest_first
    page, _ = await store.list_notifications("alice", unread_only=False, limit=100, before=None)
    assert ids(page) == oldest_first[::-1]
    assert await store.mark_all_notifications_read("alice", at(1)) == oldest_first


async def test_list_notifications_pages_newest_first_with_a_before_cursor(store: Store) -> None:
    created = [await notify(store, "alice" if n % 3 else None, n) for n in range(7)]
    await notify(store, "bob", 10)
    pages: list[list[str]] = []
    more, before = True, None
    while more:
        page, more = await store.list_notifications(
            "alice", unread_only=False, limit=3, before=before
        )
        pages.append(ids(page))
        before = page[-1].id
    newest_first = ids(created)[::-1]
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:]]
    # A page that ends exactly at the last one says so.
    assert await store.list_notifications(
        "alice", unread_only=False, limit=1, before=created[1].id
    ) == ([created[0]], False)


async def test_list_notifications_unread_only_skips_read_ones(store: Store) -> None:
    old, middle, new = [await notify(store, "alice", n) for n in range(3)]
    await store.mark_notification_read("alice", middle.id, at(5))
    page, more = await store.list_notifications("alice", unread_only=True, limit=10, before=None)
    assert (ids(page), more) == ([new.id, old.id], False)
    page, more = await store.list_notifications("alice", unread_only=True, limit=1, before=new.id)
    assert (ids(page), more) == ([old.id], False)
    page, _ = await store.list_notifications("alice", unread_only=False, limit=10, before=None)
    assert [n.read_at for n in page] == [None, at(5), None]


async def test_list_notifications_with_an_unknown_before_is_an_empty_page(store: Store) -> None:
    await notify(store, "alice", 1)
    bobs = await notify(store, "bob", 2)
    for before in ("n_does_not_exist", bobs.id):  # another user's id is unknown to alice
        assert await store.list_notifications(
            "alice", unread_only=False, limit=10, before=before
        ) == ([], False)


async def test_mark_notification_read_is_idempotent_and_keeps_the_first_time(store: Store) -> None:
    note = await notify(store, "alice")
    assert await store.mark_notification_read("alice", note.id, at(1)) == at(1)
    assert await store.mark_notification_read("alice", note.id, at(2)) == at(1)
    assert await store.mark_all_notifications_read("alice", at(3)) == []
    [listed], _ = await store.list_notifications("alice", unread_only=False, limit=1, before=None)
    assert listed.read_at == at(1)


async def test_marking_an_unknown_or_another_users_notification_read_returns_none(
    store: Store,
) -> None:
    bobs = await notify(store, "bob")
    assert await store.mark_notification_read("alice", "n_does_not_exist", at(1)) is None
    assert await store.mark_notification_read("alice", bobs.id, at(1)) is None
    assert ids(await store.unread_notifications("bob", 10)) == [bobs.id]


async def test_mark_all_notifications_read_returns_the_unread_ids_oldest_first(
    store: Store,
) -> None:
    newer = await notify(store, "alice", 2)
    older = await notify(store, None, 1)
    already_read = await notify(store, "alice", 0)
    await store.mark_notification_read("alice", already_read.id, at(3))
    await notify(store, "bob", 1)
    assert await store.mark_all_notifications_read("alice", at(4)) == [older.id, newer.id]
    assert await store.unread_notifications("alice", 10) == []
    page, _ = await store.list_notifications("alice", unread_only=False, limit=10, before=None)
    assert [n.read_at for n in page] == [at(4), at(4), at(3)]
    assert await store.mark_all_notifications_read("alice", at(5)) == []
    assert ids(await store.unread_notifications("bob", 10)) != []  # bob's receipts untouched


async def test_times_come_back_in_utc_whatever_zone_they_were_given_in(store: Store) -> None:
    zoned = T0.astimezone(timezone(timedelta(hours=2)))
    note = await store.create_notification(
        user_id="alice", title="t", message="m", priority="low", data=None, now=zoned
    )
    exam = await store.create_test_session(
        user_id="alice", duration_seconds=60, title="", question_count=1, now=zoned
    )
    answer, _ = await store.save_answer(
        exam.id, question_id="q", answer=b"1", client_answer_id=None, now=zoned
    )
    read_at = await store.mark_notification_read("alice", note.id, zoned)
    message = await store.add_chat_message(
        room="r", sender_id="a", sender_name="A", message="m", now=zoned
    )
    stored = await store.get_test_session(exam.id)
    assert stored is not None
    for moment in (
        note.created_at,
        read_at,
        exam.started_at,
        stored.started_at,
        stored.ends_at,
        answer.saved_at,
        (await store.answers(exam.id))["q"].saved_at,
        message.created_at,
        (await store.chat_history("r", 1))[0].created_at,
    ):
        assert moment is not None
        assert moment.utcoffset() == timedelta(0)
        assert moment - T0 in (timedelta(0), timedelta(seconds=60))


# ---------------------------------------------------------------- test sessions


async def test_created_test_session_starts_now_and_its_id_is_a_room_name(store: Store) -> None:
    exam = await store.create_test_session(
        user_id="alice", duration_seconds=90, title="Maths", question_count=12, now=T0
    )
    assert ROOM_NAME.match(exam.id)
    assert exam == SessionRecord(
        id=exam.id,
        user_id="alice",
        title="Maths",
        question_count=12,
        started_at=T0,
        ends_at=at(90),
        submitted_at=None,
        submit_reason=None,
        answered_count=0,
    )
    assert exam.status(at(89)) == "in_progress"
    assert await store.get_test_session(exam.id) == exam
    assert (await session(store)).id != exam.id


async def test_unknown_test_session_is_none(store: Store) -> None:
    assert await store.get_test_session("ts_0000000000000000") is None


async def test_answer_versions_grow_by_one_per_question_and_the_last_write_wins(
    store: Store,
) -> None:
    exam = await session(store)
    assert [(await save(store, exam.id, "q1", n, seconds=n))[0].version for n in (1, 2, 3)] == [
        1,
        2,
        3,
    ]
    first_q2, written = await save(store, exam.id, "q2", "x", seconds=4)
    assert (first_q2.version, written) == (1, True)
    stored = await store.answers(exam.id)
    assert stored == {
        "q1": AnswerRecord(question_id="q1", answer=b"3", version=3, saved_at=at(3)),
        "q2": first_q2,
    }


async def test_answer_bytes_are_stored_as_given(store: Store) -> None:
    exam = await session(store)
    raw = '{ "text" : "caf\\u00e9 ü",\n "n": 1.50 }'.encode()
    record, _ = await store.save_answer(
        exam.id, question_id="essay", answer=raw, client_answer_id=None, now=at(1)
    )
    assert record.answer == raw
    assert (await store.answers(exam.id))["essay"].answer == raw


async def test_answered_count_counts_distinct_questions(store: Store) -> None:
    exam = await session(store)
    for question_id in ("q1", "q2", "q1", "q3", "q1"):
        await save(store, exam.id, question_id, 0)
    stored = await store.get_test_session(exam.id)
    assert stored is not None
    assert stored.answered_count == 3


async def test_repeated_client_answer_id_is_applied_once(store: Store) -> None:
    exam = await session(store)
    first, written = await save(store, exam.id, "q1", "a", seconds=1, cid="c1")
    assert written
    assert first.client_answer_id == "c1"
    later, _ = await save(store, exam.id, "q1", "b", seconds=2, cid="c2")
    retry, written = await save(store, exam.id, "q1", "a", seconds=3, cid="c1")
    assert (retry, written) == (first, False)  # the first write's record, not the latest
    assert await store.answers(exam.id) == {"q1": later}
    assert later.version == 2


async def test_client_answer_ids_are_scoped_to_their_session(store: Store) -> None:
    one, two = await session(store), await session(store)
    await save(store, one.id, "q1", "a", cid="same")
    record, written = await save(store, two.id, "q1", "b", cid="same")
    assert (record.answer, written) == (b'"b"', True)


async def test_retry_of_an_applied_answer_is_acknowledged_after_submission(store: Store) -> None:
    exam = await session(store)
    first, _ = await save(store, exam.id, "q1", "a", cid="c1")
    await store.submit_test_session(exam.id, reason="manual", now=at(2))
    assert await save(store, exam.id, "q1", "a", seconds=3, cid="c1") == (first, False)


async def test_answer_after_deadline_is_refused(store: Store) -> None:
    exam = await session(store, minutes=1)
    just_before = (exam.ends_at - T0 - timedelta(microseconds=1)).total_seconds()
    assert (await save(store, exam.id, "q1", "in time", seconds=just_before))[1]
    for seconds in (60, 61):  # at ends_at is already too late
        with pytest.raises(DeadlinePassed):
            await save(store, exam.id, "q1", "late", seconds=seconds, cid=f"late{seconds}")
    assert (await store.answers(exam.id))["q1"].answer == b'"in time"'


async def test_answer_after_submission_is_refused(store: Store) -> None:
    exam = await session(store)
    await save(store, exam.id, "q1", "kept")
    await store.submit_test_session(exam.id, reason="manual", now=at(2))
    with pytest.raises(SessionClosed):
        await save(store, exam.id, "q1", "late", seconds=3, cid="c9")
    assert (await store.answers(exam.id))["q1"].answer == b'"kept"'


async def test_answer_to_an_unknown_session_raises_key_error(store: Store) -> None:
    with pytest.raises(KeyError):
        await save(store, "ts_0000000000000000", "q1", "a")


async def test_concurrent_saves_get_versions_one_to_n_without_gaps(
    store: Store, database_url: str
) -> None:
    exam = await session(store)
    versions: list[int] = []

    async def write(instance: Store, n: int) -> None:
        record, _ = await save(instance, exam.id, "q1", n, cid=f"c{n}")
        versions.append(record.version)

    # Half through a second instance: the versions are one sequence across instances too.
    async with opened(database_url) as other:
        with anyio.fail_after(TIMEOUT):
            async with anyio.create_task_group() as group:
                for n in range(60):
                    group.start_soon(write, other if n % 2 else store, n)
    assert sorted(versions) == list(range(1, 61))
    assert (await store.answers(exam.id))["q1"].version == 60


async def test_submit_closes_the_session_once(store: Store) -> None:
    exam = await session(store)
    await save(store, exam.id, "q1", "a")
    submitted = await store.submit_test_session(exam.id, reason="manual", now=at(30))
    assert submitted == SessionRecord(
        **{**vars(exam), "submitted_at": at(30), "submit_reason": "manual", "answered_count": 1}
    )
    assert submitted.status(at(31)) == "submitted"
    assert await store.submit_test_session(exam.id, reason="time_expired", now=at(3600)) is None
    assert await store.get_test_session(exam.id) == submitted


async def test_submitting_an_unknown_session_returns_none(store: Store) -> None:
    assert await store.submit_test_session("ts_0000000000000000", reason="manual", now=T0) is None


async def test_only_one_concurrent_submit_wins(store: Store, database_url: str) -> None:
    exams = [await session(store) for _ in range(10)]
    winners: dict[str, list[str]] = {exam.id: [] for exam in exams}

    async def submit(instance: Store, name: str, session_id: str) -> None:
        if await instance.submit_test_session(session_id, reason=name, now=at(1)) is not None:
            winners[session_id].append(name)

    # Two instances on the same data stand for two processes (separate connections).
    async with opened(database_url) as other:
        with anyio.fail_after(TIMEOUT):
            async with anyio.create_task_group() as group:
                for exam in exams:
                    group.start_soon(submit, store, "manual", exam.id)
                    group.start_soon(submit, other, "time_expired", exam.id)
    for exam in exams:
        [winner] = winners[exam.id]
        stored = await store.get_test_session(exam.id)
        assert stored is not None
        assert stored.submit_reason == winner


async def test_sessions_due_are_unsubmitted_sessions_at_or_past_their_end(store: Store) -> None:
    short = await session(store, minutes=1)
    longer = await session(store, minutes=2)
    submitted = await session(store, minutes=1)
    await store.submit_test_session(submitted.id, reason="manual", now=at(10))
    await session(store, minutes=60)
    assert await store.sessions_due(at(59)) == []
    assert [s.id for s in await store.sessions_due(at(60))] == [short.id]
    assert [s.id for s in await store.sessions_due(at(600))] == [short.id, longer.id]
    await store.submit_test_session(short.id, reason="time_expired", now=at(600))
    assert [s.id for s in await store.sessions_due(at(600))] == [longer.id]


async def test_each_session_a_poll_submits_is_announced_once(store: Store) -> None:
    due = [await session(store, minutes=1) for _ in range(3)]
    announced: list[str] = []

    async def announce(records: list[SessionRecord]) -> None:
        for record in records:
            assert record.submit_reason == "time_expired"
            announced.append(record.id)

    submitted = await store.submit_due_sessions(at(60), announce=announce)
    assert sorted(announced) == sorted(r.id for r in submitted) == sorted(r.id for r in due)
    assert await store.submit_due_sessions(at(60), announce=announce) == []
    assert len(announced) == 3


async def test_due_sessions_are_submitted_once_by_concurrent_pollers(
    store: Store, database_url: str
) -> None:
    due = {(await session(store, minutes=1)).id for _ in range(30)}
    later = await session(store, minutes=60)
    claimed: list[str] = []

    async def poll(instance: Store) -> None:
        while batch := await instance.submit_due_sessions(at(60), limit=4):
            for record in batch:
                assert (record.submitted_at, record.submit_reason) == (at(60), "time_expired")
                claimed.append(record.id)

    # Two instances stand for two nodes polling at the same moment.
    async with opened(database_url) as other:
        with anyio.fail_after(TIMEOUT):
            async with anyio.create_task_group() as group:
                for instance in (store, other, store, other):
                    group.start_soon(poll, instance)
    assert sorted(claimed) == sorted(due)
    assert await store.sessions_due(at(60)) == []
    assert (await store.get_test_session(later.id)) == later


# ---------------------------------------------------------------- chat


async def test_added_chat_message_keeps_its_fields(store: Store) -> None:
    message = await store.add_chat_message(
        room="lobby", sender_id="u1", sender_name="Ann", message="héllo", now=at(1)
    )
    assert (message.room, message.sender_id, message.sender_name, message.message) == (
        "lobby",
        "u1",
        "Ann",
        "héllo",
    )
    assert message.created_at == at(1)
    assert 1 <= len(message.id) <= 64
    assert await store.chat_history("lobby", 10) == [message]


async def test_chat_history_is_the_last_messages_oldest_first(store: Store) -> None:
    sent = [
        await store.add_chat_message(
            room="lobby", sender_id="u", sender_name="U", message=str(n), now=at(n)
        )
        for n in range(8)
    ]
    assert await store.chat_history("lobby", 3) == sent[5:]
    assert await store.chat_history("lobby", 100) == sent


async def test_chat_history_is_per_room(store: Store) -> None:
    here = await store.add_chat_message(
        room="here", sender_id="u", sender_name="U", message="a", now=at(1)
    )
    await store.add_chat_message(
        room="there", sender_id="u", sender_name="U", message="b", now=at(2)
    )
    assert await store.chat_history("here", 10) == [here]
    assert await store.chat_history("nowhere", 10) == []


async def test_chat_messages_at_the_same_instant_keep_creation_order(store: Store) -> None:
    sent = [
        await store.add_chat_message(
            room="lobby", sender_id="u", sender_name="U", message=str(n), now=T0
        )
        for n in range(30)
    ]
    assert await store.chat_history("lobby", 30) == sent
    assert await store.chat_history("lobby", 5) == sent[-5:]
