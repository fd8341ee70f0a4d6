"""JSON Schema (the subset our specs use) to the types of :mod:`.model`.

Supported: ``type`` (one type, or one type and ``"null"``), ``const``, ``enum``,
``properties``/``required``/``additionalProperties``, ``items``, the string,
number and array limits msgspec can check (``minLength``, ``maxLength``,
``pattern``, ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``,
``minItems``, ``maxItems``), ``default``, and local ``$ref``s. Composition
keywords (``oneOf``, ``allOf``, ...) and inline objects with properties are
reported as unsupported, with their location, instead of being approximated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wsrouter_codegen.errors import join_pointer
from wsrouter_codegen.load import Document
from wsrouter_codegen.model import (
    NO_DEFAULT,
    UNSET,
    Alias,
    Builtin,
    Constrained,
    DictOf,
    Field,
    ListOf,
    LiteralOf,
    Named,
    NoDefault,
    Nullable,
    Struct,
    TypeExpr,
    Unset,
)

ANY = Builtin("Any")

# Keywords that only document a schema; they change no type.
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "examples",
        "example",
        "format",
        "default",
        "readOnly",
        "writeOnly",
        "deprecated",
        "$comment",
        "externalDocs",
        "contentMediaType",
    }
)
_STRING_META = {"minLength": "min_length", "maxLength": "max_length", "pattern": "pattern"}
_NUMBER_META = {
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
}
_ARRAY_META = {"minItems": "min_length", "maxItems": "max_length"}
_SUPPORTED = (
    frozenset(
        {
            "$ref",
            "type",
            "const",
            "enum",
            "properties",
            "required",
            "additionalProperties",
            "items",
            *_STRING_META,
            *_NUMBER_META,
            *_ARRAY_META,
        }
    )
    | _ANNOTATIONS
)
_PRIMITIVES = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

# The hard keywords of every Python the generated code supports (3.11 to 3.13), written
# out rather than read from the running interpreter: ``keyword.softkwlist`` grows from one
# version to the next (``type`` joined it in 3.12), and the output must not depend on the
# Python that runs the generator. Soft keywords are valid names, so none is here.
RESERVED_NAMES = frozenset(
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from",
        "global", "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass",
        "raise", "return", "try", "while", "with", "yield",
    }
)  # fmt: skip


def python_name(wire: str) -> str:
    """A Python identifier for a wire name: ``test-session`` is ``test_session``."""
    name = re.sub(r"\W", "_", wire)
    if not name or name[0].isdigit():
        name = "_" + name
    if name in RESERVED_NAMES:
        name += "_"
    return name


# Names the generated modules define themselves: a schema or message of the same name
# takes a trailing underscore instead of shadowing them.
RESERVED_TYPE_NAMES = frozenset(
    {"Message", "Schema", "ErrorMessage", "ReplyError", "CloseCode", "Transport"}
    | {"UnexpectedReplyError", "Any", "Annotated", "Final", "Literal", "Meta", "Never"}
)


def type_name(raw: str) -> str:
    """The class name of a schema or message: :func:`class_name`, clear of generated names."""
    name = class_name(raw)
    return name + "_" if name in RESERVED_TYPE_NAMES else name


def snake_case(name: str) -> str:
    """``getWsStats`` is ``get_ws_stats``."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return python_name(name.lower())


def class_name(raw: str) -> str:
    """A PascalCase class name: ``test-session`` is ``TestSession``."""
    parts = re.split(r"[^A-Za-z0-9]+", raw)
    return "".join(part[:1].upper() + part[1:] for part in parts if part)


