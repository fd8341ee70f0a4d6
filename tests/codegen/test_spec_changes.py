"""Edits to asyncapi.yaml show up in the generated server and client code."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from tests.codegen.helpers import ROOT, generate_into


def _spec() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _openapi() -> str:
    return (ROOT / "openapi.yaml").read_text(encoding="utf-8")


def test_a_new_optional_field_reaches_the_struct_and_the_client_methods(tmp_path: Path) -> None:
    spec = _spec()
    props = spec["components"]["messages"]["JoinRoom"]["payload"]["properties"]
    props["note"] = {"type": "string", "maxLength": 10}
    gen = generate_into(tmp_path, yaml.safe_dump(spec, sort_keys=False), _openapi())

    assert "note" in gen.messages.JoinRoom.__struct_fields__
    assert gen.messages.JoinRoom(room="r").note is msgspec.UNSET
    for client in (gen.ws_client.GeneralClient, gen.ws_client.ChatClient):
        parameter = inspect.signature(client.join_room).parameters["note"]
        assert parameter.default is msgspec.UNSET
    joined = gen.messages.decode_general_inbound(b'{"type":"join_room","room":"r","note":"hi"}')
    assert joined.note == "hi"
    too_long = b'{"type":"join_room","room":"r","note":"' + b"x" * 11 + b'"}'
    with pytest.raises(msgspec.ValidationError, match=r"\$\.note"):
        gen.messages.decode_general_inbound(too_long)


def test_a_removed_message_loses_its_struct_handler_method_and_client_method(
    tmp_path: Path,
) -> None:
    spec = _spec()
    del spec["components"]["messages"]["Typing"]
    del spec["channels"]["ws"]["messages"]["typing"]
    del spec["operations"]["typing"]
    gen = generate_into(tmp_path, yaml.safe_dump(spec, sort_keys=False), _openapi())

    assert not hasattr(gen.messages, "Typing")
    assert "typing" not in gen.messages.CHAT_INBOUND_TAGS
    assert not hasattr(gen.handlers.ChatHandler, "on_typing")
    assert not hasattr(gen.ws_client.ChatClient, "typing")
    # the rest of the group is untouched
    assert hasattr(gen.handlers.ChatHandler, "on_send_message")
    assert hasattr(gen.ws_client.ChatClient, "send_message")
