"""Every script of ``examples/`` runs against a live server, says what it did, exits 0."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import wsrouter_client
from tests.e2e.harness import ServerProcess
from tests.timing import TIMEOUT
from wsrouter_client import http_models
from wsrouter_client.messages import AdminBroadcast

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TESTED = {"general.py", "chat.py", "notifications.py", "test_session.py", "admin.py"}


def run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``examples/<script>``; return what it printed, after checking it exited 0."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WSROUTER_")}
    result = subprocess.run(  # noqa: S603 - our interpreter and our scripts
        [sys.executable, str(EXAMPLES / script), *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={**clean, **(env or {})},
        timeout=6 * TIMEOUT,
    )
    assert result.returncode == 0, f"{script} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_every_example_has_a_test() -> None:
    assert {path.name for path in EXAMPLES.glob("*.py")} == TESTED


def test_general_example(server: ServerProcess) -> None:
    out = run("general.py", "--url", server.ws_url, "--token", server.token("ex-gen"))
    assert "connected: general_ex-gen_" in out
    assert "echo -> Hello WebSocket!" in out
    assert "joined room examples (1 connection(s) in it)" in out
    assert "broadcast -> 'Hello, room!' from ex-gen" in out
    assert "leave_room(never-joined) -> error not_in_room" in out
    assert "rooms now: []" in out


def test_general_example_reads_url_and_token_from_the_environment(server: ServerProcess) -> None:
    env = {"WSROUTER_URL": server.ws_url, "WSROUTER_TOKEN": server.token("ex-env")}
    assert "connected: general_ex-env_" in run("general.py", env=env)


def test_chat_example(server: ServerProcess) -> None:
    token = server.token("ex-chat", name="Chad")
    out = run("chat.py", "--url", server.ws_url, "--token", token, "--room", "examples")
    assert "in room examples" in out
    assert "history: 0 message(s)" in out
    assert "present: Chad" in out
    assert "<Chad> Hello, chat!" in out
    assert "typing sent" in out


def test_notifications_example(server: ServerProcess) -> None:
    out = run(
        "notifications.py",
        *("--url", server.ws_url, "--token", server.token("ex-note")),
        *("--http-url", server.http_url, "--admin-token", server.token("admin", role="admin")),
    )
    assert "created notification n_" in out
    assert "notification arrived: Hello " in out
    assert "1 unread notification(s)" in out
    assert "marked 1 notification(s) read" in out


def test_test_session_example(server: ServerProcess) -> None:
    with wsrouter_client.AdminClient(server.http_url, server.token("admin", role="admin")) as admin:
        body = http_models.TestSessionCreate(user_id="ex-exam", duration_seconds=600)
        session = admin.create_test_session(body=body)
    out = run(
        "test_session.py",
        *("--url", server.ws_url, "--token", server.token("ex-exam"), "--session", session.id),
    )
    assert f"to session {session.id}" in out
    assert "status in_progress" in out
    assert "saved q1 (version 1)" in out
    assert "saved q2 (version 1)" in out
    assert "submitted (manual) with 2 answer(s)" in out


def test_admin_example(server: ServerProcess) -> None:
    with wsrouter_client.connect_sync(server.ws_url, token=server.token("ex-listener")) as peer:
        out = run(
            "admin.py",
            *("--http-url", server.http_url, "--admin-token", server.token("a", role="admin")),
        )
        announcement = next(
            frame for frame in peer.messages(timeout=TIMEOUT) if isinstance(frame, AdminBroadcast)
        )
    assert announcement.message == "Hello from examples/admin.py"
    assert "health: ok, ready: ready" in out
    assert peer.connection_id in out
    assert re.search(r"broadcast to [1-9]\d* general connection\(s\)", out), out
