"""Reading an AsyncAPI 3 document into what the tester needs.

The model is deliberately small: per connection type (an operation tag), the
operations clients may send (``action: receive``, with their declared replies) and
the messages the server may send on its own (``action: send``), plus the close-code
table of the channel. Every schema comes with its ``$ref``s inlined. Problems are
collected and raised together as one :class:`SpecError`, each named by its pointer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wsrouter_contract.resolve import JsonObject, Resolver, SpecError

__all__ = ["CloseCode", "ConnectionType", "Message", "Operation", "Spec", "SpecError", "load"]


@dataclass(frozen=True)
class Message:
    """One message: its payload schema (no ``$ref`` left) and how replies are matched."""

    key: str
    """The message's component name (``EchoReply``); unique within the document."""
    name: str
    """The message's ``name`` (``echo``); two messages may share one."""
    schema: JsonObject
    tag: str | None
    """The ``const`` of the payload's ``type``, or None when the type is free."""
    is_error: bool
    """``x-error: true``: a failure reply."""
    correlation_field: str | None
    """The top-level payload field that carries the request id (``request_id``)."""
    examples: tuple[JsonObject, ...] = ()

    @property
    def label(self) -> str:
        """How reports name the message: its tag, else its name."""
        return self.tag or self.name


@dataclass(frozen=True)
class Operation:
    """An operation of the channel: a message clients send, or one the server sends."""

    id: str
    action: str
    connection_types: tuple[str, ...]
    messages: tuple[Message, ...]
    replies: tuple[Message, ...] = ()
    """The declared reply messages (success and ``x-error``); empty when none is declared."""


@dataclass(frozen=True)
class CloseCode:
    """A row of the channel's ``x-close-codes``."""

    code: int
    name: str
    retry: bool
    description: str = ""


def _unique(messages: Iterable[Message]) -> tuple[Message, ...]:
    seen: dict[str, Message] = {}
    for message in messages:
        seen.setdefault(message.key, message)
    return tuple(seen.values())


@dataclass(frozen=True)
class ConnectionType:
    """What one kind of connection may exchange."""

    name: str
    requests: tuple[Operation, ...]
    """``receive`` operations: what a client may send."""
    pushes: tuple[Operation, ...]
    """``send`` operations: what the server sends on its own."""

    @property
    def unsolicited(self) -> tuple[Message, ...]:
        """Messages the server may send without being asked."""
        return _unique(m for op in self.pushes for m in op.messages)

    @property
    def outbound(self) -> tuple[Message, ...]:
        """Every message the server may send on this connection type."""
        replies = [m for op in self.requests for m in op.replies]
        return _unique([*self.unsolicited, *replies])

    @property
    def errors(self) -> tuple[Message, ...]:
        """The failure messages of this connection type."""
        return tuple(m for m in self.outbound if m.is_error)


@dataclass(frozen=True)
class Spec:
    """The parts of an AsyncAPI document the tester uses."""

    title: str
    version: str
    address: str
    connection_types: dict[str, ConnectionType]
    close_codes: dict[int, CloseCode] = field(default_factory=dict)


def load(path: str | Path) -> Spec:
    """Read an AsyncAPI 3 document from a YAML (or JSON) file."""
    try:
        with Path(path).open(encoding="utf-8") as stream:
            document = yaml.safe_load(stream)
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError([f"{path}: {exc}"]) from None
    return parse(document)


def parse(document: Any) -> Spec:
    """Build the model from a parsed AsyncAPI 3 document; raise :class:`SpecError`."""
    if not isinstance(document, Mapping) or not str(document.get("asyncapi", "")).startswith("3."):
        raise SpecError(["/asyncapi: not an AsyncAPI 3 document"])
    return _Builder(dict(document)).build()


