"""The intermediate model to view models, rendered through the templates.

Every decision about what the code says is made here, in plain Python; the
templates under ``templates/`` only place the prepared strings and loop over lists.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import jinja2

from wsrouter_codegen.model import (
    Alias,
    Field,
    Struct,
    TypeExpr,
    Unset,
)
from wsrouter_codegen.schema import names_in
from wsrouter_codegen.types import field_annotation, field_default, render, typing_names

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("wsrouter_codegen", "templates"),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
    autoescape=False,  # noqa: S701 - the output is Python source, not HTML
)

View = dict[str, Any]


def render_template(name: str, context: View) -> str:
    """Render ``templates/<name>.jinja`` with ``context``."""
    return _env.get_template(f"{name}.jinja").render(**context)


def docstring(text: str, indent: int, fallback: str = "") -> str:
    """A triple-quoted docstring of the first paragraph of ``text``, wrapped to fit."""
    paragraph = (text or fallback).strip().split("\n\n")[0]
    paragraph = " ".join(paragraph.split()).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if paragraph and paragraph[-1] not in ".!?:":
        paragraph += "."
    lines = textwrap.wrap(paragraph, width=92 - indent) or [""]
    if len(lines) == 1 and len(lines[0]) + indent + 6 <= 100:
        return f'"""{lines[0]}"""'
    pad = " " * indent
    return '"""' + lines[0] + "".join(f"\n{pad}{line}" for line in lines[1:]) + f'\n{pad}"""'


def _imports_line(module: str, names: Iterable[str]) -> str:
    names = sorted(set(names), key=lambda n: (not n.isupper(), n.lower() if n.islower() else n))
    return f"from {module} import {', '.join(names)}" if names else ""


def typing_and_msgspec(exprs: Iterable[TypeExpr], fields: Iterable[Field], extra: set[str]) -> View:
    used = typing_names(exprs) | extra
    if any(isinstance(f.default, Unset) for f in fields):
        used |= {"UNSET", "UnsetType"}
    msgspec_names = used & {"Meta", "UNSET", "UnsetType"}
    return {
        "typing_imports": ", ".join(sorted(used - msgspec_names)),
        "msgspec_imports": _imports_line("msgspec", msgspec_names),
    }


# --------------------------------------------------------------------------- types


def alias_view(alias: Alias) -> View:
    """An alias as the templates need it."""
    return {
        "name": alias.name,
        "type": render(alias.type),
        "doc": docstring(alias.description, 0, alias.name),
    }


def struct_view(struct: Struct, base: str) -> View:
    """A Struct as the templates need it; ``base`` is its base class."""
    bases = base if struct.tag is None else f"{base}, tag={struct.tag!r}"
    if struct.tag_field is not None:
        bases += f", tag_field={struct.tag_field!r}"
    # kw_only is inherited at runtime, but type checkers read it per class.
    bases += ", kw_only=True"
    if not struct.forbid_unknown_fields:
        bases += ", forbid_unknown_fields=False"
    return {
        "name": struct.name,
        "bases": bases,
        "doc": docstring(struct.description, 4, struct.name),
        "fields": [f"{f.py_name}: {field_annotation(f)}{field_default(f)}" for f in struct.fields],
    }


def all_fields(structs: Iterable[Struct]) -> list[Field]:
    """Every field of ``structs``."""
    return [field for struct in structs for field in struct.fields]


def types_context(aliases: Sequence[Alias], structs: Sequence[Struct]) -> View:
    """The part of a context shared by every module that defines types.

    An alias is evaluated when its module is imported, so one that names a Struct
    (``Events = list[EventsItem]``) comes after the Structs; the others come first,
    for the Structs' fields to read them in order.
    """
    late = {s.name for s in structs}
    for alias in aliases:  # in dependency order, so one pass sees every alias it uses
        if any(name in late for name in names_in(alias.type)):
            late.add(alias.name)
    return {
        "aliases": [alias_view(a) for a in aliases if a.name not in late],
        "structs": [struct_view(s, "Schema") for s in structs],
        "late_aliases": [alias_view(a) for a in aliases if a.name in late],
    }
