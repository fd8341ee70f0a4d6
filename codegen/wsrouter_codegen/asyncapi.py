"""An AsyncAPI 3 document to the :class:`~wsrouter_codegen.model.Protocol` model.

The constructs understood, and how they map:

* every message of every channel becomes a Struct named after its key under
  ``components/messages``; its payload's tag property (``type``) with a ``const``
  gives the Struct's tag; a payload whose tag property has no ``const`` (or that has
  none) is an untagged message, decoded when no tagged one matches, trying each
  untagged message's schema in turn; a ``oneOf``/``anyOf`` payload is one message
  per member (``MarketDataHeartbeat``, named by the member's tag);
* ``traits`` are merged into the message (the message's own fields win);
  ``correlationId`` with a location ``$message.payload#/<field>`` names the field
  that carries request ids;
* a message with ``x-error: true`` is a failure reply: handlers raise it and client
  methods turn it into an exception;
* an operation's ``tags`` name the groups (kinds of connection) it belongs to, when
  ``info.tags`` declares them; otherwise each channel is a group; a
  ``receive`` operation is a message the server handles, its ``reply`` lists what
  the handler may answer; a ``send`` operation lists what the server sends on its
  own;
* a tag's ``x-connection-type`` (``greeting``: the message that opens a connection,
  ``room``: ``{required, description}``) makes the group a connection type of the
  generated table (``connection_types.py``);
* a channel's ``bindings.ws.query`` becomes the handshake query Struct, and its
  ``x-close-codes`` table the close codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wsrouter_codegen.addresses import (
    PLACEHOLDER,
    channel_parameter,
    protocols,
    websocket_servers,
)
from wsrouter_codegen.errors import join_pointer, unescape_pointer_token
from wsrouter_codegen.load import JSON_SCHEMA_FORMATS, Document
from wsrouter_codegen.model import (
    ChannelParameter,
    CloseCode,
    ConnectionKind,
    Group,
    Message,
    Protocol,
    ReceiveOperation,
    Struct,
)
from wsrouter_codegen.schema import SchemaConverter, class_name, python_name, type_name

_CORRELATION = re.compile(r"^\$message\.payload#/([A-Za-z_][A-Za-z0-9_]*)$")


def build_protocol(doc: Document, tag_field: str = "type", perspective: str = "auto") -> Protocol:
    """Build the model of ``doc``; problems are recorded in ``doc.errors``.

    ``perspective``: ``server`` (``receive`` is what clients send), ``client`` (``send``
    is), or ``auto`` (read from the document).
    """
    version = doc.data.get("asyncapi")
    if not isinstance(version, str) or not version.startswith("3."):
        doc.errors.add("/asyncapi", f"unsupported AsyncAPI version {version!r}: expected 3.x")
    schemas = SchemaConverter(doc, "/components/schemas")
    schemas.convert_components()
    builder = _Builder(doc, schemas, tag_field, perspective)
    builder.read_channels()
    builder.read_operations()
    builder.check_names()
    info = doc.data.get("info") or {}
    return Protocol(
        title=str(info.get("title", "")),
        source=doc.source,
        tag_field=tag_field,
        aliases=tuple(schemas.aliases()),
        structs=tuple(schemas.structs()),
        messages=tuple(builder.messages.values()),
        groups=tuple(builder.groups.values()),
        handshake=builder.handshake,
        close_codes=tuple(builder.close_codes),
        unchecked=tuple(schemas.unchecked),
        perspective=builder.perspective,
        declared_groups=builder.by_tags,
        protocols=protocols(doc),
        servers=websocket_servers(doc),
    )


class _Builder:
    def __init__(
        self, doc: Document, schemas: SchemaConverter, tag_field: str, perspective: str
    ) -> None:
        self.doc = doc
        self.wanted = perspective
        self.perspective = perspective
        self.schemas = schemas
        self.tag_field = tag_field
        self.messages: dict[str, Message] = {}
        self.expanded: dict[str, list[str]] = {}
        """A message's name to its messages: itself, or one per member of a union payload."""
        self.by_pointer: dict[str, list[str]] = {}
        self.schema_names = {s.name for s in schemas.named.values()}
        self.groups: dict[str, Group] = {}
        self.handshake: Struct | None = None
        self.by_tags = False
        self.close_codes: list[CloseCode] = []
        for i, tag in enumerate((doc.data.get("info") or {}).get("tags") or []):
            at = join_pointer("/info/tags", i)
            if isinstance(tag, Mapping) and isinstance(tag.get("name"), str):
                self.groups[tag["name"]] = Group(
                    tag["name"],
                    str(tag.get("description", "")),
                    kind=self._kind(tag.get("x-connection-type"), at),
                )
            else:
                doc.errors.add(at, "expected a tag with a name")

    def _kind(self, node: Any, at: str) -> ConnectionKind:
        """A tag's ``x-connection-type``: ``{greeting, room: {required, description}}``."""
        if node is None:
            return ConnectionKind()
        at = join_pointer(at, "x-connection-type")
        if not isinstance(node, Mapping):
            self.doc.errors.add(at, "expected {greeting: <message key>, room: {required: bool}}")
            return ConnectionKind()
        greeting = node.get("greeting")
        if greeting is not None and not isinstance(greeting, str):
            self.doc.errors.add(join_pointer(at, "greeting"), "expected a message key")
            greeting = None
        room = node.get("room") or {}
        if not isinstance(room, Mapping) or not isinstance(room.get("required", False), bool):
            self.doc.errors.add(join_pointer(at, "room"), "expected {required: bool, description}")
            room = {}
        return ConnectionKind(
            greeting=class_name(greeting) if greeting else None,
            room_required=bool(room.get("required", False)),
            room_description=" ".join(str(room.get("description", "")).split()),
        )

    # ---------------------------------------------------------------- channels

    def read_channels(self) -> None:
        channels = self.doc.data.get("channels") or {}
        for key, raw in _mapping(self.doc, channels, "/channels").items():
            channel, at = self.doc.deref(raw, join_pointer("/channels", key))
            messages = _mapping(
                self.doc, channel.get("messages") or {}, join_pointer(at, "messages")
            )
            for msg_key, ref in messages.items():
                msg_at = join_pointer(at, "messages", msg_key)
                target = self.doc.ref_target(ref, msg_at)
                if "$ref" in ref and target is None:
                    continue
                name = target.rsplit("/", 1)[-1] if target else msg_key
                name = type_name(name)
                if name in self.schema_names:  # `ping` the message and `ping` its schema
                    name += "Message"
                if name not in self.expanded:
                    built = self._messages(name, *self.doc.deref(ref, msg_at))
                    self.messages.update((m.key, m) for m in built)
                    self.expanded[name] = [m.key for m in built]
                self.by_pointer[msg_at] = self.expanded[name]
                if target:
                    self.by_pointer[target] = self.expanded[name]
            self._read_bindings(key, channel, at)
            self._read_close_codes(channel, at)

    def _messages(self, name: str, node: Any, at: str) -> list[Message]:
        """The message ``name``; one per member when its payload is a ``oneOf``/``anyOf``."""
        merged = self._with_traits(node, at)
        payload_at = join_pointer(at, "payload")
        payload, payload_at = self.doc.deref(merged.get("payload", {}), payload_at)
        if isinstance(payload, Mapping) and "schemaFormat" in payload:  # a multi-format schema
            fmt = str(payload["schemaFormat"])
            if not fmt.startswith(JSON_SCHEMA_FORMATS):
                self.doc.errors.add(
                    join_pointer(payload_at, "schemaFormat"),
                    f"unsupported schemaFormat {fmt!r} of message {name!r}: "
                    "only JSON Schema and AsyncAPI schemas",
                )
                return []
            payload, payload_at = self.doc.deref(
                payload.get("schema", {}), join_pointer(payload_at, "schema")
            )
        payload = self.schemas.flatten(payload, payload_at)
        members = None
        if isinstance(payload, Mapping) and not payload.get("properties"):
            members = payload.get("oneOf", payload.get("anyOf"))
        if not isinstance(members, list):
            return [self._message(name, merged, at, payload, payload_at)]
        key = "oneOf" if "oneOf" in payload else "anyOf"
        nodes = []
        for i, member in enumerate(members):
            member_node, member_at = self.doc.deref(member, join_pointer(payload_at, key, i))
            nodes.append((self.schemas.flatten(member_node, member_at), member_at))
        tags = [_const(node, self.tag_field) for node, _ in nodes]
        # Members that share a tag (or have none) are told apart by their schemas alone.
        tagged = None not in tags and len(set(tags)) == len(tags)
        built = []
        for i, (member_node, member_at) in enumerate(nodes):
            tag = tags[i] if tagged else None
            suffix = class_name(tag) if tag else f"Option{i + 1}"
            examples = [
                ex
                for ex in merged.get("examples") or []
                if isinstance(ex, Mapping)
                and (tag is None or _const_of(ex.get("payload"), self.tag_field) == tag)
            ]
            part = {**merged, "examples": examples}
            built.append(
                self._message(name + suffix, part, at, member_node, member_at, tagged=tagged)
            )
        return built

    def _with_traits(self, node: Any, at: str) -> dict[str, Any]:
        """``node`` with its ``traits`` merged in (its own fields win)."""
        merged: dict[str, Any] = {}
        if not isinstance(node, Mapping):
            return merged
        for i, trait in enumerate(node.get("traits") or []):
            trait_node, _ = self.doc.deref(trait, join_pointer(at, "traits", i))
            if isinstance(trait_node, Mapping):
                merged.update(trait_node)
        merged.update({k: v for k, v in node.items() if k != "traits"})
        return merged

    def _message(
        self,
        name: str,
        merged: Mapping[str, Any],
        at: str,
        payload: Any,
        payload_at: str,
        *,
        tagged: bool = True,
    ) -> Message:
        if not isinstance(payload, Mapping) or not payload.get("properties"):
            self.doc.errors.add(payload_at, "a message payload must be an object with properties")
            payload = {"properties": {}}
        # A payload without the tag property is untagged: told apart by its schema alone.
        struct = self.schemas.struct(name, payload, payload_at, self.tag_field if tagged else "")
        correlation = None
        if "correlationId" in merged:
            cid, cid_at = self.doc.deref(merged["correlationId"], join_pointer(at, "correlationId"))
            match = _CORRELATION.match(str(cid.get("location", "")))
            if match is None or match.group(1) not in {f.wire_name for f in struct.fields}:
                self.doc.errors.add(
                    cid_at, "correlationId location must be '$message.payload#/<a payload field>'"
                )
            else:
                correlation = python_name(match.group(1))
        examples = tuple(
            ex["payload"]
            for ex in merged.get("examples") or []
            if isinstance(ex, Mapping) and "payload" in ex
        )
        return Message(
            key=name,
            struct=struct,
            title=str(merged.get("title", "")),
            summary=str(merged.get("summary", "") or merged.get("title", "")),
            correlation_field=correlation,
            is_error=merged.get("x-error") is True,
            examples=examples,
        )

    def _read_bindings(self, key: str, channel: Mapping[str, Any], at: str) -> None:
        ws = (channel.get("bindings") or {}).get("ws")
        if not isinstance(ws, Mapping) or "query" not in ws:
            return
        query_at = join_pointer(at, "bindings", "ws", "query")
        query, query_at = self.doc.deref(ws["query"], query_at)
        if self.handshake is not None:
            self.doc.errors.add(query_at, "only one channel may declare a ws query binding")
            return
        self.handshake = self.schemas.struct(class_name(key) + "Query", query, query_at)

    def _read_close_codes(self, channel: Mapping[str, Any], at: str) -> None:
        rows = channel.get("x-close-codes")
        if rows is None:
            return
        at = join_pointer(at, "x-close-codes")
        if not isinstance(rows, list):
            self.doc.errors.add(at, "expected a list of {code, name, retry, description}")
            return
        for i, row in enumerate(rows):
            ok = (
                isinstance(row, Mapping)
                and isinstance(row.get("code"), int)
                and isinstance(row.get("name"), str)
                and isinstance(row.get("retry"), bool)
            )
            if not ok:
                self.doc.errors.add(join_pointer(at, i), "expected {code: int, name, retry: bool}")
                continue
            description = str(row.get("description", ""))
            self.close_codes.append(CloseCode(row["code"], row["name"], row["retry"], description))

    # ---------------------------------------------------------------- operations

    def read_operations(self) -> None:
        operations = self.doc.data.get("operations") or {}
        resolved = {}
        for op_id, raw in _mapping(self.doc, operations, "/operations").items():
            op, at = self.doc.deref(raw, join_pointer("/operations", op_id))
            resolved[op_id] = (self._with_traits(op, at), at)
        self.perspective = self._perspective(resolved)
        # Operation tags name groups only in a document that declares those groups in
        # `info.tags` (ours); elsewhere tags are labels, and each channel is a group.
        by_tags = any(
            isinstance(tag, Mapping) and tag.get("name") in self.groups
            for op, _ in resolved.values()
            if isinstance(op, Mapping)
            for tag in op.get("tags") or []
        )
        self.by_tags = by_tags
        if not by_tags:
            self.groups = {}
        for op_id, (op, at) in resolved.items():
            action = op.get("action")
            if self.perspective.startswith("client"):  # the client's send is the server's receive
                action = {"send": "receive", "receive": "send"}.get(str(action), action)
            if "messages" in op:
                names = self._message_names(op["messages"] or [], join_pointer(at, "messages"))
            else:  # AsyncAPI 3: an operation without `messages` has all of its channel's
                names = self._channel_messages(op, at)
            if by_tags:
                tags = [t.get("name") for t in op.get("tags") or [] if isinstance(t, Mapping)]
                if not tags:
                    self.doc.errors.add(
                        at, "an operation needs tags naming the groups it belongs to"
                    )
            else:
                tags = [self._channel_group(op, at)]
            groups = [self.groups.setdefault(t, Group(t, "")) for t in tags if isinstance(t, str)]
            if not by_tags:
                for group in groups:
                    if group.address is None:
                        group.address, group.parameters = self._channel_address(op, at)
            if action == "send":
                for group in groups:
                    group.sends.extend(n for n in names if n not in group.sends)
            elif action == "receive":
                if not names and self.doc.errors.errors:
                    continue  # its messages were refused, and a problem above says why
                # One message whose payload is a union is one request per member.
                union = "messages" in op and len(op["messages"] or []) == 1
                if len(names) != 1 and not union:
                    implied = (
                        ""
                        if "messages" in op
                        else f" (no `messages`: all {len(names)} of its channel's)"
                    )
                    self.doc.errors.add(
                        join_pointer(at, "messages"),
                        f"a receive operation needs exactly one message{implied}",
                    )
                    continue
                for name in names:
                    receive = self._receive(op_id, op, at, name)
                    for group in groups:
                        group.receives.append(receive)
            else:
                self.doc.errors.add(join_pointer(at, "action"), f"unknown action {action!r}")

    def _perspective(self, operations: Mapping[str, tuple[Any, str]]) -> str:
        """Which application the document describes, and why: the server or a client.

        AsyncAPI 3 describes one application: ours says ``receive`` for what clients
        send; a client's document says ``send`` for it. Asked with ``--perspective``,
        or read from the requests: the side that sends a request with a ``reply`` is
        the client.
        """
        if self.wanted != "auto":
            return f"{self.wanted} (as asked)"
        actions = {op.get("action") for op, _ in operations.values() if "reply" in op}
        if actions == {"send"}:
            return "client (its requests with a reply are `send` operations)"
        if actions == {"receive"}:
            return "server (its requests with a reply are `receive` operations)"
        return "server (the default: no request with a reply tells the side apart)"

    def _channel_messages(self, op: Mapping[str, Any], at: str) -> list[str]:
        target = self.doc.ref_target(op.get("channel"), join_pointer(at, "channel"))
        if target is None:
            return []
        channel, channel_at = self.doc.deref(self.doc.get(target), target)
        keys = channel.get("messages") if isinstance(channel, Mapping) else None
        refs = [
            {"$ref": "#" + join_pointer(channel_at, "messages", key)}
            for key in (keys if isinstance(keys, Mapping) else {})
        ]
        return self._message_names(refs, join_pointer(at, "channel"))

    def _channel_address(
        self, op: Mapping[str, Any], at: str
    ) -> tuple[str, tuple[ChannelParameter, ...]]:
        """The address of an operation's channel and its ``{parameters}``, in order."""
        target = self.doc.ref_target(op.get("channel"), join_pointer(at, "channel"))
        channel, channel_at = self.doc.deref(self.doc.get(target), target) if target else ({}, "")
        address = channel.get("address") if isinstance(channel, Mapping) else None
        if not isinstance(address, str):
            return "/", ()
        declared = channel.get("parameters") if isinstance(channel, Mapping) else None
        parameters = []
        for name in dict.fromkeys(PLACEHOLDER.findall(address)):
            raw = declared.get(name) if isinstance(declared, Mapping) else None
            node, _ = self.doc.deref(raw, join_pointer(channel_at, "parameters", name))
            parameters.append(channel_parameter(name, node))
        return address, tuple(parameters)

    def _channel_group(self, op: Mapping[str, Any], at: str) -> str | None:
        """The group of an operation in a document without tag groups: its channel's address.

        Channels at one address are one connection (Kraken's channels are all ``/``).
        """
        target = self.doc.ref_target(op.get("channel"), join_pointer(at, "channel"))
        if target is None or not target.startswith("/channels/"):
            self.doc.errors.add(join_pointer(at, "channel"), "expected a $ref to a channel")
            return None
        channel, _ = self.doc.deref(self.doc.get(target), target)
        address = channel.get("address") if isinstance(channel, Mapping) else None
        where = (
            address if isinstance(address, str) else unescape_pointer_token(target.split("/")[2])
        )
        return re.sub(r"[^A-Za-z0-9]+", "_", where).strip("_") or "root"

    def _receive(
        self, op_id: str, op: Mapping[str, Any], at: str, message: str
    ) -> ReceiveOperation:
        replies: list[str] = []
        errors: list[str] = []
        if "reply" in op:
            reply_at = join_pointer(at, "reply")
            reply, reply_at = self.doc.deref(op["reply"], reply_at)
            if "messages" in reply:
                names = self._message_names(
                    reply["messages"] or [], join_pointer(reply_at, "messages")
                )
            else:  # no `messages`: those of the reply's channel
                names = self._channel_messages(reply, reply_at)
            for name in names:
                (errors if self.messages[name].is_error else replies).append(name)
            if not replies:
                self.doc.errors.add(reply_at, "a reply needs a message that is not x-error")
        return ReceiveOperation(
            operation_id=op_id,
            message=message,
            replies=tuple(replies),
            errors=tuple(errors),
            summary=str(op.get("summary", "")).strip(),
            description=str(op.get("description", "")).strip(),
        )

    def _message_names(self, refs: Any, at: str) -> list[str]:
        names: list[str] = []
        for i, ref in enumerate(refs if isinstance(refs, list) else []):
            ref_at = join_pointer(at, i)
            target = self.doc.ref_target(ref, ref_at)
            if target is None:
                if not (isinstance(ref, Mapping) and "$ref" in ref):
                    self.doc.errors.add(ref_at, "expected a $ref to a channel message")
                continue
            if target not in self.by_pointer:
                self.doc.errors.add(ref_at, f"{target!r} is no message of a channel")
                continue
            names.extend(self.by_pointer[target])
        return names

    # ---------------------------------------------------------------- checks

    def check_names(self) -> None:
        taken = {s.name for s in self.schemas.named.values()}
        for message in self.messages.values():
            if message.key in taken:
                self.doc.errors.add(
                    message.struct.pointer, f"message {message.key!r} has the name of a schema"
                )
        for i, group in enumerate(self.groups.values()):
            greeting = group.kind.greeting
            if greeting is not None and greeting not in group.outbound():
                self.doc.errors.add(
                    join_pointer("/info/tags", i, "x-connection-type", "greeting"),
                    f"group {group.name!r}: greeting {greeting!r} is no message the server "
                    "sends to it (list it in a send operation tagged with the group)",
                )
            for direction, names in (("inbound", group.inbound()), ("outbound", group.outbound())):
                seen: dict[str, str] = {}
                for name in names:
                    tag = self.messages[name].struct.tag
                    if tag is not None and seen.setdefault(tag, name) != name:
                        self.doc.errors.add(
                            "/operations",
                            f"group {group.name!r} {direction}: messages {seen[tag]!r} and "
                            f"{name!r} share the tag {tag!r}",
                        )


def _const(schema: Any, field: str) -> str | None:
    """The string ``const`` of property ``field`` of an object schema, if it has one."""
    props = schema.get("properties") if isinstance(schema, Mapping) else None
    prop = props.get(field) if isinstance(props, Mapping) else None
    value = prop.get("const") if isinstance(prop, Mapping) else None
    return value if isinstance(value, str) else None


def _const_of(payload: Any, field: str) -> object:
    return payload.get(field) if isinstance(payload, Mapping) else None


def _mapping(doc: Document, node: Any, at: str) -> Mapping[str, Any]:
    if isinstance(node, Mapping):
        return node
    doc.errors.add(at, "expected a mapping")
    return {}
