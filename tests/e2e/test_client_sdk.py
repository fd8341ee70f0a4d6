"""The Python client SDK against a live server: every connection type, async and blocking,
handshake refusals, error replies, reconnection and token refresh."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any, TypeVar

import pytest

import wsrouter_client as wc
from tests.e2e.harness import ServerProcess
from tests.timing import TIMEOUT
from wsrouter_client import http_models, messages
from wsrouter_client.messages import (
    AdminBroadcast,
    AnswerSynced,
    ChatHistory,
    ChatMessage,
    ConnectionEstablished,
    Notification,
    NotificationRead,
    Presence,
    RoomJoined,
    RoomMessage,
    SessionStatus,
    SessionSubmitted,
    TokenRefreshed,
    UserJoined,
    UserTyping,
)

pytestmark = pytest.mark.anyio

F = TypeVar("F")


async def next_of(stream: wc.MessageStream[Any], kind: type[F], **fields: object) -> F:
    """The next frame of type ``kind`` (with these field values) in ``stream``."""
    async with asyncio.timeout(2 * TIMEOUT):
        async for frame in stream:
            if isinstance(frame, kind) and all(getattr(frame, k) == v for k, v in fields.items()):
                return frame
    raise AssertionError(f"the stream ended before a {kind.__name__}")


def sync_next_of(stream: Iterator[Any], kind: type[F], **fields: object) -> F:
    """:func:`next_of` for a blocking stream (made with a timeout)."""
    for frame in stream:
        if isinstance(frame, kind) and all(getattr(frame, k) == v for k, v in fields.items()):
            return frame
    raise AssertionError(f"the stream ended before a {kind.__name__}")


def admin(server: ServerProcess) -> wc.AsyncAdminClient:
    return wc.AsyncAdminClient(server.http_url, server.token("sdk-admin", role="admin"))


# ------------------------------------------------------------------------ each type, async


async def test_general_end_to_end(server: ServerProcess) -> None:
    async with (
        wc.connect(server.ws_url, token=server.token("sdk-g1", name="Gus")) as gus,
        wc.connect(server.ws_url, token=server.token("sdk-g2")) as other,
    ):
        assert isinstance(gus.established, ConnectionEstablished)
        assert gus.connection_id.startswith("general_sdk-g1_")
        assert (await gus.echo(message="Hello WebSocket!")).message == "Hello WebSocket!"
        assert (await gus.ping()).timestamp
        assert (await gus.join_room(room="sdk-room")).member_count == 1
        assert (await other.join_room(room="sdk-room")).member_count == 2
        inbox = other.messages(timeout=TIMEOUT)
        sent = await gus.broadcast_to_room(room="sdk-room", message="hi all", data={"n": 1})
        assert (sent.sender_name, sent.data) == ("Gus", {"n": 1})
        got = await next_of(inbox, RoomMessage, message="hi all")
        assert got.connection_id == gus.connection_id
        await gus.leave_room(room="sdk-room")
        assert gus.rooms == frozenset()


async def test_notifications_end_to_end(server: ServerProcess) -> None:
    token = server.token("sdk-n1")
    async with (
        wc.connect(server.ws_url, connection_type="notifications", token=token) as inbox,
        wc.connect(server.ws_url, connection_type="notifications", token=token) as tab,
    ):
        arrived: asyncio.Queue[Notification] = asyncio.Queue()
        inbox.on(Notification, arrived.put_nowait)
        tab_stream = tab.messages(timeout=TIMEOUT)
        async with admin(server) as api:
            body = http_models.NotificationCreate(user_id="sdk-n1", title="Grade", message="A+")
            created = await api.create_notification(body=body)
        notification = await asyncio.wait_for(arrived.get(), TIMEOUT)
        assert (notification.id, notification.title, notification.read) == (
            created.id,
            "Grade",
            False,
        )
        read = await inbox.mark_notification_read(notification_id=created.id)
        assert isinstance(read, NotificationRead)
        assert (await next_of(tab_stream, NotificationRead)).notification_id == created.id
        listing = await inbox.get_notifications(limit=5)
        assert [item.read for item in listing.items if item.id == created.id] == [True]
        assert (await inbox.mark_all_notifications_read()).notification_ids == []


async def test_test_session_end_to_end(server: ServerProcess) -> None:
    async with admin(server) as api:
        body = http_models.TestSessionCreate(user_id="sdk-t1", duration_seconds=600)
        session = await api.create_test_session(body=body)
    room = session.id
    async with (
        wc.connect(
            server.ws_url, connection_type="test-session", room=room, token=server.token("sdk-t1")
        ) as exam,
        wc.connect(
            server.ws_url,
            connection_type="test-session",
            room=room,
            token=server.token("proctor", role="admin"),
        ) as proctor,
    ):
        assert isinstance(exam.established, messages.TestSessionReady)  # Test*: not imported
        assert exam.established.session_id == room
        watch = proctor.messages(timeout=TIMEOUT)
        status = await next_of(exam.messages(timeout=TIMEOUT), SessionStatus)  # sent unasked
        assert status.status == "in_progress"
        saved = await exam.save_answer(question_id="q1", answer={"choice": "B"})
        assert saved.version == 1
        synced = await next_of(watch, AnswerSynced)
        assert (synced.question_id, synced.answer) == ("q1", {"choice": "B"})
        assert (await exam.get_session_status()).answered_count == 1
        submitted = await exam.submit_session()
        assert (submitted.reason, submitted.answered_count) == ("manual", 1)
        assert (await next_of(watch, SessionSubmitted)).session_id == room
        with pytest.raises(wc.RequestFailed) as caught:
            await exam.save_answer(question_id="q2", answer="late")
        assert caught.value.error_code == "session_closed"


async def test_chat_end_to_end(server: ServerProcess) -> None:
    url = server.ws_url
    async with wc.connect(
        url, connection_type="chat", room="sdk-chat", token=server.token("sdk-c1", name="Cleo")
    ) as cleo:
        frames = cleo.messages(timeout=TIMEOUT)
        assert isinstance(await anext(frames), ConnectionEstablished)
        history = await anext(frames)
        assert isinstance(history, ChatHistory)
        assert (history.room, history.messages) == ("sdk-chat", [])
        presence = await next_of(frames, Presence)
        assert [user.username for user in presence.users] == ["Cleo"]
        async with wc.connect(
            url, connection_type="chat", room="sdk-chat", token=server.token("sdk-c2", name="Dan")
        ) as dan:
            assert (await next_of(frames, UserJoined)).username == "Dan"
            sent = await dan.send_message(message="Hello, chat!")
            heard = await next_of(frames, ChatMessage)
            assert (heard.id, heard.sender_name, heard.message) == (sent.id, "Dan", "Hello, chat!")
            await dan.typing()
            assert (await next_of(frames, UserTyping)).username == "Dan"
            with pytest.raises(wc.RequestFailed) as caught:
                await dan.send_message(message="", room="sdk-chat")
            assert caught.value.error_code == "invalid_message"


# ------------------------------------------------------------------------- blocking API


def test_chat_and_general_through_the_blocking_api(server: ServerProcess) -> None:
    url = server.ws_url
    heard: list[str] = []
    got_two = threading.Event()

    def hear(message: ChatMessage) -> None:
        heard.append(message.message)
        if len(heard) == 2:
            got_two.set()

    with (
        wc.connect_sync(
            url, connection_type="chat", room="sdk-sync", token=server.token("sdk-s1")
        ) as one,
        wc.connect_sync(
            url, connection_type="chat", room="sdk-sync", token=server.token("sdk-s2")
        ) as two,
    ):
        one.on(ChatMessage, hear)
        assert two.send_message(message="first").room == "sdk-sync"
        assert two.send_message(message="second").sender_id == "sdk-s2"
        assert got_two.wait(TIMEOUT)
        assert heard == ["first", "second"]
        with pytest.raises(wc.RequestFailed) as caught:
            two.leave_room(room="elsewhere")
        assert caught.value.error_code == "not_in_room"
    with wc.connect_sync(url, token=server.token("sdk-s3")) as general:
        assert general.echo(message="sync").message == "sync"
        assert general.join_room(room="r").room == "r"
        stream = general.messages(timeout=TIMEOUT)
        assert isinstance(next(stream), ConnectionEstablished)


def test_test_session_through_the_blocking_api(server: ServerProcess) -> None:
    with wc.AdminClient(server.http_url, server.token("sdk-admin", role="admin")) as api:
        body = http_models.TestSessionCreate(user_id="sdk-st", duration_seconds=600)
        session = api.create_test_session(body=body)
        with wc.connect_sync(
            server.ws_url,
            connection_type="test-session",
            room=session.id,
            token=server.token("sdk-st"),
        ) as exam:
            assert exam.save_answer(question_id="q1", answer=42).question_id == "q1"
            assert exam.submit_session().answered_count == 1
        assert api.get_test_session(session_id=session.id).status == "submitted"


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("room", "sub", "code", "error"),
    [
        ("ts_missing", "sdk-r1", 4504, "not_found"),
        (None, "sdk-r1", 4500, "bad_handshake"),
    ],
)
async def test_a_refused_test_session_handshake_raises_its_close_code(
    server: ServerProcess, room: str | None, sub: str, code: int, error: str
) -> None:
    with pytest.raises(wc.HandshakeRefused) as caught:
        await wc.connect(  # type: ignore[call-overload]  # room=None on purpose
            server.ws_url, connection_type="test-session", room=room, token=server.token(sub)
        )
    assert (caught.value.code, caught.value.error_code, caught.value.retryable) == (
        code,
        error,
        False,
    )


async def test_a_bad_token_and_another_users_session_are_refused(server: ServerProcess) -> None:
    with pytest.raises(wc.HandshakeRefused) as bad:
        await wc.connect(server.ws_url, token="not-a-token")
    assert (bad.value.code, bad.value.error_code, bad.value.retryable) == (
        4401,
        "unauthorized",
        True,
    )
    async with admin(server) as api:
        body = http_models.TestSessionCreate(user_id="owner", duration_seconds=60)
        session = await api.create_test_session(body=body)
    with pytest.raises(wc.HandshakeRefused) as forbidden:
        await wc.connect(
            server.ws_url,
            connection_type="test-session",
            room=session.id,
            token=server.token("intruder"),
            reconnect=True,
        )
    assert (forbidden.value.code, forbidden.value.error_code) == (4503, "forbidden")


async def test_one_connection_past_the_per_user_limit_is_refused_with_4403(
    server: ServerProcess,
) -> None:
    token = server.token("sdk-busy")
    limit = server.settings.limits.connections_per_user
    async with AsyncExitStack() as stack:
        for _ in range(limit):
            await stack.enter_async_context(wc.connect(server.ws_url, token=token))
        with pytest.raises(wc.HandshakeRefused) as caught:
            await wc.connect(server.ws_url, token=token)
    assert (caught.value.code, caught.value.error_code) == (4403, "too_many_connections")
    assert caught.value.retryable  # another connection may close


# ----------------------------------------------------------------- reconnect and refresh


async def test_after_an_admin_disconnect_the_client_reconnects_into_its_rooms(
    server: ServerProcess,
) -> None:
    issued: list[str] = []

    def fresh_token() -> str:
        issued.append(server.token("sdk-re"))
        return issued[-1]

    reconnect = wc.Reconnect(base=0.01, cap=0.1)
    async with (
        wc.connect(server.ws_url, token_provider=fresh_token, reconnect=reconnect) as client,
        wc.connect(server.ws_url, token=server.token("sdk-re-peer")) as peer,
        admin(server) as api,
    ):
        await client.join_room(room="re-a")
        await client.join_room(room="re-b")
        await peer.join_room(room="re-a")
        before = client.connection_id
        stream = client.messages(timeout=TIMEOUT)
        await api.disconnect_connection(connection_id=before, reconnect=True)
        fresh = await next_of(stream, ConnectionEstablished, user_id="sdk-re")
        while fresh.connection_id == before:  # the backlog still holds the first one
            fresh = await next_of(stream, ConnectionEstablished)
        rejoined = {(await next_of(stream, RoomJoined)).room for _ in range(2)}
        assert rejoined == {"re-a", "re-b"}
        assert client.connection_id == fresh.connection_id
        assert (client.reconnects, len(issued)) == (1, 2)
        listed = await api.list_connections(room="re-a", connection_type="general")
        assert client.connection_id in {c.connection_id for c in listed.items}
        await peer.broadcast_to_room(room="re-a", message="still there?")
        assert (await next_of(stream, RoomMessage)).message == "still there?"


async def test_an_admin_disconnect_without_reconnect_is_not_undone_by_the_client(
    server: ServerProcess,
) -> None:
    calls: list[int] = []

    def fresh_token() -> str:
        calls.append(1)
        return server.token("sdk-removed")

    reconnect = wc.Reconnect(base=0.01, cap=0.1)
    async with (
        wc.connect(server.ws_url, token_provider=fresh_token, reconnect=reconnect) as client,
        admin(server) as api,
    ):
        await api.disconnect_connection(connection_id=client.connection_id)
        closed = await asyncio.wait_for(client.wait_closed(), 2 * TIMEOUT)
        assert (closed.code, closed.retryable) == (4505, False)
        assert closed.code == messages.CloseCode.REMOVED_BY_ADMIN
        assert (len(calls), client.reconnects) == (1, 0)
        with pytest.raises(wc.ConnectionClosed):
            await client.ping()


async def test_no_reconnection_after_a_terminal_refusal(server: ServerProcess) -> None:
    async with admin(server) as api:
        body = http_models.TestSessionCreate(user_id="sdk-owner", duration_seconds=600)
        session = await api.create_test_session(body=body)
    tokens = iter([server.token("sdk-owner"), server.token("sdk-stranger")])
    calls: list[int] = []

    def next_token() -> str:
        calls.append(1)
        return next(tokens)

    exam = await wc.connect(
        server.ws_url,
        connection_type="test-session",
        room=session.id,
        token_provider=next_token,
        reconnect=wc.Reconnect(base=0.01, cap=0.1),
    )
    async with admin(server) as api:
        await api.disconnect_connection(connection_id=exam.connection_id, reconnect=True)
    closed = await asyncio.wait_for(exam.wait_closed(), 2 * TIMEOUT)
    assert isinstance(closed, wc.HandshakeRefused)
    assert (closed.code, closed.error_code, closed.retryable) == (4503, "forbidden", False)
    assert (len(calls), exam.reconnects) == (2, 0)  # one attempt, refused for good
    with pytest.raises(wc.HandshakeRefused):
        await exam.get_session_status()
    await exam.close()


async def test_the_token_is_refreshed_before_it_expires(server: ServerProcess) -> None:
    # Tokens living 3 s: without a refresh the server closes the connection with 4401
    # (at 3 s plus the 10 s leeway the handshake also allows).
    short = server.token("sdk-exp", ttl=3)
    refreshed = asyncio.Event()
    async with (
        wc.connect(
            server.ws_url, token=short, token_provider=lambda: server.token("sdk-exp")
        ) as kept,
        wc.connect(server.ws_url, token=server.token("sdk-exp", ttl=3)) as lapsed,
    ):
        kept.on(TokenRefreshed, lambda frame: refreshed.set())
        await asyncio.wait_for(refreshed.wait(), 2 * TIMEOUT)
        closed = await asyncio.wait_for(lapsed.wait_closed(), 4 * TIMEOUT)
        assert (closed.code, closed.error_code) == (4401, "unauthorized")
        assert (await kept.echo(message="still here")).message == "still here"


async def test_an_admin_broadcast_reaches_the_stream_and_the_callbacks(
    server: ServerProcess,
) -> None:
    got: asyncio.Queue[AdminBroadcast] = asyncio.Queue()
    async with wc.connect(
        server.ws_url, connection_type="chat", room="sdk-news", token=server.token("sdk-news")
    ) as chat:
        chat.on(AdminBroadcast, got.put_nowait)
        async with admin(server) as api:
            body = http_models.BroadcastRequest(type="maintenance", message="soon")
            await api.broadcast(body=body, room="sdk-news", connection_type="chat")
        broadcast = await asyncio.wait_for(got.get(), TIMEOUT)
        assert (broadcast.type, broadcast.message) == ("maintenance", "soon")
