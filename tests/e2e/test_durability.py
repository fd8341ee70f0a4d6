"""What the server acknowledged survives SIGKILL; SIGTERM drains and closes with 1012."""

from __future__ import annotations

import signal

import httpx
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, save_answers_until_killed

pytestmark = pytest.mark.anyio


async def test_every_acknowledged_answer_survives_sigkill(start_server: StartServer) -> None:
    unlimited = {"WSROUTER_MESSAGES_PER_SECOND": "100000", "WSROUTER_MESSAGE_BURST": "100000"}
    server = start_server(unlimited)
    session = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "durable", "duration_seconds": 3600},
        headers=server.admin_headers(),
    ).json()
    query = f"connection_type=test-session&room={session['id']}&token={server.token('durable')}"
    peer = await Peer.open(server, query)
    await peer.expect("test_session_ready")
    await peer.expect("session_status")

    sent, acknowledged = await save_answers_until_killed(peer, server)
    assert sent > sum(acknowledged.values())  # some saves were in flight, unacknowledged

    restarted = start_server(unlimited, workdir=server.workdir)
    again = await Peer.open(restarted, query)
    await again.expect("test_session_ready")
    status = await again.expect("session_status")
    for question_id, version in acknowledged.items():
        assert status["answers"][question_id]["version"] >= version, question_id


async def test_sigterm_flushes_and_closes_connections_with_1012(start_server: StartServer) -> None:
    server = start_server()
    peer = await Peer.open(server, f"token={server.token('bye')}")
    await peer.expect("connection_established")
    # uvicorn re-raises the signal after a graceful shutdown, so the status says SIGTERM
    assert server.stop() in (0, -signal.SIGTERM)
    code, _ = await peer.closed()
    assert code == 1012
    assert "Application shutdown complete" in server.output()
