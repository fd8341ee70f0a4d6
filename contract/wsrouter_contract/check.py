"""Checking every frame a server sends against the messages the spec allows.

A :class:`FrameChecker` belongs to one connection. It knows which requests are
outstanding, so a frame carrying a request id is held to the replies of that
request's operation, and a frame without one to the messages the server may send
on its own. Anything else is a :class:`Violation`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from wsrouter_contract.spec import ConnectionType, Message, Operation, Spec
from wsrouter_contract.transcript import Event


class Violation(Exception):
    """The server broke the contract; ``kind`` names how, for grouping and shrinking."""

    def __init__(self, kind: str, summary: str, frame: str | bytes | None = None) -> None:
        super().__init__(f"{kind}: {summary}")
        self.kind = kind
        self.summary = summary
        self.frame = frame
        self.transcript: list[Event] = []
        """The frames of the run that found it, the offending one last."""
        self.context = ""
        """Where it was found: the phase, the scenario, the bad-input case."""


@cache
def _validator(schema_json: str) -> Draft7Validator:
    return Draft7Validator(json.loads(schema_json))


def schema_errors(message: Message, payload: Any) -> ValidationError | None:
    """The most relevant reason ``payload`` is not a valid ``message``, or None."""
    validator = _validator(json.dumps(message.schema, sort_keys=True))
    error: ValidationError | None = best_match(validator.iter_errors(payload))
    return error


def _json_type(value: Any) -> str:
    for name, kind in (("null", type(None)), ("boolean", bool), ("integer", int)):
        if isinstance(value, kind):
            return name
    return {float: "number", str: "string", list: "array", dict: "object"}.get(
        type(value), type(value).__name__
    )


def describe(message: Message, error: ValidationError) -> tuple[str, str]:
    """A violation kind and a sentence for a schema error of a server frame."""
    where = error.json_path
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(k for k in error.instance if k not in known)
        fields = ", ".join(f"`{k}`" for k in extra)
        return "undocumented_field", f"`{message.label}` has undocumented field(s) {fields}"
    if error.validator == "type":
        return "wrong_type", (
            f"`{message.label}` field `{where}` is a {_json_type(error.instance)},"
            f" the spec says {error.validator_value}"
        )
    if error.validator == "required":
        return "missing_field", f"`{message.label}`: {error.message} (at `{where}`)"
    return "schema_violation", f"`{message.label}` at `{where}`: {error.message}"


@dataclass
class FrameChecker:
    """Holds one connection's server frames to the spec."""

    spec: Spec
    connection_type: ConnectionType
    pending: dict[str, Operation | None] = field(default_factory=dict)
    """Request id -> its operation (None: a bad frame, which only an error may answer)."""
    answered: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._known_tags = {
            m.tag
            for t in self.spec.connection_types.values()
            for op in (*t.requests, *t.pushes)
            for m in (*op.messages, *op.replies)
            if m.tag is not None
        }
        self._unsolicited = self.connection_type.unsolicited

    def expect_reply(self, request_id: str, operation: Operation | None) -> None:
        """Register a request just sent."""
        self.pending[request_id] = operation

    def correlation_field(self, operation: Operation | None) -> str | None:
        """The field a request of ``operation`` (None: a bad frame) carries its id in."""
        messages = operation.messages if operation else self.connection_type.errors
        return next((m.correlation_field for m in messages if m.correlation_field), None)

    def allowed_replies(self, operation: Operation | None) -> tuple[Message, ...]:
        """What may answer a request of ``operation``: its replies, else only errors."""
        if operation is not None and operation.replies:
            return operation.replies
        return self.connection_type.errors

    def check(self, data: str | bytes) -> tuple[dict[str, Any], Message]:
        """Check one server frame; return it decoded with the message it is."""
        if isinstance(data, bytes):
            raise Violation("binary_frame", "the server sent a binary frame", data)
        try:
            payload = json.loads(data)
        except ValueError:
            raise Violation("not_json", "the server sent a frame that is not JSON", data) from None
        if not isinstance(payload, dict):
            raise Violation("not_json", "the server sent JSON that is not an object", data)
        tag = payload.get("type")
        request_id = self.request_id_of(payload)
        if request_id is None:
            candidates = self._candidates(tag, self._unsolicited, data)
        else:
            if request_id not in self.pending:
                raise Violation(
                    "foreign_request_id",
                    f"`{tag}` carries request id {request_id!r}, which this connection never sent",
                    data,
                )
            if request_id in self.answered:
                raise Violation(
                    "duplicate_reply", f"a second reply (`{tag}`) to request {request_id!r}", data
                )
            operation = self.pending[request_id]
            replies = self.allowed_replies(operation)
            candidates = [m for m in replies if m.tag == tag]
            if not candidates:
                what = f"`{operation.id}`" if operation else "a bad frame"
                allowed = ", ".join(f"`{m.label}`" for m in replies)
                raise Violation(
                    "wrong_reply",
                    f"the reply to {what} ({request_id}) is `{tag}`; the spec allows {allowed}",
                    data,
                )
            self.answered.add(request_id)
        return payload, self._validate(payload, candidates, data)

    def request_id_of(self, payload: dict[str, Any]) -> str | None:
        """The request id a server frame carries, if any."""
        fields = {m.correlation_field for m in self.connection_type.outbound}
        for name in sorted(f for f in fields if f is not None):
            value = payload.get(name)
            if isinstance(value, str):
                return value
        return None

    def _candidates(self, tag: Any, allowed: tuple[Message, ...], data: str) -> list[Message]:
        tagged = [m for m in allowed if m.tag is not None and m.tag == tag]
        if tagged:
            return tagged
        replies_only = [m for m in self.connection_type.outbound if m.tag == tag]
        if replies_only:
            field_name = replies_only[0].correlation_field or "a request id"
            raise Violation(
                "uncorrelated_reply",
                f"`{tag}` is only sent as a reply, but carries no `{field_name}`",
                data,
            )
        # A message whose type is free (an admin broadcast) may use any type that
        # names no message of the protocol.
        if tag not in self._known_tags:
            untagged = [m for m in allowed if m.tag is None]
            if untagged:
                return untagged
        raise Violation(
            "unknown_message",
            f"`{tag}` is not a message the server may send"
            f" on a `{self.connection_type.name}` connection",
            data,
        )

    def _validate(self, payload: dict[str, Any], candidates: list[Message], data: str) -> Message:
        first: tuple[Message, ValidationError] | None = None
        for message in candidates:
            error = schema_errors(message, payload)
            if error is None:
                return message
            first = first or (message, error)
        if first is None:  # no candidate at all: the callers never let this happen
            raise Violation("unknown_message", "no message matches this frame", data)
        kind, summary = describe(*first)
        raise Violation(kind, summary, data)
