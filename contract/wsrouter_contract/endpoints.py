"""Reading any AsyncAPI 3 document into the WebSocket endpoints it describes.

This is the generic reading, for documents that are not wsrouter's: no connection
types, no ``type`` tag, no error messages are assumed. A document describes one
application, from either side: a server's document says ``receive`` for what clients
send, a client's document (the AsyncAPI generator's WebSocket fixtures) says ``send``.
The side is asked for, or read from the requests: the side that sends a request with a
``reply`` is the client. Channels at one address are one endpoint (one connection).
Only WebSocket servers (``ws``, ``wss``, or none said) are endpoints; problems are
collected and raised together as one :class:`SpecError`.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError

from wsrouter_contract.resolve import JsonObject, Resolver, SpecError

JSON_SCHEMA_FORMATS = re.compile(
    r"^application/(schema(\+json|\+yaml)?|vnd\.aai\.asyncapi(\+json|\+yaml)?)(;.*)?$"
)
WEBSOCKET = ("ws", "wss")


@dataclass(frozen=True)
class AnyMessage:
    """A message of any document: its payload schema (no ``$ref`` left), id, examples."""

    key: str
    """The message's component or channel key (``echo``)."""
    name: str
    """The message's ``name``, else its key: how reports name it."""
    schema: Any
    """The payload's JSON Schema; ``{}`` (anything) when the message has no payload."""
    correlation: tuple[str, ...] | None = None
    """The path of the payload field that carries the correlation id, if any."""
    examples: tuple[Any, ...] = ()
    """The payloads of the message's ``examples``, as the document gives them."""
    unsupported: str = ""
    """Why the payload cannot be checked (a ``schemaFormat`` that is not JSON Schema)."""


@dataclass(frozen=True)
class Request:
    """An operation of the client's: what it sends, and what may answer it."""

    id: str
    messages: tuple[AnyMessage, ...]
    replies: tuple[AnyMessage, ...] = ()
    """Empty: the server need not answer (fire and forget)."""


@dataclass(frozen=True)
class Server:
    """A WebSocket server of the document."""

    name: str
    url: str
    """``protocol://host/pathname``, with ``{variables}`` still in it."""
    variables: JsonObject


@dataclass(frozen=True)
class Endpoint:
    """One WebSocket connection: the channels at one address."""

    name: str
    """The first channel's key: ``--channel`` names endpoints so."""
    address: str
    parameters: JsonObject
    """Channel parameter -> its definition (``default``, ``enum``, ``examples``)."""
    servers: tuple[Server, ...]
    requests: tuple[Request, ...]
    pushes: tuple[AnyMessage, ...]
    """Messages the server sends without being asked."""

    @property
    def outbound(self) -> tuple[AnyMessage, ...]:
        """Every message the server may send on this connection, each once."""
        seen: dict[str, AnyMessage] = {}
        for message in (*self.pushes, *(m for r in self.requests for m in r.replies)):
            seen.setdefault(message.key, message)
        return tuple(seen.values())


@dataclass(frozen=True)
class Document:
    """The WebSocket endpoints of a document, and the side it was read from."""

    title: str
    version: str
    perspective: str
    """``client`` or ``server``, and why (``client (its requests with a reply are ...)``)."""
    endpoints: dict[str, Endpoint]


def is_wsrouter(document: Any) -> bool:
    """Whether a document declares wsrouter connection types (``x-connection-type`` tags)."""
    info = document.get("info") if isinstance(document, Mapping) else None
    tags = info.get("tags") if isinstance(info, Mapping) else None
    return any(isinstance(t, Mapping) and "x-connection-type" in t for t in tags or [])