class _Builder:
    def __init__(self, document: JsonObject) -> None:
        self.document = document
        self.resolver = Resolver(document)
        self.problems: list[str] = []
        self.messages: dict[str, Message] = {}

    def build(self) -> Spec:
        info = self.document.get("info") or {}
        operations = self._operations()
        names = [t["name"] for t in info.get("tags", []) if isinstance(t, Mapping) and "name" in t]
        for op in operations:
            names.extend(t for t in op.connection_types if t not in names)
        types = {
            name: ConnectionType(
                name=name,
                requests=tuple(
                    o for o in operations if o.action == "receive" and name in o.connection_types
                ),
                pushes=tuple(
                    o for o in operations if o.action == "send" and name in o.connection_types
                ),
            )
            for name in names
        }
        types = {name: t for name, t in types.items() if t.requests or t.pushes}
        if not types:
            self.problems.append("/operations: no operation names a connection type in `tags`")
        channel_pointer, channel = self._channel()
        close_codes = self._close_codes(channel, channel_pointer)
        if self.problems:
            raise SpecError(self.problems)
        return Spec(
            title=str(info.get("title", "")),
            version=str(info.get("version", "")),
            address=str(channel.get("address", "")),
            connection_types=types,
            close_codes=close_codes,
        )

    def _inline(self, node: Any, pointer: str) -> Any:
        try:
            return self.resolver.inline(node, pointer)
        except SpecError as exc:
            self.problems.extend(exc.problems)
            return {}

    def _channel(self) -> tuple[str, JsonObject]:
        channels = self.document.get("channels") or {}
        if len(channels) != 1:
            count = len(channels)
            self.problems.append(f"/channels: exactly one channel is supported, not {count}")
            return "#/channels", {}
        name, channel = next(iter(channels.items()))
        return f"#/channels/{name}", channel if isinstance(channel, dict) else {}

    def _close_codes(self, channel: JsonObject, pointer: str) -> dict[int, CloseCode]:
        codes: dict[int, CloseCode] = {}
        for i, row in enumerate(channel.get("x-close-codes") or []):
            try:
                code = CloseCode(
                    int(row["code"]), str(row["name"]), bool(row.get("retry", False)),
                    str(row.get("description", "")),
                )  # fmt: skip
            except (KeyError, TypeError, ValueError):
                self.problems.append(f"{pointer}/x-close-codes/{i}: needs `code` and `name`")
                continue
            codes[code.code] = code
        return codes

    def _operations(self) -> list[Operation]:
        operations = []
        for op_id, raw in (self.document.get("operations") or {}).items():
            pointer = f"#/operations/{op_id}"
            action = raw.get("action")
            if action not in ("send", "receive"):
                self.problems.append(f"{pointer}/action: must be `send` or `receive`")
                continue
            tags = tuple(
                self.resolver.follow(t, pointer)[1].get("name", "") for t in raw.get("tags", [])
            )
            if not tags:
                self.problems.append(f"{pointer}/tags: no connection type")
            messages = self._message_list(raw.get("messages", []), f"{pointer}/messages")
            reply = raw.get("reply") or {}
            replies = self._message_list(reply.get("messages", []), f"{pointer}/reply/messages")
            operations.append(Operation(op_id, action, tags, messages, replies))
        return operations

    def _message_list(self, refs: list[Any], pointer: str) -> tuple[Message, ...]:
        found = []
        for i, ref in enumerate(refs):
            try:
                key, node = self.resolver.follow(ref, f"{pointer}/{i}")
                message = self.messages.get(key) or self._message(key, node)
            except SpecError as exc:
                self.problems.extend(exc.problems)
                continue
            if message is not None:
                self.messages[key] = message
                found.append(message)
        return tuple(found)

    def _message(self, pointer: str, node: JsonObject) -> Message | None:
        merged: JsonObject = {}
        for trait in node.get("traits", []):  # traits apply first; the message wins
            merged.update(self.resolver.follow(trait, pointer)[1])
        merged.update({k: v for k, v in node.items() if k != "traits"})
        schema = self._inline(merged.get("payload"), f"{pointer}/payload")
        if not isinstance(schema, dict) or schema.get("type") != "object":
            self.problems.append(f"{pointer}/payload: must be an object schema")
            return None
        type_schema = schema.get("properties", {}).get("type", {})
        tag = type_schema.get("const") if isinstance(type_schema, dict) else None
        examples = tuple(
            e["payload"]
            for e in merged.get("examples", [])
            if isinstance(e, Mapping) and isinstance(e.get("payload"), dict)
        )
        return Message(
            key=pointer.rsplit("/", 1)[-1],
            name=str(merged.get("name", pointer.rsplit("/", 1)[-1])),
            schema=schema,
            tag=tag if isinstance(tag, str) else None,
            is_error=bool(merged.get("x-error", False)),
            correlation_field=self._correlation(merged, pointer),
            examples=examples,
        )

    def _correlation(self, message: JsonObject, pointer: str) -> str | None:
        if "correlationId" not in message:
            return None
        _, correlation = self.resolver.follow(message["correlationId"], pointer)
        location = str(correlation.get("location", ""))
        prefix = "$message.payload#/"
        field_name = location.removeprefix(prefix)
        if not location.startswith(prefix) or not field_name or "/" in field_name:
            self.problems.append(
                f"{pointer}/correlationId: only a top-level payload field is supported"
                f" ({prefix}NAME), not {location!r}"
            )
            return None
        return field_name
