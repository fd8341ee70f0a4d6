"""``notifications``: backlog on connect, live delivery, read receipts on every tab."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess

pytestmark = pytest.mark.anyio


def notify(server: ServerProcess, **body: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{server.http_url}/notifications", json=body, headers=server.admin_headers()
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def tab(server: ServerProcess, sub: str) -> Peer:
    peer = await Peer.open(server, f"connection_type=notifications&token={server.token(sub)}")
    await peer.expect("connection_established", connection_type="notifications")
    return peer


async def test_unread_notifications_arrive_on_connect_oldest_first(server: ServerProcess) -> None:
    first = notify(server, user_id="n1", title="one", message="first", priority="low")
    second = notify(server, user_id="n1", title="two", message="second", priority="high")
    assert first["recipients"] == 0
    peer = await tab(server, "n1")
    assert (await peer.expect("notification"))["id"] == first["id"]
    frame = await peer.expect(
        "notification", id=second["id"], title="two", priority="high", read=False
    )
    assert frame["created_at"] == second["created_at"]
    await peer.close()


async def test_live_notification_is_delivered_and_marked_read_on_every_tab(
    server: ServerProcess,
) -> None:
    tab1, tab2, stranger = await tab(server, "n2"), await tab(server, "n2"), await tab(server, "n3")
    created = notify(server, user_id="n2", title="Grade", message="published", data={"exam": 7})
    assert created["recipients"] == 2
    for peer in (tab1, tab2):
        frame = await peer.expect("notification", id=created["id"], data={"exam": 7})
        assert frame["priority"] == "normal"
    await stranger.nothing_more()
    await tab1.send(
        {"type": "mark_notification_read", "notification_id": created["id"], "request_id": "m"}
    )
    receipt = await tab1.expect("notification_read", notification_id=created["id"], request_id="m")
    synced = await tab2.expect("notification_read", notification_id=created["id"])
    assert synced["read_at"] == receipt["read_at"]
    again = await tab1.request(
        {"type": "mark_notification_read", "notification_id": created["id"]}, "notification_read"
    )
    assert again["read_at"] == receipt["read_at"]  # idempotent
    late = await tab(server, "n2")
    await late.nothing_more()  # read ones are not sent again
    for peer in (tab1, tab2, stranger, late):
        await peer.close()


async def test_system_notification_reaches_every_user(start_server: StartServer) -> None:
    server = start_server()  # its own server: a system notification reaches everyone after
    a, b = await tab(server, "s1"), await tab(server, "s2")
    created = notify(server, title="System", message="maintenance at 10:00", priority="urgent")
    assert created["user_id"] is None
    for peer in (a, b):
        await peer.expect("notification", id=created["id"], priority="urgent")
    await a.request(
        {"type": "mark_notification_read", "notification_id": created["id"]}, "notification_read"
    )
    listed = await b.request(
        {"type": "get_notifications", "unread_only": True}, "notification_list"
    )
    assert created["id"] in [item["id"] for item in listed["items"]]  # receipts are per user
    await a.close()
    await b.close()


async def test_unknown_or_foreign_notification_is_not_found(server: ServerProcess) -> None:
    theirs = notify(server, user_id="someone", title="private", message="x")
    peer = await tab(server, "n4")
    for notification_id in ("n_does_not_exist", theirs["id"]):
        await peer.send(
            {
                "type": "mark_notification_read",
                "notification_id": notification_id,
                "request_id": "x",
            }
        )
        await peer.expect("error", code="not_found", request_id="x")
    await peer.close()


async def test_mark_all_and_list(server: ServerProcess) -> None:
    ids = [notify(server, user_id="n5", title=f"t{i}", message="m")["id"] for i in range(3)]
    peer = await tab(server, "n5")
    for notification_id in ids:
        await peer.expect("notification", id=notification_id)
    page = await peer.request({"type": "get_notifications", "limit": 2}, "notification_list")
    assert [item["id"] for item in page["items"]] == ids[::-1][:2]
    assert page["has_more"] is True
    done = await peer.request({"type": "mark_all_notifications_read"}, "notifications_read")
    assert done["notification_ids"] == ids
    unread = await peer.request(
        {"type": "get_notifications", "unread_only": True}, "notification_list"
    )
    assert unread["items"] == []
    await peer.close()
