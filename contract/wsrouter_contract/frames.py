"""Checking what any WebSocket server sends against the messages its document allows.

The generic counterpart of :mod:`wsrouter_contract.check`: no ``type`` tag, no error
messages and no request-id field are assumed. A frame is valid when it validates
against one of the messages the server may send there; when none does, the violation
names the message that came closest and the JSON pointer of what breaks it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError, best_match

from wsrouter_contract.check import Violation
from wsrouter_contract.endpoints import AnyMessage

_MISSING = object()


@cache
def _validator(schema_json: str) -> Draft7Validator:
    return Draft7Validator(json.loads(schema_json))


def payload_error(message: AnyMessage, payload: Any) -> ValidationError | None:
    """The most relevant reason ``payload`` is not a valid ``message``, or None."""
    validator = _validator(json.dumps(message.schema, sort_keys=True))
    error: ValidationError | None = best_match(validator.iter_errors(payload))
    return error


def json_pointer(error: ValidationError) -> str:
    """Where in the payload ``error`` is, as a JSON pointer (``/messageId``; ``""``: all)."""
    parts = (str(p).replace("~", "~0").replace("/", "~1") for p in error.absolute_path)
    return "".join(f"/{p}" for p in parts)


def explain(message: AnyMessage, error: ValidationError) -> str:
    """One sentence: which message, where, and what is wrong."""
    return f"`{message.name}` at `{json_pointer(error) or '/'}`: {error.message}"


def value_at(payload: Any, path: Sequence[str]) -> Any:
    """The value at ``path`` in ``payload``, or a sentinel that equals nothing."""
    node = payload
    for part in path:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _MISSING
    return node


def decode(data: str | bytes) -> Any:
    """A frame's payload: its JSON value; text that is not JSON stays a string."""
    if isinstance(data, bytes):
        raise Violation("binary_frame", "the server sent a binary frame", data)
    try:
        return json.loads(data)
    except ValueError:
        return data


@dataclass
class Correlated:
    """A request waiting for its reply: the id it carries and what may answer it."""

    operation: str
    replies: tuple[AnyMessage, ...]
    request_id: Any = _MISSING
    """The value of the request's correlation field (unset: the request has none)."""
    path: tuple[str, ...] = ()
    """Where the request carries it: where a reply without a ``correlationId`` of its
    own is looked at (Kraken's ``subscriptionStatus`` echoes the ``reqid`` of ``subscribe``)."""


@dataclass
class AnyFrameChecker:
    """Holds one connection's server frames to the document."""

    outbound: tuple[AnyMessage, ...]
    """Every message the server may send on the connection."""
    pushes: tuple[AnyMessage, ...] = ()
    """The messages it may send unasked; the others only answer a request."""
    pending: list[Correlated] = field(default_factory=list)

    def check(self, data: str | bytes) -> tuple[Any, AnyMessage, Correlated | None]:
        """Check one frame; its payload, the message it is, and the request it answers."""
        payload = decode(data)
        for request in self.pending:
            if request.request_id is _MISSING:
                continue
            paths = {m.correlation or request.path for m in request.replies}
            if any(value_at(payload, path) == request.request_id for path in paths if path):
                self.pending.remove(request)
                return payload, self._validate(payload, request.replies, data), request
        message = self._validate(payload, self.outbound, data)
        if message.correlation and message not in self.pushes:
            found = value_at(payload, message.correlation)
            where = "/" + "/".join(message.correlation)
            shown = "none" if found is _MISSING else repr(found)
            raise Violation(
                "uncorrelated_reply",
                f"`{message.name}` only answers a request, but its correlation id at `{where}`"
                f" ({shown}) is that of no request waiting on this connection",
                data,
            )
        answered = next(
            (r for r in self.pending if r.request_id is _MISSING and message in r.replies), None
        )
        if answered is not None:
            self.pending.remove(answered)
        return payload, message, answered

    def _validate(
        self, payload: Any, candidates: Sequence[AnyMessage], data: str | bytes
    ) -> AnyMessage:
        checked = [m for m in candidates if not m.unsupported]
        if not checked and candidates:
            return candidates[0]  # only messages whose schema cannot be read: nothing to check
        closest: tuple[tuple[bool, int], AnyMessage, ValidationError] | None = None
        for message in checked:
            error = payload_error(message, payload)
            if error is None:
                return message
            # The candidate the frame meant: one whose fixed values (a tag's const or enum)
            # it has, then the one whose schema it follows furthest.
            score = (error.validator not in ("const", "enum"), len(error.absolute_path))
            if closest is None or score > closest[0]:
                closest = (score, message, error)
        if closest is None:
            raise Violation("unknown_message", "the server may send nothing here", data)
        _, message, error = closest
        others = len(checked) - 1
        also = f" (nor any of the {others} other message(s) it may send)" if others else ""
        raise Violation("schema_violation", explain(message, error) + also, data)
