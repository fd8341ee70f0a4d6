"""``test-session`` in process: the candidate's answers, the proctor, submission, refresh."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.server.connection_types.harness import Harness, harness

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def h(tmp_path: Path, anyio_backend: str) -> AsyncIterator[Harness]:
    async with harness(tmp_path) as opened:
        yield opened


async def new_session(h: Harness, user: str) -> str:
    record = await h.store.create_test_session(
        user_id=user, duration_seconds=600, title="t", question_count=3, now=datetime.now(UTC)
    )
    return record.id


async def test_open_sends_ready_then_status(h: Harness) -> None:
    session = await new_session(h, "cand")
    _, opening = await h.connect("test-session", "cand", room=session)
    assert [f["type"] for f in opening] == ["test_session_ready", "session_status"]
    assert opening[0]["session_id"] == session
    assert opening[1]["status"] == "in_progress"
    assert opening[1]["answers"] == {}


async def test_a_saved_answer_is_acked_and_synced_to_the_proctor(h: Harness) -> None:
    session = await new_session(h, "cand")
    candidate, _ = await h.connect("test-session", "cand", room=session)
    proctor, opening = await h.connect("test-session", "boss", room=session, role="admin")
    assert "answers" not in opening[1]  # a proctor does not see the answers
    saved = await candidate.request(
        {"type": "save_answer", "question_id": "q1", "answer": {"choice": 2}, "request_id": "s"}
    )
    assert (saved["type"], saved["version"], saved["request_id"]) == ("answer_saved", 1, "s")
    synced = proctor.sink.take()
    assert [(f["type"], f["answer"]) for f in synced] == [("answer_synced", {"choice": 2})]
    refused = await proctor.request({"type": "save_answer", "question_id": "q1", "answer": 1})
    assert refused["code"] == "forbidden"


async def test_after_submit_answers_are_refused(h: Harness) -> None:
    session = await new_session(h, "cand")
    candidate, _ = await h.connect("test-session", "cand", room=session)
    other_tab, _ = await h.connect("test-session", "cand", room=session)
    submitted = await candidate.request({"type": "submit_session"})
    assert (submitted["type"], submitted["reason"]) == ("session_submitted", "manual")
    assert [f["type"] for f in other_tab.sink.take()] == ["session_submitted"]
    late = await candidate.request({"type": "save_answer", "question_id": "q1", "answer": 1})
    assert late["code"] == "session_closed"
    again = await candidate.request({"type": "submit_session"})
    assert again["code"] == "session_closed"


async def test_a_proctor_refreshing_without_the_admin_role_is_closed(h: Harness) -> None:
    session = await new_session(h, "cand")
    candidate, _ = await h.connect("test-session", "cand", room=session)
    proctor, _ = await h.connect("test-session", "boss", room=session, role="admin")
    refused = await proctor.send(
        {"type": "refresh_token", "token": h.token("boss"), "request_id": "r"}
    )
    assert [(f["type"], f.get("code"), f.get("request_id")) for f in refused] == [
        ("error", "unauthorized", "r")
    ]
    assert proctor.sink.closed == (4401, "token no longer allows this connection")
    assert proctor.session.peer.principal.is_admin  # the old token was not replaced
    admin_again = await candidate.request({"type": "refresh_token", "token": h.token("cand")})
    assert admin_again["type"] == "token_refreshed"  # the candidate needs no role
    kept, _ = await h.connect("test-session", "boss2", room=session, role="admin")
    renewed = await kept.request({"type": "refresh_token", "token": h.token("boss2", role="admin")})
    assert renewed["type"] == "token_refreshed"
    assert kept.sink.closed is None
