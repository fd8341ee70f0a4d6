"""The per-connection session, without a socket: limits, decoding, error codes, dispatch,
the outbox, the closing state and the token deadline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from wsrouter._generated import messages as m
from wsrouter.auth import Principal
from wsrouter.protocol.errors import fail
from wsrouter.protocol.frames import Outcome
from wsrouter.protocol.rate_limit import TokenBucket
from wsrouter.protocol.session import Peer, Session, nesting
from wsrouter.settings import Limits

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def dispatch(message: Any) -> msgspec.Struct | None:
    match message:
        case m.Ping():
            return m.Pong(request_id=message.request_id, timestamp="2025-07-10T10:30:00.000Z")
        case m.JoinRoom(room="forbidden"):
            raise fail("room_limit", "no more rooms")
        case m.JoinRoom(room="boom"):
            raise RuntimeError("a bug")
    return None


T0 = datetime(2025, 7, 10, 10, 30, tzinfo=UTC)


class FakeSink:
    """What the transport's connection does with frames, recorded."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    @property
    def closing(self) -> bool:
        return self.closed is not None

    def enqueue(self, frame: str) -> bool:
        if self.closed is not None:
            return False
        self.frames.append(json.loads(frame))
        return True

    def close(self, code: int, reason: str) -> None:
        self.closed = self.closed or (code, reason)


def principal(expires_at: datetime = T0 + timedelta(hours=1)) -> Principal:
    return Principal(user_id="u", name="U", role=None, expires_at=expires_at)


def processor(
    limits: Limits | None = None, clock: FakeClock | None = None, sink: FakeSink | None = None
) -> Session:
    limits = limits or Limits()
    bucket = TokenBucket(limits.messages_per_second, limits.message_burst, clock or FakeClock())
    peer = Peer(
        connection_id="general_u_1",
        connection_type="general",
        principal=principal(),
        room=None,
        connected_at=T0,
    )
    session = Session(
        peer=peer,
        sink=sink or FakeSink(),
        decode=m.decode_general_inbound,
        tags=m.GENERAL_INBOUND_TAGS,
        limits=limits,
        bucket=bucket,
    )
    session.bind(dispatch)
    return session


def reply(outcome: Outcome) -> dict[str, Any]:
    assert outcome.reply is not None
    frame: dict[str, Any] = json.loads(outcome.reply)
    return frame


async def test_a_valid_frame_is_dispatched_and_answered() -> None:
    outcome = await processor().handle_text('{"type":"ping","request_id":"1"}')
    assert reply(outcome)["type"] == "pong"
    assert outcome.close is None


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{nope", "invalid_json"),
        ("[1]", "invalid_json"),
        ('"ping"', "invalid_json"),
        ('{"type":"send_message","message":"x"}', "unknown_type"),
        ('{"type":7}', "unknown_type"),
        ("{}", "unknown_type"),
        ('{"type":"join_room"}', "invalid_message"),
        ('{"type":"join_room","room":"a","x":1}', "invalid_message"),
        ('{"type":"join_room","room":"a b"}', "invalid_message"),
    ],
)
async def test_bad_frames_get_their_error_code(frame: str, code: str) -> None:
    error = reply(await processor().handle_text(frame))
    assert error["type"] == "error"
    assert error["code"] == code


async def test_an_error_carries_the_request_id_of_the_bad_frame() -> None:
    error = reply(await processor().handle_text('{"type":"join_room","room":5,"request_id":"r9"}'))
    assert error["request_id"] == "r9"
    assert error["message"] == "Expected `str`, got `int` - at `$.room`"


async def test_a_raised_error_reply_is_sent_and_a_crash_is_internal_error() -> None:
    p = processor()
    refused = reply(await p.handle_text('{"type":"join_room","room":"forbidden","request_id":"a"}'))
    assert (refused["code"], refused["request_id"]) == ("room_limit", "a")
    crashed = reply(await p.handle_text('{"type":"join_room","room":"boom"}'))
    assert crashed["code"] == "internal_error"


def test_binary_frames_are_refused() -> None:
    assert reply(processor().binary(10))["code"] == "binary_not_supported"


async def test_a_frame_over_the_limit_closes_with_1009() -> None:
    outcome = await processor(Limits(max_frame_bytes=100)).handle_text(
        json.dumps({"type": "echo", "message": "é" * 60})
    )
    assert reply(outcome)["code"] == "message_too_big"
    assert outcome.close == (1009, "message too big")


