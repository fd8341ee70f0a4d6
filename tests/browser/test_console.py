"""The console at ``/console`` in real Chromium: each test is one scene a person would play."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import NewPage, screenshot
from tests.e2e.harness import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def test_ping_shows_the_pong_in_the_frame_log(new_console: NewPage, server: ServerProcess) -> None:
    console = new_console()
    console.connect(server.token("1", name="Alice"))
    console.connected()
    console.received("connection_established")

    assert console.choose_template("ping") == {"type": "ping"}
    console.send()

    expect(console.frame("out", "ping")).to_have_count(1)
    pong = console.received("pong")
    assert pong["type"] == "pong"
    entry = console.frame("in", "pong").first
    expect(entry.locator(".direction")).to_have_text("←")
    expect(entry.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d:\d\d\.\d{3}$"))
    expect(console.frame("out", "ping").locator(".direction")).to_have_text("→")
    screenshot(console.page, "ping_pong")


def test_room_broadcast_from_one_page_is_seen_on_the_other(
    new_console: NewPage, server: ServerProcess
) -> None:
    sender, receiver = new_console(), new_console()
    for console, sub in ((sender, "11"), (receiver, "12")):
        # The Room field also fills the templates' `room`.
        console.connect(server.token(sub, name=f"User {sub}"), room="lobby")
        console.connected()
        assert console.choose_template("join_room")["room"] == "lobby"
        console.send()
        console.received("room_joined")

    message = sender.choose_template("broadcast_to_room")
    assert message["room"] == "lobby"
    sender.send({**message, "message": "Hello from the first page"})

    seen = receiver.received("room_message", containing="Hello from the first page")
    assert seen["sender_id"] == "11"
    assert seen["room"] == "lobby"
    screenshot(receiver.page, "room_broadcast_receiver")
    screenshot(sender.page, "room_broadcast_sender")


def test_notification_from_the_admin_panel_arrives_and_is_marked_read(
    new_console: NewPage, server: ServerProcess
) -> None:
    console = new_console()
    console.connect(server.token("7", name="Grace"), "notifications")
    console.connected()
    console.use_admin_token(server.token("admin", role="admin"))

    console.admin_field("createNotification", "body", "user_id").fill("7")
    console.admin_field("createNotification", "body", "title").fill("Grade published")
    console.admin_field("createNotification", "body", "message").fill("Your exam is graded.")
    console.admin_field("createNotification", "body", "priority").select_option("high")
    result = console.call_admin("createNotification")
    expect(result).to_have_attribute("data-status", "201")

    notification = console.received("notification", containing="Grade published")
    assert notification["priority"] == "high"
    # The reply button is built from the spec's mark_notification_read template.
    mark = console.frame("in", "notification").first.locator(
        '[data-reply-type="mark_notification_read"]'
    )
    expect(mark).to_have_text("Mark notification read")
    mark.click()

    sent = console.frame("out", "mark_notification_read")
    expect(sent).to_contain_text(notification["id"])
    read = console.received("notification_read")
    assert read["notification_id"] == notification["id"]
    screenshot(console.page, "notification_marked_read")


def test_chat_between_two_pages_shows_typing(new_console: NewPage, server: ServerProcess) -> None:
    alice, bob = new_console(), new_console()
    alice.connect(server.token("21", name="Alice"), "chat", room="help")
    alice.connected()
    bob.connect(server.token("22", name="Bob"), "chat", room="help")
    bob.connected()
    alice.received("user_joined", containing="Bob")

    alice.choose_template("typing")
    alice.send()
    expect(bob.page.locator("#typing")).to_have_text("Alice is typing…")
    bob.received("user_typing", containing="Alice")

    message = alice.choose_template("send_message")
    alice.send({**message, "message": "Anyone here?"})
    alice.received("chat_message", containing="Anyone here?")
    seen = bob.received("chat_message", containing="Anyone here?")
    assert seen["sender_name"] == "Alice"
    screenshot(bob.page, "chat_typing_receiver")

    message = bob.choose_template("send_message")
    bob.send({**message, "message": "Bob here."})
    assert alice.received("chat_message", containing="Bob here.")["sender_name"] == "Bob"
    screenshot(alice.page, "chat_typing_sender")


def test_bad_token_shows_the_4401_reason(new_console: NewPage) -> None:
    console = new_console()
    console.connect("not-a-jwt")

    close_info = console.page.locator("#close-info")
    expect(close_info).to_have_attribute("data-code", "4401")
    expect(close_info).to_contain_text("Closed 4401 unauthorized")
    # The words come from x-close-codes in asyncapi.yaml; the reason from the server.
    expect(close_info).to_contain_text("Token missing, invalid or expired")
    expect(close_info).to_contain_text("Reason:")
    expect(console.page.locator("#status")).to_have_attribute("data-state", "closed")
    assert console.received("error")["code"] == "unauthorized"
    screenshot(console.page, "bad_token_4401")


def test_admin_disconnect_closes_the_other_page_with_terminal_4505(
    new_console: NewPage, server: ServerProcess
) -> None:
    admin, user = new_console(), new_console()
    user.connect(server.token("31", name="Victim"))
    connection_id = user.connected()

    admin.use_admin_token(server.token("admin", role="admin"))
    listed = admin.call_admin("listConnections")
    expect(listed).to_have_attribute("data-status", "200")
    expect(admin.page.get_by_role("button", name=f"Disconnect {connection_id}")).to_be_visible()

    admin.admin_field("disconnectConnection", "path", "connection_id").fill(connection_id)
    result = admin.call_admin("disconnectConnection")
    expect(result).to_have_attribute("data-status", "204")

    close_info = user.page.locator("#close-info")
    expect(close_info).to_have_attribute("data-code", "4505")
    expect(close_info).to_contain_text("removed_by_admin")
    expect(close_info).to_contain_text("An administrator closed this connection for good")
    screenshot(user.page, "admin_disconnect_closed_4505")
    screenshot(admin.page, "admin_disconnect_admin_panel")


def test_admin_broadcast_with_its_three_filters_reaches_only_the_match(
    new_console: NewPage, server: ServerProcess
) -> None:
    target, other = new_console(), new_console()
    for console, sub in ((target, "41"), (other, "42")):
        console.connect(server.token(sub), room="news")
        console.connected()
        console.choose_template("join_room")
        console.send()
        console.received("room_joined")

    target.use_admin_token(server.token("admin", role="admin"))
    target.admin_field("broadcast", "query", "connection_type").select_option("general")
    target.admin_field("broadcast", "query", "user_id").fill("41")
    target.admin_field("broadcast", "query", "room").fill("news")
    # The body starts as the spec's example.
    expect(target.admin_field("broadcast", "body", "type")).to_have_value("system_announcement")
    target.admin_field("broadcast", "body", "message").fill("Only for user 41")
    result = target.call_admin("broadcast")
    expect(result).to_have_attribute("data-status", "202")
    expect(result).to_contain_text('"recipients": 1')

    target.received("system_announcement", containing="Only for user 41")
    expect(other.frame("in", "system_announcement")).to_have_count(0)
    screenshot(target.page, "admin_broadcast_filtered")


def test_templates_are_the_spec_examples_of_the_chosen_type(new_console: NewPage) -> None:
    spec: dict[str, Any] = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    console = new_console()
    for connection_type in ("general", "notifications", "test-session", "chat"):
        console.page.select_option("#connection-type", connection_type)
        assert console.templates() == _client_messages(spec, connection_type)
    console.page.select_option("#connection-type", "notifications")
    assert console.choose_template("get_notifications") == _example(spec, "GetNotifications")


@pytest.mark.parametrize(
    ("connection_type", "first"),
    [
        ("general", "ping"),
        ("notifications", "get_notifications"),
        ("test-session", "get_session_status"),
        ("chat", "join_room"),
    ],
)
def test_the_first_template_is_a_read_not_refresh_token_with_a_placeholder(
    new_console: NewPage, connection_type: str, first: str
) -> None:
    console = new_console()
    console.page.select_option("#connection-type", connection_type)
    message = json.loads(console.page.locator("#message").input_value())
    assert message["type"] == first
    screenshot(console.page, "templates_notifications")


def _client_messages(spec: dict[str, Any], connection_type: str) -> list[str]:
    """What a client of the type may send, by the spec: its `action: receive` operations."""
    types: list[str] = []
    for operation in spec["operations"].values():
        if operation["action"] != "receive":
            continue
        if connection_type not in [tag["name"] for tag in operation["tags"]]:
            continue
        for ref in operation["messages"]:
            key = ref["$ref"].rsplit("/", 1)[-1]
            component = spec["channels"]["ws"]["messages"][key]["$ref"].rsplit("/", 1)[-1]
            message = spec["components"]["messages"][component]
            types.append(message["payload"]["properties"]["type"]["const"])
    return list(dict.fromkeys(types))


def _example(spec: dict[str, Any], component: str) -> Any:
    return spec["components"]["messages"][component]["examples"][0]["payload"]


def test_tokens_are_not_prefilled_outside_development_mode(new_console: NewPage) -> None:
    console = new_console()
    expect(console.page.locator("#token")).to_have_value("")
    expect(console.page.locator("#admin-token")).to_have_value("")
    expect(console.page.locator("#dev-mode")).to_be_hidden()


def test_docs_page_renders_both_specs(context: BrowserContext, server: ServerProcess) -> None:
    page = context.new_page()
    page.goto(f"{server.http_url}/docs")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    expect(page.locator("#operation-broadcast")).to_contain_text("POST/ws/broadcast")
    expect(page.locator("#type-chat")).to_contain_text("send_message")
    expect(page.locator("#close-code-table")).to_contain_text("4401")
    screenshot(page, "docs_page")
