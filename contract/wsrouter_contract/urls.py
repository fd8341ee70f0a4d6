"""Where an endpoint is: a server's URL, then the channel's address, parameters filled in."""

from __future__ import annotations

import re
from collections.abc import Mapping

from wsrouter_contract.endpoints import Endpoint
from wsrouter_contract.resolve import JsonObject

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def parameter_value(definition: JsonObject) -> str | None:
    """A channel parameter's or server variable's value when no flag gives one.

    Its ``default``, else its first ``enum`` or ``examples`` value; also under a
    ``schema``, as AsyncAPI 2 wrote parameters (and some 3.0 documents still do).
    """
    for where in (definition, definition.get("schema")):
        if not isinstance(where, Mapping):
            continue
        if "default" in where:
            return str(where["default"])
        for key in ("enum", "examples"):
            values = where.get(key)
            if isinstance(values, list) and values:
                return str(values[0])
    return None


def fill(template: str, values: Mapping[str, str], definitions: JsonObject, what: str) -> str:
    """``template`` with each ``{name}`` replaced: from ``values``, else its definition."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        value = values.get(name)
        if value is None:
            value = parameter_value(definitions.get(name) or {})
        if value is None:
            raise LookupError(f"{what} needs a value for {{{name}}}: --param {name}=VALUE")
        return value

    return _PLACEHOLDER.sub(one, template)


def endpoint_url(endpoint: Endpoint, values: Mapping[str, str], base: str | None = None) -> str:
    """The URL to connect to: the server's (or ``base``), then the channel's address.

    ``base`` replaces the document's server (``ws://127.0.0.1:9000/raw``); parameters
    come from ``values``, else their ``default``, first ``enum`` or ``examples`` value.
    Raises :class:`LookupError` naming a parameter that has no value.
    """
    if base is None:
        if not endpoint.servers:
            raise LookupError(
                f"the document names no WebSocket server for channel `{endpoint.name}`:"
                " give the server's URL (ws://HOST[:PORT][/PATH])"
            )
        server = endpoint.servers[0]
        base = fill(server.url, values, server.variables, f"server `{server.name}`")
    address = fill(endpoint.address, values, endpoint.parameters, f"channel `{endpoint.name}`")
    address = address.strip().lstrip("/")  # `like/comment` is as much a path as `/like`
    return f"{base.rstrip('/')}/{address}" if address else base
