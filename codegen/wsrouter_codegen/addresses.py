"""Where a document's connections are: its servers, and the parameters of channel addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wsrouter_codegen.errors import join_pointer
from wsrouter_codegen.load import Document
from wsrouter_codegen.model import ChannelParameter

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
"""A ``{name}`` in a channel address or a server's host or pathname."""


def protocols(doc: Document) -> tuple[str, ...]:
    """The protocols of the document's servers (``ws``, ``mqtt``, ...), in order."""
    servers = doc.data.get("servers")
    if not isinstance(servers, Mapping):
        return ()
    found = []
    for server in servers.values():
        node, _ = doc.deref(server, "/servers")
        if isinstance(node, Mapping) and isinstance(node.get("protocol"), str):
            found.append(node["protocol"].lower())
    return tuple(dict.fromkeys(found))


def channel_parameter(name: str, node: Any) -> ChannelParameter:
    """A channel parameter: its default and enum, also under ``schema`` (as AsyncAPI 2
    wrote them, and some 3.0 documents, Gemini's among them, still do)."""
    default: str | None = None
    values: tuple[str, ...] = ()
    for where in (node, node.get("schema") if isinstance(node, Mapping) else None):
        if not isinstance(where, Mapping):
            continue
        if default is None and "default" in where:
            default = str(where["default"])
        if not values and isinstance(where.get("enum"), list):
            values = tuple(str(v) for v in where["enum"])
    return ChannelParameter(name, default, values)


def websocket_servers(doc: Document) -> tuple[str, ...]:
    """``protocol://host/pathname`` of each ws/wss server, variables at their defaults."""
    servers = doc.data.get("servers")
    urls = []
    for name, server in (servers if isinstance(servers, Mapping) else {}).items():
        node, at = doc.deref(server, join_pointer("/servers", name))
        if not isinstance(node, Mapping) or str(node.get("protocol", "")).lower() not in (
            "ws",
            "wss",
        ):
            continue
        url = f"{str(node['protocol']).lower()}://{node.get('host', '')}{node.get('pathname', '')}"
        variables = node.get("variables")
        variables = variables if isinstance(variables, Mapping) else {}
        for variable in PLACEHOLDER.findall(url):
            value, _ = doc.deref(variables.get(variable), join_pointer(at, "variables", variable))
            if not isinstance(value, Mapping) or "default" not in value:
                break
            url = url.replace("{" + variable + "}", str(value["default"]))
        else:
            urls.append(url.rstrip("/"))
    return tuple(urls)
