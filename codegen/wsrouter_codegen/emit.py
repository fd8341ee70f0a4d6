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
    Constrained,
    Field,
    Group,
    HttpApi,
    HttpOperation,
    Named,
    NoDefault,
    Parameter,
    Protocol,
    ReceiveOperation,
    Struct,
    TypeExpr,
    Unset,
)
from wsrouter_codegen.schema import class_name, names_in, python_name
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


def _typing_and_msgspec(
    exprs: Iterable[TypeExpr], fields: Iterable[Field], extra: set[str]
) -> View:
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


def _all_fields(structs: Iterable[Struct]) -> list[Field]:
    return [field for struct in structs for field in struct.fields]


def types_context(aliases: Sequence[Alias], structs: Sequence[Struct]) -> View:
    """The part of a context shared by every module that defines types."""
    return {
        "aliases": [alias_view(a) for a in aliases],
        "structs": [struct_view(s, "Schema") for s in structs],
    }


# --------------------------------------------------------------------------- AsyncAPI


class ProtocolViews:
    """The view models of the modules generated from an AsyncAPI document."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.messages = {m.key: m for m in protocol.messages}
        self.errors = [m.key for m in protocol.messages if m.is_error]

    def _base(self) -> View:
        return {"title": self.protocol.title, "source": self.protocol.source}

    @staticmethod
    def prefix(group: Group) -> str:
        return class_name(group.name)

    def _union_names(self, group: Group) -> list[tuple[str, str, list[str]]]:
        snake = python_name(group.name.lower())
        prefix = self.prefix(group)
        return [
            (f"{prefix}Inbound", f"decode_{snake}_inbound", group.inbound()),
            (f"{prefix}Outbound", f"decode_{snake}_outbound", group.outbound()),
        ]

    def messages_module(self) -> str:
        structs = [*self.protocol.structs, *(m.struct for m in self.protocol.messages)]
        if self.protocol.handshake:
            structs.append(self.protocol.handshake)
        exprs = [a.type for a in self.protocol.aliases] + [f.type for f in _all_fields(structs)]
        context = {
            **self._base(),
            **types_context(self.protocol.aliases, self.protocol.structs),
            **_typing_and_msgspec(exprs, _all_fields(structs), {"Final", "TypeAlias"}),
            "tag_field": self.protocol.tag_field,
            "tag_field_repr": repr(self.protocol.tag_field),
            "messages": [
                struct_view(m.struct, "Message" if m.struct.tag else "Schema")
                for m in self.protocol.messages
            ],
            "handshake": [struct_view(s, "Schema") for s in [self.protocol.handshake] if s],
            "error_union": " | ".join(self.errors) or "msgspec.Struct",
            "unions": [
                self._union_view(g, *names)
                for g in self.protocol.groups
                for names in self._union_names(g)
            ],
            "close_codes": [
                {
                    "name": python_name(c.name.upper()),
                    "code": c.code,
                    "doc": docstring(c.description, 4, c.name),
                    "description": repr(" ".join(c.description.split())),
                }
                for c in self.protocol.close_codes
            ],
            "retryable": "{"
            + ", ".join(str(c.code) for c in self.protocol.close_codes if c.retry)
            + "}"
            if any(c.retry for c in self.protocol.close_codes)
            else "()",
        }
        return render_template("messages.py", context)

    def _union_view(self, group: Group, name: str, decoder: str, members: list[str]) -> View:
        tagged = [m for m in members if self.messages[m].struct.tag is not None]
        untagged = [m for m in members if self.messages[m].struct.tag is None]
        who = "clients send on" if name.endswith("Inbound") else "the server sends to"
        tags_name = (
            "".join("_" + c if c.isupper() and i else c for i, c in enumerate(name)).upper()
            + "_TAGS"
        )
        tags = [self.messages[m].struct.tag for m in tagged]
        view: View = {
            "name": name,
            "members": " | ".join(members),
            "tagged": " | ".join(tagged),
            "tags_name": tags_name,
            "tags": "{" + ", ".join(repr(t) for t in tags) + "}" if tags else "()",
            "decoder": decoder,
            "doc": f"What {who} a {group.name!r} connection.",
            "decls": [],
            "body": [f"return _{decoder}.decode(data)"],
        }
        if untagged:
            fallback = f"_{decoder}_fallback"
            view["decls"] = [f"{fallback}: Final = msgspec.json.Decoder({untagged[0]})"]
            view["body"] = [
                "try:",
                f"    return _{decoder}.decode(data)",
                "except msgspec.ValidationError:",
                f"    if peek_tag(data) in {tags_name}:",
                "        raise",
                f"return {fallback}.decode(data)",
            ]
        return view

    # ----------------------------------------------------------------- handlers

    def correlation(self) -> tuple[str, str]:
        """The correlation field's name and annotation (one for the whole protocol)."""
        for message in self.protocol.messages:
            if message.correlation_field:
                field = next(
                    f for f in message.struct.fields if f.py_name == message.correlation_field
                )
                return field.py_name, field_annotation(field)
        return "request_id", "str | UnsetType"

    def _method(self, op: ReceiveOperation) -> str:
        message = self.messages[op.message]
        return python_name(message.struct.tag or python_name(op.message.lower()))

    def handlers_module(self) -> str:
        field, annotation = self.correlation()
        imports: set[str] = {"ErrorMessage", "ReplyError"}
        imports |= typing_names([]) | {
            n for n in annotation.replace("|", " ").split() if n not in ("UnsetType", "None", "str")
        }
        groups = []
        for group in self.protocol.groups:
            prefix = self.prefix(group)
            imports.add(f"{prefix}Inbound")
            replies: list[str] = []
            operations = []
            for op in group.receives:
                message = self.messages[op.message]
                imports.add(op.message)
                for name in (*op.replies, *self.errors):
                    imports.add(name)
                    if name not in replies:
                        replies.append(name)
                reply = op.replies[0] if op.replies else None
                correlated = message.correlation_field is not None
                call = f"self.on_{self._method(op)}(message)"
                if correlated and reply and self.messages[reply].correlation_field:
                    call = f"await _answer({call}, message.{message.correlation_field})"
                elif correlated and not reply:
                    call = f"await _no_answer({call}, message.{message.correlation_field})"
                else:
                    call = f"await {call}"
                operations.append(
                    {
                        "method": f"on_{self._method(op)}",
                        "message": op.message,
                        "returns": reply or "None",
                        "doc": docstring(op.summary, 8, f"Handle ``{message.struct.tag}``"),
                        "call": call,
                    }
                )
            groups.append(
                {
                    "handler": f"{prefix}Handler",
                    "reply_alias": f"{prefix}Reply",
                    "replies": " | ".join(replies) or "None",
                    "inbound": f"{prefix}Inbound",
                    "doc": docstring(
                        f"Handles what a ``{group.name}`` connection sends. {group.description}", 4
                    ),
                    "operations": operations,
                }
            )
        context = {
            **self._base(),
            "imports": sorted(imports),
            "correlation_field": field,
            "correlation_type": annotation,
            "groups": groups,
        }
        return render_template("handlers.py", context)

    # ----------------------------------------------------------------- client

    def client_module(self) -> str:
        imports: set[str] = {"ReplyError", *self.errors}
        exprs: list[TypeExpr] = []
        fields: list[Field] = []
        clients = []
        for group in self.protocol.groups:
            prefix = self.prefix(group)
            _, (outbound, decoder, _members) = self._union_names(group)
            imports |= {outbound, decoder}
            methods = []
            for op in group.receives:
                message = self.messages[op.message]
                imports.add(op.message)
                params = [
                    f for f in message.struct.fields if f.py_name != message.correlation_field
                ]
                exprs += [f.type for f in params]
                fields += params
                ordered = sorted(params, key=lambda f: not isinstance(f.default, NoDefault))
                args = [f"{f.py_name}: {field_annotation(f)}{_param_default(f)}" for f in ordered]
                reply = op.replies[0] if op.replies else None
                kwargs = [f"{f.py_name}={f.py_name}" for f in params]
                if reply and message.correlation_field:
                    imports.add(reply)
                    kwargs.append(f"{message.correlation_field}=request_id")
                    args.append("timeout: float | None = None")
                    body = [
                        "request_id = self.transport.next_request_id()",
                        f"reply = await self.transport.request({op.message}({', '.join(kwargs)}), "
                        "request_id, timeout)",
                        f"return _expect(reply, {reply})",
                    ]
                    returns = reply
                else:
                    body = [f"await self.transport.send({op.message}({', '.join(kwargs)}))"]
                    returns = "None"
                summary = op.summary or f"Send ``{message.struct.tag}``"
                if reply and message.correlation_field:
                    summary += f" Returns the ``{self.messages[reply].struct.tag}`` reply"
                methods.append(
                    {
                        "name": self._method(op),
                        "params": ", ".join(["self", "*", *args] if args else ["self"]),
                        "returns": returns,
                        "doc": docstring(summary, 8),
                        "body": body,
                    }
                )
            clients.append(
                {
                    "name": f"{prefix}Client",
                    "doc": docstring(f"A ``{group.name}`` connection. {group.description}", 4),
                    "group": repr(group.name),
                    "outbound": outbound,
                    "decoder": decoder,
                    "methods": methods,
                }
            )
        names_in_types = {n for e in exprs for n in names_in(e)}
        context = {
            **self._base(),
            **_typing_and_msgspec(exprs, fields, {"ClassVar", "Protocol", "TypeVar"}),
            "imports": sorted(imports | names_in_types),
            "error_types": "(" + ", ".join(self.errors) + ",)" if self.errors else "()",
            "clients": clients,
        }
        return render_template("ws_client.py", context)


