"""The admin HTTP API against a real server: auth, stats, broadcast, connections, probes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess

pytestmark = pytest.mark.anyio


async def peer(server: ServerProcess, query: str, sub: str) -> Peer:
    opened = await Peer.open(server, f"{query}&token={server.token(sub)}")
    await opened.expect("connection_established")
    return opened


def admin(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.http_url, headers=server.admin_headers())


def test_no_token_is_401_with_www_authenticate(server: ServerProcess) -> None:
    response = httpx.get(f"{server.http_url}/ws/stats")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["detail"]


def test_bad_token_is_401_and_non_admin_is_403(server: ServerProcess) -> None:
    bad = httpx.get(f"{server.http_url}/ws/stats", headers={"authorization": "Bearer x.y.z"})
    assert bad.status_code == 401
    assert "invalid_token" in bad.headers["www-authenticate"]
    user = {"authorization": f"Bearer {server.token('plain-user')}"}
    assert httpx.get(f"{server.http_url}/ws/stats", headers=user).status_code == 403


async def test_stats_have_the_seed_shape(start_server: StartServer) -> None:
    server = start_server()
    with admin(server) as http:
        empty = http.get("/ws/stats").json()
    assert empty == {
        "total_connections": 0,
        "total_users": 0,
        "connections_by_type": {"general": 0, "notifications": 0, "test-session": 0, "chat": 0},
        "connections_by_user": {},
    }
    await peer(server, "connection_type=general", "1")
    await peer(server, "connection_type=general", "1")
    await peer(server, "connection_type=notifications", "2")
    with admin(server) as http:
        stats = http.get("/ws/stats").json()
    assert stats["total_connections"] == 3
    assert stats["total_users"] == 2
    assert stats["connections_by_type"] == {
        "general": 2,
        "notifications": 1,
        "test-session": 0,
        "chat": 0,
    }
    assert stats["connections_by_user"] == {"1": 2, "2": 1}


async def test_broadcast_filters_combine_with_and(server: ServerProcess) -> None:
    a = await peer(server, "connection_type=general", "b1")
    b = await peer(server, "connection_type=general", "b2")
    c = await peer(server, "connection_type=notifications", "b1")
    await a.request({"type": "join_room", "room": "ops"}, "room_joined")
    body: dict[str, Any] = {
        "type": "system_announcement",
        "title": "Maintenance Notice",
        "message": "System will be down for maintenance in 30 minutes",
        "priority": "high",
    }
    with admin(server) as http:
        by_user = http.post("/ws/broadcast?user_id=b1&connection_type=general", json=body)
        assert by_user.status_code == 202
        assert by_user.json() == {"recipients": 1}
        frame = await a.expect("system_announcement", title="Maintenance Notice", priority="high")
        assert frame["timestamp"]
        await b.nothing_more(0.1)
        await c.nothing_more(0.1)
        by_room = http.post(
            "/ws/broadcast?room=ops&connection_type=general", json={**body, "type": "room_note"}
        )
        assert by_room.json() == {"recipients": 1}
        await a.expect("room_note")
        to_type = http.post("/ws/broadcast?connection_type=notifications&user_id=b1", json=body)
        assert to_type.json() == {"recipients": 1}
        await c.expect("system_announcement")


def test_broadcast_refuses_protocol_types_and_bad_bodies_with_422(server: ServerProcess) -> None:
    with admin(server) as http:
        assert http.post("/ws/broadcast", json={"type": "pong", "message": "x"}).status_code == 422
        assert http.post("/ws/broadcast", json={"message": "no type"}).status_code == 422
        bad = http.post("/ws/broadcast", json={"type": "a", "message": "x", "extra": 1})
        assert bad.status_code == 422
        assert bad.json()["status_code"] == 422
        assert (
            http.post(
                "/ws/broadcast?connection_type=video", json={"type": "a", "message": "x"}
            ).status_code
            == 422
        )


@pytest.mark.parametrize(
    ("query", "close_code"),
    [("", 4505), ("?reconnect=false", 4505), ("?reconnect=true", 4000)],
    ids=["default-terminal-4505", "reconnect-false-4505", "reconnect-true-4000"],
)
async def test_disconnect_closes_with_4505_unless_the_admin_lets_it_reconnect(
    start_server: StartServer, query: str, close_code: int
) -> None:
    server = start_server()
    victim = await Peer.open(server, f"token={server.token('victim')}")
    hello = await victim.expect("connection_established")
    with admin(server) as http:
        listed = http.get("/ws/connections", params={"user_id": "victim"}).json()
        assert listed["total"] == 1
        assert listed["items"][0]["connection_id"] == hello["connection_id"]
        assert http.delete(f"/ws/connections/{hello['connection_id']}{query}").status_code == 204
        code, reason = await victim.closed()
        assert code == close_code
        assert "admin" in reason
        assert http.delete(f"/ws/connections/{hello['connection_id']}").status_code == 404


async def test_connection_list_pages_and_filters(start_server: StartServer) -> None:
    server = start_server()
    for i in range(3):
        await peer(server, "connection_type=general", f"p{i}")
    await peer(server, "connection_type=chat&room=lobby", "p0")
    with admin(server) as http:
        page = http.get("/ws/connections", params={"limit": 2, "offset": 1}).json()
        assert page["total"] == 4
        assert len(page["items"]) == 2
        chat = http.get(
            "/ws/connections", params={"connection_type": "chat", "room": "lobby"}
        ).json()
        assert [(i["user_id"], i["rooms"]) for i in chat["items"]] == [("p0", ["lobby"])]
        assert http.get("/ws/connections", params={"limit": 0}).status_code == 422


def test_test_sessions_are_created_and_fetched(server: ServerProcess) -> None:
    with admin(server) as http:
        created = http.post(
            "/test-sessions", json={"user_id": "u", "duration_seconds": 60, "title": "Quiz"}
        )
        assert created.status_code == 201
        body = created.json()
        assert body["status"] == "in_progress"
        assert http.get(f"/test-sessions/{body['id']}").json() == body
        assert http.get("/test-sessions/ts_missing").status_code == 404
        assert (
            http.post("/test-sessions", json={"user_id": "u", "duration_seconds": 0}).status_code
            == 422
        )


def test_probes_need_no_token(server: ServerProcess) -> None:
    assert httpx.get(f"{server.http_url}/health").json() == {"status": "ok"}
    ready = httpx.get(f"{server.http_url}/ready").json()
    assert ready == {"status": "ready", "checks": {"database": "ok", "broker": "ok"}}
    metrics = httpx.get(f"{server.http_url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "# TYPE wsrouter_connections_opened_total counter" in metrics.text
    assert "wsrouter_connections " in metrics.text


async def test_metrics_count_frames_errors_and_refusals(start_server: StartServer) -> None:
    server = start_server()
    client = await peer(server, "connection_type=general", "1")
    await client.request({"type": "ping", "request_id": "1"}, "pong")
    await client.send_raw("{not json")
    await client.expect("error", code="invalid_json")
    refused = await Peer.open(server, "connection_type=general&token=x.y.z")
    await refused.expect("error", code="unauthorized")
    assert (await refused.closed())[0] == 4401
    text = httpx.get(f"{server.http_url}/metrics").text
    assert 'wsrouter_messages_received_total{type="general"} 2' in text
    assert 'wsrouter_errors_sent_total{code="invalid_json"} 1' in text
    assert 'wsrouter_errors_sent_total{code="unauthorized"} 1' in text
    assert 'wsrouter_connections_refused_total{code="4401"} 1' in text
    assert 'wsrouter_connections_opened_total{type="general"} 1' in text


def test_plain_http_on_ws_is_426(server: ServerProcess) -> None:
    response = httpx.get(f"{server.http_url}/ws")
    assert response.status_code == 426