async def test_rate_limit_answers_then_closes_with_4029() -> None:
    clock = FakeClock()
    p = processor(Limits(messages_per_second=1, message_burst=2, rate_limit_strikes=2), clock)
    codes = [reply(await p.handle_text('{"type":"ping"}')).get("code") for _ in range(4)]
    assert codes == [None, None, "rate_limited", "rate_limited"]
    last = await p.handle_text('{"type":"ping"}')
    assert last.close == (4029, "rate limit abused")
    clock.now += 1.0
    assert reply(await processor(clock=clock).handle_text('{"type":"ping"}'))["type"] == "pong"


async def test_a_long_streak_of_bad_frames_closes_with_4029() -> None:
    p = processor(Limits(consecutive_errors=3))
    assert (await p.handle_text("x")).close is None
    assert (await p.handle_text('{"type":"ping"}')).close is None  # a good frame resets the streak
    for _ in range(2):
        assert (await p.handle_text("x")).close is None
    assert (await p.handle_text("x")).close == (4029, "too many bad frames in a row")


def test_deferred_frames_go_out_only_when_flushed_in_order() -> None:
    sink = FakeSink()
    session = processor(sink=sink)
    session.outbox.send(m.Pong(timestamp="2025-07-10T10:30:00.000Z"))
    session.outbox.defer(m.RoomLeft(room="a", timestamp="2025-07-10T10:30:00.000Z"))
    session.outbox.defer(m.RoomLeft(room="b", timestamp="2025-07-10T10:30:00.000Z"))
    assert [f["type"] for f in sink.frames] == ["pong"]
    session.outbox.flush_deferred()
    assert [f.get("room") for f in sink.frames] == [None, "a", "b"]
    assert session.outbox.deferred == []


def test_closing_is_the_sinks_state_and_the_first_close_wins() -> None:
    sink = FakeSink()
    session = processor(sink=sink)
    assert sink.closed is None
    session.close(4000, "bye")
    session.outbox.close(1011, "later")
    assert session.closing
    assert sink.closed == (4000, "bye")


def test_the_token_deadline_closes_with_4401_at_expiry() -> None:
    sink = FakeSink()
    session = processor(sink=sink)
    assert session.check_deadline(T0) == 3610.0  # the hour and the leeway
    assert sink.frames == []
    assert session.check_deadline(T0 + timedelta(hours=1, seconds=9)) == 1.0
    assert sink.frames == []
    assert session.check_deadline(T0 + timedelta(hours=1, seconds=10)) is None
    assert sink.frames[0]["code"] == "unauthorized"
    assert sink.closed == (4401, "token expired")


def test_a_refresh_moves_the_deadline_and_says_so() -> None:
    moved: list[bool] = []
    session = processor()
    session.on_deadline_moved = lambda: moved.append(True)
    session.refreshed(principal(T0 + timedelta(seconds=2)))
    assert moved == [True]
    assert session.check_deadline(T0) == 12.0


def test_a_binary_frame_over_the_limit_closes_with_1009() -> None:
    outcome = processor(Limits(max_frame_bytes=100)).binary(101)
    assert reply(outcome)["code"] == "message_too_big"
    assert outcome.close == (1009, "message too big")


def test_binary_frames_count_against_the_rate_limit_and_the_streak() -> None:
    clock = FakeClock()
    p = processor(Limits(messages_per_second=1, message_burst=2, rate_limit_strikes=1), clock)
    codes = [reply(p.binary(1))["code"] for _ in range(3)]
    assert codes == ["binary_not_supported", "binary_not_supported", "rate_limited"]
    assert p.binary(1).close == (4029, "rate limit abused")
    streak = processor(Limits(consecutive_errors=3))
    assert [streak.binary(1).close for _ in range(3)][-1] == (4029, "too many bad frames in a row")


async def test_deep_nesting_is_invalid_message_before_decoding() -> None:
    deep = '{"type":"echo","message":"x","data":' + "[" * 1000 + "]" * 1000 + "}"
    error = reply(await processor().handle_text(deep))
    assert (error["code"], error["message"]) == (
        "invalid_message",
        "JSON nested deeper than 32 levels",
    )
    # brackets inside strings are text, not nesting
    flat = json.dumps({"type": "echo", "message": "[" * 200, "request_id": "f"})
    assert await processor().handle_text(flat) == Outcome()  # decoded and dispatched


def test_nesting_counts_levels_and_skips_strings() -> None:
    assert nesting('{"a": [1, {"b": []}]}') == 4
    assert nesting('["[[[", "\\"[["]') == 1
    assert nesting("1") == 0
