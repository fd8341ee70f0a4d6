"""One connection's protocol state, without I/O: frames in, replies and closes out.

A :class:`Session` is made per connection once the handshake passed. The transport
feeds it what arrives (:meth:`Session.admit` for a text frame, :meth:`Session.binary`
for a binary one), awaits the handler's ``dispatch`` of what it admitted, and hands
the result back (:meth:`Session.answered` or :meth:`Session.failed`); what goes out
leaves through the :class:`Outbox`, whose sink the transport supplies. The session
holds the limits (frame size, rate, streaks of bad frames), the classification of
bad input into the spec's error codes, the frames a handler defers until after its
reply, the closing state and the token-expiry deadline. It never touches a socket
or an event loop, so everything here is tested with plain calls (the way
python-websockets' ``protocol.py`` is).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

import msgspec
from msgspec import UNSET

from wsrouter._generated.messages import CloseCode, Error, ErrorCode, ReplyError, peek_tag
from wsrouter.auth import LEEWAY, Principal
from wsrouter.protocol.errors import error
from wsrouter.protocol.frames import Outcome, encode, request_id_of
from wsrouter.protocol.rate_limit import TokenBucket
from wsrouter.settings import Limits
from wsrouter.store import StorageUnavailable

log = logging.getLogger("wsrouter.protocol")

_NOTHING = Outcome()

MAX_DEPTH = 32
"""The deepest nesting of arrays and objects a frame may have (``invalid_message``)."""

DEPTH_CHECKED_ABOVE = 512
"""Frames longer than this (in characters) have their nesting checked before decoding;
shorter ones nest at most 256 levels, which the decoder handles."""


def nesting(text: str) -> int:
    """How deeply the arrays and objects of a JSON text nest (strings skipped)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


Dispatch = Callable[[Any], Awaitable[msgspec.Struct | None]]
"""A handler's ``dispatch``: runs the method of a decoded message, returns the reply."""


class FrameSink(Protocol):
    """Where a connection's frames go (the transport's connection)."""

    @property
    def closing(self) -> bool:
        """Whether a close was requested (no frame is taken after it)."""
        ...

    def enqueue(self, frame: str) -> bool:
        """Send ``frame`` without waiting; ``False`` if it was not taken."""
        ...

    def close(self, code: int, reason: str) -> None:
        """Close after the frames already taken."""
        ...


class Peer:
    """Who is on the other end of one connection, as handlers see it."""

    __slots__ = ("connected_at", "id", "principal", "room", "type")

    def __init__(
        self,
        *,
        connection_id: str,
        connection_type: str,
        principal: Principal,
        room: str | None,
        connected_at: datetime,
    ) -> None:
        self.id = connection_id
        self.type = connection_type
        self.principal = principal
        """The token's principal; replaced by a ``refresh_token`` (same user)."""
        self.room = room
        """The handshake's ``room``, for the types that need one."""
        self.connected_at = connected_at

    @property
    def user_id(self) -> str:
        """The user the connection belongs to (it never changes)."""
        return self.principal.user_id


class Outbox:
    """How a handler sends to its own connection: now, after its reply, or a close."""

    __slots__ = ("_sink", "deferred")

    def __init__(self, sink: FrameSink) -> None:
        self._sink = sink
        self.deferred: list[str] = []
        """Frames deferred while handling the current message (always the same list)."""

    def send(self, message: msgspec.Struct) -> None:
        """Queue a frame for this connection now."""
        self._sink.enqueue(encode(message))

    def send_text(self, frame: str) -> None:
        """Queue an encoded frame for this connection now."""
        self._sink.enqueue(frame)

    def defer(self, message: msgspec.Struct) -> None:
        """Queue a frame for this connection after the reply to the current message."""
        self.deferred.append(encode(message))

    def flush_deferred(self) -> None:
        """Send what was deferred (the transport calls this once the reply is out)."""
        frames = self.deferred[:]
        self.deferred.clear()
        for frame in frames:
            self._sink.enqueue(frame)

    def close(self, code: int, reason: str) -> None:
        """Close the connection once what is queued is sent."""
        self._sink.close(code, reason)


