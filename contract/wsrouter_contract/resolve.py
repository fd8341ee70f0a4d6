"""Local ``$ref`` resolution for one JSON/YAML document (no network, no files)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

JsonObject = dict[str, Any]


class SpecError(Exception):
    """The document cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class Resolver:
    """Local ``$ref`` resolution over one document; external references are refused."""

    def __init__(self, document: JsonObject) -> None:
        self.document = document

    def lookup(self, ref: str) -> Any:
        """The node a local reference points to."""
        if not isinstance(ref, str):
            raise SpecError([f"{ref!r}: a $ref is a string"])
        if not ref.startswith("#"):
            raise SpecError([f"{ref}: only local references (#/...) are supported"])
        node: Any = self.document
        for raw in ref[1:].split("/")[1:]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise SpecError([f"{ref}: the reference points to nothing"])
        return node

    def follow(self, node: Any, pointer: str) -> tuple[str, Any]:
        """Follow a chain of ``$ref``s; return the final pointer and the node there."""
        seen: set[str] = set()
        while isinstance(node, Mapping) and "$ref" in node:
            pointer = node["$ref"]
            if not isinstance(pointer, str):
                raise SpecError([f"{pointer!r}: a $ref is a string"])
            if pointer in seen:
                raise SpecError([f"{pointer}: circular reference"])
            seen.add(pointer)
            node = self.lookup(pointer)
        return pointer, node

    def inline(self, node: Any, pointer: str, stack: tuple[str, ...] = ()) -> Any:
        """A deep copy of ``node`` with every ``$ref`` replaced by what it names.

        Keys next to a ``$ref`` (``description``, ...) are kept and win over the
        referenced ones, as in JSON Schema 2019-09 and later.
        """
        if isinstance(node, list):
            return [self.inline(item, f"{pointer}/{i}", stack) for i, item in enumerate(node)]
        if not isinstance(node, Mapping):
            return copy.deepcopy(node)
        if "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str):
                raise SpecError([f"{pointer}: a $ref is a string, not {ref!r}"])
            if ref in stack:
                raise SpecError([f"{pointer}: recursive schema through {ref} is not supported"])
            target = self.inline(self.lookup(ref), ref, (*stack, ref))
            siblings = {k: self.inline(v, f"{pointer}/{k}", stack) for k, v in node.items()}
            siblings.pop("$ref")
            return {**target, **siblings} if isinstance(target, dict) else target
        return {k: self.inline(v, f"{pointer}/{k}", stack) for k, v in node.items()}