class SchemaConverter:
    """Converts the schemas of one document, defining each named schema once.

    ``components`` is the pointer of the map of named schemas
    (``/components/schemas``); a ``$ref`` into it becomes a reference by name.
    """

    def __init__(self, doc: Document, components: str) -> None:
        self.doc = doc
        self.components = components
        self.named: dict[str, Alias | Struct] = {}
        self._converting: set[str] = set()

    # ---------------------------------------------------------------- named schemas

    def convert_components(self) -> None:
        """Define every schema under ``components``, in document order."""
        try:
            schemas = self.doc.get(self.components)
        except KeyError:
            return
        if not isinstance(schemas, Mapping):
            self.doc.errors.add(self.components, "expected a mapping of schemas")
            return
        for name in schemas:
            self._define(str(name))

    def _define(self, name: str) -> Named:
        pointer = join_pointer(self.components, name)
        if name in self.named or name in self._converting:
            return Named(type_name(name))
        if not _IDENTIFIER.match(type_name(name)):
            self.doc.errors.add(pointer, f"schema name {name!r} does not make a Python class name")
        self._converting.add(name)
        node, at = self.doc.deref(self.doc.get(pointer), pointer)
        description = _text(node, "description")
        if isinstance(node, Mapping) and _is_object_with_properties(node):
            self.named[name] = self.struct(type_name(name), node, at)
        else:
            expr = self.type_of(node, at)
            self.named[name] = Alias(type_name(name), expr, description, at)
        self._converting.discard(name)
        return Named(type_name(name))

    def aliases(self) -> list[Alias]:
        """The named non-object schemas, each after the aliases it uses."""
        pending = {a.name: a for a in self.named.values() if isinstance(a, Alias)}
        ordered: list[Alias] = []
        visiting: set[str] = set()

        def visit(alias: Alias) -> None:
            if alias.name not in pending or alias.name in visiting:
                return
            visiting.add(alias.name)
            for dep in names_in(alias.type):
                if dep in pending:
                    visit(pending[dep])
            visiting.discard(alias.name)
            if alias.name in pending:
                ordered.append(pending.pop(alias.name))

        for alias in list(pending.values()):
            visit(alias)
        return ordered

    def structs(self) -> list[Struct]:
        """The named object schemas, in document order."""
        return [s for s in self.named.values() if isinstance(s, Struct)]

    # ---------------------------------------------------------------- conversion

    def type_of(self, node: Any, at: str) -> TypeExpr:
        """The type of the schema ``node`` found at ``at``."""
        if not isinstance(node, Mapping):
            if node is True or node == {}:
                return ANY
            self.doc.errors.add(at, "expected a schema object")
            return ANY
        target = self.doc.ref_target(node, at)
        if "$ref" in node:
            if target is None:
                return ANY
            prefix = self.components + "/"
            if target.startswith(prefix) and "/" not in target[len(prefix) :]:
                return self._define(target[len(prefix) :])
            resolved, resolved_at = self.doc.deref(node, at)
            return self.type_of(resolved, resolved_at)
        self._check_keywords(node, at)
        if "const" in node:
            return self._literal((node["const"],), join_pointer(at, "const"))
        if "enum" in node:
            values = node["enum"]
            if not isinstance(values, list) or not values:
                self.doc.errors.add(join_pointer(at, "enum"), "expected a non-empty list")
                return ANY
            return self._literal(tuple(values), join_pointer(at, "enum"))
        kind = node.get("type")
        if isinstance(kind, list):
            others = [k for k in kind if k != "null"]
            if len(others) != 1 or len(kind) != 2:
                self.doc.errors.add(
                    join_pointer(at, "type"),
                    "unsupported type list: use one type, or one and 'null'",
                )
                return ANY
            return Nullable(self._typed(others[0], node, at))
        if kind is None:
            if "properties" in node:
                kind = "object"
            else:
                return ANY
        return self._typed(kind, node, at)

    def _typed(self, kind: object, node: Mapping[str, Any], at: str) -> TypeExpr:
        if kind in _PRIMITIVES:
            limits = {"string": _STRING_META, "integer": _NUMBER_META, "number": _NUMBER_META}
            return _constrain(Builtin(_PRIMITIVES[str(kind)]), node, limits.get(str(kind), {}))
        if kind == "array":
            items = node.get("items")
            if items is None:
                item: TypeExpr = ANY
            else:
                item = self.type_of(items, join_pointer(at, "items"))
            return _constrain(ListOf(item), node, _ARRAY_META)
        if kind == "object":
            if node.get("properties"):
                self.doc.errors.add(
                    at,
                    "unsupported inline object with properties: name it under "
                    f"{self.components} and refer to it",
                )
                return ANY
            extra = node.get("additionalProperties", True)
            if isinstance(extra, bool):
                return DictOf(ANY)
            return DictOf(self.type_of(extra, join_pointer(at, "additionalProperties")))
        self.doc.errors.add(join_pointer(at, "type"), f"unsupported type {kind!r}")
        return ANY

    def _literal(self, values: tuple[Any, ...], at: str) -> TypeExpr:
        if not all(isinstance(v, str | int | bool) for v in values):
            self.doc.errors.add(at, "only string, integer and boolean values are supported")
            return ANY
        return LiteralOf(values)

    def _check_keywords(self, node: Mapping[str, Any], at: str) -> None:
        for key in node:
            if key not in _SUPPORTED and not str(key).startswith("x-"):
                self.doc.errors.add(join_pointer(at, str(key)), f"unsupported keyword {key!r}")

    def struct(
        self, name: str, node: Mapping[str, Any], at: str, tag_field: str | None = None
    ) -> Struct:
        """A Struct for the object schema ``node``.

        When ``tag_field`` names a property with a ``const``, that value becomes the
        Struct's tag and the property is not a field.
        """
        self._check_keywords(node, at)
        properties = node.get("properties") or {}
        required = node.get("required") or []
        if not isinstance(properties, Mapping) or not isinstance(required, list):
            self.doc.errors.add(at, "expected 'properties' to be a mapping and 'required' a list")
            return Struct(name, (), _text(node, "description"), at)
        for missing in [r for r in required if r not in properties]:
            self.doc.errors.add(
                join_pointer(at, "required"), f"required {missing!r} is no property"
            )
        tag: str | None = None
        fields: list[Field] = []
        for wire, prop in properties.items():
            prop_at = join_pointer(at, "properties", str(wire))
            if (
                wire == tag_field
                and isinstance(prop, Mapping)
                and isinstance(prop.get("const"), str)
            ):
                tag = prop["const"]
                continue
            fields.append(self._field(str(wire), prop, prop_at, wire in required))
        extra = node.get("additionalProperties", True)
        return Struct(
            name=name,
            fields=tuple(fields),
            description=_text(node, "description"),
            pointer=at,
            forbid_unknown_fields=extra is False,
            tag=tag,
        )

    def _field(self, wire: str, prop: Any, at: str, required: bool) -> Field:
        expr = self.type_of(prop, at)
        default: object | NoDefault | Unset = NO_DEFAULT if required else UNSET
        description = _text(prop, "description")
        if not required:
            resolved, _ = self.doc.deref(prop, at)
            for source in (prop, resolved):
                if isinstance(source, Mapping) and "default" in source:
                    value = source["default"]
                    if not isinstance(value, str | int | float | bool) or value is None:
                        self.doc.errors.add(
                            join_pointer(at, "default"), "only scalar defaults are supported"
                        )
                    else:
                        default = value
                    break
        return Field(wire, python_name(wire), expr, default, description)


