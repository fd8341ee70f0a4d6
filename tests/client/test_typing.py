"""A user's script type-checks under ``mypy --strict``, with the precise types it expects."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]

USER_SCRIPT = """
from __future__ import annotations

from typing import assert_type

import wsrouter_client
from wsrouter_client.http_models import TestSessionCreate, WsStats
from wsrouter_client.messages import (
    ChatMessage,
    ChatOutbound,
    ConnectionEstablished,
    ErrorCode,
    GeneralOutbound,
    SessionStatus,
    TestSessionReady,
)


async def fresh_token() -> str:
    return "token"


async def chat(url: str, token: str) -> None:
    async with wsrouter_client.connect(
        url,
        connection_type="chat",
        room="lobby",
        token=token,
        reconnect=wsrouter_client.Reconnect(base=0.5, cap=10.0, max_attempts=5),
        token_provider=fresh_token,
        request_timeout=5.0,
    ) as room:
        assert_type(room, wsrouter_client.ChatConnection)
        assert_type(room.established, ConnectionEstablished)
        sent = await room.send_message(message="hi", timeout=2.0)
        assert_type(sent, ChatMessage)
        remove = room.on(ChatMessage, lambda message: print(message.sender_name))
        remove()
        async for frame in room.messages(timeout=1.0):
            assert_type(frame, ChatOutbound)
            match frame:
                case ChatMessage(message=text):
                    print(text)
                case _:
                    pass


async def others(url: str, token: str) -> None:
    session = await wsrouter_client.connect(
        url, connection_type="test-session", room="ts_1", token_provider=lambda: token
    )
    assert_type(session.established, TestSessionReady)
    assert_type(await session.get_session_status(), SessionStatus)
    await session.close()
    general = await wsrouter_client.connect(url, token=token)
    assert_type(general, wsrouter_client.GeneralConnection)
    try:
        await general.leave_room(room="nowhere")
    except wsrouter_client.RequestFailed as failed:
        assert_type(failed.error_code, ErrorCode)
    except wsrouter_client.ConnectionClosed as closed:
        assert_type(closed.retryable, bool)
    async with wsrouter_client.AsyncAdminClient("http://localhost:8000", token) as admin:
        assert_type(await admin.get_ws_stats(), WsStats)


def blocking(url: str, token: str) -> None:
    with wsrouter_client.connect_sync(url, token=token) as general:
        assert_type(general, wsrouter_client.SyncGeneralConnection)
        general.join_room(room="r1")
        for frame in general.messages(timeout=1.0):
            assert_type(frame, GeneralOutbound)
    with wsrouter_client.AdminClient("http://localhost:8000", token) as admin:
        created = admin.create_test_session(
            body=TestSessionCreate(user_id="1", duration_seconds=60)
        )
        with wsrouter_client.connect_sync(
            url, connection_type="test-session", room=created.id, token=token
        ) as session:
            assert_type(session.submit_session().answered_count, int)
"""

MISTAKES = """
import wsrouter_client


async def wrong(url: str) -> None:
    await wsrouter_client.connect(url, connection_type="chat")  # line 6: chat needs a room
    await wsrouter_client.connect(url, connection_type="gossip")  # line 7: no such type
    chat = await wsrouter_client.connect(url, connection_type="chat", room="lobby")
    await chat.send_message(mesage="typo")  # line 9: no such parameter
    general = await wsrouter_client.connect(url)
    await general.send_message(message="hi")  # line 11: general has no send_message
    wsrouter_client.connect_sync(url, token_provider=lambda: 42)  # line 12: not a str
"""


def _mypy(tmp_path: Path, source: str) -> tuple[str, int]:
    script = tmp_path / "user_script.py"
    script.write_text(textwrap.dedent(source), encoding="utf-8")
    config = tmp_path / "mypy.ini"
    config.write_text(
        f"[mypy]\nstrict = True\nmypy_path = {ROOT / 'clients' / 'python'}\n", encoding="utf-8"
    )
    out, err, status = api.run(
        [str(script), "--config-file", str(config), "--cache-dir", str(tmp_path / "cache")]
    )
    return out + err, status


def test_a_user_script_type_checks_under_strict_mypy(tmp_path: Path) -> None:
    output, status = _mypy(tmp_path, USER_SCRIPT)
    assert status == 0, output


def test_mistakes_in_a_user_script_are_type_errors(tmp_path: Path) -> None:
    output, status = _mypy(tmp_path, MISTAKES)
    assert status == 1
    lines = {int(n) for n in re.findall(r"user_script\.py:(\d+): error", output)}
    assert lines == {6, 7, 9, 11, 12}, output
