"""From one inbound frame to what goes back: the reply, an error, or a close.

This is the whole per-frame pipeline of a connection, without a socket: limits
(size, rate, error streaks), decoding against the connection type's inbound union,
classification of bad input into the spec's error codes, and dispatch to the
connection type's handler. Every bad frame gets exactly one ``error`` frame.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, NamedTuple, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from wsrouter._generated.messages import CloseCode, Error, ErrorCode, ReplyError, peek_tag
from wsrouter.protocol.errors import error
from wsrouter.protocol.rate_limit import TokenBucket
from wsrouter.settings import Limits

log = logging.getLogger("wsrouter.protocol")

_M = TypeVar("_M")
_encoder = msgspec.json.Encoder()


def encode(message: msgspec.Struct) -> str:
    """A message as the text of one frame."""
    return _encoder.encode(message).decode()


class Outcome(NamedTuple):
    """What one frame produced: a frame for the sender, and maybe a close.

    A named tuple, as one is made per frame: a frozen dataclass costs several times
    more to make.
    """

    reply: str | None = None
    close: tuple[int, str] | None = None
    error: ErrorCode | None = None
    """The ``code`` of the ``error`` frame that ``reply`` is, if it is one (for metrics)."""


_NOTHING = Outcome()
_new_tuple = tuple.__new__


class _RequestIdOnly(msgspec.Struct):
    request_id: object = None


_request_id_decoder = msgspec.json.Decoder(_RequestIdOnly)


def request_id_of(text: str) -> str | UnsetType:
    """The frame's ``request_id`` if it has a valid one (for errors about the frame)."""
    try:
        value = _request_id_decoder.decode(text).request_id
    except (msgspec.DecodeError, msgspec.ValidationError):
        return UNSET
    return value if isinstance(value, str) and 0 < len(value) <= 64 else UNSET


class InboundProcessor(Generic[_M]):
    """Turns the frames of one connection into outcomes, in order."""

    def __init__(
        self,
        *,
        decode: Callable[[str], _M],
        tags: frozenset[str],
        dispatch: Callable[[_M], Awaitable[msgspec.Struct | None]],
        limits: Limits,
        bucket: TokenBucket | None = None,
    ) -> None:
        self._decode = decode
        self._tags = tags
        self._dispatch = dispatch
        self._limits = limits
        self._bucket = bucket or TokenBucket(limits.messages_per_second, limits.message_burst)
        self._rate_strikes = 0
        self._error_streak = 0

    def handle_binary(self) -> Outcome:
        """Binary frames are not part of the protocol."""
        return self._error(
            "binary_not_supported", "binary frames are not supported; send JSON text"
        )

    async def handle_text(self, text: str) -> Outcome:
        """Process one text frame: :meth:`admit`, dispatch, then :meth:`answered`.

        The transport runs the three steps itself (one coroutine less per frame).
        """
        admitted = self.admit(text)
        if isinstance(admitted, Outcome):
            return admitted
        try:
            answer = await self._dispatch(admitted)
        except Exception as exc:  # every failure becomes an error frame
            return self.failed(exc, text)
        outcome = self.answered(answer)
        return Outcome(outcome) if isinstance(outcome, str) else outcome

    def admit(self, text: str) -> _M | Outcome:
        """The limits and the decoding: the message to dispatch, or the frame's outcome."""
        if len(text) * 4 > self._limits.max_frame_bytes and self._too_big(text):
            reply = error(
                "message_too_big", f"frames are limited to {self._limits.max_frame_bytes} bytes"
            )
            return Outcome(
                encode(reply), (CloseCode.MESSAGE_TOO_BIG, "message too big"), reply.code
            )
        if not self._bucket.allow():
            self._rate_strikes += 1
            limit = f"{self._limits.messages_per_second:g} messages/s"
            if self._rate_strikes > self._limits.rate_limit_strikes:
                reply = error("rate_limited", f"rate limit ({limit}) abused; closing")
                return Outcome(
                    encode(reply), (CloseCode.RATE_LIMITED, "rate limit abused"), reply.code
                )
            return self._error("rate_limited", f"too many messages: the limit is {limit}", text)
        self._rate_strikes = 0
        try:
            return self._decode(text)
        except msgspec.ValidationError as exc:  # a subclass of DecodeError: first
            return self._invalid(text, str(exc))
        except msgspec.DecodeError:
            return self._error("invalid_json", "the frame is not valid JSON", text)

    @property
    def dispatch(self) -> Callable[[_M], Awaitable[msgspec.Struct | None]]:
        """What runs an admitted message (the connection type's handler)."""
        return self._dispatch

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
