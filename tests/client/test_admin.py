"""The admin clients: base URL, bearer token, typed models, ``ApiError``."""

from __future__ import annotations

import json

import httpx
import msgspec
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


INVALID = {
    "status_code": 422,
    "detail": "Validation failed for POST /test-sessions",
    "extra": [
        {"message": "Expected `int` >= 60", "key": "duration_seconds", "source": "body"},
        {"message": "Object missing required field `user_id`", "source": "body"},
    ],
}


def test_a_422_names_the_failing_fields_and_is_a_wsrouter_error() -> None:
    def invalid(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=INVALID)

    with wc.AdminClient("http://router.test", "t", transport=httpx.MockTransport(invalid)) as admin:
        session = models.TestSessionCreate(user_id="42", duration_seconds=60)
        with pytest.raises(wc.WsrouterError) as caught:
            admin.create_test_session(body=session)
    error = caught.value
    assert isinstance(error, wc.ApiError)
    assert error.status_code == 422
    assert [issue.key for issue in error.issues] == ["duration_seconds", msgspec.UNSET]
    assert str(error) == (
        "HTTP 422: Validation failed for POST /test-sessions: "
        "duration_seconds (body): Expected `int` >= 60; Object missing required field `user_id`"
    )


def test_an_unreachable_admin_api_raises_connect_failed_not_an_httpx_error() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    transport = httpx.MockTransport(unreachable)
    with (
        wc.AdminClient("http://router.test", "t", transport=transport) as admin,
        pytest.raises(wc.ConnectFailed, match=r"admin API at http://router\.test") as caught,
    ):
        admin.get_ws_stats()
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


@pytest.mark.anyio
async def test_the_async_admin_client_raises_the_sdk_errors_too() -> None:
    def invalid(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json=INVALID)

    async with wc.AsyncAdminClient(
        "http://router.test", "t", transport=httpx.MockTransport(invalid)
    ) as admin:
        with pytest.raises(wc.ApiError, match="duration_seconds") as caught:
            await admin.get_ws_stats()
    assert isinstance(caught.value, wc.WsrouterError)
