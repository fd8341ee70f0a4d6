# generated from asyncapi.yaml by codegen — do not edit
"""The connection types of the Greeter protocol: one row each, in spec order.

A row says what the server needs to serve the type: the handler interface its
handler class implements (one ``on_<message>`` method per name in ``methods``),
the decoder of what clients send, whether the handshake needs a ``room``, and the
message that opens the connection. Nothing else lists the connection types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

from .handlers import (
    GreeterHandler,
    WatcherHandler,
)
from .messages import (
    GREETER_INBOUND_TAGS,
    GREETER_OUTBOUND_TAGS,
    WATCHER_INBOUND_TAGS,
    WATCHER_OUTBOUND_TAGS,
    decode_greeter_inbound,
    decode_watcher_inbound,
)

ConnectionTypeName: TypeAlias = Literal["greeter", "watcher"]
"""The ``connection_type`` of a handshake."""


@dataclass(frozen=True, slots=True)
class ConnectionTypeSpec:
    """One connection type of the protocol."""

    name: str
    """The ``connection_type`` of the handshake."""
    description: str
    module: str
    """The conventional module name of its handler (``connection_types/<module>.py``)."""
    interface: type[Any]
    """The generated handler interface (an abstract class) its handler implements."""
    methods: tuple[str, ...]
    """The ``on_<message>`` methods of the interface, one per message clients send."""
    decode: Callable[[str | bytes], Any]
    """Decodes a frame a client sends (``msgspec`` errors for bad input)."""
    inbound_tags: frozenset[str]
    """The ``type`` of every message clients may send."""
    outbound_tags: frozenset[str]
    """The ``type`` of every message the server may send."""
    room_required: bool
    """Whether the handshake needs a ``room`` (it is ignored otherwise)."""
    room_description: str
    """What the handshake's ``room`` names, when it needs one."""
    greeting: type[Any] | None
    """The first message of a connection."""


GREETER: Final = ConnectionTypeSpec(
    name="greeter",
    description="Says hello.",
    module="greeter",
    interface=GreeterHandler,
    methods=("on_hello", "on_wave"),
    decode=decode_greeter_inbound,
    inbound_tags=GREETER_INBOUND_TAGS,
    outbound_tags=GREETER_OUTBOUND_TAGS,
    room_required=False,
    room_description="",
    greeting=None,
)
"""``greeter``: Says hello."""

WATCHER: Final = ConnectionTypeSpec(
    name="watcher",
    description="Only watches.",
    module="watcher",
    interface=WatcherHandler,
    methods=("on_wave",),
    decode=decode_watcher_inbound,
    inbound_tags=WATCHER_INBOUND_TAGS,
    outbound_tags=WATCHER_OUTBOUND_TAGS,
    room_required=False,
    room_description="",
    greeting=None,
)
"""``watcher``: Only watches."""

CONNECTION_TYPES: Final[dict[str, ConnectionTypeSpec]] = {
    "greeter": GREETER,
    "watcher": WATCHER,
}
"""Every connection type, by name, in spec order."""