def _is_object_with_properties(node: Mapping[str, Any]) -> bool:
    return bool(node.get("properties")) and node.get("type", "object") == "object"


def _constrain(expr: TypeExpr, node: Mapping[str, Any], names: Mapping[str, str]) -> TypeExpr:
    meta = tuple(
        (names[key], python_pattern(node[key]) if key == "pattern" else node[key])
        for key in names
        if key in node
    )
    return Constrained(expr, meta) if meta else expr


def python_pattern(pattern: str) -> str:
    """An ECMA-262 ``pattern`` (JSON Schema's dialect) that Python's ``re`` reads the same way.

    In ECMA-262 ``$`` matches only at the end of the text; in Python it also matches
    before a final newline, so msgspec would let ``"room\\n"`` through ``^[a-z]+$``.
    Every ``$`` outside a character class becomes ``\\Z``.
    """
    out: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "$" and not in_class:
            out.append("\\Z")
            continue
        out.append(char)
    return "".join(out)


def _text(node: Any, key: str) -> str:
    value = node.get(key) if isinstance(node, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


def names_in(expr: TypeExpr) -> list[str]:
    """The names of the named types ``expr`` refers to."""
    match expr:
        case Named(name):
            return [name]
        case ListOf(item):
            return names_in(item)
        case DictOf(value):
            return names_in(value)
        case Nullable(inner) | Constrained(inner, _):
            return names_in(inner)
        case _:
            return []
