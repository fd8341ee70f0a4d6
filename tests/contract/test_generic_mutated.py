"""Whatever an AsyncAPI document holds, the generic profile reads it or says why not.

Hypothesis mutates the AsyncAPI generator's Postman echo documents (a node replaced by
another value, or removed); reading the endpoints and their URLs must then succeed or
raise :class:`SpecError` or :class:`LookupError` (the command's exit 2), never another
exception (a traceback).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wsrouter_contract.endpoints import read
from wsrouter_contract.resolve import SpecError
from wsrouter_contract.urls import endpoint_url

DOCUMENTS = Path(__file__).parent / "documents"
ORIGINALS = [
    yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(DOCUMENTS.glob("*.yml"))
]

Path_ = tuple[str | int, ...]


def _paths(node: Any, path: Path_ = ()) -> list[Path_]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["", "x", "/{room}", "#/nope", "ws", "$message.header#/id"]),
    st.just([]),
    st.just({}),
    st.just({"$ref": "#/components/messages/echo"}),
    st.just({"$ref": "#/channels/echo"}),
    st.just({"$ref": "#/nope"}),
    st.just({"schemaFormat": "application/vnd.apache.avro", "schema": {}}),
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(ORIGINALS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)[1:]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent: Any = document
        for token in path[:-1]:
            parent = parent[token]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = copy.deepcopy(draw(VALUES))  # never one object twice
    return document


@settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_a_mutated_document_is_read_or_refused_with_its_problems(document: dict[str, Any]) -> None:
    refusal = ""
    try:
        found = read(document)
        for endpoint in found.endpoints.values():
            endpoint_url(endpoint, {}, "ws://127.0.0.1:9")
            endpoint_url(endpoint, {})
    except SpecError as exc:
        refusal = "\n".join(exc.problems) or "SpecError without problems"
    except LookupError as exc:
        refusal = str(exc)
        assert "needs a value" in refusal or "names no WebSocket server" in refusal
    assert "without problems" not in refusal
