"""An OpenAPI 3.1 document to the :class:`~wsrouter_codegen.model.HttpApi` model.

Each operation needs an ``operationId``; its parameters may be in the path or the
query; a request body, when there is one, is ``application/json``. The first 2xx
response is the operation's result: ``application/json`` (a model),
``text/plain`` (a string) or no content. Other responses document failures, which
the server raises and the client reports as an error with the status code.
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
    Builtin,
    HttpApi,
    HttpOperation,
    NoDefault,
    Parameter,
    TypeExpr,
    Unset,
)
from wsrouter_codegen.schema import SchemaConverter, python_name, snake_case

_METHODS = ("get", "put", "post", "delete", "patch")
_MEDIA_TYPES = ("application/json", "text/plain")


def build_http_api(doc: Document) -> HttpApi:
    """Build the model of ``doc``; problems are recorded in ``doc.errors``."""
    version = doc.data.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.1"):
        doc.errors.add("/openapi", f"unsupported OpenAPI version {version!r}: expected 3.1.x")
    schemas = SchemaConverter(doc, "/components/schemas")
    schemas.convert_components()
    global_security = _security_names(doc.data.get("security") or [])
    operations: list[HttpOperation] = []
    paths = doc.data.get("paths") or {}
    if not isinstance(paths, Mapping):
        doc.errors.add("/paths", "expected a mapping")
        paths = {}
    for path, raw in paths.items():
        item, item_at = doc.deref(raw, join_pointer("/paths", path))
        shared = item.get("parameters") or []
        for method in _METHODS:
            if method in item:
                at = join_pointer(item_at, method)
                op = _Operation(doc, schemas, str(path), method, at, global_security)
                built = op.build(item[method], shared, join_pointer(item_at, "parameters"))
                if built is not None:
                    operations.append(built)
    ids = [op.operation_id for op in operations]
    for duplicate in sorted({i for i in ids if ids.count(i) > 1}):
        doc.errors.add("/paths", f"operationId {duplicate!r} is used more than once")
    info = doc.data.get("info") or {}
    return HttpApi(
        title=str(info.get("title", "")),
        source=doc.source,
        aliases=tuple(schemas.aliases()),
        structs=tuple(schemas.structs()),
        operations=tuple(operations),
    )


class _Operation:
    def __init__(
        self,
        doc: Document,
        schemas: SchemaConverter,
        path: str,
        method: str,
        at: str,
        global_security: tuple[str, ...],
    ) -> None:
        self.doc = doc
        self.schemas = schemas
        self.path = path
        self.method = method
        self.at = at
        self.global_security = global_security

    def build(self, op: Any, shared: Any, shared_at: str) -> HttpOperation | None:
        if not isinstance(op, Mapping):
            self.doc.errors.add(self.at, "expected an operation object")
            return None
        op_id = op.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            self.doc.errors.add(self.at, "an operation needs an operationId")
            return None
        params = [
            *self._parameters(shared, shared_at),
            *self._parameters(op.get("parameters") or [], join_pointer(self.at, "parameters")),
        ]
        declared = set(re.findall(r"{([^}]+)}", self.path))
        path_params = tuple(p for p in params if p.location == "path")
        if declared != {p.wire_name for p in path_params}:
            self.doc.errors.add(self.at, f"path parameters do not match the path {self.path!r}")
        status, response, media_type = self._result(op.get("responses"))
        security = op.get("security")
        return HttpOperation(
            operation_id=op_id,
            py_name=snake_case(op_id),
            method=self.method.upper(),
            path=self.path,
            summary=str(op.get("summary", "")).strip(),
            tags=tuple(str(t) for t in op.get("tags") or []),
            path_params=path_params,
            query_params=tuple(p for p in params if p.location == "query"),
            body=self._body(op.get("requestBody")),
            status_code=status,
            response=response,
            media_type=media_type,
            security=self.global_security if security is None else _security_names(security),
        )

    def _parameters(self, params: Any, at: str) -> list[Parameter]:
        out: list[Parameter] = []
        for i, raw in enumerate(params if isinstance(params, list) else []):
            param, param_at = self.doc.deref(raw, join_pointer(at, i))
            name, location = param.get("name"), param.get("in")
            if location not in ("path", "query") or not isinstance(name, str):
                self.doc.errors.add(param_at, f"unsupported parameter location {location!r}")
                continue
            schema_at = join_pointer(param_at, "schema")
            expr = self.schemas.type_of(param.get("schema", {}), schema_at)
            required = bool(param.get("required")) or location == "path"
            default: object | NoDefault | Unset = NO_DEFAULT if required else UNSET
            resolved, _ = self.doc.deref(param.get("schema", {}), schema_at)
            if not required and isinstance(resolved, Mapping) and "default" in resolved:
                default = resolved["default"]
            out.append(Parameter(name, python_name(name), location, expr, default))
        return out

    def _body(self, body: Any) -> TypeExpr | None:
        if body is None:
            return None
        at = join_pointer(self.at, "requestBody")
        body, at = self.doc.deref(body, at)
        content = body.get("content") or {}
        if set(content) != {"application/json"} or not body.get("required"):
            self.doc.errors.add(at, "a request body must be required and only application/json")
            return None
        media_at = join_pointer(at, "content", "application/json", "schema")
        return self.schemas.type_of(content["application/json"].get("schema", {}), media_at)

    def _result(self, responses: Any) -> tuple[int, TypeExpr | None, str]:
        at = join_pointer(self.at, "responses")
        if not isinstance(responses, Mapping):
            self.doc.errors.add(at, "expected responses")
            return 200, None, "application/json"
        successes = sorted(str(code) for code in responses if str(code).startswith("2"))
        if not successes:
            self.doc.errors.add(at, "an operation needs a 2xx response")
            return 200, None, "application/json"
        code = successes[0]
        response, response_at = self.doc.deref(responses[code], join_pointer(at, code))
        content = response.get("content") or {}
        if not content:
            return int(code), None, "application/json"
        media = next(iter(content))
        if len(content) != 1 or media not in _MEDIA_TYPES:
            self.doc.errors.add(
                join_pointer(response_at, "content"),
                f"a result needs exactly one media type of {_MEDIA_TYPES}",
            )
            return int(code), None, "application/json"
        if media == "text/plain":
            return int(code), Builtin("str"), media
        schema_at = join_pointer(response_at, "content", media, "schema")
        return int(code), self.schemas.type_of(content[media].get("schema", {}), schema_at), media


def _security_names(requirements: Any) -> tuple[str, ...]:
    names: list[str] = []
    for requirement in requirements if isinstance(requirements, list) else []:
        if isinstance(requirement, Mapping):
            names.extend(str(name) for name in requirement)
    return tuple(dict.fromkeys(names))