def _param_default(field: Field) -> str:
    if isinstance(field.default, NoDefault):
        return ""
    if isinstance(field.default, Unset):
        return " = UNSET"
    return f" = {field.default!r}"


# --------------------------------------------------------------------------- OpenAPI


class HttpViews:
    """The view models of the modules generated from an OpenAPI document."""

    def __init__(self, api: HttpApi) -> None:
        self.api = api

    def _base(self) -> View:
        return {"title": self.api.title, "source": self.api.source}

    def models_module(self) -> str:
        exprs = [a.type for a in self.api.aliases] + [f.type for f in _all_fields(self.api.structs)]
        context = {
            **self._base(),
            **types_context(self.api.aliases, self.api.structs),
            **_typing_and_msgspec(exprs, _all_fields(self.api.structs), {"TypeAlias"}),
        }
        return render_template("http_models.py", context)

    def _exprs(self, op: HttpOperation) -> list[TypeExpr]:
        params = [p.type for p in (*op.path_params, *op.query_params)]
        return params + [t for t in (op.body, op.response) if t is not None]

    def _imports(self) -> list[str]:
        return sorted(
            {n for op in self.api.operations for e in self._exprs(op) for n in names_in(e)}
        )

    @staticmethod
    def _query_annotation(param: Parameter) -> tuple[str, str]:
        if isinstance(param.default, Unset | NoDefault):
            return f"{render(param.type)} | None", "None"
        return render(param.type), repr(param.default)

    def _flatten(self, expr: TypeExpr) -> TypeExpr:
        """``expr`` with aliases replaced by what they stand for."""
        aliases = {a.name: a.type for a in self.api.aliases}
        while isinstance(expr, Named) and expr.name in aliases:
            expr = aliases[expr.name]
        return expr

    def _route_annotation(self, param: Parameter) -> str:
        """A Litestar parameter annotation; Litestar checks limits given as parameter kwargs.

        (It ignores ``msgspec.Meta`` on parameters, so the limits move into
        ``PathParameter``/``QueryParameter``.)
        """
        expr = self._flatten(param.type)
        meta: tuple[tuple[str, str | int | float], ...] = ()
        if isinstance(expr, Constrained):
            meta = expr.meta
            expr = self._flatten(expr.inner)
        optional = param.location == "query" and isinstance(param.default, Unset | NoDefault)
        kind = "PathParameter" if param.location == "path" else "QueryParameter"
        limits = ", ".join(f"{key}={value!r}" for key, value in meta)
        none = " | None" if optional else ""
        return f"Annotated[{render(expr)}{none}, {kind}({limits})]"

    def routes_module(self) -> str:
        operations = []
        for op in self.api.operations:
            returns = render(op.response) if op.response is not None else "None"
            api_params = ["self"]
            route_params = ["request: Request[Any, Any, Any]"]
            call_args = []
            keyword = [f"{p.py_name}: {render(p.type)}" for p in op.path_params]
            route_params += [f"{p.py_name}: {self._route_annotation(p)}" for p in op.path_params]
            call_args += [f"{p.py_name}={p.py_name}" for p in op.path_params]
            if op.body is not None:
                keyword.append(f"body: {render(op.body)}")
                route_params.append(f"data: JSONBody[{render(op.body)}]")
                call_args.append("body=data")
            for p in op.query_params:
                annotation, default = self._query_annotation(p)
                keyword.append(f"{p.py_name}: {annotation}")
                route_params.append(f"{p.py_name}: {self._route_annotation(p)} = {default}")
                call_args.append(f"{p.py_name}={p.py_name}")
            if keyword:
                api_params += ["*", *keyword]
            path = op.path
            for p in op.path_params:
                kind = "int" if render(p.type) == "int" else "str"
                path = path.replace("{" + p.wire_name + "}", "{" + p.wire_name + ":" + kind + "}")
            decorator_args = [
                repr(path),
                f"operation_id={op.operation_id!r}",
                f"summary={op.summary!r}",
                f"tags={list(op.tags)!r}",
                f"status_code={op.status_code}",
                f"media_type={op.media_type!r}",
            ]
            body = []
            if op.security:
                body.append(f"await api.authorize(request, {op.security!r})")
            body.append(f"return await api.{op.py_name}({', '.join(call_args)})")
            operations.append(
                {
                    "name": op.py_name,
                    "params": ", ".join(api_params),
                    "route_params": ", ".join(route_params),
                    "returns": returns,
                    "doc": docstring(op.summary, 8, op.operation_id),
                    "decorator": f"{op.method.lower()}({', '.join(decorator_args)})",
                    "body": body,
                }
            )
        exprs = [e for op in self.api.operations for e in self._exprs(op)]
        flat = [
            self._flatten(p.type)
            for op in self.api.operations
            for p in (*op.path_params, *op.query_params)
        ]
        imports = _typing_and_msgspec([*exprs, *flat], [], {"Any", "Annotated"})
        context = {
            **self._base(),
            **imports,
            "imports": self._imports(),
            "operations": operations,
            "handler_names": ", ".join(op.py_name for op in self.api.operations),
        }
        return render_template("http_routes.py", context)

    def client_module(self) -> str:
        operations = []
        for op in self.api.operations:
            params = [f"{p.py_name}: {render(p.type)}" for p in op.path_params]
            if op.body is not None:
                params.append(f"body: {render(op.body)}")
            params += [f"{p.py_name}: {render(p.type)} | None = None" for p in op.query_params]
            path = op.path
            for p in op.path_params:
                path = path.replace(
                    "{" + p.wire_name + "}", "{quote(str(" + p.py_name + "), safe='')}"
                )
            args = [repr(op.method), ("f" if op.path_params else "") + repr(path)]
            if op.body is not None:
                args.append("content=msgspec.json.encode(body)")
            if op.query_params:
                query = ", ".join(f"{p.wire_name}={p.py_name}" for p in op.query_params)
                args.append(f"params=_query({query})")
            headers = "{**self.headers, **_JSON_HEADERS}" if op.body is not None else "self.headers"
            args.append(f"headers={headers}")
            if op.response is None:
                result = f"_check(response, {op.status_code})"
            elif op.media_type == "text/plain":
                result = f"return _text(response, {op.status_code})"
            else:
                result = f"return _json(response, {op.status_code}, {render(op.response)})"
            operations.append(
                {
                    "name": op.py_name,
                    "params": ", ".join(["self", "*", *params] if params else ["self"]),
                    "returns": render(op.response) if op.response is not None else "None",
                    "doc": docstring(op.summary, 8, op.operation_id),
                    "request_args": ", ".join(args),
                    "result": result,
                }
            )
        exprs = [e for op in self.api.operations for e in self._exprs(op)]
        context = {
            **self._base(),
            **_typing_and_msgspec(exprs, [], {"Final", "Protocol", "TypeVar"}),
            "imports": self._imports(),
            "operations": operations,
        }
        return render_template("http_client.py", context)
