"""Spec shapes other projects' documents have: each generates code that imports and is
clean under ``mypy --strict``.

Every case is a small AsyncAPI document; they are generated into one folder, and one
mypy run checks them all (a run per case would cost seconds each).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
import yaml

from tests.codegen.helpers import ROOT
from wsrouter_codegen import Outputs, generate
from wsrouter_codegen.generate import write

Spec = dict[str, Any]


def _message(tag: str, **properties: Any) -> Spec:
    props = {"type": {"type": "string", "const": tag}, **properties}
    return {
        "payload": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type"],
            "properties": props,
        }
    }


def _spec(
    messages: Spec,
    operations: Spec,
    schemas: Spec | None = None,
    correlation: str = "request_id",
) -> Spec:
    """A one-channel document: its operations are the one group ``app`` (its address)."""
    for op in operations.values():
        op.setdefault("channel", {"$ref": "#/channels/socket"})
    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Shapes", "version": "1.0.0"},
        "channels": {
            "socket": {
                "address": "/app",
                "messages": {k: {"$ref": f"#/components/messages/{k}"} for k in messages},
            }
        },
        "operations": operations,
        "components": {
            "schemas": schemas or {},
            "messages": messages,
            "correlationIds": {"rid": {"location": f"$message.payload#/{correlation}"}},
        },
    }


def _refs(*names: str) -> list[Spec]:
    return [{"$ref": f"#/channels/socket/messages/{name}"} for name in names]


def _correlated(message: Spec, field: str = "request_id", kind: str = "string") -> Spec:
    message["correlationId"] = {"$ref": "#/components/correlationIds/rid"}
    message["payload"]["properties"][field] = {"type": kind}
    return message


# A server that only pushes: its clients send nothing, so the inbound union is empty.
PUSH_ONLY = _spec(
    {"tick": _message("tick", n={"type": "integer"})},
    {"onTick": {"action": "send", "messages": _refs("tick")}},
)

# Channel parameters and a server with a variable: arguments of the client's url/connect.
ADDRESSED = _spec(
    {"tick": _message("tick", n={"type": "integer"})},
    {"onTick": {"action": "send", "messages": _refs("tick")}},
)
ADDRESSED["servers"] = {
    "mqtt": {"host": "broker.example", "protocol": "mqtt"},
    "edge": {
        "host": "{region}.example.com",
        "pathname": "/stream/",
        "protocol": "wss",
        "variables": {"region": {"default": "eu", "enum": ["eu", "us"]}},
    },
}
ADDRESSED["channels"]["socket"]["address"] = "/rooms/{room}/{lang}"
ADDRESSED["channels"]["socket"]["parameters"] = {
    "room": {"description": "Any room."},
    "lang": {"enum": ["en", "fr"], "default": "en"},
}

# An array alias of an object schema: the class must exist before the alias is made.
ARRAY_OF_OBJECTS = _spec(
    {"batch": _message("batch", items={"$ref": "#/components/schemas/Events"})},
    {"onBatch": {"action": "send", "messages": _refs("batch")}},
    schemas={
        "Events": {"type": "array", "items": {"$ref": "#/components/schemas/EventsItem"}},
        "EventsItem": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "integer"}},
        },
    },
)

# Integer request ids (Kraken's `reqid`), and no `x-error` message at all.
INTEGER_IDS = _spec(
    {
        "ping": _correlated(_message("ping"), "reqid", "integer"),
        "pong": _correlated(_message("pong"), "reqid", "integer"),
    },
    {
        "ping": {
            "action": "receive",
            "messages": _refs("ping"),
            "reply": {"channel": {"$ref": "#/channels/socket"}, "messages": _refs("pong")},
        }
    },
    correlation="reqid",
)

# A receive operation with neither a reply nor a correlation id.
FIRE_AND_FORGET = _spec(
    {"note": _message("note", text={"type": "string"})},
    {"note": {"action": "receive", "messages": _refs("note")}},
)

# A message whose class name is the one of the generated base class.
NAMED_MESSAGE = _spec(
    {"message": _message("message", text={"type": "string"})},
    {
        "say": {"action": "receive", "messages": _refs("message")},
        "hear": {"action": "send", "messages": _refs("message")},
    },
)

# No groups declared in `info.tags`: operation tags are labels, and each channel a group.
CHANNEL_GROUPS: Spec = {
    "asyncapi": "3.0.0",
    "info": {"title": "Channels", "version": "1.0.0"},
    "channels": {
        "/v1/prices/{symbol}": {
            "address": "/v1/prices/{symbol}",
            "messages": {"price": {"$ref": "#/components/messages/price"}},
        },
        "chat": {"address": "/chat", "messages": {"say": {"$ref": "#/components/messages/say"}}},
    },
    "operations": {
        "prices": {
            "action": "send",
            "channel": {"$ref": "#/channels/~1v1~1prices~1{symbol}"},
            "tags": [{"name": "public"}],
            "messages": [{"$ref": "#/channels/~1v1~1prices~1{symbol}/messages/price"}],
        },
        "say": {
            "action": "receive",
            "channel": {"$ref": "#/channels/chat"},
            "messages": [{"$ref": "#/channels/chat/messages/say"}],
        },
    },
    "components": {
        "messages": {
            "price": _message("price", value={"type": "number"}),
            "say": _message("say", text={"type": "string"}),
        }
    },
}

# JSON Schema as other documents write it: inline objects at any depth, allOf, oneOf
# (tagged and scalar), nullable forms, enums of numbers, typed maps, recursion.
SCHEMAS = _spec(
    {
        "order": _message(
            "order",
            customer={
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "address": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            },
            lines={
                "type": "array",
                "items": {"type": "object", "properties": {"sku": {"type": "string"}}},
            },
            price={"type": "number", "multipleOf": 0.01},
            size={"enum": [1, 2.5, None]},
            note={"type": "string", "nullable": True},
            id={"oneOf": [{"type": "string"}, {"type": "integer"}]},
            tags={"type": "object", "additionalProperties": {"type": "integer"}},
            event={"$ref": "#/components/schemas/Event"},
            tree={"$ref": "#/components/schemas/Node"},
            either={
                "oneOf": [
                    {"type": "object", "properties": {"a": {"type": "string"}}},
                    {"type": "object", "properties": {"b": {"type": "string"}}},
                ]
            },
        )
    },
    {"onOrder": {"action": "send", "messages": _refs("order")}},
    schemas={
        "Event": {
            "oneOf": [
                {"$ref": "#/components/schemas/Created"},
                {"$ref": "#/components/schemas/Deleted"},
                {"type": "null"},
            ]
        },
        "Base": {"type": "object", "required": ["at"], "properties": {"at": {"type": "integer"}}},
        "Created": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {"required": ["kind"], "properties": {"kind": {"const": "created"}}},
            ]
        },
        "Deleted": {
            "allOf": [
                {"$ref": "#/components/schemas/Base"},
                {
                    "required": ["kind", "why"],
                    "properties": {"kind": {"const": "deleted"}, "why": {"type": "string"}},
                },
            ]
        },
        "Node": {
            "type": "object",
            "properties": {
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
            },
        },
    },
)

# A client's document (as the AsyncAPI generator's WebSocket fixtures are): `send` is what
# the client sends, its reply what the server answers. Operation traits, a JSON Schema
# `schemaFormat`, and a union payload: one message per member.
CLIENT_SIDE = _spec(
    {
        "echo": _correlated(_message("echo", text={"type": "string"})),
        "echoed": _correlated(_message("echoed", text={"type": "string"})),
        "news": {
            "payload": {
                "schemaFormat": "application/schema+json;version=draft-07",
                "schema": {
                    "oneOf": [
                        {
                            "type": "object",
                            "required": ["type"],
                            "properties": {"type": {"const": "hello"}},
                        },
                        {
                            "type": "object",
                            "required": ["type", "text"],
                            "properties": {"type": {"const": "bye"}, "text": {"type": "string"}},
                        },
                    ]
                },
            }
        },
    },
    {
        "echo": {
            "action": "send",
            "traits": [{"$ref": "#/components/operationTraits/onSocket"}],
            "messages": _refs("echo"),
            "reply": {"channel": {"$ref": "#/channels/socket"}, "messages": _refs("echoed")},
        },
        "news": {"action": "receive", "messages": _refs("news")},
    },
)
CLIENT_SIDE["components"]["operationTraits"] = {"onSocket": {"summary": "Echo a text."}}

CASES: dict[str, Spec] = {
    "client_side": CLIENT_SIDE,
    "schemas": SCHEMAS,
    "channel_groups": CHANNEL_GROUPS,
    "push_only": PUSH_ONLY,
    "addressed": ADDRESSED,
    "array_of_objects": ARRAY_OF_OBJECTS,
    "integer_ids": INTEGER_IDS,
    "fire_and_forget": FIRE_AND_FORGET,
    "named_message": NAMED_MESSAGE,
}

OPENAPI = {"openapi": "3.1.0", "info": {"title": "None", "version": "1"}, "paths": {}}


class Generation:
    """The generated packages (one per case), and what generating and mypy said."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.failures: dict[str, str] = {}
        self.mypy_output = ""

    def problems(self, case: str) -> list[str]:
        """The generation failure, or the mypy errors in the case's package."""
        if case in self.failures:
            return [self.failures[case]]
        return [line for line in self.mypy_output.splitlines() if line.startswith(f"{case}/")]

    def module(self, case: str, name: str) -> ModuleType:
        """Import a generated module of ``case`` (``server.messages``, ``client.ws_client``)."""
        assert case not in self.failures, self.failures[case]
        return importlib.import_module(f"{case}.{name.replace('.', '._generated.')}")


