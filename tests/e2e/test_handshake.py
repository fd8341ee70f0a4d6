"""Handshake refusals: an ``error`` frame, then the spec's close code."""

from __future__ import annotations

import base64
import json
import time

import httpx
import jwt
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.e2e.conftest import StartServer
from tests.e2e.harness import SECRET, Peer, ServerProcess
from tests.timing import TIMEOUT

pytestmark = pytest.mark.anyio


async def refused(server: ServerProcess, query: str, code: int, error: str) -> str:
    peer = await Peer.open(server, query)
    frame = await peer.expect("error", code=error)
    assert "request_id" not in frame
    closed, reason = await peer.closed()
    assert closed == code, (closed, reason)
    return str(frame["message"])


def forged(claims: dict[str, object], key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode({"exp": int(time.time()) + 600, **claims}, key, algorithm=algorithm)


async def test_missing_token_closes_with_4401(server: ServerProcess) -> None:
    assert "token" in await refused(server, "connection_type=general", 4401, "unauthorized")


async def test_expired_token_closes_with_4401(server: ServerProcess) -> None:
    token = forged({"sub": "1", "exp": int(time.time()) - 60})
    assert "expired" in await refused(server, f"token={token}", 4401, "unauthorized")


async def test_not_yet_valid_token_closes_with_4401(server: ServerProcess) -> None:
    token = forged({"sub": "1", "nbf": int(time.time()) + 600})
    await refused(server, f"token={token}", 4401, "unauthorized")


async def test_tampered_token_closes_with_4401(server: ServerProcess) -> None:
    token = forged({"sub": "1"}, key="another-secret-that-is-also-long-enough-0123456789")
    await refused(server, f"token={token}", 4401, "unauthorized")


async def test_alg_none_token_closes_with_4401(server: ServerProcess) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    claims = json.dumps({"sub": "1", "exp": int(time.time()) + 600}).encode()
    token = f"{header}.{base64.urlsafe_b64encode(claims).rstrip(b'=').decode()}."
    await refused(server, f"token={token}", 4401, "unauthorized")


async def test_bearer_header_is_accepted(server: ServerProcess) -> None:
    peer = await Peer.open(
        server, "connection_type=general", {"Authorization": f"Bearer {server.token('5')}"}
    )
    await peer.expect("connection_established", user_id="5")
    await peer.close()


async def test_numeric_sub_becomes_the_user_id_string(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={forged({'sub': 77})}")
    await peer.expect("connection_established", user_id="77", connection_type="general")
    await peer.close()


async def test_unknown_connection_type_closes_with_4500(server: ServerProcess) -> None:
    await refused(server, f"connection_type=video&token={server.token('1')}", 4500, "bad_handshake")


async def test_chat_without_room_closes_with_4500(server: ServerProcess) -> None:
    await refused(server, f"connection_type=chat&token={server.token('1')}", 4500, "bad_handshake")


async def test_malformed_room_closes_with_4500(server: ServerProcess) -> None:
    query = f"connection_type=chat&room=bad%20room!&token={server.token('1')}"
    await refused(server, query, 4500, "bad_handshake")


async def test_unknown_test_session_closes_with_4504(server: ServerProcess) -> None:
    query = f"connection_type=test-session&room=ts_nope&token={server.token('1')}"
    await refused(server, query, 4504, "not_found")


async def test_another_users_test_session_closes_with_4503(server: ServerProcess) -> None:
    created = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "owner", "duration_seconds": 600},
        headers=server.admin_headers(),
    ).json()
    query = f"connection_type=test-session&room={created['id']}&token={server.token('intruder')}"
    await refused(server, query, 4503, "forbidden")


async def test_too_many_connections_for_one_user_closes_with_4403(
    start_server: StartServer,
) -> None:
    server = start_server({"WSROUTER_CONNECTIONS_PER_USER": "2"})
    token = server.token("busy")
    peers = [await Peer.open(server, f"token={token}") for _ in range(2)]
    for peer in peers:
        await peer.expect("connection_established")
    await refused(server, f"token={token}", 4403, "too_many_connections")
    await peers[0].close()
    again = await Peer.open(server, f"token={token}")  # a slot is free again
    await again.expect("connection_established")


async def test_origin_outside_the_allow_list_is_refused_with_403(start_server: StartServer) -> None:
    server = start_server({"WSROUTER_ALLOWED_ORIGINS": "https://app.example"})
    url = f"{server.ws_url}?token={server.token('1')}"
    with pytest.raises(InvalidStatus) as caught:
        await connect(url, origin="https://evil.example", open_timeout=TIMEOUT)  # type: ignore[arg-type]
    assert caught.value.response.status_code == 403
    ok = await connect(url, origin="https://app.example", open_timeout=TIMEOUT)  # type: ignore[arg-type]
    await ok.close()


def expired_token(sub: str, seconds_ago: int) -> str:
    """A token whose ``exp`` passed ``seconds_ago`` seconds ago (within the 10 s leeway)."""
    now = int(time.time())
    return jwt.encode({"sub": sub, "iat": now - 60, "exp": now - seconds_ago}, SECRET)


async def test_token_expiring_mid_connection_closes_with_4401(server: ServerProcess) -> None:
    # Expired 8 s ago: inside the leeway, so the handshake takes it, and the same leeway
    # ends the connection 2 s later (never at once).
    peer = await Peer.open(server, f"token={expired_token('short', 8)}")
    await peer.expect("connection_established")
    await peer.nothing_more(wait=1.0)
    await peer.expect("error", code="unauthorized")
    assert (await peer.closed())[0] == 4401


async def test_refreshed_token_keeps_the_connection_open(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={server.token('fresh', ttl=2)}")
    await peer.expect("connection_established")
    refreshed = await peer.request(
        {"type": "refresh_token", "token": server.token("fresh", ttl=600), "request_id": "r"},
        "token_refreshed",
    )
    assert refreshed["request_id"] == "r"
    await peer.nothing_more(wait=2.5)
    assert (await peer.request({"type": "ping"}, "pong"))["type"] == "pong"
    other = await peer.request(
        {"type": "refresh_token", "token": server.token("someone-else")}, "error"
    )
    assert other["code"] == "unauthorized"
    await peer.close()


@pytest.mark.parametrize("path", ["/", "/wss", "/ws/", "/console"])
async def test_a_websocket_to_another_path_gets_404(server: ServerProcess, path: str) -> None:
    url = f"ws://127.0.0.1:{server.port}{path}?token={server.token('1')}"
    with pytest.raises(InvalidStatus) as caught:
        await connect(url, open_timeout=TIMEOUT)
    assert caught.value.response.status_code == 404
    assert b"/ws" in caught.value.response.body