def read(document: Any, perspective: str = "auto", base: Path | None = None) -> Document:
    """The endpoints of a parsed AsyncAPI 3 document; raise :class:`SpecError`.

    ``base``: the folder of the document's file, where ``$ref``s to other files
    (``../common/messages.yaml#/likeComment``) are read from; None: none are allowed.
    """
    if not isinstance(document, Mapping) or not str(document.get("asyncapi", "")).startswith("3."):
        raise SpecError(["/asyncapi: not an AsyncAPI 3 document"])
    document = copy.deepcopy(dict(document))
    if base is not None:
        problems: list[str] = []
        files: JsonObject = {}
        _mount(document, base.resolve(), "", files, problems, base.resolve())
        if problems:
            raise SpecError(problems)
        if files:
            document[FILES] = files
    return _Reader(document, perspective).read()


FILES = "x-contract-files"
"""Where the files a document refers to are mounted in it, each under its path."""


def _mount(
    node: Any, base: Path, prefix: str, files: JsonObject, problems: list[str], root: Path
) -> None:
    """Point the ``$ref``s under ``node`` (of the file mounted at ``prefix``) into one tree.

    Each file is mounted under its path relative to the document's folder (``root``).
    """
    if isinstance(node, list):
        for item in node:
            _mount(item, base, prefix, files, problems, root)
        return
    if not isinstance(node, dict):
        return
    ref = node.get("$ref")
    if isinstance(ref, str):
        file, _, fragment = ref.partition("#")
        if not file:
            node["$ref"] = "#" + prefix + fragment
        elif "://" in file:
            problems.append(f"{ref}: URLs are not fetched")
        else:
            target = (base / file).resolve()
            key = os.path.relpath(target, root).replace(os.sep, "/")
            at = f"/{FILES}/" + key.replace("~", "~0").replace("/", "~1")
            if key not in files:
                files[key] = None  # being read: a cycle of files ends here
                try:
                    files[key] = yaml.safe_load(target.read_text(encoding="utf-8"))
                except (OSError, yaml.YAMLError) as exc:
                    problems.append(f"{ref}: cannot read {file}: {exc}")
                _mount(files[key], target.parent, at, files, problems, root)
            node["$ref"] = f"#{at}{fragment}"
    for name, value in node.items():
        if name != "$ref":
            _mount(value, base, prefix, files, problems, root)


def _words(pointer: str) -> str:
    return pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")


