"""Valid client messages: Hypothesis strategies from the payload schemas, and examples.

``sequences`` draws a few requests of one connection type in a row. A later
message may reuse a value an earlier one used for a field of the same name (the
``room`` of a ``join_room`` for the ``room`` of a ``broadcast_to_room``), so that
generated sequences reach the states that need an earlier step, without the
generator knowing anything about the protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from wsrouter_contract.check import schema_errors
from wsrouter_contract.spec import ConnectionType, Message, Operation
from wsrouter_contract.transcript import compact

Step = tuple[Operation, dict[str, Any]]
"""One request of a sequence: its operation and its payload (without a request id)."""

REUSE = (True, True, False)
"""How often a field reuses an earlier value of the same name (first: where shrinking goes)."""
# Room for the request id and for escaping differences between encoders.
FRAME_MARGIN = 256


def without_correlation(message: Message) -> dict[str, Any]:
    """The payload schema minus the request-id field, which the tester sets itself."""
    schema = dict(message.schema)
    name = message.correlation_field
    if name is not None:
        schema["properties"] = {k: v for k, v in schema.get("properties", {}).items() if k != name}
        schema["required"] = [r for r in schema.get("required", []) if r != name]
    return schema


def payloads(message: Message, max_frame_bytes: int) -> st.SearchStrategy[dict[str, Any]]:
    """Valid payloads of ``message`` that fit in one frame the server accepts."""
    limit = max_frame_bytes - FRAME_MARGIN

    def fits(payload: Any) -> bool:
        return isinstance(payload, dict) and len(compact(payload).encode()) <= limit

    # from_schema is typed as any JSON value; the payload schema makes it an object.
    objects = from_schema(without_correlation(message)).filter(fits)
    return cast("st.SearchStrategy[dict[str, Any]]", objects)


def sequences(
    operations: Sequence[Operation], *, max_length: int, max_frame_bytes: int
) -> st.SearchStrategy[list[Step]]:
    """Runs of 1 to ``max_length`` valid requests of the given operations."""
    strategies = {op.id: payloads(op.messages[0], max_frame_bytes) for op in operations}

    @st.composite
    def draw_sequence(draw: Callable[[st.SearchStrategy[Any]], Any]) -> list[Step]:
        steps: list[Step] = []
        seen: dict[str, list[Any]] = {}
        # Swarm testing: each run uses a random subset of the operations, so that runs
        # made of a few kinds of request (join, then leave) are common.
        enabled = draw(st.lists(st.sampled_from(list(operations)), min_size=1, unique_by=id))
        # An operation and its payload are drawn together, so that shrinking removes
        # a whole step at a time.
        step = st.sampled_from(enabled).flatmap(lambda o: st.tuples(st.just(o), strategies[o.id]))
        drafts = draw(st.lists(step, min_size=1, max_size=max_length))
        for op, draft in drafts:
            payload = draft
            for name in sorted(payload):
                earlier = seen.get(name)
                # Reuse is the likelier choice, and the one shrinking moves towards.
                if name == "type" or not earlier or not draw(st.sampled_from(REUSE)):
                    continue
                trial = {**payload, name: draw(st.sampled_from(earlier))}
                if schema_errors(op.messages[0], trial) is None:
                    payload = trial
            for name, value in payload.items():
                if value not in seen.setdefault(name, []):
                    seen[name].append(value)
            steps.append((op, payload))
        return steps

    return draw_sequence()


def minimal_instance(schema: Any) -> Any:
    """A small value meant to satisfy ``schema`` (checked by the caller)."""
    if not isinstance(schema, dict):
        return None
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if schema.get("examples"):
        return schema["examples"][0]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    if kind == "object":
        properties = schema.get("properties", {})
        return {k: minimal_instance(properties.get(k)) for k in schema.get("required", [])}
    simple: dict[str, Any] = {
        "string": "a" * max(1, int(schema.get("minLength", 1))),
        "integer": int(schema.get("minimum", 0)),
        "number": schema.get("minimum", 0),
        "boolean": False,
        "array": [],
    }
    return simple.get(str(kind))


def base_payload(message: Message) -> dict[str, Any] | None:
    """A valid payload (without request id): the first valid spec example, else a minimal one."""
    for candidate in (*message.examples, minimal_instance(message.schema)):
        if not isinstance(candidate, dict):
            continue
        payload = {k: v for k, v in candidate.items() if k != message.correlation_field}
        if schema_errors(message, payload) is None:
            return payload
    return None


def probe_candidates(connection_type: ConnectionType) -> list[Operation]:
    """Requests to confirm that a connection still serves, the most harmless first.

    A probe is sent with the request's spec example, so the best ones need no field
    but ``type``; then those whose success reply the server never pushes to others
    (a reply that is also pushed hints at a side effect: ``submit_session``).
    """
    pushed = {m.key for m in connection_type.unsolicited}

    def rank(indexed: tuple[int, Operation]) -> tuple[bool, bool, int]:
        index, op = indexed
        message = op.messages[0]
        own = {"type", message.correlation_field}
        needs_fields = any(f not in own for f in message.schema.get("required", []))
        side_effect = any(r.key in pushed for r in op.replies if not r.is_error)
        return needs_fields, side_effect, index

    usable = [
        (i, op)
        for i, op in enumerate(connection_type.requests)
        if op.replies and base_payload(op.messages[0]) is not None
    ]
    return [op for _, op in sorted(usable, key=rank)]