@pytest.fixture(scope="module")
def generation(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generation]:
    root = tmp_path_factory.mktemp("shapes")
    result = Generation(root)
    (root / "openapi.yaml").write_text(yaml.safe_dump(OPENAPI))
    for case, spec in CASES.items():
        (root / f"{case}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
        outputs = Outputs(Path(case, "server", "_generated"), Path(case, "client", "_generated"))
        try:
            files = generate(
                root / f"{case}.yaml",
                root / "openapi.yaml",
                outputs,
                ruff_config=ROOT / "pyproject.toml",
            )
        except Exception as exc:
            result.failures[case] = f"{type(exc).__name__}: {exc}"
            continue
        write(root, files)
        for package in (Path(case), Path(case, "server"), Path(case, "client")):
            (root / package / "__init__.py").touch()
    packages = [case for case in CASES if case not in result.failures]
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    mypy.append("--explicit-package-bases")
    done = subprocess.run(  # noqa: S603 - our interpreter, our files
        [*mypy, *packages], cwd=root, capture_output=True, text=True, check=False
    )
    result.mypy_output = done.stdout + done.stderr
    sys.path.insert(0, str(root))
    try:
        yield result
    finally:
        sys.path.remove(str(root))


@pytest.mark.parametrize("case", list(CASES))
def test_the_generated_packages_are_clean_under_mypy_strict(
    generation: Generation, case: str
) -> None:
    assert generation.problems(case) == []


@pytest.mark.parametrize("case", list(CASES))
def test_the_generated_packages_import(generation: Generation, case: str) -> None:
    for name in ("server.messages", "server.handlers", "client.ws_client", "client.ws_client_sync"):
        generation.module(case, name)


def test_a_push_only_server_gets_a_client_with_only_a_typed_stream(
    generation: Generation,
) -> None:
    messages = generation.module("push_only", "client.messages")
    client = generation.module("push_only", "client.ws_client").AppClient
    assert client.decode(b'{"type":"tick","n":3}') == messages.Tick(n=3)
    assert [name for name in vars(client) if not name.startswith("_")] == [
        "group",
        "decode",
        "messages",
        "url",
        "connect",
    ]


def test_channel_parameters_and_the_server_are_arguments_with_defaults(
    generation: Generation,
) -> None:
    client = generation.module("addressed", "client.ws_client_sync").SyncRoomsRoomLangClient
    # The first WebSocket server (not the mqtt one), its variable at its default.
    assert client.url(room="a b") == "wss://eu.example.com/stream/rooms/a%20b/en"
    there = client.url(room="r", lang="fr", server="ws://127.0.0.1:9")
    assert there == "ws://127.0.0.1:9/rooms/r/fr"
    with pytest.raises(TypeError, match="room"):  # no default: required
        client.url()
    opened: list[str] = []

    def opener(url: str) -> object:
        opened.append(url)
        return object()

    connected = client.connect(opener, room="r")
    assert isinstance(connected, client)
    assert opened == ["wss://eu.example.com/stream/rooms/r/en"]


def test_an_array_of_objects_decodes(generation: Generation) -> None:
    messages = generation.module("array_of_objects", "server.messages")
    decoded = messages.decode_app_outbound(b'{"type":"batch","items":[{"id":1}]}')
    assert decoded.items == [messages.EventsItem(id=1)]


def test_integer_request_ids_are_typed_int_on_the_client(generation: Generation) -> None:
    ws_client = generation.module("integer_ids", "client.ws_client")
    transport = ws_client.Transport
    assert transport.next_request_id.__annotations__["return"] == "int"
    assert ws_client.AppClient.ping.__annotations__["return"] == "Pong"


@pytest.mark.anyio
async def test_a_handler_without_errors_copies_the_integer_id(generation: Generation) -> None:
    messages = generation.module("integer_ids", "server.messages")
    handlers = generation.module("integer_ids", "server.handlers")

    class Handler(handlers.AppHandler):  # type: ignore[name-defined,misc]
        async def on_ping(self, message: Any) -> Any:
            return messages.Pong()

    reply = await Handler().dispatch(messages.Ping(reqid=7))
    assert reply == messages.Pong(reqid=7)


@pytest.mark.anyio
async def test_a_fire_and_forget_message_dispatches_to_none(generation: Generation) -> None:
    messages = generation.module("fire_and_forget", "server.messages")
    handlers = generation.module("fire_and_forget", "server.handlers")
    seen: list[object] = []

    class Handler(handlers.AppHandler):  # type: ignore[name-defined,misc]
        async def on_note(self, message: Any) -> None:
            seen.append(message)

    assert await Handler().dispatch(messages.Note(text="hi")) is None
    assert seen == [messages.Note(text="hi")]


def test_a_message_named_message_keeps_the_base_class(generation: Generation) -> None:
    messages = generation.module("named_message", "server.messages")
    decoded = messages.decode_app_inbound(b'{"type":"message","text":"hi"}')
    assert msgspec.json.encode(decoded) == b'{"type":"message","text":"hi"}'
    # The generated module's own names win; the message's class takes a trailing `_`.
    assert type(decoded) is messages.Message_
    assert issubclass(messages.Message_, messages.Message)


def test_without_declared_groups_each_channel_is_a_group(generation: Generation) -> None:
    ws_client = generation.module("channel_groups", "client.ws_client")
    messages = generation.module("channel_groups", "client.messages")
    assert ws_client.V1PricesSymbolClient.decode(b'{"type":"price","value":1.5}') == (
        messages.Price(value=1.5)
    )
    assert ws_client.ChatClient.group == "chat"
    assert hasattr(ws_client.ChatClient, "say")


def test_json_schema_forms_decode_and_reject(generation: Generation) -> None:
    m = generation.module("schemas", "client.messages")
    order = m.decode_app_outbound(
        b'{"type":"order","customer":{"name":"ann","address":{"city":"Oslo"}},'
        b'"lines":[{"sku":"a1"}],"price":1.25,"size":2.5,"note":null,"id":7,'
        b'"tags":{"x":1},"event":{"kind":"deleted","at":3,"why":"gone"},'
        b'"tree":{"children":[{"children":[]}]}}'
    )
    assert order.customer == m.OrderCustomer(
        name="ann", address=m.OrderCustomerAddress(city="Oslo")
    )
    assert order.lines == [m.OrderLinesItem(sku="a1")]
    assert order.event == m.Deleted(at=3, why="gone")
    assert order.tree == m.Node(children=[m.Node(children=[])])
    assert order.note is None
    for bad in (
        b'{"type":"order","customer":{}}',  # a required field of an inline object
        b'{"type":"order","tags":{"x":"one"}}',  # a typed map
        b'{"type":"order","event":{"kind":"moved","at":1}}',  # no such member of the union
        b'{"type":"order","id":1.5}',  # neither member of a scalar union
    ):
        with pytest.raises(msgspec.ValidationError):
            m.decode_app_outbound(bad)


def test_what_msgspec_cannot_check_is_listed_in_the_module_docstring(
    generation: Generation,
) -> None:
    doc = generation.module("schemas", "server.messages").__doc__ or ""
    assert "Not checked by the decoders" in doc
    assert "/components/messages/order/payload/properties/price/multipleOf" in doc
    # Objects with no tag to tell them apart: decoded as any object, and said so.
    assert "/components/messages/order/payload/properties/either/oneOf" in doc


def test_a_client_side_document_generates_the_same_client(generation: Generation) -> None:
    messages = generation.module("client_side", "client.messages")
    ws_client = generation.module("client_side", "client.ws_client")
    assert ws_client.AppClient.echo.__annotations__["return"] == "Echoed"
    assert ws_client.AppClient.echo.__doc__.startswith("Echo a text.")  # from the trait
    assert ws_client.AppClient.decode(b'{"type":"bye","text":"x"}') == messages.NewsBye(text="x")
    assert "read as the client's document" in " ".join((messages.__doc__ or "").split())
