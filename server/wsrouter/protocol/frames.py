"""Frames as text: encoding a message, what one inbound frame produced, its request id.

The per-frame pipeline itself (limits, decoding, error codes) is the connection's
:class:`~wsrouter.protocol.session.Session`.
"""

from __future__ import annotations

import logging
from typing import NamedTuple, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

from wsrouter._generated.messages import ErrorCode

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
