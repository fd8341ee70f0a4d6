"""What the console and the API reference page need from the specs, as plain JSON.

The page never carries its own list of messages or operations: everything it offers
(message templates, close-code explanations, admin forms) is read here, once at start-up,
from ``asyncapi.yaml`` and ``openapi.yaml``, with their local ``$ref``s resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch")

# libyaml's loader when PyYAML was built with it: about ten times faster at start-up.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecError(Exception):
    """A spec file is missing, is not YAML, or does not have the expected shape."""


@dataclass(frozen=True)
class SpecFiles:
    """Where the two specs are; either may be missing (the console then says so)."""

    asyncapi: Path
    openapi: Path


def load_yaml(path: Path) -> dict[str, Any]:
    """The YAML document at ``path``, which must be a mapping."""
    try:
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError(f"cannot read {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise SpecError(f"{path} is not a YAML mapping")
    return document


def resolve(document: Mapping[str, Any], node: Any, _seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every local ``$ref`` (``#/a/b``) replaced by what it points to.

    A cyclic reference is left as ``{"$ref": ...}`` rather than expanded forever; the
    specs have none today, but a page must not hang on one.
    """
    if isinstance(node, list):
        return [resolve(document, item, _seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        if ref in _seen:
            return {"$ref": ref}
        target: Any = document
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or key not in target:
                raise SpecError(f"broken $ref {ref}")
            target = target[key]
        # Siblings of a $ref (a description, a default) refine what it points to.
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        resolved = resolve(document, target, (*_seen, ref))
        if isinstance(resolved, dict) and siblings:
            return {**resolved, **resolve(document, siblings, _seen)}
        return resolved
    return {key: resolve(document, value, _seen) for key, value in node.items()}


def websocket_spec(asyncapi: Mapping[str, Any]) -> dict[str, Any]:
    """Connection types, the messages each may send and receive, and the close codes.

    ``send`` lists what a client of that type may send (the spec's ``action: receive``
    operations) with their ``examples`` as templates; ``receive`` lists what the server
    sends it (its ``action: send`` operations and every reply).
    """
    channel = _single_channel(asyncapi)
    tag_descriptions = {
        tag.get("name"): tag.get("description", "")
        for tag in asyncapi.get("info", {}).get("tags", [])
        if isinstance(tag, dict)
    }
    query = resolve(asyncapi, channel.get("bindings", {}).get("ws", {}).get("query", {}))
    properties = query.get("properties", {}) if isinstance(query, dict) else {}
    type_names = properties.get("connection_type", {}).get("enum") or list(tag_descriptions)

    types: list[dict[str, Any]] = []
    for name in type_names:
        send: dict[str, dict[str, Any]] = {}
        receive: dict[str, dict[str, Any]] = {}
        for operation in asyncapi.get("operations", {}).values():
            tags = {tag.get("name") for tag in operation.get("tags", []) if isinstance(tag, dict)}
            if name not in tags:
                continue
            messages = _messages(asyncapi, operation.get("messages", []))
            replies = _messages(asyncapi, operation.get("reply", {}).get("messages", []))
            if operation.get("action") == "receive":
                for message in messages:
                    send.setdefault(message["key"], _with_summary(message, operation))
                for message in replies:
                    receive.setdefault(message["key"], message)
            else:
                for message in messages:
                    receive.setdefault(message["key"], _with_summary(message, operation))
        types.append(
            {
                "name": name,
                "description": tag_descriptions.get(name, ""),
                "send": list(send.values()),
                "receive": list(receive.values()),
            }
        )
    return {
        "title": asyncapi.get("info", {}).get("title", ""),
        "address": channel.get("address", "/ws"),
        "query": {
            key: {"description": value.get("description", "").strip()}
            for key, value in properties.items()
            if isinstance(value, dict)
        },
        "connection_types": types,
        "close_codes": [
            {
                "code": entry.get("code"),
                "name": entry.get("name", ""),
                "retry": bool(entry.get("retry", False)),
                "description": entry.get("description", ""),
            }
            for entry in channel.get("x-close-codes", [])
            if isinstance(entry, dict)
        ],
    }


def http_spec(openapi: Mapping[str, Any]) -> dict[str, Any]:
    """Every operation of the admin API, with parameters and bodies resolved."""
    operations: list[dict[str, Any]] = []
    for path, item in openapi.get("paths", {}).items():
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            parameters = resolve(openapi, [*shared, *operation.get("parameters", [])])
            body = resolve(openapi, operation.get("requestBody", {}))
            json_body = body.get("content", {}).get("application/json") if body else None
            responses = resolve(openapi, operation.get("responses", {}))
            operations.append(
                {
                    "operation_id": operation.get("operationId", f"{method} {path}"),
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", "").strip(),
                    "tags": operation.get("tags", []),
                    "secured": operation.get("security", openapi.get("security", [])) != [],
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "in": p.get("in"),
                            "required": bool(p.get("required", False)),
                            "description": p.get("description", ""),
                            "schema": p.get("schema", {}),
                        }
                        for p in parameters
                        if isinstance(p, dict)
                    ],
                    "body": None
                    if json_body is None
                    else {
                        "required": bool(body.get("required", False)),
                        "schema": json_body.get("schema", {}),
                        "example": json_body.get("example"),
                    },
                    "responses": [
                        {"status": str(status), "description": response.get("description", "")}
                        for status, response in responses.items()
                        if isinstance(response, dict)
                    ],
                }
            )
    info = openapi.get("info", {})
    return {
        "title": info.get("title", ""),
        "description": info.get("description", "").strip(),
        "operations": operations,
    }


