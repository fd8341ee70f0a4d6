# generated from asyncapi.yaml by codegen — do not edit
"""Message types of the Greeter protocol.

One Struct per message, tagged by ``type``; per group of connections an
inbound union (what clients send) and an outbound union (what the server sends),
each with a module-level decoder that is built once and reused. The document was
read as the server's document (its requests with a reply are `receive` operations).
"""

from __future__ import annotations

import enum
from typing import Annotated, Any, Final, Literal, TypeAlias, final

import msgspec
from msgspec import UNSET, Meta, UnsetType

RequestId: TypeAlias = Annotated[str, Meta(min_length=1, max_length=16)]
"""RequestId."""

Name: TypeAlias = Annotated[str, Meta(min_length=1, max_length=5, pattern="^[a-z]+\\Z")]
"""A short lower-case name."""


class Schema(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of the named object schemas."""


class Friend(Schema, kw_only=True):
    """Friend."""

    name: Name
    since: Annotated[int, Meta(ge=1900)] | UnsetType | None = UNSET


class Message(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True):
    """Base of the tagged messages."""


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Hello(Message, tag="hello", kw_only=True):
    """Hello."""

    name: Name
    times: Annotated[int, Meta(ge=1, le=3)] = 1
    friends: Annotated[list[Friend], Meta(max_length=2)] | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Greeting(Message, tag="greeting", kw_only=True):
    """Greeting."""

    text: str
    extra: dict[str, int] | UnsetType = UNSET
    request_id: RequestId | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Wave(Message, tag="wave", kw_only=True):
    """Wave."""

    request_id: RequestId | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Failure(Message, tag="failure", kw_only=True):
    """Failure."""

    reason: Literal["rude", "unknown"]
    request_id: RequestId | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Notice(Message, tag="notice", kw_only=True, forbid_unknown_fields=False):
    """Notice."""

    text: str
    data: Any | UnsetType = UNSET


@final  # the dispatch tests `type(message) is ...`: no subclass may stand in
class Shout(Schema, kw_only=True):
    """Shout."""

    type: Annotated[str, Meta(pattern="^[a-z_]+\\Z")]
    text: str


class SocketQuery(Schema, kw_only=True):
    """SocketQuery."""

    token: str
    mood: Literal["happy", "grumpy"] = "happy"


ErrorMessage: TypeAlias = Failure
"""The failure replies."""


class ReplyError(Exception):
    """A failure reply: handlers raise it to answer with it; client methods raise it."""

    def __init__(self, reply: ErrorMessage) -> None:
        super().__init__(reply)
        self.reply = reply


class _Tagged(msgspec.Struct):
    type: object = None


_tag_decoder: Final = msgspec.json.Decoder(_Tagged)


def peek_tag(data: bytes | str) -> str | None:
    """The ``type`` of a JSON frame, or ``None`` when it has no string one."""
    try:
        tag = _tag_decoder.decode(data).type
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return tag if isinstance(tag, str) else None


GreeterInbound: TypeAlias = Hello | Wave
"""What clients send on a 'greeter' connection."""

GREETER_INBOUND_TAGS: Final = frozenset({"hello", "wave"})
"""The tags of ``GreeterInbound``."""

_decode_greeter_inbound: Final[msgspec.json.Decoder[GreeterInbound]] = msgspec.json.Decoder(
    Hello | Wave
)


def decode_greeter_inbound(data: bytes | str) -> GreeterInbound:
    """Decode and validate one frame of ``GreeterInbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    return _decode_greeter_inbound.decode(data)


GreeterOutbound: TypeAlias = Notice | Shout | Greeting | Failure
"""What the server sends to a 'greeter' connection."""

GREETER_OUTBOUND_TAGS: Final = frozenset({"notice", "greeting", "failure"})
"""The tags of ``GreeterOutbound``."""

_decode_greeter_outbound: Final[msgspec.json.Decoder[GreeterOutbound]] = msgspec.json.Decoder(
    Notice | Greeting | Failure
)
_decode_greeter_outbound_fallback: Final = msgspec.json.Decoder(Shout)


def decode_greeter_outbound(data: bytes | str) -> GreeterOutbound:
    """Decode and validate one frame of ``GreeterOutbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    try:
        return _decode_greeter_outbound.decode(data)
    except msgspec.ValidationError:
        if peek_tag(data) in GREETER_OUTBOUND_TAGS:
            raise
    return _decode_greeter_outbound_fallback.decode(data)


WatcherInbound: TypeAlias = Wave
"""What clients send on a 'watcher' connection."""

WATCHER_INBOUND_TAGS: Final = frozenset({"wave"})
"""The tags of ``WatcherInbound``."""

_decode_watcher_inbound: Final[msgspec.json.Decoder[WatcherInbound]] = msgspec.json.Decoder(Wave)


def decode_watcher_inbound(data: bytes | str) -> WatcherInbound:
    """Decode and validate one frame of ``WatcherInbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    return _decode_watcher_inbound.decode(data)


WatcherOutbound: TypeAlias = Notice | Shout
"""What the server sends to a 'watcher' connection."""

WATCHER_OUTBOUND_TAGS: Final = frozenset({"notice"})
"""The tags of ``WatcherOutbound``."""

_decode_watcher_outbound: Final[msgspec.json.Decoder[WatcherOutbound]] = msgspec.json.Decoder(
    Notice
)
_decode_watcher_outbound_fallback: Final = msgspec.json.Decoder(Shout)


def decode_watcher_outbound(data: bytes | str) -> WatcherOutbound:
    """Decode and validate one frame of ``WatcherOutbound``.

    Raises ``msgspec.DecodeError`` for malformed JSON and ``msgspec.ValidationError``
    (naming the JSON path) for a frame that is no valid member of the union.
    """
    try:
        return _decode_watcher_outbound.decode(data)
    except msgspec.ValidationError:
        if peek_tag(data) in WATCHER_OUTBOUND_TAGS:
            raise
    return _decode_watcher_outbound_fallback.decode(data)


class CloseCode(enum.IntEnum):
    """The close codes of the protocol."""

    GO_AWAY = 4001
    """The server does not want you."""

    TRY_LATER = 4002
    """Come back later."""


RETRYABLE_CLOSE_CODES: Final[frozenset[int]] = frozenset({4002})
"""Close codes after which reconnecting may help."""

CLOSE_CODE_DESCRIPTIONS: Final[dict[int, str]] = {
    4001: "The server does not want you.",
    4002: "Come back later.",
}
"""What each close code means, in words."""
