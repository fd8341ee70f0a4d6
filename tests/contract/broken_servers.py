"""A tiny fake of the router's ``general`` connection type, correct but for one defect.

Just enough of ``asyncapi.yaml`` for the contract tester to exercise: the handshake
(``connection_established``), ``ping``, ``echo``, ``join_room``, ``leave_room``,
``broadcast_to_room`` (fanned out to the room's other members), ``refresh_token``
(always refused), and the error replies for bad input. Each :class:`Defect` breaks
exactly one promise of the spec, so a test can check that the tester reports it.
It is written from the spec by hand: it shares no code with the tester.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import itertools
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

MAX_FRAME_BYTES = 65536
ROOM_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _room(value: object) -> bool:
    return isinstance(value, str) and ROOM_NAME.fullmatch(value) is not None


def _text(longest: int, shortest: int = 0) -> Callable[[object], bool]:
    return lambda value: isinstance(value, str) and shortest <= len(value) <= longest


def _object(value: object) -> bool:
    return isinstance(value, dict)


# What each request may carry besides `type` and `request_id`: name -> (valid?, required).
# Every request may also carry the client's `timestamp` (any text up to 64 characters).
_CLIENT_TIMESTAMP = {"timestamp": (_text(64), False)}
FIELDS: dict[str, dict[str, tuple[Callable[[object], bool], bool]]] = {
    "ping": {**_CLIENT_TIMESTAMP},
    "echo": {"message": (_text(16384), True), **_CLIENT_TIMESTAMP},
    "join_room": {"room": (_room, True), **_CLIENT_TIMESTAMP},
    "leave_room": {"room": (_room, True), **_CLIENT_TIMESTAMP},
    "broadcast_to_room": {
        "room": (_room, True),
        "message": (_text(16384), True),
        "data": (_object, False),
        **_CLIENT_TIMESTAMP,
    },
    "refresh_token": {"token": (_text(8192, 1), True), **_CLIENT_TIMESTAMP},
}


class Defect(enum.Enum):
    """The one thing a fake server gets wrong."""

    NONE = "none"
    UNDOCUMENTED_FIELD = "undocumented_field"
    """The `echo` reply carries a field the spec does not list."""
    WRONG_TYPE = "wrong_type"
    """`room_joined.member_count` is a string."""
    MISSING_REPLY = "missing_reply"
    """`leave_room` gets no reply at all (neither `room_left` nor `not_in_room`)."""
    UNEXPECTED_CLOSE = "unexpected_close"
    """`broadcast_to_room` closes the connection (1011)."""
    CRASH_ON_BAD_INPUT = "crash_on_bad_input"
    """Text that is not JSON makes the handler fail: the connection closes (1011)."""
    DIES_ON_BAD_INPUT = "dies_on_bad_input"
    """Text that is not JSON kills the whole server: connections drop, no new ones."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _error(code: str, message: str, request_id: str | None = None) -> dict[str, Any]:
    frame = {"type": "error", "code": code, "message": message, "timestamp": _now()}
    return frame | ({"request_id": request_id} if request_id else {})


def _request_id(frame: dict[str, Any]) -> str | None:
    value = frame.get("request_id")
    return value if isinstance(value, str) and 0 < len(value) <= 64 else None


def _shape_error(frame: dict[str, Any]) -> str | None:
    """Why a request is malformed, or None."""
    fields = FIELDS[frame["type"]]
    for name, value in frame.items():
        if name == "type":
            continue
        if name == "request_id":
            if _request_id(frame) is None:
                return "Expected `str` of length 1 to 64 - at `$.request_id`"
            continue
        if name not in fields:
            return f"Object contains unknown field `{name}`"
        if not fields[name][0](value):
            return f"Invalid value - at `$.{name}`"
    missing = [n for n, (_, required) in fields.items() if required and n not in frame]
    return f"Object missing required field `{missing[0]}`" if missing else None