class _Reader:
    def __init__(self, document: JsonObject, perspective: str) -> None:
        self.document = document
        self.resolver = Resolver(document)
        self.wanted = perspective
        self.problems: list[str] = []
        self.messages: dict[str, AnyMessage] = {}

    def read(self) -> Document:
        info = self._dict(self.document.get("info"), "/info")
        servers = self._servers()
        operations = {
            str(op_id): self._follow(raw, f"#/operations/{op_id}")
            for op_id, raw in self._dict(self.document.get("operations"), "/operations").items()
        }
        perspective = self._perspective(operations)
        client_sends = "send" if perspective.startswith("client") else "receive"
        by_address: dict[str, Endpoint] = {}  # channels at one address: one connection
        for key, channel in self._dict(self.document.get("channels"), "/channels").items():
            endpoint = self._endpoint(str(key), channel, servers)
            if endpoint is not None:
                by_address.setdefault(endpoint.address, endpoint)
        requests: dict[str, list[Request]] = {a: [] for a in by_address}
        pushes: dict[str, list[AnyMessage]] = {a: [] for a in by_address}
        for op_id, op in operations.items():
            address = self._operation_address(op, f"#/operations/{op_id}")
            if address not in by_address:
                continue
            messages = self._operation_messages(op, f"#/operations/{op_id}")
            if op.get("action") == client_sends:
                replies = self._replies(op, f"#/operations/{op_id}/reply")
                requests[address].append(Request(op_id, messages, replies))
            elif op.get("action") in ("send", "receive"):
                pushes[address].extend(messages)
            else:
                self.problems.append(f"#/operations/{op_id}/action: must be `send` or `receive`")
        if not by_address and not self.problems:
            self.problems.append(
                "/servers: no WebSocket server (protocol ws or wss) serves any channel"
            )
        if self.problems:
            raise SpecError(self.problems)
        found = {
            e.name: Endpoint(
                e.name,
                e.address,
                e.parameters,
                e.servers,
                tuple(requests[e.address]),
                tuple(pushes[e.address]),
            )
            for e in by_address.values()
        }
        return Document(
            str(info.get("title", "")), str(info.get("version", "")), perspective, found
        )

    # ---------------------------------------------------------------- references

    def _follow(self, node: Any, pointer: str) -> JsonObject:
        try:
            _, found = self.resolver.follow(node, pointer)
        except SpecError as exc:
            self.problems.extend(exc.problems)
            return {}
        return found if isinstance(found, dict) else {}

    def _dict(self, node: Any, pointer: str) -> JsonObject:
        """``node`` if it is a mapping; else ``{}``, and a problem unless it is absent."""
        if isinstance(node, dict):
            return node
        if node is not None:
            self.problems.append(f"{pointer}: expected a mapping")
        return {}

    def _list(self, node: Any, pointer: str) -> list[Any]:
        """``node`` if it is a list; else ``[]``, and a problem unless it is absent."""
        if isinstance(node, list):
            return node
        if node is not None:
            self.problems.append(f"{pointer}: expected a list")
        return []

    def _pointer(self, node: Any) -> str | None:
        ref = node.get("$ref") if isinstance(node, Mapping) else None
        return ref if isinstance(ref, str) else None

    # ---------------------------------------------------------------- side

    def _perspective(self, operations: Mapping[str, JsonObject]) -> str:
        if self.wanted != "auto":
            return f"{self.wanted} (as asked)"
        actions = {str(op.get("action")) for op in operations.values() if "reply" in op}
        if actions == {"send"}:
            return "client (its requests with a reply are `send` operations)"
        if actions == {"receive"}:
            return "server (its requests with a reply are `receive` operations)"
        return "server (the default: no request with a reply tells the side apart)"

    # ---------------------------------------------------------------- servers, channels

    def _servers(self) -> dict[str, Server]:
        servers = {}
        for name, raw in self._dict(self.document.get("servers"), "/servers").items():
            server = self._follow(raw, f"#/servers/{name}")
            protocol = str(server.get("protocol", "")).lower()
            if protocol not in WEBSOCKET:
                continue
            pathname = str(server.get("pathname", "")).rstrip("/")
            url = f"{protocol}://{server.get('host', '')}{pathname}"
            declared = self._dict(server.get("variables"), f"#/servers/{name}/variables")
            variables = {
                str(k): self._follow(v, f"#/servers/{name}/variables/{k}")
                for k, v in declared.items()
            }
            servers[str(name)] = Server(str(name), url, variables)
        return servers

    def _endpoint(self, key: str, raw: Any, servers: dict[str, Server]) -> Endpoint | None:
        pointer = f"#/channels/{key}"
        channel = self._follow(raw, pointer)
        declared = self._dict(self.document.get("servers"), "/servers")
        refs = [self._pointer(s) for s in self._list(channel.get("servers"), f"{pointer}/servers")]
        names = [_words(r) for r in refs if r] if refs else list(declared)
        usable = tuple(servers[n] for n in names if n in servers)
        if declared and not usable:
            return None  # served only by other protocols (mqtt, kafka...)
        address = channel.get("address")
        parameters = {
            str(k): self._follow(v, f"{pointer}/parameters/{k}")
            for k, v in self._dict(channel.get("parameters"), f"{pointer}/parameters").items()
        }
        where = address if isinstance(address, str) else "/"
        return Endpoint(key, where, parameters, usable, (), ())

    def _channel_of(self, op: JsonObject, pointer: str) -> tuple[str, JsonObject]:
        ref = self._pointer(op.get("channel"))
        if ref is None or not ref.startswith("#/channels/"):
            self.problems.append(f"{pointer}/channel: expected a $ref to a channel")
            return "", {}
        return ref, self._follow(op["channel"], f"{pointer}/channel")

    def _operation_address(self, op: JsonObject, pointer: str) -> str:
        _, channel = self._channel_of(op, pointer)
        address = channel.get("address")
        return address if isinstance(address, str) else "/"

    def _operation_messages(self, op: JsonObject, pointer: str) -> tuple[AnyMessage, ...]:
        if "messages" in op:
            refs = self._list(op.get("messages"), f"{pointer}/messages")
            return self._message_list(refs, f"{pointer}/messages")
        # AsyncAPI 3: an operation without `messages` has all of its channel's.
        ref, channel = self._channel_of(op, pointer)
        keys = self._dict(channel.get("messages"), f"{ref}/messages")
        refs = [{"$ref": f"{ref}/messages/{k}"} for k in keys]
        return self._message_list(refs, f"{pointer}/channel")

    def _replies(self, op: JsonObject, pointer: str) -> tuple[AnyMessage, ...]:
        if "reply" not in op:
            return ()
        reply = self._follow(op["reply"], pointer)
        if "messages" in reply:
            refs = self._list(reply.get("messages"), f"{pointer}/messages")
            return self._message_list(refs, f"{pointer}/messages")
        # A reply without messages has its channel's: the reply's, else the operation's.
        source = reply if "channel" in reply else op
        return self._operation_messages({"channel": source.get("channel")}, pointer)

    # ---------------------------------------------------------------- messages

    def _message_list(self, refs: list[Any], pointer: str) -> tuple[AnyMessage, ...]:
        found = []
        for i, ref in enumerate(refs):
            try:
                key, node = self.resolver.follow(ref, f"{pointer}/{i}")
            except SpecError as exc:
                self.problems.extend(exc.problems)
                continue
            message = self.messages.get(key) or self._message(key, node)
            self.messages[key] = message
            found.append(message)
        return tuple(found)

    def _message(self, pointer: str, node: Any) -> AnyMessage:
        merged: JsonObject = {}
        node = self._dict(node, pointer)
        for i, trait in enumerate(self._list(node.get("traits"), f"{pointer}/traits")):
            merged.update(self._follow(trait, f"{pointer}/traits/{i}"))  # the message wins
        merged.update({k: v for k, v in node.items() if k != "traits"})
        key = _words(pointer)
        name = str(merged.get("name") or key)
        payload = merged.get("payload", {})
        schema_format = ""
        if isinstance(payload, Mapping) and "schemaFormat" in payload and "schema" in payload:
            schema_format, payload = str(payload["schemaFormat"]), payload["schema"]
        schema_format = str(merged.get("schemaFormat", schema_format))
        if schema_format and not JSON_SCHEMA_FORMATS.match(schema_format):
            return AnyMessage(key, name, {}, unsupported=f"schemaFormat {schema_format}")
        try:
            schema = self.resolver.inline(payload, f"{pointer}/payload")
            Draft7Validator.check_schema(schema)
        except SpecError as exc:
            self.problems.extend(exc.problems)
            schema = {}
        except SchemaError as exc:
            self.problems.append(f"{pointer}/payload: not a JSON Schema: {exc.message}")
            schema = {}
        examples = tuple(
            e["payload"]
            for e in self._list(merged.get("examples"), f"{pointer}/examples")
            if isinstance(e, Mapping) and "payload" in e
        )
        return AnyMessage(key, name, schema, self._correlation(merged, pointer), examples)

    def _correlation(self, message: JsonObject, pointer: str) -> tuple[str, ...] | None:
        if "correlationId" not in message:
            return None
        correlation = self._follow(message["correlationId"], f"{pointer}/correlationId")
        location = str(correlation.get("location", ""))
        prefix = "$message.payload#/"
        if not location.startswith(prefix) or location == prefix:
            # A header (`$message.header#/...`): WebSocket frames have none.
            self.problems.append(
                f"{pointer}/correlationId: only a payload field ({prefix}...) can be"
                f" matched on a WebSocket, not {location!r}"
            )
            return None
        parts = location.removeprefix(prefix).split("/")
        return tuple(p.replace("~1", "/").replace("~0", "~") for p in parts)
