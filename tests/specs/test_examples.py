"""Every example in the specs is valid: against its schema, and for the generated types."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from jsonschema import Draft7Validator

from wsrouter._generated import http_models, messages

ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI: dict[str, Any] = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
OPENAPI: dict[str, Any] = yaml.safe_load((ROOT / "openapi.yaml").read_text(encoding="utf-8"))

MESSAGE_EXAMPLES = [
    (key, example["payload"])
    for key, message in ASYNCAPI["components"]["messages"].items()
    for example in message.get("examples", [])
]


def _schema_validator(document: dict[str, Any], pointer: str) -> Draft7Validator:
    # Under draft 7 a $ref hides its siblings, so the document itself becomes a schema
    # that is exactly the one at `pointer`, with every #/... reference resolvable.
    return Draft7Validator({**document, "$ref": f"#{pointer}"})


def test_every_message_has_an_example() -> None:
    with_examples = {key for key, _ in MESSAGE_EXAMPLES}
    assert with_examples == set(ASYNCAPI["components"]["messages"])


@pytest.mark.parametrize(("key", "payload"), MESSAGE_EXAMPLES, ids=[k for k, _ in MESSAGE_EXAMPLES])
def test_message_example_matches_its_payload_schema(key: str, payload: Any) -> None:
    validator = _schema_validator(ASYNCAPI, f"/components/messages/{key}/payload")
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(payload)]
    assert not errors


@pytest.mark.parametrize(("key", "payload"), MESSAGE_EXAMPLES, ids=[k for k, _ in MESSAGE_EXAMPLES])
def test_message_example_decodes_into_its_generated_struct(key: str, payload: Any) -> None:
    struct = getattr(messages, key)
    decoded = msgspec.json.decode(msgspec.json.encode(payload), type=struct)
    assert msgspec.to_builtins(decoded) == payload


INBOUND_DECODERS = {
    name.removeprefix("decode_").removesuffix("_inbound"): getattr(messages, name)
    for name in dir(messages)
    if name.startswith("decode_") and name.endswith("_inbound")
}
EXAMPLES_BY_TAG = {payload["type"]: payload for _, payload in MESSAGE_EXAMPLES}


@pytest.mark.parametrize("connection_type", sorted(INBOUND_DECODERS))
def test_every_client_message_accepts_a_client_timestamp(
    connection_type: str,
) -> None:
    # The seed's message format puts a timestamp on every message, the client's too.
    tags = getattr(messages, f"{connection_type.upper()}_INBOUND_TAGS")
    decode = INBOUND_DECODERS[connection_type]
    assert tags
    for tag in tags:
        frame = {**EXAMPLES_BY_TAG[tag], "timestamp": "2025-07-10T10:30:00.000Z"}
        decoded = decode(msgspec.json.encode(frame))
        assert decoded.timestamp == frame["timestamp"]


def test_a_broken_example_would_be_caught() -> None:
    validator = _schema_validator(ASYNCAPI, "/components/messages/JoinRoom/payload")
    assert list(validator.iter_errors({"type": "join_room", "room": "bad room!"}))
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(b'{"type":"join_room","room":"bad room!"}', type=messages.JoinRoom)


def test_the_seed_stats_example_fits_the_stats_model() -> None:
    example = OPENAPI["components"]["schemas"]["WsStats"]["example"]
    stats = msgspec.convert(example, http_models.WsStats)
    assert msgspec.to_builtins(stats) == example


def test_the_seed_broadcast_example_fits_the_broadcast_model() -> None:
    body = OPENAPI["paths"]["/ws/broadcast"]["post"]["requestBody"]["content"]["application/json"]
    request = msgspec.convert(body["example"], http_models.BroadcastRequest)
    assert request.type == "system_announcement"
    assert request.priority == "high"


def _prose(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                yield value
            else:
                yield from _prose(value)
    elif isinstance(node, list):
        for item in node:
            yield from _prose(item)


@pytest.mark.parametrize("document", [ASYNCAPI, OPENAPI], ids=["asyncapi", "openapi"])
def test_the_specs_prose_says_what_things_hold_not_where_they_came_from(
    document: dict[str, Any],
) -> None:
    # /docs shows every description: "the seed's shape" tells a reader nothing.
    assert not [text for text in _prose(document) if "seed" in text.lower()]
