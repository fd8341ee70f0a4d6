"""Stateful scenarios of the wsrouter protocol: knowledge the spec's schemas do not hold.

The generic checks send valid and invalid frames one connection at a time; these
follow the protocol across connections and the admin API, and check that what
should happen does (a broadcast reaches the other member, a saved answer shows in
the status, a read receipt reaches every connection of the user). Load another
module with ``--scenarios MODULE`` to test another protocol, or ``--scenarios none``.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass

from wsrouter_contract.plugin import Scenario, ScenarioContext, Setup, Skip

SESSION_SECONDS = 3600

# Submitting closes the test session for good: every later request on it would only get
# `session_closed`. Generated traffic sends it once, at the end.
LAST_OPERATIONS = frozenset({"submitSession"})


def token_subject(token: str) -> str | None:
    """The ``sub`` of a JWT (the user id), read without verifying the signature."""
    try:
        body = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    sub = claims.get("sub") if isinstance(claims, dict) else None
    return str(sub) if sub is not None else None


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def prepare(setup: Setup) -> dict[str, str]:
    """A chat room of our own, and a fresh test session when the admin API is at hand.

    Only for the types the user gave no ``--room``.
    """
    types, given = setup.target.spec.connection_types, setup.target.rooms
    rooms = {}
    if "chat" in types and "chat" not in given:
        rooms["chat"] = _unique("contract")
    if "test-session" in types and "test-session" not in given and setup.admin is not None:
        user = token_subject(setup.target.token)
        if user is None:
            raise Skip("the token has no readable `sub` to create a test session for")
        body = {"user_id": user, "duration_seconds": SESSION_SECONDS, "title": "wsrouter-contract"}
        rooms["test-session"] = str(setup.admin.post("/test-sessions", body)["id"])
    return rooms


@dataclass(frozen=True)
class RoomBroadcast:
    """general: two members join a room; one broadcasts; the other gets ``room_message``."""

    name: str = "join -> broadcast_to_room -> room_message on the other member"
    connection_type: str = "general"

    def run(self, ctx: ScenarioContext) -> None:
        room, text = _unique("contract"), _unique("hello")
        a, b = ctx.open("a"), ctx.open("b")
        ctx.request(a, "join_room", room=room)
        ctx.request(b, "join_room", room=room)
        reply = ctx.request(a, "broadcast_to_room", room=room, message=text)
        if reply.get("type") != "room_message" or reply.get("message") != text:
            ctx.fail(f"the sender's reply is not its `room_message`: {reply}")
        ctx.expect(
            b,
            "room_message",
            "`room_message` on the other member",
            lambda p: p.get("room") == room and p.get("message") == text,
        )


@dataclass(frozen=True)
class AnswerSync:
    """test-session: a saved answer is synced to the other tab and shows in the status."""

    name: str = "save_answer -> answer_synced on the other tab -> get_session_status"
    connection_type: str = "test-session"

    def run(self, ctx: ScenarioContext) -> None:
        if "test-session" not in ctx.target.rooms:
            raise Skip("needs a session: --room test-session=ID, or --admin-token and --http-url")
        a, b = ctx.open("a"), ctx.open("b")
        ctx.request(b, "get_session_status")  # b is in the session before a saves
        question, answer = _unique("q"), {"choice": "B", "note": "wsrouter-contract"}
        closed = ("forbidden", "session_closed", "deadline_passed")
        saved = ctx.request(a, "save_answer", skip_on=closed, question_id=question, answer=answer)
        if saved.get("question_id") != question:
            ctx.fail(f"`answer_saved` names another question: {saved}")
        ctx.expect(
            b,
            "answer_synced",
            "`answer_synced` on the session's other connection",
            lambda p: p.get("question_id") == question and p.get("answer") == answer,
        )
        status = ctx.request(a, "get_session_status")
        entry = (status.get("answers") or {}).get(question)
        if entry is None or entry.get("answer") != answer:
            ctx.fail(f"`session_status` does not show the saved answer to {question}: {status}")
        elif entry.get("version") != saved.get("version"):
            ctx.fail(f"`session_status` shows version {entry.get('version')}, saved {saved}")


@dataclass(frozen=True)
class ReadReceipts:
    """notifications: an admin notification reaches both tabs; a read receipt too."""

    name: str = "POST /notifications -> notification -> mark_notification_read -> every tab"
    connection_type: str = "notifications"

    def run(self, ctx: ScenarioContext) -> None:
        if ctx.admin is None:
            raise Skip("needs --admin-token and --http-url to create a notification")
        user = token_subject(ctx.target.token)
        if user is None:
            raise Skip("the token has no readable `sub`")
        a, b = ctx.open("a"), ctx.open("b")
        for peer in (a, b):  # a reply means the connection is registered for delivery
            ctx.request(peer, "get_notifications", limit=1)
        title = _unique("contract")
        body = {"user_id": user, "title": title, "message": "from wsrouter-contract"}
        created = ctx.admin.post("/notifications", body)
        notification_id = created["id"]
        for peer in (a, b):
            ctx.expect(
                peer,
                "notification",
                f"the new notification on connection {peer.name}",
                lambda p: p.get("id") == notification_id,
            )
        reply = ctx.request(a, "mark_notification_read", notification_id=notification_id)
        if reply.get("type") != "notification_read":
            ctx.fail(f"`mark_notification_read` was answered with {reply}")
        ctx.expect(
            b,
            "notification_read",
            "`notification_read` on the user's other connection",
            lambda p: p.get("notification_id") == notification_id,
        )


@dataclass(frozen=True)
class ChatRelay:
    """chat: a message posted by one member reaches the other."""

    name: str = "send_message -> chat_message on the other member"
    connection_type: str = "chat"

    def run(self, ctx: ScenarioContext) -> None:
        a, b = ctx.open("a"), ctx.open("b")
        room = ctx.target.rooms.get("chat")
        if room is None:
            raise Skip("needs a chat room: --room chat=ROOM")
        ctx.request(b, "join_room", room=room)  # b is a member before a posts
        text = _unique("hello")
        reply = ctx.request(a, "send_message", message=text)
        if reply.get("type") != "chat_message" or reply.get("message") != text:
            ctx.fail(f"the sender's reply is not its `chat_message`: {reply}")
        ctx.expect(
            b,
            "chat_message",
            "`chat_message` on the other member",
            lambda p: p.get("message") == text,
        )


SCENARIOS: tuple[Scenario, ...] = (RoomBroadcast(), AnswerSync(), ReadReceipts(), ChatRelay())
