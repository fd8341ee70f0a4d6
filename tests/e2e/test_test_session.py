"""``test-session``: status, answers synced and durable, submit, timer and auto-submit."""

from __future__ import annotations

from typing import Any

import anyio
import httpx
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess

pytestmark = pytest.mark.anyio


def new_session(server: ServerProcess, user_id: str, seconds: int = 600) -> dict[str, Any]:
    response = httpx.post(
        f"{server.http_url}/test-sessions",
        json={
            "user_id": user_id,
            "duration_seconds": seconds,
            "title": "Exam",
            "question_count": 3,
        },
        headers=server.admin_headers(),
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def join(server: ServerProcess, session_id: str, sub: str, role: str | None = None) -> Peer:
    token = server.token(sub, role=role)
    peer = await Peer.open(server, f"connection_type=test-session&room={session_id}&token={token}")
    ready = await peer.expect("test_session_ready", session_id=session_id, room=session_id)
    assert ready["connection_type"] == "test-session"
    status = await peer.expect("session_status", session_id=session_id)
    assert status["status"] == "in_progress"
    return peer


async def test_owner_sees_status_and_a_proctor_sees_it_without_answers(
    server: ServerProcess,
) -> None:
    session = new_session(server, "cand1")
    owner = await join(server, session["id"], "cand1")
    proctor = await join(server, session["id"], "proctor", role="admin")
    await owner.request({"type": "save_answer", "question_id": "q1", "answer": "B"}, "answer_saved")
    await proctor.expect("answer_synced", question_id="q1", answer="B")
    status = await owner.request(
        {"type": "get_session_status", "request_id": "s"}, "session_status"
    )
    assert status["answers"]["q1"]["answer"] == "B"
    assert status["answered_count"] == 1
    assert 590 <= status["remaining_seconds"] <= 600
    watched = await proctor.request({"type": "get_session_status"}, "session_status")
    assert "answers" not in watched
    assert watched["answered_count"] == 1
    await owner.close()
    await proctor.close()


async def test_saved_answer_is_acknowledged_and_synced_to_other_connections(
    server: ServerProcess,
) -> None:
    session = new_session(server, "cand2")
    tab1 = await join(server, session["id"], "cand2")
    tab2 = await join(server, session["id"], "cand2")
    proctor = await join(server, session["id"], "boss", role="admin")
    saved = await tab1.request(
        {
            "type": "save_answer",
            "question_id": "q1",
            "answer": {"choice": "A"},
            "client_answer_id": "c1",
        },
        "answer_saved",
    )
    assert saved["version"] == 1
    assert saved["client_answer_id"] == "c1"
    for peer in (tab2, proctor):
        synced = await peer.expect(
            "answer_synced", question_id="q1", answer={"choice": "A"}, version=1
        )
        assert synced["saved_at"] == saved["saved_at"]
    retry = await tab1.request(
        {
            "type": "save_answer",
            "question_id": "q1",
            "answer": {"choice": "A"},
            "client_answer_id": "c1",
        },
        "answer_saved",
    )
    assert retry["version"] == 1  # applied once
    await tab2.nothing_more()
    second = await tab1.request(
        {"type": "save_answer", "question_id": "q1", "answer": "C"}, "answer_saved"
    )
    assert second["version"] == 2
    for peer in (tab1, tab2, proctor):
        await peer.close()


async def test_only_the_owner_may_save_or_submit(server: ServerProcess) -> None:
    session = new_session(server, "cand3")
    proctor = await join(server, session["id"], "watcher", role="admin")
    await proctor.send({"type": "save_answer", "question_id": "q1", "answer": 1})
    await proctor.expect("error", code="forbidden")
    await proctor.send({"type": "submit_session"})
    await proctor.expect("error", code="forbidden")
    await proctor.close()


async def test_submit_closes_the_session_for_every_connection(server: ServerProcess) -> None:
    session = new_session(server, "cand4")
    owner = await join(server, session["id"], "cand4")
    other = await join(server, session["id"], "cand4")
    await owner.request({"type": "save_answer", "question_id": "q1", "answer": 1}, "answer_saved")
    await other.expect("answer_synced")
    submitted = await owner.request(
        {"type": "submit_session", "request_id": "end"}, "session_submitted"
    )
    assert submitted == {**submitted, "reason": "manual", "answered_count": 1, "request_id": "end"}
    await other.expect("session_submitted", reason="manual")
    await owner.send({"type": "save_answer", "question_id": "q2", "answer": 2})
    await owner.expect("error", code="session_closed")
    await owner.send({"type": "submit_session"})
    await owner.expect("error", code="session_closed")
    fetched = httpx.get(
        f"{server.http_url}/test-sessions/{session['id']}", headers=server.admin_headers()
    )
    assert fetched.json()["status"] == "submitted"
    await owner.close()
    await other.close()


async def test_oversize_answer_is_invalid_message(server: ServerProcess) -> None:
    session = new_session(server, "cand5")
    owner = await join(server, session["id"], "cand5")
    await owner.send({"type": "save_answer", "question_id": "q1", "answer": "x" * 17000})
    err = await owner.expect("error", code="invalid_message")
    assert "$.answer" in err["message"]
    await owner.close()


async def test_timer_warns_and_auto_submit_happens_at_the_deadline(
    start_server: StartServer,
) -> None:
    server = start_server({"WSROUTER_TIMER_INTERVAL_SECONDS": "1"})
    session = new_session(server, "cand6", seconds=3)
    owner = await join(server, session["id"], "cand6")
    updates = []
    while True:
        frame = await owner.recv()
        if frame["type"] == "session_submitted":
            break
        assert frame["type"] == "timer_update", frame
        updates.append(frame["remaining_seconds"])
    assert updates == [2, 1]
    assert frame["reason"] == "time_expired"
    await owner.send({"type": "save_answer", "question_id": "q1", "answer": 1})
    await owner.expect("error", code="session_closed")


async def test_answer_after_the_deadline_is_deadline_passed(start_server: StartServer) -> None:
    server = start_server({"WSROUTER_AUTO_SUBMIT_POLL_SECONDS": "60"})  # no auto-submit yet
    session = new_session(server, "late", seconds=1)
    owner = await join(server, session["id"], "late")
    await anyio.sleep(1.1)
    await owner.send({"type": "save_answer", "question_id": "q1", "answer": 1, "request_id": "l"})
    await owner.expect("error", code="deadline_passed", request_id="l")
    status = await owner.request({"type": "get_session_status"}, "session_status")
    assert status["status"] == "expired"
    assert status["remaining_seconds"] == 0


async def test_auto_submit_happens_with_nobody_connected(start_server: StartServer) -> None:
    server = start_server()
    session = new_session(server, "cand7", seconds=1)
    url = f"{server.http_url}/test-sessions/{session['id']}"
    for _ in range(50):
        state = httpx.get(url, headers=server.admin_headers()).json()
        if state["status"] == "submitted":
            break
        await anyio.sleep(0.1)
    assert state["status"] == "submitted"
    assert state["submit_reason"] == "time_expired"
