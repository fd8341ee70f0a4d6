"""The reference pages of the docs site, rendered from the specs and ``wsrouter.configuration``.

Nothing here is copied by hand: messages, error codes and close codes come from
``asyncapi.yaml``, the admin API's operations from ``openapi.yaml``, the settings from
:data:`wsrouter.configuration.VARIABLES`. ``docs/hooks.py`` adds the pages to the site
at build time; ``python -m docs.reference DIR`` writes them out to look at.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from wsrouter.configuration import VARIABLES

ROOT = Path(__file__).resolve().parents[1]

_ERROR_ITEM = re.compile(r"^\* `(?P<code>[a-z_]+)` - (?P<text>.+?)(?=^\* `|\Z)", re.M | re.S)


def _load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return document


def _resolve(document: Mapping[str, Any], node: Any) -> Any:
    """``node`` with a local ``$ref`` followed (one level: the caller walks on)."""
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = document
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _one_line(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _type_of(document: Mapping[str, Any], schema: Any) -> str:
    name = ""
    if isinstance(schema, Mapping) and "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
    resolved = _resolve(document, schema)
    if not isinstance(resolved, Mapping):
        return "any"
    if "const" in resolved:
        return f"`{json.dumps(resolved['const'])}`"
    if "enum" in resolved:
        if name and len(resolved["enum"]) > 6:
            return name
        return " \\| ".join(f"`{value}`" for value in resolved["enum"])
    kind = resolved.get("type", "any")
    if kind == "array":
        kind = f"array of {_type_of(document, resolved.get('items', {}))}"
    elif isinstance(kind, list):
        kind = " or ".join(str(k) for k in kind)
    return f"{name} ({kind})" if name and name not in ("RequestId",) else str(kind)


def _fields(document: Mapping[str, Any], payload: Mapping[str, Any]) -> Iterator[str]:
    required = set(payload.get("required", []))
    yield "| Field | Type | Required | What it holds |"
    yield "| --- | --- | --- | --- |"
    for name, schema in payload.get("properties", {}).items():
        resolved = _resolve(document, schema)
        about = schema.get("description") if isinstance(schema, Mapping) else None
        if about is None and isinstance(resolved, Mapping):
            about = resolved.get("description", "")
        if isinstance(schema, Mapping) and schema.get("$ref", "").endswith("/ErrorCode"):
            about = "one of the [error codes](error-codes.md)"
        yield (
            f"| `{name}` | {_type_of(document, schema)} | {'yes' if name in required else ''} "
            f"| {_one_line(about or '')} |"
        )


def messages_page() -> str:
    """Every message of ``asyncapi.yaml``: who sends it, on which connection types, its fields."""
    document = _load("asyncapi.yaml")
    channel = document["channels"]["ws"]["messages"]
    component_of = {key: ref["$ref"].rsplit("/", 1)[-1] for key, ref in channel.items()}
    sent_by_clients: dict[str, set[str]] = {}
    sent_by_server: dict[str, set[str]] = {}
    for operation in document["operations"].values():
        types = {tag["name"] for tag in operation.get("tags", [])}
        mine = sent_by_clients if operation["action"] == "receive" else sent_by_server
        for ref in operation.get("messages", []):
            mine.setdefault(component_of[ref["$ref"].rsplit("/", 1)[-1]], set()).update(types)
        for ref in operation.get("reply", {}).get("messages", []):
            name = component_of[ref["$ref"].rsplit("/", 1)[-1]]
            sent_by_server.setdefault(name, set()).update(types)
    lines = [
        "# Messages",
        "",
        "Every message of the protocol, generated from `asyncapi.yaml`. A client frame may",
        "carry `request_id` (echoed on its reply or its `error`) and `timestamp` (accepted,",
        "ignored); every server frame carries a `timestamp`.",
        "",
    ]
    for key, message in document["components"]["messages"].items():
        payload = _resolve(document, message["payload"])
        tag = payload["properties"]["type"].get("const", "(any other)")
        senders = []
        if key in sent_by_clients:
            senders.append(f"clients send it on {_types(sent_by_clients[key])}")
        if key in sent_by_server:
            senders.append(f"the server sends it on {_types(sent_by_server[key])}")
        lines += [f"## `{tag}`", "", f"**{message.get('title', key)}**: {'; '.join(senders)}."]
        if message.get("summary"):
            lines += ["", _one_line(message["summary"])]
        lines += ["", *_fields(document, payload), ""]
        for example in message.get("examples", [])[:1]:
            lines += ["```json", json.dumps(example["payload"], indent=2), "```", ""]
    return "\n".join(lines)


def _types(names: set[str]) -> str:
    return ", ".join(f"`{name}`" for name in sorted(names))


def error_codes_page() -> str:
    """The ``code`` of an ``error`` frame: every value of ``ErrorCode``, with its meaning."""
    schema = _load("asyncapi.yaml")["components"]["schemas"]["ErrorCode"]
    meanings = {
        match["code"]: _one_line(match["text"]).rstrip(";.")
        for match in _ERROR_ITEM.finditer(schema["description"])
    }
    missing = [code for code in schema["enum"] if code not in meanings]
    if missing:
        raise ValueError(f"ErrorCode's description does not explain {missing}")
    lines = [
        "# Error codes",
        "",
        "The `code` of an `error` frame (`ErrorCode` in `asyncapi.yaml`). Bad input never",
        "closes a connection by itself: it gets an `error` carrying the frame's `request_id`.",
        "",
        "| Code | Meaning |",
        "| --- | --- |",
    ]
    lines += [f"| `{code}` | {meanings[code]} |" for code in schema["enum"]]
    return "\n".join(lines) + "\n"


def close_codes_page() -> str:
    """The close codes of ``x-close-codes``, with whether reconnecting may help."""
    table = _load("asyncapi.yaml")["channels"]["ws"]["x-close-codes"]
    lines = [
        "# Close codes",
        "",
        "How the server closes a WebSocket (`x-close-codes` in `asyncapi.yaml`). Codes",
        "4000-4499 may be retried, 4500-4999 may not; the SDK reconnects only after a",
        "retryable one.",
        "",
        "| Code | Name | Retry | Meaning |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {row['code']} | `{row['name']}` | {'yes' if row['retry'] else 'no'} "
        f"| {_one_line(row['description'])} |"
        for row in table
    ]
    return "\n".join(lines) + "\n"


def settings_page() -> str:
    """The ``WSROUTER_*`` variables, from :data:`wsrouter.configuration.VARIABLES`."""
    lines = [
        "# Settings",
        "",
        "The server reads `WSROUTER_*` environment variables; every one is optional. A bad",
        "value (not a number, not positive, `nan` or `inf`) stops it at start-up with one",
        "line naming the variable (exit status 2).",
        "",
        "| Variable | Default | What it sets |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{v.name}` | {v.default} | {_one_line(v.meaning)} |" for v in VARIABLES]
    return "\n".join(lines) + "\n"


def admin_api_page() -> str:
    """Every operation of ``openapi.yaml``: method, path, summary, parameters, statuses."""
    document = _load("openapi.yaml")
    lines = [
        "# Admin API operations",
        "",
        "Generated from `openapi.yaml`. Every operation but `/health`, `/ready` and",
        "`/metrics` needs a bearer token with `role: admin`.",
        "",
    ]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            lines += [f"## `{method.upper()} {path}`", "", _one_line(operation["summary"]), ""]
            if operation.get("description"):
                lines += [_one_line(operation["description"]), ""]
            parameters = [_resolve(document, p) for p in operation.get("parameters", [])]
            if parameters:
                lines += ["| Parameter | In | Type | What it is |", "| --- | --- | --- | --- |"]
                lines += [
                    f"| `{p['name']}` | {p['in']} | {_type_of(document, p.get('schema', {}))} "
                    f"| {_one_line(p.get('description', ''))} |"
                    for p in parameters
                ]
                lines.append("")
            statuses = ", ".join(f"{code}" for code in operation.get("responses", {}))
            lines += [f"Statuses: {statuses}.", ""]
    return "\n".join(lines)


PAGES = {
    "reference/messages.md": messages_page,
    "reference/error-codes.md": error_codes_page,
    "reference/close-codes.md": close_codes_page,
    "reference/settings.md": settings_page,
    "reference/admin-api.md": admin_api_page,
}
"""The generated pages, by their path under ``docs/``."""


def main(argv: list[str]) -> int:
    """Write every page under the folder ``argv[0]``."""
    out = Path(argv[0])
    for name, render in PAGES.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
