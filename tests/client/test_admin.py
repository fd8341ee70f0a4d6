"""The admin clients: base URL, bearer token, typed models, ``ApiError``."""

from __future__ import annotations

import json

import httpx
import pytest

import wsrouter_client as wc
from wsrouter_client import http_models as models

STATS = {
    "total_connections": 1,
    "total_users": 1,
    "connections_by_type": {"general": 1, "notifications": 0, "test-session": 0, "chat": 0},
    "connections_by_user": {"1": 1},
}
SESSION = {
    "id": "ts_1",
    "user_id": "42",
    "title": "Exam",
    "question_count": 3,
    "status": "in_progress",
    "started_at": "2025-07-10T10:00:00.000Z",
    "ends_at": "2025-07-10T11:00:00.000Z",
    "answered_count": 0,
}


def handler(request: httpx.Request) -> httpx.Response:
    if request.headers.get("authorization") != "Bearer admin-token":
        return httpx.Response(401, json={"status_code": 401, "detail": "no token"})
    route = (request.method, request.url.path)
    if route == ("GET", "/ws/stats"):
        return httpx.Response(200, json=STATS)
    if route == ("POST", "/ws/broadcast"):
        assert request.url.params["connection_type"] == "chat"
        assert json.loads(request.content)["type"] == "system_announcement"
        return httpx.Response(202, json={"recipients": 3})
    if route == ("POST", "/test-sessions"):
        return httpx.Response(201, json=SESSION)
    if route == ("DELETE", "/ws/connections/general_1_2"):
        return httpx.Response(204)
    return httpx.Response(404, json={"status_code": 404, "detail": "no such thing"})


def test_the_blocking_admin_client_sends_the_token_and_decodes_models() -> None:
    with wc.AdminClient(
        "http://router.test", "admin-token", transport=httpx.MockTransport(handler)
    ) as admin:
        assert admin.get_ws_stats().connections_by_type["test-session"] == 0
        body = models.BroadcastRequest(type="system_announcement", message="Down in 30 minutes")
        assert admin.broadcast(body=body, connection_type="chat").recipients == 3
        session = models.TestSessionCreate(user_id="42", duration_seconds=60)
        created = admin.create_test_session(body=session)
        assert created.id == "ts_1"
        admin.disconnect_connection(connection_id="general_1_2")
        with pytest.raises(wc.ApiError) as caught:
            admin.get_test_session(session_id="missing")
    assert (caught.value.status_code, caught.value.detail) == (404, "no such thing")
    assert admin.http.is_closed


@pytest.mark.anyio
async def test_the_async_admin_client_is_the_same_over_httpx_async() -> None:
    async with wc.AsyncAdminClient(
        "http://router.test", "admin-token", transport=httpx.MockTransport(handler)
    ) as admin:
        assert (await admin.get_ws_stats()).total_connections == 1
    assert admin.http.is_closed
    async with wc.AsyncAdminClient(
        "http://router.test", "wrong", transport=httpx.MockTransport(handler)
    ) as refused:
        with pytest.raises(wc.ApiError, match="HTTP 401: no token"):
            await refused.get_ws_stats()
