"""Rendering :data:`~wsrouter_codegen.model.TypeExpr` as Python source."""

from __future__ import annotations

from collections.abc import Iterable

from wsrouter_codegen.model import (
    Builtin,
    Constrained,
    DictOf,
    Field,
    ListOf,
    LiteralOf,
    Named,
    NoDefault,
    Nullable,
    TypeExpr,
    UnionOf,
    Unset,
)


def render(expr: TypeExpr) -> str:
    """Python source for a type, e.g. ``Annotated[str, Meta(max_length=64)] | None``."""
    match expr:
        case Builtin(name) | Named(name):
            return name
        case ListOf(item):
            return f"list[{render(item)}]"
        case DictOf(value):
            return f"dict[str, {render(value)}]"
        case LiteralOf(values):
            return f"Literal[{', '.join(_literal(v) for v in values)}]"
        case Nullable(inner):
            return f"{render(inner)} | None"
        case Constrained(inner, meta):
            args = ", ".join(f"{key}={_literal(value)}" for key, value in meta)
            return f"Annotated[{render(inner)}, Meta({args})]"
        case UnionOf(members):
            return " | ".join(render(m) for m in members)


def field_annotation(field: Field) -> str:
    """The annotation of a Struct field: optional fields without a default may be UNSET."""
    if isinstance(field.default, Unset):
        if isinstance(field.type, Nullable):
            return f"{render(field.type.inner)} | UnsetType | None"
        return f"{render(field.type)} | UnsetType"
    return render(field.type)


def field_default(field: Field) -> str:
    """`` = <default>`` for a Struct field, or ``""`` for a required one."""
    if isinstance(field.default, NoDefault):
        value = ""
    elif isinstance(field.default, Unset):
        value = "UNSET"
    else:
        value = _literal(field.default)  # type: ignore[arg-type]
    if field.py_name != field.wire_name:
        keywords = ([f"default={value}"] if value else []) + [f"name={field.wire_name!r}"]
        return f" = msgspec.field({', '.join(keywords)})"
    return f" = {value}" if value else ""


def typing_names(exprs: Iterable[TypeExpr]) -> set[str]:
    """The names from ``typing``/``msgspec`` that rendering ``exprs`` uses."""
    used: set[str] = set()
    for expr in exprs:
        _collect(expr, used)
    return used


def _collect(expr: TypeExpr, used: set[str]) -> None:
    match expr:
        case Builtin("Any"):
            used.add("Any")
        case ListOf(inner) | DictOf(inner) | Nullable(inner):
            _collect(inner, used)
        case LiteralOf():
            used.add("Literal")
        case Constrained(inner, _):
            used.update(("Annotated", "Meta"))
            _collect(inner, used)
        case UnionOf(members):
            for member in members:
                _collect(member, used)
        case _:
            pass


def _literal(value: str | int | float | bool) -> str:
    return repr(value)
