"""What an attacker tried: privileges kept across a refresh, tokens for a rebound name.

Each case ran against a live server before it was fixed (issue 11) and is kept here,
against a real ``wsrouter serve``, with the cases that already held.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.e2e.conftest import StartServer
from tests.e2e.harness import SECRET, Peer, ServerProcess
from tests.timing import TIMEOUT

pytestmark = pytest.mark.anyio


async def test_a_proctor_cannot_keep_watching_after_refreshing_without_admin(
    server: ServerProcess,
) -> None:
    created = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "cand", "duration_seconds": 600},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    query = f"connection_type=test-session&room={created['id']}"
    candidate = await Peer.open(server, f"{query}&token={server.token('cand')}")
    await candidate.expect("test_session_ready")
    proctor = await Peer.open(server, f"{query}&token={server.token('boss', role='admin')}")
    await proctor.expect("test_session_ready")
    await proctor.expect("session_status")
    await proctor.send({"type": "refresh_token", "token": server.token("boss"), "request_id": "r"})
    await proctor.expect("error", code="unauthorized", request_id="r")
    assert await proctor.closed() == (4401, "token no longer allows this connection")
    # the candidate carries on; the former proctor is gone from the session's room
    await candidate.expect("session_status")
    await candidate.send({"type": "save_answer", "question_id": "q1", "answer": "secret"})
    await candidate.expect("answer_saved")
    stats = httpx.get(
        f"{server.http_url}/ws/connections",
        params={"room": created["id"]},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    assert [item["user_id"] for item in stats["items"]] == ["cand"]


async def test_a_token_of_another_user_cannot_take_over_a_connection(
    server: ServerProcess,
) -> None:
    peer = await Peer.open(server, f"token={server.token('victim')}")
    await peer.expect("connection_established")
    await peer.send({"type": "refresh_token", "token": server.token("attacker")})
    await peer.expect("error", code="unauthorized")
    await peer.request({"type": "ping"}, "pong")  # still open, still the victim's


@pytest.mark.parametrize(
    "headers",
    [
        {"host": "evil.example"},
        {"host": "evil.example:8000"},
        {"origin": "http://evil.example"},
        {"sec-fetch-site": "cross-site"},
    ],
    ids=["rebound-host", "rebound-host-with-port", "cross-site-origin", "cross-site-fetch"],
)
def test_dev_tokens_go_to_pages_of_this_machine_only(
    start_server: StartServer, headers: dict[str, str]
) -> None:
    server = start_server({"WSROUTER_JWT_SECRET": ""})  # development mode
    url = f"{server.http_url}/console/dev-token?role=admin"
    assert httpx.get(url, timeout=TIMEOUT).status_code == 200  # the console's own request
    assert httpx.get(url, headers={"origin": server.http_url}, timeout=TIMEOUT).status_code == 200
    refused = httpx.get(url, headers=headers, timeout=TIMEOUT)
    assert refused.status_code == 404
    assert "token" not in refused.text


async def test_a_forged_or_unsigned_token_is_refused(server: ServerProcess) -> None:
    header, payload, _ = server.token("forger").split(".")
    for token in (f"{header}.{payload}.AAAA", f"eyJhbGciOiJub25lIn0.{payload}."):
        peer = await Peer.open(server, f"token={token}")
        await peer.expect("error", code="unauthorized")
        assert (await peer.closed())[0] == 4401


def test_the_admin_api_needs_the_admin_role(server: ServerProcess) -> None:
    user = {"authorization": f"Bearer {server.token('someone')}"}
    assert httpx.get(f"{server.http_url}/ws/stats", headers=user).status_code == 403
    assert httpx.get(f"{server.http_url}/ws/stats").status_code == 401


async def test_a_refresh_to_a_shorter_token_re_arms_the_expiry(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={server.token('shrink', ttl=3600)}")
    await peer.expect("connection_established")
    now = int(time.time())
    # Expired 8 s ago: still inside the 10 s leeway, so the refresh is accepted...
    short = jwt.encode({"sub": "shrink", "iat": now - 60, "exp": now - 8}, SECRET)
    await peer.request({"type": "refresh_token", "token": short}, "token_refreshed")
    # ...and the connection ends when it does, not when the first token would have.
    await peer.expect("error", code="unauthorized")
    assert (await peer.closed())[0] == 4401


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hs256_with(secret: bytes, claims: dict[str, object]) -> str:
    """An HS256 token signed by hand (PyJWT refuses a PEM key as an HMAC secret)."""
    signing_input = (
        f"{_b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}"
        f".{_b64(json.dumps(claims).encode())}"
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


async def test_an_rs256_server_refuses_tokens_signed_with_its_public_key_as_a_secret(
    start_server: StartServer,
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    server = start_server(
        {
            "WSROUTER_JWT_ALGORITHM": "RS256",
            "WSROUTER_JWT_PUBLIC_KEY": public_pem.decode().replace("\n", "\\n"),
        }
    )
    claims = {"sub": "mallory", "role": "admin", "exp": int(time.time()) + 600}
    genuine = jwt.encode(claims, key, algorithm="RS256")
    peer = await Peer.open(server, f"token={genuine}")
    await peer.expect("connection_established")  # the server does take RS256
    for forged in (
        _hs256_with(public_pem, claims),  # the key-confusion attack
        jwt.encode(claims, SECRET, algorithm="HS256"),
        jwt.encode(claims, SECRET * 2, algorithm="HS512"),
    ):
        peer = await Peer.open(server, f"token={forged}")
        await peer.expect("error", code="unauthorized")
        assert (await peer.closed())[0] == 4401
        admin = {"authorization": f"Bearer {forged}"}
        assert httpx.get(f"{server.http_url}/ws/stats", headers=admin).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/ws/stats", None),
        ("GET", "/ws/connections", None),
        ("DELETE", "/ws/connections/general_someone_x", None),
        ("POST", "/ws/broadcast", {"message": "hi"}),
        ("POST", "/notifications", {"user_id": "victim", "title": "t", "message": "m"}),
        ("POST", "/test-sessions", {"user_id": "victim", "duration_seconds": 60}),
        ("GET", "/test-sessions/anything", None),
    ],
)
def test_every_admin_route_needs_the_admin_role(
    server: ServerProcess, method: str, path: str, body: dict[str, object] | None
) -> None:
    url = f"{server.http_url}{path}"
    user = {"authorization": f"Bearer {server.token('someone')}"}
    assert httpx.request(method, url, json=body, headers=user).status_code == 403
    assert httpx.request(method, url, json=body).status_code == 401