@dataclass
class FakeRouter:
    """The fake's state: the rooms of its connections."""

    defect: Defect = Defect.NONE
    rooms: dict[str, set[ServerConnection]] = field(default_factory=dict)
    ids: Iterator[int] = field(default_factory=itertools.count)
    server: Server | None = None

    def die(self) -> None:
        """Stop listening and drop every connection without a close frame."""
        if self.server is not None:
            self.server.close(close_connections=False)
            for connection in self.server.connections:
                connection.transport.abort()

    async def handle(self, ws: ServerConnection) -> None:
        """Serve one connection."""
        query = parse_qs(urlsplit(ws.request.path if ws.request else "").query)
        if query.get("connection_type", ["general"])[0] != "general" or "token" not in query:
            await ws.send(json.dumps(_error("bad_handshake", "only `general`, with a token")))
            await ws.close(4500, "bad handshake")
            return
        if query["token"][0].startswith("bad"):  # as the router refuses a malformed token
            await ws.send(json.dumps(_error("unauthorized", "token is malformed")))
            await ws.close(4401, "unauthorized")
            return
        connection_id = f"general_1_{next(self.ids)}"
        established = {
            "type": "connection_established",
            "connection_id": connection_id,
            "connection_type": "general",
            "user_id": "1",
            "room": None,
            "server_time": _now(),
            "heartbeat_interval": 20,
            "timestamp": _now(),
        }
        await ws.send(json.dumps(established))
        joined: set[str] = set()
        try:
            async for data in ws:
                await self.answer(ws, connection_id, joined, data)
        finally:
            for room in joined:
                self.rooms.get(room, set()).discard(ws)

    async def answer(
        self, ws: ServerConnection, connection_id: str, joined: set[str], data: str | bytes
    ) -> None:
        """Answer one frame."""
        if isinstance(data, bytes):
            await ws.send(json.dumps(_error("binary_not_supported", "send text")))
            return
        try:
            frame = json.loads(data)
        except ValueError:
            if self.defect is Defect.CRASH_ON_BAD_INPUT:
                raise
            if self.defect is Defect.DIES_ON_BAD_INPUT:
                self.die()
                return
            await ws.send(json.dumps(_error("invalid_json", "not JSON")))
            return
        if not isinstance(frame, dict):
            await ws.send(json.dumps(_error("invalid_json", "not an object")))
            return
        request_id = _request_id(frame)
        if frame.get("type") not in FIELDS:
            await ws.send(json.dumps(_error("unknown_type", "unknown type", request_id)))
            return
        problem = _shape_error(frame)
        if problem is not None:
            await ws.send(json.dumps(_error("invalid_message", problem, request_id)))
            return
        reply = await self.reply(ws, connection_id, joined, frame)
        if reply is not None:
            await ws.send(json.dumps(reply | ({"request_id": request_id} if request_id else {})))

    async def reply(
        self, ws: ServerConnection, connection_id: str, joined: set[str], frame: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The reply to a well-formed request (None: no reply)."""
        kind, now = frame["type"], _now()
        match kind:
            case "ping":
                return {"type": "pong", "timestamp": now}
            case "echo":
                reply = {"type": "echo", "message": frame["message"], "timestamp": now}
                if self.defect is Defect.UNDOCUMENTED_FIELD:
                    reply["length"] = len(frame["message"])
                return reply
            case "join_room":
                room = frame["room"]
                joined.add(room)
                members = self.rooms.setdefault(room, set())
                members.add(ws)
                count: int | str = len(members)
                if self.defect is Defect.WRONG_TYPE:
                    count = str(count)
                return {
                    "type": "room_joined",
                    "room": room,
                    "member_count": count,
                    "timestamp": now,
                }
            case "leave_room":
                room = frame["room"]
                if self.defect is Defect.MISSING_REPLY:
                    return None
                if room not in joined:
                    return _error("not_in_room", f"not in room {room!r}")
                joined.discard(room)
                self.rooms[room].discard(ws)
                return {"type": "room_left", "room": room, "timestamp": now}
            case "broadcast_to_room":
                if self.defect is Defect.UNEXPECTED_CLOSE:
                    await ws.close(1011, "internal error")
                    return None
                room = frame["room"]
                if room not in joined:
                    return _error("not_in_room", f"not in room {room!r}")
                message = {
                    "type": "room_message",
                    "room": room,
                    "message": frame["message"],
                    "sender_id": "1",
                    "sender_name": "1",
                    "connection_id": connection_id,
                    "timestamp": now,
                } | ({"data": frame["data"]} if "data" in frame else {})
                for member in self.rooms[room] - {ws}:
                    with contextlib.suppress(ConnectionClosed):  # that member is leaving
                        await member.send(json.dumps(message))
                return message
        return _error("unauthorized", "tokens cannot be refreshed here")


@contextmanager
def running(defect: Defect) -> Iterator[str]:
    """Run a fake server in a thread of its own; yields its ``ws://`` URL."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    port: list[int] = []
    stop: asyncio.Future[None] = loop.create_future()

    async def main() -> None:
        router = FakeRouter(defect)
        async with serve(router.handle, "127.0.0.1", 0, max_size=MAX_FRAME_BYTES) as server:
            router.server = server
            port.append(next(iter(server.sockets)).getsockname()[1])
            started.set()
            await stop

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        if not started.wait(10):
            raise RuntimeError("the fake server did not start")
        yield f"ws://127.0.0.1:{port[0]}/ws"
    finally:
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
        loop.close()
