"""Reading a spec and following its ``$ref``s.

A reference to another file (``common/schemas.yaml#/components/schemas/User``, relative
to the file that holds it) is read at load time and mounted into the document under
``/x-files/<path>``, its own references rewritten to point there; the rest of the
generator then sees one document. The drift check regenerates from the same files, so
a change in any of them shows as drift. URLs are reported, not fetched.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from wsrouter_codegen.errors import (
    ErrorCollector,
    Problem,
    SpecError,
    escape_pointer_token,
    join_pointer,
    unescape_pointer_token,
)

JSON = Any
FILES = "x-files"
"""Where the files a document refers to are mounted."""


# Schema formats whose schemas are JSON Schema (any draft) or AsyncAPI's superset of it.
JSON_SCHEMA_FORMATS = (
    "application/schema+json",
    "application/schema+yaml",
    "application/vnd.aai.asyncapi",
)


def _unread(node: dict[str, JSON], key: str) -> bool:
    """Whether the generator never reads ``node[key]``, so its references are not followed.

    The schema of a payload in another format (Avro, RAML: one "unsupported schemaFormat"
    line says so), and the bindings of protocols other than WebSocket (Kafka's Avro key).
    """
    if key == "schema" and "schemaFormat" in node:
        return not str(node["schemaFormat"]).startswith(JSON_SCHEMA_FORMATS)
    return False


def _file_key(path: Path, root: Path) -> str:
    """A mounted file's name: its path relative to the document's folder (``../common/x``)."""
    return Path(os.path.relpath(path, root)).as_posix()


class Document:
    """A parsed spec: its data, its name for messages, and a ``$ref`` resolver."""

    def __init__(self, source: str, data: JSON, errors: ErrorCollector) -> None:
        self.source = source
        self.data = data
        self.errors = errors
        self.root = Path()

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
        doc = cls.parse(text, name)
        try:
            doc.mount_files(path.parent)
        except RecursionError:  # YAML aliases can make a node contain itself
            message = "the document contains itself (YAML aliases)"
            raise SpecError([Problem(name, "", message)]) from None
        return doc

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

    def mount_files(self, base: Path) -> None:
        """Read every file the document refers to, and mount it under ``/x-files``."""
        mounted: dict[str, JSON] = {}
        self.root = base.resolve()
        self._rewrite(self.data, self.root, "", mounted, "")
        if mounted:
            self.data[FILES] = mounted

    def _rewrite(
        self, node: JSON, base: Path, prefix: str, mounted: dict[str, JSON], at: str
    ) -> None:
        """Point the references under ``node`` (of the file mounted at ``prefix``) into ``self``."""
        if isinstance(node, list):
            for i, item in enumerate(node):
                self._rewrite(item, base, prefix, mounted, f"{at}/{i}")
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref")
        if isinstance(ref, str):
            file, _, fragment = ref.partition("#")
            if not file:
                node["$ref"] = "#" + prefix + fragment
            elif "://" in file:
                self.errors.add(at, f"unsupported reference {ref!r}: URLs are not fetched")
            else:
                target = (base / file).resolve()
                key = _file_key(target, self.root)
                if key not in mounted:
                    mounted[key] = None  # being read: a cycle of files ends here
                    try:
                        data = yaml.safe_load(target.read_text(encoding="utf-8"))
                    except (OSError, yaml.YAMLError) as exc:
                        self.errors.add(at, f"cannot read {file!r}: {exc}")
                        data = {}
                    mounted[key] = data
                    inner = join_pointer("/" + FILES, key)
                    self._rewrite(data, target.parent, inner, mounted, inner)
                node["$ref"] = "#" + join_pointer("/" + FILES, key) + fragment
        if isinstance(node.get("bindings"), dict):  # only WebSocket bindings are read
            bindings = node["bindings"]
            node = {**node, "bindings": {k: v for k, v in bindings.items() if k == "ws"}}
        for key, value in node.items():
            if key != "$ref" and not _unread(node, key):
                self._rewrite(
                    value, base, prefix, mounted, f"{at}/{escape_pointer_token(str(key))}"
                )

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
            self.errors.add(at, f"unsupported reference {ref!r}: expected a JSON pointer")
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
