"""Where both specs name the connection types, they must name the same ones.

asyncapi.yaml defines the connection types (its tags with ``x-connection-type``);
openapi.yaml names them again in its ``ConnectionType`` enum (the admin API's
filters and connection items). The generator derives nothing across documents: it
checks that the lists agree and names both places when they do not.
"""

from __future__ import annotations

from wsrouter_codegen.load import Document
from wsrouter_codegen.model import Protocol

ENUM = "/components/schemas/ConnectionType/enum"


def check_agreement(protocol: Protocol, asyncapi: Document, openapi: Document) -> None:
    """Record a problem in ``openapi.errors`` for each list that differs from the tags."""
    types = [g.name for g in protocol.groups if g.kind.greeting is not None]
    if not types:
        return  # not a router document: nothing to agree on
    for doc, label in ((asyncapi, "asyncapi"), (openapi, "openapi")):
        enum = doc.get(ENUM) if _has(doc, ENUM) else None
        if enum is None:
            continue
        if list(enum) != types:
            doc.errors.add(
                ENUM,
                f"the connection types of {label}'s {ENUM} ({', '.join(map(str, enum))}) differ "
                f"from asyncapi's /info/tags with x-connection-type ({', '.join(types)}); "
                "list the same types in the same order in both",
            )


def _has(doc: Document, pointer: str) -> bool:
    node: object = doc.data
    for token in pointer.strip("/").split("/"):
        if not isinstance(node, dict) or token not in node:
            return False
        node = node[token]
    return True
