"""View models of the modules generated from an OpenAPI document."""

from __future__ import annotations

from wsrouter_codegen.emit import (
    View,
    all_fields,
    docstring,
    render_template,
    struct_view,
    types_context,
    typing_and_msgspec,
)
from wsrouter_codegen.model import (
    Constrained,
    Field,
    HttpApi,
    HttpOperation,
    Named,
    NoDefault,
    Parameter,
    Struct,
    TypeExpr,
    Unset,
)
from wsrouter_codegen.schema import names_in
from wsrouter_codegen.types import render


class HttpViews:
    """The view models of the modules generated from an OpenAPI document."""

    def __init__(self, api: HttpApi) -> None:
        self.api = api

    def _base(self) -> View:
        return {"title": self.api.title, "source": self.api.source}

    def models_module(self) -> str:
        exprs = [a.type for a in self.api.aliases] + [f.type for f in all_fields(self.api.structs)]
        context = {
            **self._base(),
            **types_context(self.api.aliases, self.api.structs),
            **typing_and_msgspec(exprs, all_fields(self.api.structs), {"TypeAlias"}),
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

    def _query_struct(self, op: HttpOperation) -> Struct:
        """The query parameters of ``op`` as a Struct the routes convert the query into."""
        return Struct(
            name="_" + op.operation_id[:1].upper() + op.operation_id[1:] + "Query",
            fields=tuple(Field(p.wire_name, p.py_name, p.type, p.default) for p in op.query_params),
            description=f"The query parameters of ``{op.py_name}``.",
            pointer="",
            forbid_unknown_fields=False,
        )

    def _route(self, op: HttpOperation) -> View:
        returns = render(op.response) if op.response is not None else "None"
        keyword = [f"{p.py_name}: {render(p.type)}" for p in op.path_params]
        route_params = ["request: Request[Any, Any, Any]"]
        route_params += [f"{p.py_name}: {self._route_annotation(p)}" for p in op.path_params]
        call_args = [f"{p.py_name}={p.py_name}" for p in op.path_params]
        body = []
        if op.query_params:
            body.append(f"query = _query(request, {self._query_struct(op).name})")
        if op.body is not None:
            keyword.append(f"body: {render(op.body)}")
            body.append(f"body = await _body(request, _{op.py_name}_body)")
            call_args.append("body=body")
        for p in op.query_params:
            annotation, _ = self._query_annotation(p)
            keyword.append(f"{p.py_name}: {annotation}")
            value = f"query.{p.py_name}"
            if isinstance(p.default, Unset):
                value = f"_or_none({value})"
            call_args.append(f"{p.py_name}={value}")
        api_params = ["self", "*", *keyword] if keyword else ["self"]
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
        if op.security:
            decorator_args.append(f"guards=requires({', '.join(map(repr, op.security))})")
        body.append(f"return await api.{op.py_name}({', '.join(call_args)})")
        return {
            "name": op.py_name,
            "params": ", ".join(api_params),
            "route_params": ", ".join(route_params),
            "returns": returns,
            "doc": docstring(op.summary, 8, op.operation_id),
            "decorator": f"{op.method.lower()}({', '.join(decorator_args)})",
            "body": body,
        }

    def routes_module(self) -> str:
        queries = [self._query_struct(op) for op in self.api.operations if op.query_params]
        decoders = [
            f"_{op.py_name}_body = msgspec.json.Decoder({render(op.body)})"
            for op in self.api.operations
            if op.body is not None
        ]
        exprs = [e for op in self.api.operations for e in self._exprs(op)]
        flat = [self._flatten(p.type) for op in self.api.operations for p in op.path_params]
        imports = typing_and_msgspec(
            [*exprs, *flat], all_fields(queries), {"Any", "Annotated", "TypeVar", "UnsetType"}
        )
        context = {
            **self._base(),
            **imports,
            "imports": self._imports(),
            "operations": [self._route(op) for op in self.api.operations],
            "query_structs": [struct_view(q, "msgspec.Struct") for q in queries],
            "decoders": decoders,
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
            **typing_and_msgspec(exprs, [], {"Final", "Protocol", "TypeVar"}),
            "imports": self._imports(),
            "operations": operations,
        }
        return render_template("http_client.py", context)
