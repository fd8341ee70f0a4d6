"""The typed intermediate model between the specs and the templates.

Nothing here knows about YAML or about Python source text: :mod:`.asyncapi` and
:mod:`.openapi` build these objects, :mod:`.emit` renders them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Union

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Builtin:
    """``str``, ``int``, ``float``, ``bool`` or ``Any``."""

    name: str


@dataclass(frozen=True)
class Named:
    """A type defined by name in the same module (an alias or a Struct)."""

    name: str


@dataclass(frozen=True)
class ListOf:
    """``list[item]``."""

    item: TypeExpr


@dataclass(frozen=True)
class DictOf:
    """``dict[str, value]``."""

    value: TypeExpr


@dataclass(frozen=True)
class LiteralOf:
    """``Literal[...]`` of strings, integers or booleans."""

    values: tuple[str | int | bool, ...]


@dataclass(frozen=True)
class Nullable:
    """``inner | None``."""

    inner: TypeExpr


@dataclass(frozen=True)
class Constrained:
    """``Annotated[inner, Meta(...)]``; ``meta`` holds msgspec.Meta keyword arguments."""

    inner: TypeExpr
    meta: tuple[tuple[str, str | int | float], ...]


@dataclass(frozen=True)
class UnionOf:
    """``a | b | ...`` (``oneOf``/``anyOf`` of types msgspec tells apart)."""

    members: tuple[TypeExpr, ...]


TypeExpr = Union[Builtin, Named, ListOf, DictOf, LiteralOf, Nullable, Constrained, UnionOf]  # noqa: UP007


class NoDefault:
    """Marks a field that is required (it has no default)."""

    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT = NoDefault()


class Unset:
    """Marks an optional field without a default: absent on the wire, never null."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset()

JSONValue = object


@dataclass(frozen=True)
class Field:
    """One property of an object schema."""

    wire_name: str
    py_name: str
    type: TypeExpr
    default: JSONValue | NoDefault | Unset
    description: str = ""

    @property
    def required(self) -> bool:
        """Whether the field must be present."""
        return isinstance(self.default, NoDefault)


@dataclass(frozen=True)
class Alias:
    """A named non-object schema, e.g. a constrained string or an enum."""

    name: str
    type: TypeExpr
    description: str
    pointer: str


@dataclass(frozen=True)
class Struct:
    """A named object schema; for messages, ``tag`` is the value of the tag field."""

    name: str
    fields: tuple[Field, ...]
    description: str
    pointer: str
    forbid_unknown_fields: bool = True
    tag: str | None = None
    tag_field: str | None = None
    """The property holding ``tag``, when it is not the module's tag field (a union's)."""


# --------------------------------------------------------------------------- AsyncAPI


@dataclass(frozen=True)
class Message:
    """A message of the protocol, with its payload as a Struct."""

    key: str
    struct: Struct
    title: str
    summary: str
    correlation_field: str | None
    is_error: bool
    examples: tuple[JSONValue, ...]


@dataclass(frozen=True)
class ReceiveOperation:
    """A message the server receives, and what it may reply."""

    operation_id: str
    message: str
    replies: tuple[str, ...]
    errors: tuple[str, ...]
    summary: str
    description: str


@dataclass(frozen=True)
class ConnectionKind:
    """What a tag's ``x-connection-type`` says of its kind of connection."""

    greeting: str | None = None
    """The message that opens a connection of this kind."""
    room_required: bool = False
    room_description: str = ""


@dataclass(frozen=True)
class ChannelParameter:
    """A ``{name}`` of a channel address: an argument of the client's ``url``/``connect``."""

    name: str
    default: str | None = None
    """Its ``default``; None: the argument is required."""
    values: tuple[str, ...] = ()
    """Its ``enum``: the argument's ``Literal`` type; empty: any string."""


@dataclass
class Group:
    """The operations of one tag: one kind of connection."""

    name: str
    description: str
    receives: list[ReceiveOperation] = field(default_factory=list)
    sends: list[str] = field(default_factory=list)
    kind: ConnectionKind = field(default_factory=ConnectionKind)
    address: str | None = None
    """The channel address of a group made of the channels at one address; None for a
    group named by operation tags (a router's: its SDK knows where to connect)."""
    parameters: tuple[ChannelParameter, ...] = ()
    """The address's ``{parameters}``, in order."""

    def inbound(self) -> list[str]:
        """Messages a client of this group may send, in spec order."""
        return _unique(op.message for op in self.receives)

    def outbound(self) -> list[str]:
        """Messages the server may send to this group, in spec order."""
        from_replies = (name for op in self.receives for name in (*op.replies, *op.errors))
        return _unique([*self.sends, *from_replies])


@dataclass(frozen=True)
class CloseCode:
    """One row of the close-code table."""

    code: int
    name: str
    retry: bool
    description: str


@dataclass(frozen=True)
class Protocol:
    """Everything the generator needs from an AsyncAPI document."""

    title: str
    source: str
    tag_field: str
    aliases: tuple[Alias, ...]
    structs: tuple[Struct, ...]
    messages: tuple[Message, ...]
    groups: tuple[Group, ...]
    handshake: Struct | None
    close_codes: tuple[CloseCode, ...]
    unchecked: tuple[str, ...] = ()
    """Schema keywords msgspec cannot check, each with its JSON pointer."""
    perspective: str = "server"
    """Which application the document describes (``server`` or ``client``), and why."""
    declared_groups: bool = False
    """Whether ``info.tags`` declares the groups (a router's document, like ours): then the
    connection-type table is generated too."""
    protocols: tuple[str, ...] = ()
    """The protocols of the document's ``servers``; none said: WebSocket is assumed."""
    servers: tuple[str, ...] = ()
    """The URLs of its WebSocket servers (``wss://api.gemini.com``), in order, variables at
    their defaults (a server with a variable that has none is left out)."""

    @property
    def websocket(self) -> bool:
        """Whether clients and servers are generated (WebSocket), or only the models."""
        return not self.protocols or any(p in ("ws", "wss") for p in self.protocols)


# --------------------------------------------------------------------------- OpenAPI


@dataclass(frozen=True)
class Parameter:
    """A path or query parameter."""

    wire_name: str
    py_name: str
    location: str
    type: TypeExpr
    default: JSONValue | NoDefault | Unset


@dataclass(frozen=True)
class HttpOperation:
    """One operation of the HTTP API."""

    operation_id: str
    py_name: str
    method: str
    path: str
    summary: str
    tags: tuple[str, ...]
    path_params: tuple[Parameter, ...]
    query_params: tuple[Parameter, ...]
    body: TypeExpr | None
    status_code: int
    response: TypeExpr | None
    media_type: str
    security: tuple[str, ...]


@dataclass(frozen=True)
class HttpApi:
    """Everything the generator needs from an OpenAPI document."""

    title: str
    source: str
    aliases: tuple[Alias, ...]
    structs: tuple[Struct, ...]
    operations: tuple[HttpOperation, ...]


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))
