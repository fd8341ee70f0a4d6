"""View models of the modules generated from an AsyncAPI document."""

from __future__ import annotations

import re

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
    Group,
    Named,
    NoDefault,
    Nullable,
    Protocol,
    ReceiveOperation,
    TypeExpr,
    Unset,
)
from wsrouter_codegen.schema import class_name, names_in, python_name, snake_case
from wsrouter_codegen.types import field_annotation, render

_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


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
        exprs = [a.type for a in self.protocol.aliases] + [f.type for f in all_fields(structs)]
        context = {
            **self._base(),
            **types_context(self.protocol.aliases, self.protocol.structs),
            **typing_and_msgspec(
                exprs, all_fields(structs), {"Final", "Never", "TypeAlias", "final"}
            ),
            "unchecked": [u.replace("\\", "\\\\") for u in self.protocol.unchecked],
            "perspective": _perspective_words(self.protocol.perspective),
            "websocket": self.protocol.websocket,
            "protocols": ", ".join(self.protocol.protocols),
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
            "members": " | ".join(members) or "Never",
            "tags_name": tags_name,
            "tags": "frozenset({" + ", ".join(repr(t) for t in tags) + "})"
            if tags
            else "frozenset[str]()",
            "decoder": decoder,
            "doc": f"What {who} a {group.name!r} connection.",
        }
        if not members:  # e.g. a server that only pushes: its clients send nothing
            view["decls"] = []
            view["body"] = [
                f'raise msgspec.ValidationError("no message is sent on a {group.name} connection")'
            ]
            return view
        primary = " | ".join(tagged) or untagged[0]
        fallbacks = untagged[1:] if not tagged else untagged
        view["decls"] = [
            f"_{decoder}: Final[msgspec.json.Decoder[{name}]] = msgspec.json.Decoder({primary})"
        ]
        view["body"] = [f"return _{decoder}.decode(data)"]
        if not fallbacks:
            return view
        # Untagged messages: told apart only by their schemas, tried one after the other.
        body = ["try:", f"    return _{decoder}.decode(data)", "except msgspec.ValidationError:"]
        body += (
            [f"    if peek_tag(data) in {tags_name}:", "        raise"] if tagged else ["    pass"]
        )
        for i, message in enumerate(fallbacks):
            fallback = f"_{decoder}_fallback" + (str(i + 1) if i else "")
            view["decls"].append(f"{fallback}: Final = msgspec.json.Decoder({message})")
            if i < len(fallbacks) - 1:
                body += ["try:", f"    return {fallback}.decode(data)"]
                body += ["except msgspec.ValidationError:", "    pass"]
            else:
                body.append(f"return {fallback}.decode(data)")
        view["body"] = body
        return view

    # ----------------------------------------------------------------- handlers

    def correlation(self) -> str:
        """The correlation field's name (one for the whole protocol)."""
        for message in self.protocol.messages:
            if message.correlation_field:
                return message.correlation_field
        return "request_id"

    def request_id_type(self) -> str:
        """The Python type of request ids (``str``, or ``int`` for Kraken's ``reqid``)."""
        kinds: list[str] = []
        for message in self.protocol.messages:
            for f in message.struct.fields:
                if f.py_name == message.correlation_field:
                    kinds.append(render(self._bare(f.type)))
        return " | ".join(dict.fromkeys(kinds)) or "str"

    def _bare(self, expr: TypeExpr) -> TypeExpr:
        """``expr`` without aliases, limits or ``None``: what an id generator returns."""
        aliases = {a.name: a.type for a in self.protocol.aliases}
        while True:
            if isinstance(expr, Constrained | Nullable):
                expr = expr.inner
            elif isinstance(expr, Named) and expr.name in aliases:
                expr = aliases[expr.name]
            else:
                return expr

    def _method(self, op: ReceiveOperation) -> str:
        message = self.messages[op.message]
        return python_name(message.struct.tag or snake_case(op.message))

    def handlers_module(self) -> str:
        imports: set[str] = {"ReplyError"}
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
                reply = " | ".join(op.replies) or None
                correlated = message.correlation_field is not None
                # "answer": the reply and any error carry the request's id; "no_answer":
                # only an error can come back, with the id; "plain": nothing to copy.
                if (
                    correlated
                    and reply
                    and all(self.messages[r].correlation_field for r in op.replies)
                ):
                    kind = "answer"
                elif correlated and not reply:
                    kind = "no_answer"
                else:
                    kind = "plain"
                method = f"on_{self._method(op)}"
                operations.append(
                    {
                        "method": method,
                        "message": op.message,
                        "returns": reply or "None",
                        "doc": docstring(op.summary, 8, f"Handle ``{message.struct.tag}``"),
                        "body": self._dispatch_body(kind, method, reply, message.correlation_field),
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
            "correlation_field": self.correlation(),
            "groups": groups,
        }
        return render_template("handlers.py", context)

    def _dispatch_body(
        self, kind: str, method: str, reply: str | None, correlation: str | None
    ) -> list[str]:
        """The lines of ``dispatch`` that run ``method`` and return what to send back."""
        call = f"await self.{method}(message)"
        if kind == "plain":
            return [f"return {call}"] if reply else [call, "return None"]
        field = self.correlation()
        # One name per reply type, so that mypy sees one type per name.
        name = "_or_".join(snake_case(r) for r in reply.split(" | ")) if reply else ""
        var = f"reply_{name}" if kind == "answer" else ""
        run = f"{var} = {call}" if var else call
        done = (
            [f"{var}.{field} = message.{correlation}", f"return {var}"] if var else ["return None"]
        )
        if not self.errors:  # no failure reply in the spec: nothing to catch
            return [run, *done]
        return [
            "try:",
            f"    {run}",
            "except ReplyError as exc:",
            f"    exc.reply.{field} = message.{correlation}",
            "    return exc.reply",
            *done,
        ]

    # ----------------------------------------------------------------- client

    def client_module(self) -> str:
        """``ws_client.py``: the async clients over a ``Transport``."""
        return render_template("ws_client.py", self._client_context(sync=False))

    def sync_client_module(self) -> str:
        """``ws_client_sync.py``: the same clients, blocking, over a ``SyncTransport``.

        Made from the same view model as the async module (the way httpx derives its
        sync code from the async one), so the two cannot drift apart.
        """
        return render_template("ws_client_sync.py", self._client_context(sync=True))

    def _client_context(self, *, sync: bool) -> View:
        imports: set[str] = {"ReplyError", *self.errors}
        exprs: list[TypeExpr] = []
        fields: list[Field] = []
        clients = []
        wait = "" if sync else "await "
        any_reply = any_url = any_literal = any_quote = False
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
                reply = " | ".join(op.replies) or None
                kwargs = [f"{f.py_name}={f.py_name}" for f in params]
                if reply and message.correlation_field:
                    imports.update(op.replies)
                    kwargs.append(f"{message.correlation_field}=request_id")
                    args.append("timeout: float | None = None")
                    body = [
                        "request_id = self.transport.next_request_id()",
                        f"reply = {wait}self.transport.request({op.message}({', '.join(kwargs)}), "
                        "request_id, timeout)",
                    ]
                    if len(op.replies) == 1:
                        body.append(f"return _expect(reply, {reply})")
                    else:  # several success replies (a union payload): any of them
                        any_reply = True
                        body += [f"if isinstance(reply, {reply}):", "    return reply"]
                        body.append("_fail(reply)")
                    returns = reply
                else:
                    body = [f"{wait}self.transport.send({op.message}({', '.join(kwargs)}))"]
                    returns = "None"
                summary = op.summary or f"Send ``{message.struct.tag or op.message}``"
                if reply and message.correlation_field:
                    what = " or ".join(
                        f"``{self.messages[r].struct.tag or r}``" for r in op.replies
                    )
                    summary += f" Returns the {what} reply"
                methods.append(
                    {
                        "name": self._method(op),
                        "params": ", ".join(["self", "*", *args] if args else ["self"]),
                        "returns": returns,
                        "doc": docstring(summary, 8),
                        "body": body,
                    }
                )
            url = _url_view(group, self.protocol.servers)
            if url is not None:
                any_url = True
                any_literal = any_literal or any(p.values for p in group.parameters)
                any_quote = any_quote or bool(group.parameters)
            clients.append(
                {
                    "url": url,
                    "name": f"Sync{prefix}Client" if sync else f"{prefix}Client",
                    "doc": docstring(
                        f"A ``{group.name}`` connection{', blocking' if sync else ''}. "
                        f"{group.description}",
                        4,
                    ),
                    "group": repr(group.name),
                    "outbound": outbound,
                    "decoder": decoder,
                    # a decoder of no message only raises: nothing to return
                    "decode_call": f"return {decoder}(data)" if _members else f"{decoder}(data)",
                    "methods": methods,
                }
            )
        names_in_types = {n for e in exprs for n in names_in(e)}
        typing_extra = {"ClassVar", "NoReturn", "Protocol", "TypeVar"}
        if any_literal:  # a channel parameter's enum
            typing_extra.add("Literal")
        return {
            **self._base(),
            **typing_and_msgspec(exprs, fields, typing_extra),
            "request_id_type": self.request_id_type(),
            "any_reply": any_reply,
            "any_url": any_url,
            "any_quote": any_quote,
            "imports": sorted(imports | names_in_types),
            "error_types": "(" + ", ".join(self.errors) + ",)" if self.errors else "()",
            "clients": clients,
        }


def _url_view(group: Group, servers: tuple[str, ...]) -> View | None:
    """``url()`` and ``connect()`` of a group made of the channels at one address.

    The address's ``{parameters}`` are keyword arguments (a ``Literal`` of their enum,
    their default if any); ``server`` defaults to the document's first WebSocket server.
    """
    if group.address is None:
        return None
    params, args = [], []
    for parameter in group.parameters:
        name = python_name(parameter.name)
        kind = "str"
        if parameter.values:
            kind = f"Literal[{', '.join(repr(v) for v in parameter.values)}]"
        default = "" if parameter.default is None else f" = {parameter.default!r}"
        params.append(f"{name}: {kind}{default}")
        args.append(f"{name}={name}")
    params.append(f"server: str{f' = {servers[0]!r}' if servers else ''}")
    args.append("server=server")
    pieces = ['server.rstrip("/")']
    address = group.address.strip()
    if address not in ("", "/"):
        names = {p.name: python_name(p.name) for p in group.parameters}
        for i, piece in enumerate(_PLACEHOLDER.split("/" + address.lstrip("/"))):
            if i % 2:
                pieces.append(f'quote(str({names[piece]}), safe="")')
            elif piece:
                pieces.append(repr(piece))
    where = f"the channel address ``{group.address}``" if group.address != "/" else "``/``"
    return {
        "params": "*, " + ", ".join(params),
        "args": ", ".join(args),
        "expr": " + ".join(pieces),
        "doc": docstring(f"The URL of a ``{group.name}`` connection: ``server``, then {where}", 8),
    }


def _perspective_words(perspective: str) -> str:
    """``server (why)`` as the docstring says it: ``server's document (why)``."""
    side, _, why = perspective.partition(" ")
    return f"{side}'s document {why}".strip()


def _param_default(field: Field) -> str:
    if isinstance(field.default, NoDefault):
        return ""
    if isinstance(field.default, Unset):
        return " = UNSET"
    return f" = {field.default!r}"