def console_spec(files: SpecFiles) -> dict[str, Any]:
    """The JSON served at ``/console/spec.json``; a spec that cannot be read is reported.

    A missing or broken spec does not stop the server: the console shows ``problems``
    and offers what it has.
    """
    problems: list[str] = []
    websocket: dict[str, Any] | None = None
    http: dict[str, Any] | None = None
    try:
        websocket = websocket_spec(load_yaml(files.asyncapi))
    except (SpecError, AttributeError, TypeError) as exc:
        problems.append(f"asyncapi.yaml: {exc}")
    try:
        http = http_spec(load_yaml(files.openapi))
    except (SpecError, AttributeError, TypeError) as exc:
        problems.append(f"openapi.yaml: {exc}")
    return {"websocket": websocket, "http": http, "problems": problems}


def _single_channel(asyncapi: Mapping[str, Any]) -> dict[str, Any]:
    channels = asyncapi.get("channels", {})
    if not isinstance(channels, dict) or not channels:
        raise SpecError("no channels")
    # The router has one endpoint; were there more, the first is the one documented.
    channel = next(iter(channels.values()))
    if not isinstance(channel, dict):
        raise SpecError("the channel is not a mapping")
    return channel


def _messages(asyncapi: Mapping[str, Any], refs: Any) -> list[dict[str, Any]]:
    """The messages an operation names, each with its key, title and example payloads."""
    found: list[dict[str, Any]] = []
    for ref in refs if isinstance(refs, list) else []:
        key = ref.get("$ref", "").rsplit("/", 1)[-1] if isinstance(ref, dict) else ""
        message = resolve(asyncapi, ref)
        if not isinstance(message, dict):
            continue
        payload = message.get("payload", {})
        type_schema = payload.get("properties", {}).get("type", {})
        found.append(
            {
                "key": key,
                "name": message.get("name", key),
                "type": type_schema.get("const"),
                "title": message.get("title", message.get("name", key)),
                "summary": message.get("summary", ""),
                "error": bool(message.get("x-error", False)),
                "examples": [
                    {"name": example.get("name", ""), "payload": example.get("payload")}
                    for example in message.get("examples", [])
                    if isinstance(example, dict)
                ],
            }
        )
    return found


def _with_summary(message: dict[str, Any], operation: Mapping[str, Any]) -> dict[str, Any]:
    """The message, described by its operation's summary when it has none of its own."""
    if message.get("summary"):
        return message
    return {**message, "summary": operation.get("summary", "")}
