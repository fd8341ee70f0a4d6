"""One checked WebSocket connection to the server under test.

Every frame received goes through the connection's :class:`FrameChecker`; every
frame sent and received is appended to the run's transcript. Sends are paced by a
token bucket so that a run never trips the server's rate limit, and every wait has
the one timeout of the run.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.sync.client import ClientConnection, connect

from wsrouter_contract.check import FrameChecker, Violation
from wsrouter_contract.spec import Message, Operation, Spec
from wsrouter_contract.transcript import Event, compact

Received = tuple[dict[str, Any], Message]


class ServerClosed(Exception):
    """The server closed the connection (or it dropped)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed with {code} {reason!r}")
        self.code = code
        self.reason = reason


class Unreachable(Exception):
    """The server could not be reached at all: not a contract question."""


@dataclass
class Stats:
    """What one connection type's run did."""

    sent: int = 0
    checked: int = 0
    error_codes: Counter[str] = field(default_factory=Counter)
    """``code``s of the errors that answered valid requests (``not_in_room``, ...)."""
    bad_input_codes: Counter[str] = field(default_factory=Counter)
    """``code``s of the errors that answered deliberately bad frames."""


class Pacer:
    """A token bucket on the client side: ``rate`` frames per second, ``burst`` at once."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(burst)
        self._tokens = float(burst)
        self._at = time.monotonic()

    def wait(self) -> None:
        """Block until one more frame may go out, then take its token."""
        now = time.monotonic()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        if self._tokens < 1:
            # Pacing, not waiting for an event: the server's limit is a rate.
            time.sleep((1 - self._tokens) / self.rate)
            self._at = time.monotonic()
            self._tokens = 1
        self._tokens -= 1


@dataclass(frozen=True)
class Target:
    """The server under test and how to reach it."""

    url: str
    spec: Spec
    token: str
    timeout: float = 5.0
    rate: float = 15.0
    burst: int = 30
    rooms: dict[str, str] = field(default_factory=dict)

    def url_for(self, connection_type: str, room: str | None) -> str:
        """The handshake URL of a connection of ``connection_type``."""
        parts = urlsplit(self.url)
        query = {"connection_type": connection_type, "token": self.token}
        if room is not None:
            query["room"] = room
        joined = f"{parts.query}&{urlencode(query)}" if parts.query else urlencode(query)
        return urlunsplit(parts._replace(query=joined))


class Peer:
    """A connection whose every received frame is checked against the spec."""

    def __init__(
        self,
        ws: ClientConnection,
        checker: FrameChecker,
        target: Target,
        *,
        stats: Stats,
        transcript: list[Event],
        name: str = "",
        bad_input: bool = False,
    ) -> None:
        self.ws = ws
        self.checker = checker
        self.target = target
        self.stats = stats
        self.transcript = transcript
        self.name = name
        self.pacer = Pacer(target.rate, target.burst)
        # Where the errors this connection gets are counted: bad input is meant to get them.
        self.errors = stats.bad_input_codes if bad_input else stats.error_codes
        self._next_id = 0

    @classmethod
    def open(
        cls,
        target: Target,
        connection_type: str,
        *,
        stats: Stats,
        transcript: list[Event],
        room: str | None = None,
        name: str = "",
        bad_input: bool = False,
    ) -> Peer:
        """Connect; ``room`` defaults to the room given for the connection type.

        ``bad_input``: the connection sends deliberately bad frames, and the errors it
        gets are counted apart from error replies to valid requests.
        """
        room = room if room is not None else target.rooms.get(connection_type)
        url = target.url_for(connection_type, room)
        try:
            # Entered as a context manager (websockets 17 wants it); Peer.close exits it.
            ws = connect(
                url,
                open_timeout=target.timeout,
                close_timeout=target.timeout,
                max_size=None,
                compression=None,
            ).__enter__()
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise Unreachable(f"cannot connect to {target.url}: {exc}") from exc
        spec = target.spec
        checker = FrameChecker(spec, spec.connection_types[connection_type])
        return cls(
            ws, checker, target, stats=stats, transcript=transcript, name=name, bad_input=bad_input
        )

    # ------------------------------------------------------------------ sending

    def next_request_id(self) -> str:
        """A fresh request id; ids repeat from one run to the next, so replays match."""
        self._next_id += 1
        return f"{self.name or 'r'}{self._next_id}"

    def request(self, payload: dict[str, Any], operation: Operation | None) -> str | None:
        """Send a JSON frame with a fresh request id (when its message has one)."""
        field_name = self.checker.correlation_field(operation)
        if field_name is None:
            self.send(compact(payload))
            return None
        request_id = self.next_request_id()
        self.checker.expect_reply(request_id, operation)
        first = {"type": payload["type"]} if "type" in payload else {}  # reads better first
        self.send(compact({**first, **payload, field_name: request_id}))
        return request_id

    def send(self, data: str | bytes) -> None:
        """Send one frame as it is."""
        self.pacer.wait()
        self.transcript.append(Event(">", data, self.name))
        self.stats.sent += 1
        try:
            self.ws.send(data)
        except ConnectionClosed as closed:
            raise self._closed(closed) from None

    # ------------------------------------------------------------------ receiving

    def _closed(self, closed: ConnectionClosed) -> ServerClosed:
        frame = closed.rcvd
        code, reason = (frame.code, frame.reason) if frame else (None, "no close frame")
        self.transcript.append(Event("x", f"closed: {code} {reason}".rstrip(), self.name))
        return ServerClosed(code, reason)

    def receive(self, timeout: float) -> Received | None:
        """The next frame, checked; None when none came within ``timeout``."""
        try:
            data = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return None
        except ConnectionClosed as closed:
            raise self._closed(closed) from None
        self.transcript.append(Event("<", data, self.name))
        self.stats.checked += 1
        payload, message = self.checker.check(data)
        if message.is_error:
            self.errors[str(payload.get("code", "?"))] += 1
        return payload, message

    def wait_for(self, found: Callable[[Received], bool], what: str) -> Received:
        """Read (and check) frames until one satisfies ``found``; time out as a violation."""
        deadline = time.monotonic() + self.target.timeout
        while (left := deadline - time.monotonic()) > 0:
            received = self.receive(left)
            if received is not None and found(received):
                return received
        raise Violation("missing_reply", f"no {what} within {self.target.timeout:g} s")

    def reply(self, request_id: str, operation: Operation | None) -> Received:
        """The reply to a request (any frame carrying its id)."""
        what = f"reply to `{operation.id}` ({request_id})" if operation else f"reply ({request_id})"
        return self.wait_for(lambda r: self.checker.request_id_of(r[0]) == request_id, what)

    def settle(self, quiet: float) -> None:
        """Read (and check) frames until none arrives for ``quiet`` seconds."""
        deadline = time.monotonic() + self.target.timeout
        while time.monotonic() < deadline and self.receive(quiet) is not None:
            pass

    def close(self) -> None:
        """Close from the client side (never raises)."""
        with contextlib.suppress(OSError, ConnectionClosed):  # already gone
            self.ws.__exit__(None, None, None)


def close_violation(spec: Spec, closed: ServerClosed, when: str) -> Violation:
    """The violation for a close the spec does not call for at this point."""
    if closed.code is None:
        return Violation("unexpected_close", f"the connection dropped {when}, with no close frame")
    known = spec.close_codes.get(closed.code)
    name = f" ({known.name})" if known else " (not in the spec's close codes)"
    return Violation(
        "unexpected_close", f"the server closed the connection {when}: {closed.code}{name}"
    )
