"""Reconnection: the backoff, which close codes allow it, rooms joined again, fresh tokens."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import wsrouter_client as wc
from tests.client.fakes import FakeServer, protocol_handler
from tests.timing import TIMEOUT
from wsrouter_client._reconnect import should_reconnect
from wsrouter_client.messages import ConnectionEstablished, Pong, RoomJoined, RoomLeft

pytestmark = pytest.mark.anyio

URL = "ws://router.test/ws"


class Sleeps:
    """A fake ``sleep`` that records each wait and returns at once (or when released)."""

    def __init__(self, *, hold: bool = False) -> None:
        self.delays: list[float] = []
        self.called = asyncio.Event()
        self.release = asyncio.Event()
        if not hold:
            self.release.set()

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        self.called.set()
        await self.release.wait()


def policy(sleeps: Sleeps, **options: Any) -> wc.Reconnect:
    return wc.Reconnect(base=1.0, cap=8.0, random=lambda: 0.5, sleep=sleeps, **options)


def tokens() -> Callable[[], str]:
    issued = iter(f"token-{n}" for n in range(1, 100))
    return lambda: next(issued)


# ------------------------------------------------------------------------------- backoff


def test_backoff_waits_a_random_share_of_an_exponential_capped_delay() -> None:
    full = wc.Reconnect(base=0.5, cap=4.0, random=lambda: 0.999)
    assert [round(full.delay(n), 2) for n in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    half = wc.Reconnect(base=0.5, cap=4.0, random=lambda: 0.5)
    assert [half.delay(n) for n in range(4)] == [0.25, 0.5, 1.0, 2.0]
    assert wc.Reconnect(random=lambda: 0.0).delay(3) == 0.0  # full jitter reaches zero


def test_backoff_survives_a_very_long_outage() -> None:
    assert wc.Reconnect(cap=30.0, random=lambda: 1.0).delay(10_000) == 30.0


def test_attempts_stop_after_max_attempts_or_never() -> None:
    assert list(wc.Reconnect(max_attempts=3).attempts()) == [0, 1, 2]
    endless = wc.Reconnect().attempts()
    assert [next(endless) for _ in range(5)] == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    ("code", "by_client", "can_refresh", "expected"),
    [
        (1000, False, True, False),  # normal closure: terminal
        (1006, False, False, True),  # the network dropped it
        (1012, False, False, True),  # the server restarts
        (4000, False, False, True),  # an admin closed it
        (4000, True, False, False),  # ... but this side is closing anyway
        (4401, False, False, False),  # the same token would be refused again
        (4401, False, True, True),  # a fresh one may not
        (4403, False, False, True),
        (4500, False, True, False),  # 4500-4999: terminal
        (4503, False, True, False),
        (4504, False, True, False),
        (4999, False, True, False),
        (4100, False, False, True),  # unlisted, in the retryable range
    ],
)
def test_which_closes_allow_a_reconnection(
    code: int, by_client: bool, can_refresh: bool, expected: bool
) -> None:
    closed = wc.ConnectionClosed(code, by_client=by_client)
    assert should_reconnect(closed, can_refresh_token=can_refresh) is expected


def test_retryable_follows_the_spec_table() -> None:
    assert {c for c in range(1000, 5000) if wc.is_retryable(c)} >= set(wc.RETRYABLE_CLOSE_CODES)
    assert not wc.is_retryable(wc.CloseCode.NORMAL_CLOSURE)
    assert not wc.is_retryable(wc.CloseCode.SESSION_NOT_FOUND)


# ------------------------------------------------------------------------------- behaviour


async def test_a_retryable_close_reconnects_with_a_fresh_token_and_rejoins_rooms() -> None:
    server = FakeServer(protocol_handler)
    sleeps = Sleeps()
    client = await wc.connect(
        URL, token_provider=tokens(), reconnect=policy(sleeps), opener=server.open
    )
    first = await server.accept()
    assert first.headers["Authorization"] == "Bearer token-1"
    for room in ("a", "b", "c"):
        await client.join_room(room=room)
    await client.leave_room(room="b")
    stream = client.messages(timeout=TIMEOUT)
    first.sent_types()

    first.close(4000, "disconnected by admin")
    second = await server.accept()
    assert second.headers["Authorization"] == "Bearer token-2"
    assert [await second.recv() for _ in range(2)] == [
        {"type": "join_room", "room": "a", "request_id": "5"},
        {"type": "join_room", "room": "c", "request_id": "6"},
    ]
    assert await client.ping()  # requests go through once the rooms are back
    assert client.rooms == frozenset({"a", "c"})
    assert client.reconnects == 1
    assert client.connection_id == "general_u1_2"
    assert sleeps.delays == [0.5]  # attempt 0: half (random) of base
    old = [ConnectionEstablished, RoomJoined, RoomJoined, RoomJoined, RoomLeft]
    new = [ConnectionEstablished, RoomJoined, RoomJoined, Pong]
    assert [type(await anext(stream)) for _ in range(9)] == old + new
    await client.close()


async def test_a_chat_reconnection_leaves_the_handshake_room_if_it_had_been_left() -> None:
    server = FakeServer(protocol_handler)
    chat = await wc.connect(
        URL,
        connection_type="chat",
        room="lobby",
        token="t",
        reconnect=policy(Sleeps()),
        opener=server.open,
    )
    first = await server.accept()
    await chat.join_room(room="side")
    await chat.leave_room(room="lobby")
    first.close(1012, "restarting")
    second = await server.accept()
    assert [(f["type"], f["room"]) for f in [await second.recv(), await second.recv()]] == [
        ("join_room", "side"),
        ("leave_room", "lobby"),
    ]
    await chat.send_message(message="back", room="side")
    assert chat.rooms == frozenset({"side"})
    await chat.close()


@pytest.mark.parametrize("code", [4500, 4503, 4504, 1000])
async def test_a_terminal_close_is_never_followed_by_a_reconnection(code: int) -> None:
    server = FakeServer()
    sleeps = Sleeps()
    client = await wc.connect(URL, token="t", reconnect=policy(sleeps), opener=server.open)
    peer = await server.accept()
    peer.close(code, "final")
    closed = await asyncio.wait_for(client.wait_closed(), TIMEOUT)
    assert (closed.code, closed.retryable) == (code, False)
    assert sleeps.delays == []
    assert server.opens == 1
    await client.close()


async def test_4401_is_final_without_a_token_provider() -> None:
    server = FakeServer()
    sleeps = Sleeps()
    client = await wc.connect(URL, token="t", reconnect=policy(sleeps), opener=server.open)
    (await server.accept()).close(4401, "token expired")
    assert (await asyncio.wait_for(client.wait_closed(), TIMEOUT)).code == 4401
    assert server.opens == 1
    await client.close()


async def test_a_terminal_refusal_while_reconnecting_ends_the_connection() -> None:
    server = FakeServer()
    sleeps = Sleeps()
    client = await wc.connect(URL, token="t", reconnect=policy(sleeps), opener=server.open)
    stream = client.messages(timeout=TIMEOUT)
    server.refusals.append((4503, "forbidden"))
    (await server.accept()).close(4000)
    await anext(stream)
    with pytest.raises(wc.HandshakeRefused) as caught:
        await anext(stream)
    assert (caught.value.code, caught.value.error_code) == (4503, "forbidden")
    assert server.opens == 2
    assert sleeps.delays == [0.5]
    await client.close()


async def test_failed_attempts_back_off_then_give_up_with_the_original_close() -> None:
    server = FakeServer()
    sleeps = Sleeps()
    client = await wc.connect(
        URL, token="t", reconnect=policy(sleeps, max_attempts=4), opener=server.open
    )
    server.failures = 2
    server.refusals += [(4403, "too_many_connections"), (4403, "too_many_connections")]
    (await server.accept()).close(4000, "by admin")
    closed = await asyncio.wait_for(client.wait_closed(), TIMEOUT)
    assert sleeps.delays == [0.5, 1.0, 2.0, 4.0]
    assert server.opens == 5
    assert (closed.code, closed.error_code) == (4403, "too_many_connections")
    await client.close()


async def test_requests_wait_for_the_reconnection_in_progress() -> None:
    server = FakeServer(protocol_handler)
    sleeps = Sleeps(hold=True)
    client = await wc.connect(URL, token="t", reconnect=policy(sleeps), opener=server.open)
    (await server.accept()).close(1011)
    await asyncio.wait_for(sleeps.called.wait(), TIMEOUT)
    ping = asyncio.ensure_future(client.ping())
    await asyncio.sleep(0)
    assert not ping.done()
    sleeps.release.set()
    second = await server.accept()
    await asyncio.wait_for(ping, TIMEOUT)
    assert (await second.recv())["type"] == "ping"
    await client.close()


async def test_close_during_a_backoff_stops_the_reconnection() -> None:
    server = FakeServer()
    sleeps = Sleeps(hold=True)
    client = await wc.connect(URL, token="t", reconnect=policy(sleeps), opener=server.open)
    stream = client.messages(timeout=TIMEOUT)
    (await server.accept()).close(1012)
    await asyncio.wait_for(sleeps.called.wait(), TIMEOUT)
    await asyncio.wait_for(client.close(), TIMEOUT)
    assert [type(frame) async for frame in stream] == [ConnectionEstablished]
    assert server.opens == 1
    closed = client.closed
    assert closed is not None
    assert closed.by_client


async def test_a_failing_token_provider_counts_as_a_failed_attempt(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FakeServer()
    calls: list[int] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("identity provider down")
        return f"token-{len(calls)}"

    client = await wc.connect(
        URL, token_provider=flaky, reconnect=policy(Sleeps()), opener=server.open
    )
    (await server.accept()).close(4401, "expired")
    second = await server.accept()
    assert second.headers["Authorization"] == "Bearer token-3"
    assert "the token provider failed" in caplog.text
    await client.close()
