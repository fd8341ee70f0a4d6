"""The seed's JavaScript examples, run unchanged in Node against a real server."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.harness import Peer, ServerProcess
from tests.timing import TIMEOUT

pytestmark = pytest.mark.anyio

SEED = Path(__file__).parent / "seed"
NODE = shutil.which("node")


def snippets() -> list[str]:
    """The ```javascript blocks of the seed: general, notifications, test-session, chat."""
    text = (SEED / "ws-router-spec.md").read_text(encoding="utf-8")
    return re.findall(r"```javascript\n(.*?)```", text, flags=re.DOTALL)


def test_the_seed_has_the_four_examples() -> None:
    found = snippets()
    assert len(found) == 4
    for kind, code in zip(("general", "notifications", "test-session", "chat"), found, strict=True):
        assert f"connection_type={kind}" in code


async def run(
    server: ServerProcess, index: int, tmp_path: Path, *, token: str, run_ms: int = 1500, **env: str
) -> list[dict[str, Any]]:
    if NODE is None:
        raise AssertionError("node is required for the seed examples (install nodejs)")
    snippet = tmp_path / f"snippet{index}.js"
    snippet.write_text(snippets()[index], encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        NODE,
        "--experimental-websocket",
        "--no-warnings",
        str(SEED / "run_snippet.mjs"),
        str(snippet),
        env={
            **os.environ,
            "WS_BASE": f"ws://127.0.0.1:{server.port}",
            "TOKEN": token,
            "RUN_MS": str(run_ms),
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), run_ms / 1000 + 4 * TIMEOUT)
    assert process.returncode == 0, err.decode()
    events: list[dict[str, Any]] = json.loads(out.decode().strip().splitlines()[-1])
    return events


def frames(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e["value"] for e in events if e["kind"] == "frame"]


def calls(events: list[dict[str, Any]], name: str) -> list[list[Any]]:
    return [
        e["value"]["args"] for e in events if e["kind"] == "call" and e["value"]["name"] == name
    ]


async def test_general_example_gets_pong_echo_room_joined_and_the_room_message(
    server: ServerProcess, tmp_path: Path
) -> None:
    events = await run(server, 0, tmp_path, token=server.token("seed-general", name="Seed"))
    got = frames(events)
    assert [f["type"] for f in got] == [
        "connection_established",
        "pong",
        "echo",
        "room_joined",
        "room_message",
    ]
    assert got[2]["message"] == "Hello WebSocket!"
    assert got[3]["room"] == "room1"
    assert got[4]["message"] == "Hello everyone in room1!"
    assert got[4]["sender_name"] == "Seed"


async def test_notifications_example_shows_and_marks_read(
    server: ServerProcess, tmp_path: Path
) -> None:
    created = httpx.post(
        f"{server.http_url}/notifications",
        json={
            "user_id": "seed-n",
            "title": "Maintenance Notice",
            "message": "at 10:00",
            "priority": "high",
        },
        headers=server.admin_headers(),
    ).json()
    events = await run(server, 1, tmp_path, token=server.token("seed-n"))
    assert calls(events, "showNotification") == [["Maintenance Notice", "at 10:00", "high"]]
    read = [f for f in frames(events) if f["type"] == "notification_read"]
    assert [f["notification_id"] for f in read] == [created["id"]]


async def test_test_session_example_is_ready_and_gets_its_status(
    server: ServerProcess, tmp_path: Path
) -> None:
    session = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "seed-t", "duration_seconds": 600},
        headers=server.admin_headers(),
    ).json()
    events = await run(server, 2, tmp_path, token=server.token("seed-t"), SESSION_ID=session["id"])
    logs = [e["value"] for e in events if e["kind"] == "log"]
    assert logs == ["Test session monitoring ready"]
    statuses = calls(events, "updateSessionUI")
    assert len(statuses) == 2  # the one sent on connect, and the reply to get_session_status
    assert all(s[0]["session_id"] == session["id"] for s in statuses)


async def test_chat_example_displays_messages_joins_typing_and_leaves(
    server: ServerProcess, tmp_path: Path
) -> None:
    other = await Peer.open(
        server, f"connection_type=chat&room=general&token={server.token('seed-c2', name='Bob')}"
    )
    for kind in ("connection_established", "chat_history", "presence"):
        await other.expect(kind)

    async def bob() -> None:
        joined = await other.expect("user_joined")
        assert joined["username"] == "Alice"
        await other.request({"type": "send_message", "message": "Hi Alice"}, "chat_message")
        await other.send({"type": "typing"})
        from_node = await other.expect("chat_message")
        assert from_node["message"] == "Hello from the seed"
        await other.expect("user_typing", username="Alice")

    helper = asyncio.create_task(bob())
    events = await run(
        server,
        3,
        tmp_path,
        token=server.token("seed-c1", name="Alice"),
        run_ms=2500,
        AFTER_OPEN="sendMessage('Hello from the seed'); sendTyping();",
    )
    await asyncio.wait_for(helper, TIMEOUT)
    shown = calls(events, "displayMessage")
    assert shown[0][:2] == ["Bob", "Hi Alice"]
    assert shown[1][:2] == ["Alice", "Hello from the seed"]
    assert calls(events, "showTypingIndicator") == [["Bob"]]
    await other.close()


async def test_chat_example_shows_users_joining_and_leaving(
    server: ServerProcess, tmp_path: Path
) -> None:
    async def visitor() -> None:
        # Join only once the snippet's socket is in the room, then leave again.
        async with httpx.AsyncClient(
            base_url=server.http_url, headers=server.admin_headers()
        ) as http:
            while not (await http.get("/ws/connections", params={"user_id": "seed-c3"})).json()[
                "total"
            ]:
                await asyncio.sleep(0.05)
        peer = await Peer.open(
            server, f"connection_type=chat&room=general&token={server.token('seed-v', name='Vic')}"
        )
        await peer.expect("connection_established")
        await asyncio.sleep(0.3)
        await peer.close()

    helper = asyncio.create_task(visitor())
    events = await run(
        server, 3, tmp_path, token=server.token("seed-c3", name="Carol"), run_ms=3000
    )
    await asyncio.wait_for(helper, TIMEOUT)
    assert calls(events, "showUserJoined") == [["Vic"]]
    assert calls(events, "showUserLeft") == [["Vic"]]
