"""JSON Schema, as AsyncAPI and OpenAPI documents use it, to the types of :mod:`.model`.

Supported: ``type`` (one type, or one type and ``"null"``; ``nullable``), ``const``,
``enum`` (of any scalars), ``properties``/``required``/``additionalProperties``
(closed, open or a typed map), ``items``, the string, number and array limits msgspec
can check (``minLength``, ``maxLength``, ``pattern``, ``minimum``, ``maximum``,
``exclusiveMinimum``, ``exclusiveMaximum``, ``minItems``, ``maxItems``), ``default``,
``$ref``s (recursive ones too), ``allOf`` (merged), ``oneOf``/``anyOf`` (a union:
tagged where its objects each have a required string ``const`` property, plain for
scalars), and inline objects at any depth, named from their place. Keywords msgspec
cannot check (``multipleOf``, ...) are collected in :attr:`SchemaConverter.unchecked`
for the generated module to list; anything else is reported with its location.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from wsrouter_codegen.errors import join_pointer, unescape_pointer_token
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
    UnionOf,
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
_SUPPORTED |= {"allOf", "oneOf", "anyOf", "nullable", "discriminator", "$schema", "$id"}
# Keywords msgspec cannot check: accepted, and listed in the generated module's docstring.
UNCHECKED = frozenset(
    {
        "multipleOf",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "patternProperties",
        "propertyNames",
        "dependentRequired",
        "dependentSchemas",
        "contains",
        "minContains",
        "maxContains",
        "not",
        "if",
        "then",
        "else",
        "unevaluatedProperties",
        "unevaluatedItems",
        "contentEncoding",
        "contentSchema",
    }
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
        """Named schemas by their key (inline objects by their pointer)."""
        self.unchecked: dict[str, None] = {}
        """Pointers of the keywords msgspec cannot check, in the order met."""
        self._converting: set[str] = set()
        self._names: set[str] = set()
        self._class_of: dict[str, str] = {}

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
        self._names.update(type_name(str(name)) for name in schemas)
        for name in schemas:
            self._define(str(name))

    def _define(self, name: str, pointer: str = "") -> Named:
        """The named schema ``name`` of ``components`` (or the one at ``pointer``)."""
        key = pointer or name
        if key in self._class_of:
            return Named(self._class_of[key])
        cls = type_name(name)
        if pointer:  # another file's schema: the document's own names come first
            cls = self._unique(cls)
        self._class_of[key] = cls
        pointer = pointer or join_pointer(self.components, name)
        if not _IDENTIFIER.match(cls):
            self.doc.errors.add(pointer, f"schema name {name!r} does not make a Python class name")
        self._converting.add(key)
        self._names.add(cls)
        node, at = self.doc.deref(self.doc.get(pointer), pointer)
        node = self.flatten(node, at)
        description = _text(node, "description")
        if isinstance(node, Mapping) and _is_object_with_properties(node):
            self.named[key] = self.struct(cls, node, at)
        else:
            expr = self.type_of(node, at, cls)
            self.named[key] = Alias(cls, expr, description, at)
        self._converting.discard(key)
        return Named(cls)

    def _unique(self, name: str) -> str:
        """``name``, or ``name2``, ``name3``, ... when another schema has it."""
        if name not in self._names:
            return name
        return next(
            f"{name}{n}" for n in range(2, len(self._names) + 3) if f"{name}{n}" not in self._names
        )

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

    def type_of(self, node: Any, at: str, hint: str = "") -> TypeExpr:
        """The type of the schema ``node`` found at ``at``.

        ``hint`` names an inline object met here (``HelloFriends``, from the message
        ``Hello`` and its property ``friends``); arrays add ``Item``, maps ``Value``.
        """
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
            parent, _, last = target.rpartition("/")
            if target.startswith("/x-files/") and parent.endswith("/components/schemas"):
                return self._define(unescape_pointer_token(last), target)  # another file's
            resolved, resolved_at = self.doc.deref(node, at)
            return self.type_of(resolved, resolved_at, hint)
        node = self.flatten(node, at)
        self._check_keywords(node, at)
        expr = self._type_of(node, at, hint or "Inline")
        if node.get("nullable") is True and not isinstance(expr, Nullable):
            return Nullable(expr)
        return expr

    def _type_of(self, node: Mapping[str, Any], at: str, hint: str) -> TypeExpr:
        if "const" in node:
            return self._literal((node["const"],), join_pointer(at, "const"))
        if "enum" in node:
            values = node["enum"]
            if not isinstance(values, list) or not values:
                self.doc.errors.add(join_pointer(at, "enum"), "expected a non-empty list")
                return ANY
            return self._literal(tuple(values), join_pointer(at, "enum"))
        for key in ("oneOf", "anyOf"):
            if key in node:
                return self._union(node[key], join_pointer(at, key), hint)
        kind = node.get("type")
        if isinstance(kind, list):
            others = [k for k in kind if k != "null"]
            if len(others) != 1 or len(kind) != 2:
                self.doc.errors.add(
                    join_pointer(at, "type"),
                    "unsupported type list: use one type, or one and 'null'",
                )
                return ANY
            return Nullable(self._typed(others[0], node, at, hint))
        if kind is None:
            if "properties" in node:
                kind = "object"
            else:
                return ANY
        if kind == "null":
            return Builtin("None")
        return self._typed(kind, node, at, hint)

    def flatten(self, node: Any, at: str) -> Any:
        """``node`` with its ``allOf`` merged in: properties and ``required`` joined.

        Where two parts say different things of the same keyword, the first wins.
        """
        if not isinstance(node, Mapping) or "allOf" not in node:
            return node
        merged: dict[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
        properties: dict[str, Any] = dict(merged.pop("properties", None) or {})
        required: list[Any] = list(merged.pop("required", None) or [])
        parts = node["allOf"]
        if not isinstance(parts, list):
            self.doc.errors.add(join_pointer(at, "allOf"), "expected a list of schemas")
            parts = []
        for i, raw in enumerate(parts):
            resolved, part_at = self.doc.deref(raw, join_pointer(at, "allOf", i))
            part = self.flatten(resolved, part_at)
            if not isinstance(part, Mapping):
                self.doc.errors.add(part_at, "expected a schema object")
                continue
            for key, value in part.items():
                if key == "properties" and isinstance(value, Mapping):
                    for name, prop in value.items():
                        properties.setdefault(name, prop)
                elif key == "required" and isinstance(value, list):
                    required += [r for r in value if r not in required]
                else:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = required
        return merged

    def _union(self, members: Any, at: str, hint: str) -> TypeExpr:
        """``oneOf``/``anyOf``: a union msgspec can decode, or a located problem."""
        if not isinstance(members, list) or not members:
            self.doc.errors.add(at, "expected a non-empty list of schemas")
            return ANY
        exprs: list[TypeExpr] = []
        nullable = False
        for i, member in enumerate(members):
            resolved, _ = self.doc.deref(member, join_pointer(at, i))
            if isinstance(resolved, Mapping) and resolved.get("type") == "null":
                nullable = True
                continue
            expr = self.type_of(member, join_pointer(at, i), f"{hint}Option{i + 1}")
            if expr not in exprs:
                exprs.append(expr)
        if ANY in exprs:
            return ANY
        if not self._distinct(exprs):
            # msgspec tells objects apart only by a tag: these are decoded as any object,
            # and the module's docstring says so.
            self.unchecked[at] = None
            exprs = [e for e in exprs if not self._is_struct(e)] + [DictOf(ANY)]
        union: TypeExpr = exprs[0] if len(exprs) == 1 else UnionOf(tuple(exprs))
        return Nullable(union) if nullable else union

    def _is_struct(self, expr: TypeExpr) -> bool:
        return isinstance(expr, Named) and any(
            isinstance(v, Struct) and v.name == expr.name for v in self.named.values()
        )

    def _distinct(self, exprs: list[TypeExpr]) -> bool:
        """Whether msgspec tells the object members apart: each has its own tag."""
        by_name = {v.name: v for v in self.named.values()}
        objects = [by_name.get(e.name) for e in exprs if isinstance(e, Named)]
        structs = [o for o in objects if isinstance(o, Struct)]
        if len(structs) < 2:
            return True
        fields = {s.tag_field for s in structs}
        return (
            None not in fields
            and len(fields) == 1
            and len({s.tag for s in structs}) == len(structs)
        )

    def _typed(self, kind: object, node: Mapping[str, Any], at: str, hint: str) -> TypeExpr:
        if isinstance(kind, str) and kind in _PRIMITIVES:
            limits = {"string": _STRING_META, "integer": _NUMBER_META, "number": _NUMBER_META}
            return _constrain(Builtin(_PRIMITIVES[str(kind)]), node, limits.get(str(kind), {}))
        if kind == "array":
            items = node.get("items")
            if items is None:
                item: TypeExpr = ANY
            else:
                item = self.type_of(items, join_pointer(at, "items"), hint + "Item")
            return _constrain(ListOf(item), node, _ARRAY_META)
        if kind == "object":
            if node.get("properties"):
                return self._inline(hint, node, at)
            extra = node.get("additionalProperties", True)
            if isinstance(extra, bool):
                return DictOf(ANY)
            return DictOf(
                self.type_of(extra, join_pointer(at, "additionalProperties"), hint + "Value")
            )
        self.doc.errors.add(join_pointer(at, "type"), f"unsupported type {kind!r}")
        return ANY

    def _inline(self, hint: str, node: Mapping[str, Any], at: str) -> Named:
        """An inline object with properties: a Struct named from its place."""
        if at in self.named:
            return Named(self.named[at].name)
        name = self._unique(type_name(hint))
        self._names.add(name)
        self.named[at] = self.struct(name, node, at)
        return Named(name)

    def _literal(self, values: tuple[Any, ...], at: str) -> TypeExpr:
        scalars = tuple(v for v in values if v is not None)
        if not scalars:
            return Builtin("None")
        if all(isinstance(v, str | int | bool) for v in scalars):
            expr: TypeExpr = LiteralOf(scalars)
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in scalars):
            # A float cannot be a Literal: the type is kept, and the values listed.
            self.unchecked[join_pointer(at)] = None
            expr = Builtin("float")
        else:
            self.doc.errors.add(at, "only scalar values (strings, numbers, booleans) are supported")
            return ANY
        return Nullable(expr) if len(scalars) < len(values) else expr

    def _check_keywords(self, node: Mapping[str, Any], at: str) -> None:
        for key in node:
            if key in UNCHECKED:
                self.unchecked[join_pointer(at, str(key))] = None
            elif key not in _SUPPORTED and not str(key).startswith("x-"):
                self.doc.errors.add(join_pointer(at, str(key)), f"unsupported keyword {key!r}")

    def struct(
        self, name: str, node: Mapping[str, Any], at: str, tag_field: str | None = None
    ) -> Struct:
        """A Struct for the object schema ``node``.

        When ``tag_field`` names a property with a ``const``, that value becomes the
        Struct's tag and the property is not a field. Without ``tag_field``, the one
        required property with a string ``const``, if there is one, is the tag (so
        that a ``oneOf`` of such objects is a tagged union).
        """
        node = self.flatten(node, at)
        self._check_keywords(node, at)
        properties = node.get("properties") or {}
        required = node.get("required") or []
        if not isinstance(properties, Mapping) or not isinstance(required, list):
            self.doc.errors.add(at, "expected 'properties' to be a mapping and 'required' a list")
            return Struct(name, (), _text(node, "description"), at)
        # A required name with no schema of its own may hold any value (JSON Schema).
        properties = {
            **properties,
            **{r: {} for r in required if isinstance(r, str) and r not in properties},
        }
        own_tag = None
        if tag_field is None:
            consts = [
                wire
                for wire, prop in properties.items()
                if wire in required
                and isinstance(prop, Mapping)
                and isinstance(prop.get("const"), str)
            ]
            own_tag = consts[0] if len(consts) == 1 else None
        tag: str | None = None
        fields: list[Field] = []
        for wire, prop in properties.items():
            prop_at = join_pointer(at, "properties", str(wire))
            if (
                wire in (tag_field, own_tag)
                and isinstance(prop, Mapping)
                and isinstance(prop.get("const"), str)
            ):
                tag = prop["const"]
                continue
            fields.append(self._field(str(wire), prop, prop_at, wire in required, name))
        extra = node.get("additionalProperties", True)
        return Struct(
            name=name,
            fields=tuple(fields),
            description=_text(node, "description"),
            pointer=at,
            forbid_unknown_fields=extra is False,
            tag=tag,
            tag_field=own_tag if tag is not None else None,
        )

    def _field(self, wire: str, prop: Any, at: str, required: bool, owner: str) -> Field:
        expr = self.type_of(prop, at, owner + class_name(wire))
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
        case UnionOf(members):
            return [name for member in members for name in names_in(member)]
        case _:
            return []
