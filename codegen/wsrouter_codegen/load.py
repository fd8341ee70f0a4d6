"""Reading a spec and following its ``$ref``s.

Only local references (``#/...``) are supported: both of our specs are single
files, and a reference to another file would make the output depend on files the
drift check does not watch. Anything else is reported, not guessed at.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from wsrouter_codegen.errors import ErrorCollector, Problem, SpecError, unescape_pointer_token

JSON = Any


class Document:
    """A parsed spec: its data, its name for messages, and a ``$ref`` resolver."""

    def __init__(self, source: str, data: JSON, errors: ErrorCollector) -> None:
        self.source = source
        self.data = data
        self.errors = errors

    @classmethod
    def load(cls, path: Path, source: str | None = None) -> Document:
        """Parse the YAML (or JSON) file at ``path``.

        Raises :class:`SpecError` when the file cannot be read or parsed.
        """
        name = source or path.name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SpecError([Problem(name, "", f"cannot read the spec: {exc}")]) from exc
        return cls.parse(text, name)

    @classmethod
    def parse(cls, text: str, source: str) -> Document:
        """Parse spec text; ``source`` names it in error messages."""
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SpecError([Problem(source, "", f"not valid YAML: {exc}")]) from exc
        if not isinstance(data, dict):
            raise SpecError([Problem(source, "", "the document is not a mapping")])
        return cls(source, data, ErrorCollector(source))

    def get(self, pointer: str) -> JSON:
        """The node at ``pointer``; ``KeyError`` when there is none."""
        node: JSON = self.data
        if not pointer:
            return node
        if not pointer.startswith("/"):
            raise KeyError(pointer)
        for raw in pointer[1:].split("/"):
            token = unescape_pointer_token(raw)
            if isinstance(node, Mapping) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise KeyError(pointer)
        return node

    def ref_target(self, node: JSON, at: str) -> str | None:
        """The pointer a ``{"$ref": ...}`` node refers to, or ``None`` if it is no reference.

        A broken or non-local reference is recorded as an error (at ``at``) and
        returns ``None`` as well; callers then skip the node.
        """
        if not isinstance(node, Mapping) or "$ref" not in node:
            return None
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#"):
            self.errors.add(at, f"unsupported reference {ref!r}: only local '#/...' references")
            return None
        target = ref[1:]
        try:
            self.get(target)
        except KeyError:
            self.errors.add(at, f"broken reference {ref!r}: nothing at that location")
            return None
        return target

    def deref(self, node: JSON, at: str) -> tuple[JSON, str]:
        """Follow references from ``node`` (found at ``at``) to a concrete node.

        Returns the node and its pointer. On a broken or cyclic reference the error
        is recorded and ``({}, at)`` is returned.
        """
        seen: set[str] = set()
        pointer = at
        while isinstance(node, Mapping) and "$ref" in node:
            target = self.ref_target(node, pointer)
            if target is None:
                return {}, at
            if target in seen:
                self.errors.add(at, f"cyclic reference through {target!r}")
                return {}, at
            seen.add(target)
            node, pointer = self.get(target), target
        return node, pointer
