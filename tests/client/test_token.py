"""Tokens: reading ``exp``, when to refresh, and ``refresh_token`` sent ahead of expiry."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import pytest

import wsrouter_client as wc
from tests.client.fakes import FakeServer, Frame, jwt, protocol_handler
from tests.timing import TIMEOUT
from wsrouter_client._connection import Connection
from wsrouter_client._token import fetch_token, refresh_delay
from wsrouter_client.messages import (
    ConnectionEstablished,
    GeneralOutbound,
    decode_general_outbound,
)

NOW = 1_750_000_000.0


def test_token_expiry_reads_exp_without_verifying() -> None:
    assert wc.token_expiry(jwt({"sub": "1", "exp": 1752143400})) == 1752143400.0
    assert wc.token_expiry(jwt({"sub": "1", "exp": 1752143400.5})) == 1752143400.5


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b",
        "a.!!!.c",
        jwt({"sub": "1"}),
        jwt({"exp": "tomorrow"}),
        jwt({"exp": True}),
        "eyJhbGciOiJub25lIn0.WzFd.x",  # a JSON array, not an object
        "eyJhbGciOiJub25lIn0.__8.x",  # not UTF-8
    ],
)
def test_token_expiry_is_none_for_anything_else(token: str) -> None:
    assert wc.token_expiry(token) is None


def test_refresh_comes_ahead_of_expiry_or_halfway_for_short_tokens() -> None:
    hour = jwt({"exp": NOW + 3600})
    assert refresh_delay(hour, now=NOW, before=30) == 3570
    short = jwt({"exp": NOW + 40})
    assert refresh_delay(short, now=NOW, before=30) == 20
    expired = jwt({"exp": NOW - 5})
    assert refresh_delay(expired, now=NOW, before=30) == 0
    assert refresh_delay("opaque", now=NOW, before=30) is None


@pytest.mark.anyio
async def test_a_token_provider_may_be_plain_or_async() -> None:
    async def from_coroutine() -> str:
        return "async"

    assert await fetch_token(lambda: "plain") == "plain"
    assert await fetch_token(from_coroutine) == "async"
    with pytest.raises(TypeError, match="not a token"):
        await fetch_token(lambda: "")


class Clock:
    """A fake ``sleep`` that advances a fake clock; it blocks once the test has seen enough."""

    def __init__(self, allowed: int) -> None:
        self.now = NOW
        self.delays: list[float] = []
        self.allowed = allowed
        self.blocked = asyncio.Event()

    def time(self) -> float:
        return self.now

    async def sleep(self, delay: float) -> None:
        self.delays.append(delay)
        if len(self.delays) > self.allowed:
            self.blocked.set()
            await asyncio.Event().wait()  # forever: the connection's close cancels it
        self.now += delay


def refreshing(
    server: FakeServer, clock: Clock, provider: Any
) -> Connection[GeneralOutbound, ConnectionEstablished]:
    return Connection(
        url="ws://router.test/ws",
        connection_type="general",
        room=None,
        decode=decode_general_outbound,
        first=ConnectionEstablished,
        token=jwt({"sub": "1", "exp": NOW + 3600}),
        token_provider=provider,
        refresh_before=30,
        opener=server.open,
        clock=clock.time,
        sleep=clock.sleep,
    )


@pytest.mark.anyio
async def test_refresh_token_is_sent_ahead_of_expiry_and_then_scheduled_again() -> None:
    server = FakeServer(protocol_handler)
    clock = Clock(allowed=1)
    fresh = jwt({"sub": "1", "exp": NOW + 3570 + 7200})
    connection = refreshing(server, clock, lambda: fresh)
    await connection.open()
    peer = await server.accept()
    assert await peer.recv() == {"type": "refresh_token", "token": fresh, "request_id": "1"}
    await asyncio.wait_for(clock.blocked.wait(), TIMEOUT)
    assert clock.delays == [3570, 7170]  # the next one is based on the fresh token
    assert connection.token == fresh
    await connection.close()


class LogWaiter(logging.Handler):
    """Sets ``seen`` once a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.seen = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()

    def __enter__(self) -> LogWaiter:
        logging.getLogger("wsrouter_client").addHandler(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        logging.getLogger("wsrouter_client").removeHandler(self)


@pytest.mark.anyio
async def test_a_refused_refresh_keeps_the_old_token() -> None:
    def refuse(frame: Frame) -> list[Frame]:
        rid = frame["request_id"]
        return [{"type": "error", "code": "unauthorized", "message": "no", "request_id": rid}]

    server = FakeServer(refuse)
    clock = Clock(allowed=1)
    connection = refreshing(server, clock, lambda: jwt({"sub": "1", "exp": NOW + 9000}))
    old = connection.token
    with LogWaiter("the server refused the fresh token") as waiter:
        await connection.open()
        peer = await server.accept()
        assert (await peer.recv())["type"] == "refresh_token"
        assert await asyncio.to_thread(waiter.seen.wait, TIMEOUT)
    await connection.close()
    assert connection.token == old


@pytest.mark.anyio
async def test_no_refresh_when_the_provider_has_nothing_fresher() -> None:
    server = FakeServer(protocol_handler)
    clock = Clock(allowed=1)
    connection = refreshing(server, clock, lambda: jwt({"sub": "1", "exp": NOW + 3600}))
    with LogWaiter("no fresher token") as waiter:
        await connection.open()
        peer = await server.accept()
        assert await asyncio.to_thread(waiter.seen.wait, TIMEOUT)
    await connection.close()
    assert peer.sent_types() == []
    assert clock.delays == [3570]


@pytest.mark.anyio
async def test_no_refresh_is_scheduled_without_a_provider_or_an_exp() -> None:
    server = FakeServer(protocol_handler)
    clock = Clock(allowed=0)
    opaque = refreshing(server, clock, lambda: "opaque")
    opaque._token = "opaque-token"
    await opaque.open()
    await opaque.close()
    without = refreshing(server, clock, None)
    await without.open()
    await without.close()
    assert clock.delays == []
