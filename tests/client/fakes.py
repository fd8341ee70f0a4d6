"""An in-memory, scripted WebSocket server for the SDK's unit tests.

``FakeServer.open`` is an ``Opener``: each call makes a :class:`FakePeer`, the server's
end of one WebSocket, greeted with the connection type's first frame (or refused, or
failed, as the test queued). A ``handler`` answers client frames on the spot; tests
can also read what the client sent and send frames themselves. It works from the
connection's event loop and from other threads (the blocking API's tests).
"""

from __future__ import annotations

import asyncio
import base64
import json
import queue
from collections.abc import Callable, Mapping
from typing import Any

# The one time unit of these tests: the longest any wait may take before failing.
from tests.timing import TIMEOUT
from wsrouter_client import ConnectFailed
from wsrouter_client.testing import WireClosed

STAMP = "2025-07-10T10:30:00.000Z"

Frame = dict[str, Any]
Handler = Callable[[Frame], list[Frame]]


class FakeWire:
    """The client's end of a fake WebSocket (implements ``Wire``)."""

    def __init__(self, peer: FakePeer) -> None:
        self.peer = peer
        self.inbox: asyncio.Queue[str | WireClosed] = asyncio.Queue()
        self.closed: WireClosed | None = None

    async def send(self, text: str) -> None:
        if self.closed is not None:
            raise WireClosed(self.closed.code, self.closed.reason)
        self.peer.received(json.loads(text))

    async def recv(self) -> str | bytes:
        item = await self.inbox.get()
        if isinstance(item, WireClosed):
            self.inbox.put_nowait(item)
            raise WireClosed(item.code, item.reason)
        return item

    async def close(self, code: int = 1000, reason: str = "") -> None:
        self.peer.closed_by_client = code
        self.shut(code, reason)  # the server answers the close frame with the same code

    def shut(self, code: int, reason: str) -> None:
        if self.closed is None:
            self.closed = WireClosed(code, reason)
            self.inbox.put_nowait(self.closed)


class FakePeer:
    """The server's end of one fake WebSocket."""

    def __init__(
        self,
        url: str,
        headers: Mapping[str, str],
        handler: Handler | None,
        loop: asyncio.AbstractEventLoop,
    ) -> None:
        self.url = url
        self.headers = dict(headers)
        self.handler = handler
        self.loop = loop
        self.wire = FakeWire(self)
        self.inbox: queue.Queue[Frame] = queue.Queue()
        self.closed_by_client: int | None = None

    def received(self, frame: Frame) -> None:
        """A frame from the client: keep it, and answer it if there is a handler."""
        self.inbox.put(frame)
        if self.handler is not None:
            for reply in self.handler(frame):
                self.send(reply)

    def send(self, frame: Frame | str) -> None:
        """Send a frame to the client (a dict gets a ``timestamp``); any thread."""
        text = frame if isinstance(frame, str) else json.dumps({"timestamp": STAMP, **frame})
        self.loop.call_soon_threadsafe(self.wire.inbox.put_nowait, text)

    def close(self, code: int, reason: str = "") -> None:
        """Close from the server's side; any thread."""
        self.loop.call_soon_threadsafe(self.wire.shut, code, reason)

    def recv_sync(self) -> Frame:
        """The next frame the client sent (blocking)."""
        try:
            return self.inbox.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("the client sent nothing") from None

    async def recv(self) -> Frame:
        """The next frame the client sent."""
        return await asyncio.to_thread(self.recv_sync)

    def sent_types(self) -> list[str]:
        """The types of what the client sent and nobody read yet (drains the inbox)."""
        types = []
        while not self.inbox.empty():
            types.append(self.inbox.get_nowait()["type"])
        return types


def first_frame(connection_type: str, number: int, user: str, room: str | None) -> Frame:
    """What the server sends first on a successful handshake."""
    connection_id = f"{connection_type}_{user}_{number}"
    common: Frame = {
        "connection_id": connection_id,
        "connection_type": connection_type,
        "user_id": user,
    }
    common |= {"server_time": STAMP, "heartbeat_interval": 20}
    if connection_type == "test-session":
        return {"type": "test_session_ready", "room": room, "session_id": room, **common}
    return {"type": "connection_established", "room": room, **common}


class FakeServer:
    """An ``Opener`` whose WebSockets are :class:`FakePeer` objects."""

    def __init__(self, handler: Handler | None = None, user: str = "u1") -> None:
        self.handler = handler
        self.user = user
        self.opens = 0
        self.refusals: list[tuple[int, str | None]] = []
        """Close codes (and error codes) the next handshakes are refused with."""
        self.failures = 0
        """How many of the next opens fail before a WebSocket exists."""
        self._opened: queue.Queue[FakePeer] = queue.Queue()

    async def open(self, url: str, headers: Mapping[str, str], timeout: float | None) -> FakeWire:
        self.opens += 1
        if self.failures:
            self.failures -= 1
            raise ConnectFailed(f"{url}: connection refused")
        peer = FakePeer(url, headers, self.handler, asyncio.get_running_loop())
        query = dict(part.split("=", 1) for part in url.split("?", 1)[1].split("&"))
        if self.refusals:
            code, error = self.refusals.pop(0)
            if error is not None:
                peer.send({"type": "error", "code": error, "message": f"refused: {error}"})
            peer.close(code, f"refused: {error}")
        else:
            kind = query["connection_type"]
            peer.send(first_frame(kind, self.opens, self.user, query.get("room")))
        self._opened.put(peer)
        return peer.wire

    def accept_sync(self) -> FakePeer:
        """The next WebSocket the client opened (blocking)."""
        try:
            return self._opened.get(timeout=TIMEOUT)
        except queue.Empty:
            raise AssertionError("the client opened no WebSocket") from None

    async def accept(self) -> FakePeer:
        """The next WebSocket the client opened."""
        return await asyncio.to_thread(self.accept_sync)

    def nothing_opened(self) -> bool:
        """Whether no WebSocket is waiting in :meth:`accept`."""
        return self._opened.empty()


def protocol_handler(frame: Frame) -> list[Frame]:
    """Answers requests the way the router does (enough for the SDK's tests)."""
    rid = {"request_id": frame["request_id"]} if "request_id" in frame else {}
    kind = frame["type"]
    if kind == "ping":
        return [{"type": "pong", **rid}]
    if kind == "echo":
        return [{"type": "echo", "message": frame["message"], **rid}]
    if kind == "join_room":
        return [{"type": "room_joined", "room": frame["room"], "member_count": 1, **rid}]
    if kind == "leave_room":
        if frame["room"] == "nowhere":
            return [{"type": "error", "code": "not_in_room", "message": "not in room", **rid}]
        return [{"type": "room_left", "room": frame["room"], **rid}]
    if kind == "send_message":
        message = {"id": "m1", "room": frame.get("room", "lobby"), "message": frame["message"]}
        return [{"type": "chat_message", "sender_id": "u1", "sender_name": "U", **message, **rid}]
    if kind == "refresh_token":
        return [{"type": "token_refreshed", "expires_at": STAMP, **rid}]
    return []


def jwt(claims: Mapping[str, Any]) -> str:
    """An unsigned JWT with these claims (the SDK reads, never verifies, tokens)."""

    def part(value: Mapping[str, Any]) -> str:
        raw = json.dumps(dict(value)).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.c2lnbmF0dXJl"