class Session:
    """The protocol state of one connection (see the module's docstring)."""

    def __init__(
        self,
        *,
        peer: Peer,
        sink: FrameSink,
        decode: Callable[[str], Any],
        tags: frozenset[str],
        limits: Limits,
        bucket: TokenBucket | None = None,
    ) -> None:
        self.peer = peer
        self.outbox = Outbox(sink)
        self._sink = sink
        self._decode = decode
        self._tags = tags
        self._limits = limits
        self._bucket = bucket or TokenBucket(limits.messages_per_second, limits.message_burst)
        self._rate_strikes = 0
        self._error_streak = 0
        self.dispatch: Dispatch | None = None
        """The handler's ``dispatch``, once one is bound (:meth:`bind`)."""
        self.on_deadline_moved: Callable[[], None] | None = None
        """Called when a refresh moved the token's deadline (the transport re-arms it)."""

    def bind(self, dispatch: Dispatch) -> None:
        """Attach the handler that admitted messages go to."""
        self.dispatch = dispatch

    # ------------------------------------------------------------- closing

    @property
    def closing(self) -> bool:
        """Whether the connection is closing: nothing more is read or answered."""
        return self._sink.closing

    def close(self, code: int, reason: str) -> None:
        """Close the connection with ``code`` once what is queued is sent."""
        self._sink.close(code, reason)

    # ------------------------------------------------------------- the token

    @property
    def deadline(self) -> datetime:
        """When the connection's token expires, with the leeway the handshake allows.

        The same leeway at both points: a token the handshake accepts is never closed
        at once for having expired.
        """
        return self.peer.principal.expires_at + LEEWAY

    def refreshed(self, principal: Principal) -> None:
        """The connection's token was replaced; its new deadline applies from now on."""
        self.peer.principal = principal
        if self.on_deadline_moved is not None:
            self.on_deadline_moved()

    def check_deadline(self, now: datetime) -> float | None:
        """Seconds until the token expires; at expiry, ``unauthorized``, 4401 and ``None``."""
        delay = (self.deadline - now).total_seconds()
        if delay > 0:
            return delay
        self.outbox.send(error("unauthorized", "the token expired"))
        self.close(CloseCode.UNAUTHORIZED, "token expired")
        return None

    # ------------------------------------------------------------- frames in

    async def handle_text(self, text: str) -> Outcome:
        """Process one text frame: :meth:`admit`, dispatch, then :meth:`answered`.

        The transport runs the three steps itself (one coroutine less per frame).
        """
        admitted = self.admit(text)
        if isinstance(admitted, Outcome):
            return admitted
        if self.dispatch is None:
            raise RuntimeError("no handler is bound to this session")
        try:
            answer = await self.dispatch(admitted)
        except Exception as exc:  # every failure becomes an error frame
            return self.failed(exc, text)
        outcome = self.answered(answer)
        return Outcome(outcome) if isinstance(outcome, str) else outcome

    def binary(self, size: int) -> Outcome:
        """Binary frames are not part of the protocol: a bad frame, under the same limits.

        A binary frame counts against the rate limit and the streak of bad frames, and
        one over the size limit closes with 1009, as a text frame would.
        """
        if size > self._limits.max_frame_bytes:
            return self._too_big_outcome()
        limited = self._rate_limited(None)
        if limited is not None:
            return limited
        return self._error(
            "binary_not_supported", "binary frames are not supported; send JSON text"
        )

    def admit(self, text: str) -> Any:
        """The limits and the decoding: the message to dispatch, or the frame's outcome.

        Returns an :class:`Outcome` when the frame goes no further.
        """
        if len(text) * 4 > self._limits.max_frame_bytes and self._too_big(text):
            return self._too_big_outcome()
        if not self._bucket.allow():
            limited = self._rate_limited(text)
            if limited is not None:
                return limited
        self._rate_strikes = 0
        # Nesting is bounded before decoding (the decoder recurses once per level). Only
        # frames long enough to nest deeply are looked at: counting brackets costs about
        # a tenth of an echo, and a short frame cannot nest deep enough to matter.
        if (
            len(text) > DEPTH_CHECKED_ABOVE
            and text.count("[") + text.count("{") > MAX_DEPTH
            and nesting(text) > MAX_DEPTH
        ):
            # No request id: finding it would mean decoding the frame after all.
            return self._error("invalid_message", f"JSON nested deeper than {MAX_DEPTH} levels")
        try:
            return self._decode(text)
        except msgspec.ValidationError as exc:  # a subclass of DecodeError: first
            return self._invalid(text, str(exc))
        except msgspec.DecodeError:
            return self._error("invalid_json", "the frame is not valid JSON", text)

    def _too_big_outcome(self) -> Outcome:
        reply = error(
            "message_too_big", f"frames are limited to {self._limits.max_frame_bytes} bytes"
        )
        return Outcome(encode(reply), (CloseCode.MESSAGE_TOO_BIG, "message too big"), reply.code)

    def _rate_limited(self, text: str | None) -> Outcome | None:
        """The outcome of a frame past the rate limit (``None``: it is within it)."""
        if text is None and self._bucket.allow():
            self._rate_strikes = 0
            return None
        self._rate_strikes += 1
        limit = f"{self._limits.messages_per_second:g} messages/s"
        if self._rate_strikes > self._limits.rate_limit_strikes:
            reply = error("rate_limited", f"rate limit ({limit}) abused; closing")
            return Outcome(encode(reply), (CloseCode.RATE_LIMITED, "rate limit abused"), reply.code)
        return self._error("rate_limited", f"too many messages: the limit is {limit}", text)

    def answered(self, answer: msgspec.Struct | None) -> str | Outcome:
        """The outcome of a dispatched message, from what its handler returned."""
        self._error_streak = 0
        if answer is None:
            return _NOTHING
        if type(answer) is Error:  # a handler's ReplyError, converted by the dispatch
            return Outcome(encode(answer), error=answer.code)
        return encode(answer)

    def failed(self, exc: Exception, text: str) -> Outcome:
        """The outcome of a dispatch that raised ``exc``."""
        if isinstance(exc, ReplyError):  # the generated dispatch converts these; a safety net
            exc.reply.request_id = request_id_of(text)
            return Outcome(encode(exc.reply), error=exc.reply.code)
        if isinstance(exc, StorageUnavailable):
            # The server's failure: answered, logged, and not counted against the client.
            log.warning("storage unavailable type=%s: %s", peek_tag(text), exc)
            reply = error(
                "storage_unavailable",
                "the server could not store this (nothing was stored); retry later",
                request_id=request_id_of(text),
            )
            return Outcome(encode(reply), error=reply.code)
        log.error("handler failed type=%s", peek_tag(text), exc_info=exc)
        return self._error("internal_error", "the server failed to handle this message", text)

    def _too_big(self, text: str) -> bool:
        return len(text.encode()) > self._limits.max_frame_bytes

    def _invalid(self, text: str, reason: str) -> Outcome:
        tag = peek_tag(text)
        if tag is None:
            try:
                value: Any = msgspec.json.decode(text)
            except msgspec.DecodeError:
                return self._error("invalid_json", "the frame is not valid JSON", text)
            if not isinstance(value, dict):
                return self._error("invalid_json", "a frame must be a JSON object", text)
            return self._error("unknown_type", "the message has no string `type`", text)
        if tag not in self._tags:
            known = ", ".join(sorted(self._tags))
            return self._error(
                "unknown_type", f"unknown message type {tag!r}; expected one of: {known}", text
            )
        return self._error("invalid_message", reason, text)

    def _error(self, code: ErrorCode, message: str, text: str | None = None) -> Outcome:
        self._error_streak += 1
        request_id = request_id_of(text) if text is not None else UNSET
        reply = encode(error(code, message, request_id=request_id))
        if self._error_streak >= self._limits.consecutive_errors:
            return Outcome(reply, (CloseCode.RATE_LIMITED, "too many bad frames in a row"), code)
        return Outcome(reply, error=code)
