"""Bad input, derived from the spec: frames a server must answer with an ``error``.

For every request of a connection type: one with a required field missing, one with
a field of the wrong JSON type, one with a value out of its schema's limits (length,
pattern, enum, range), one with an undocumented field (when the schema forbids
them). Then frames that are bad for any message: an unknown ``type``, no ``type``,
text that is not JSON, JSON that is not an object, a binary frame, and a frame just
over the size limit (which the server may instead close with 1009).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wsrouter_contract.check import schema_errors
from wsrouter_contract.generate import base_payload
from wsrouter_contract.spec import ConnectionType, Message, Operation, Spec
from wsrouter_contract.transcript import compact

MESSAGE_TOO_BIG = 1009
"""RFC 6455: a frame too large to process. The only close bad input may cause."""
OVERSIZE_MARGIN = 1024

_WRONG_VALUES: dict[str, Any] = {
    "string": 12345,
    "integer": "not a number",
    "number": "not a number",
    "boolean": "yes",
    "object": ["not", "an", "object"],
    "array": {"not": "an array"},
    "null": 0,
}


@dataclass(frozen=True)
class BadFrame:
    """One bad frame and what the server may do about it."""

    description: str
    payload: dict[str, Any] | None = None
    """A JSON object to send (with a fresh request id when ``correlate``)..."""
    raw: str | bytes | None = None
    """...or these exact bytes."""
    correlate: bool = True
    """Whether the frame carries a valid request id, which the error must echo."""
    close_codes: tuple[int, ...] = ()
    """Close codes allowed instead of an error (then the connection is over)."""


def _wrong_value(schema: Any) -> Any:
    kind = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(kind, list):
        return next((v for k, v in _WRONG_VALUES.items() if k not in kind), None)
    return _WRONG_VALUES.get(kind) if isinstance(kind, str) else None


def _out_of_range(schema: Any) -> list[tuple[str, Any]]:
    """Values of the right JSON type that break one of the schema's limits."""
    if not isinstance(schema, dict):
        return []
    values: list[tuple[str, Any]] = []
    if isinstance(schema.get("maxLength"), int):
        values.append((f"longer than {schema['maxLength']}", "x" * (schema["maxLength"] + 1)))
    if schema.get("minLength", 0) > 0:
        values.append(("empty", ""))
    if "pattern" in schema:
        values.append((f"not matching {schema['pattern']}", "not / matching"))
    if schema.get("enum"):
        values.append(("not one of its values", "x_contract_not_in_enum"))
    if isinstance(schema.get("maximum"), int | float):
        values.append((f"above {schema['maximum']}", schema["maximum"] + 1))
    if isinstance(schema.get("minimum"), int | float):
        values.append((f"below {schema['minimum']}", schema["minimum"] - 1))
    return values


def _limits_broken(message: Message, base: dict[str, Any]) -> list[BadFrame]:
    """The request with its first limited field out of range, once per limit.

    The request id comes last: out of range, the error cannot echo it.
    """
    properties: dict[str, Any] = message.schema.get("properties", {})
    names = [k for k in properties if k not in ("type", message.correlation_field)]
    if message.correlation_field in properties:
        names.append(message.correlation_field)
    for name in names:
        frames = [
            BadFrame(
                f"`{message.label}` with `{name}` {what}",
                {**base, name: value},
                correlate=name != message.correlation_field,
            )
            for what, value in _out_of_range(properties[name])
            if schema_errors(message, {**base, name: value}) is not None
        ]
        if frames:
            return frames
    return []


def per_request(operation: Operation) -> list[BadFrame]:
    """A missing field, a wrong type, a value out of range and an undocumented field."""
    message: Message = operation.messages[0]
    base = base_payload(message)
    if base is None:
        return []
    label = message.label
    schema = message.schema
    properties: dict[str, Any] = schema.get("properties", {})
    own = {"type", message.correlation_field}
    frames = []
    required = [f for f in schema.get("required", []) if f not in own]
    if required:
        name = required[0]
        payload = {k: v for k, v in base.items() if k != name}
        frames.append(BadFrame(f"`{label}` without its required `{name}`", payload))
    wrong = [(k, _wrong_value(v)) for k, v in properties.items() if k not in own]
    wrong = [(k, v) for k, v in wrong if v is not None]
    if wrong:
        name, value = wrong[0]
        frames.append(BadFrame(f"`{label}` with a wrong type for `{name}`", {**base, name: value}))
    elif message.correlation_field in properties:
        name = message.correlation_field
        description = f"`{label}` with a wrong type for `{name}`"
        frames.append(BadFrame(description, {**base, name: 7}, correlate=False))
    frames += _limits_broken(message, base)
    if schema.get("additionalProperties") is False:
        payload = {**base, "x_contract_undocumented": True}
        frames.append(BadFrame(f"`{label}` with an undocumented field", payload))
    return frames


def unknown_tag(spec: Spec) -> str:
    """A ``type`` that names no message of the spec."""
    tags = {
        m.tag
        for t in spec.connection_types.values()
        for op in (*t.requests, *t.pushes)
        for m in (*op.messages, *op.replies)
    }
    candidate = "x_contract_unknown"
    while candidate in tags:
        candidate += "_"
    return candidate


def bad_frames(
    spec: Spec, connection_type: ConnectionType, probe: Operation, *, max_frame_bytes: int
) -> list[BadFrame]:
    """Every bad frame for one connection type; the oversize one last (it may close)."""
    frames = [f for op in connection_type.requests for f in per_request(op)]
    probe_message = probe.messages[0]
    probe_payload = base_payload(probe_message) or {"type": probe_message.tag}
    frames += [
        BadFrame(f"an unknown `type` ({unknown_tag(spec)})", {"type": unknown_tag(spec)}),
        BadFrame("an object without `type`", {"x_contract": 1}),
        BadFrame("text that is not JSON", raw="{not json"),
        BadFrame("JSON that is not an object", raw="[1, 2]"),
        BadFrame("a binary frame", raw=compact(probe_payload).encode()),
    ]
    padding = "x" * (max_frame_bytes + OVERSIZE_MARGIN)
    frames.append(
        BadFrame(
            f"a frame over {max_frame_bytes:,} bytes",
            raw=compact({**probe_payload, "x_contract_padding": padding}),
            correlate=False,
            close_codes=(MESSAGE_TOO_BIG,),
        )
    )
    return frames
