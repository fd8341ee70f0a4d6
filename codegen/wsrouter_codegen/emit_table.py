"""The connection-type table: one row per group, for the server and the client SDK.

The server binds a handler class to each row at start-up and reads everything else
about a connection type from it (the decoder, the handshake's room rule, the stats
keys); the SDK makes its ``connect`` overloads and connection classes from it. Both
are views of the same groups, so that nothing lists the connection types by hand.
"""

from __future__ import annotations

from wsrouter_codegen.emit import View, docstring, render_template
from wsrouter_codegen.model import Group, Protocol
from wsrouter_codegen.schema import class_name, python_name, snake_case


class TableViews:
    """The view models of the two ``connection_types.py`` modules."""

    def __init__(self, protocol: Protocol) -> None:
        self.protocol = protocol
        self.tags = {m.key: m.struct.tag for m in protocol.messages}

    def _method(self, message: str) -> str:
        return "on_" + python_name(self.tags[message] or snake_case(message))

    def _row(self, group: Group) -> View:
        prefix = class_name(group.name)
        snake = python_name(group.name.lower())
        greeting = group.kind.greeting
        return {
            "name": group.name,
            "name_repr": repr(group.name),
            "constant": snake.upper(),
            "prefix": prefix,
            "module": snake,
            "interface": f"{prefix}Handler",
            "inbound": f"{prefix}Inbound",
            "outbound": f"{prefix}Outbound",
            "decode_inbound": f"decode_{snake}_inbound",
            "decode_outbound": f"decode_{snake}_outbound",
            "inbound_tags": f"{snake.upper()}_INBOUND_TAGS",
            "outbound_tags": f"{snake.upper()}_OUTBOUND_TAGS",
            "methods": repr(tuple(self._method(op.message) for op in group.receives)),
            "room_required": group.kind.room_required,
            "room_description": repr(group.kind.room_description),
            "greeting": greeting or "Any",
            "description": repr(" ".join(group.description.split())),
            "doc": docstring(f"``{group.name}``: {group.description}", 0),
        }

    def _context(self) -> View:
        rows = [self._row(g) for g in self.protocol.groups]
        greetings = sorted({r["greeting"] for r in rows if r["greeting"] != "Any"})
        return {
            "title": self.protocol.title,
            "source": self.protocol.source,
            "rows": rows,
            "greetings": greetings,
            "names": ", ".join(r["name_repr"] for r in rows),
        }

    def server_module(self) -> str:
        """``connection_types.py`` of the server: the table with handler interfaces."""
        return render_template("connection_types.py", self._context())

    def client_module(self) -> str:
        """``connection_types.py`` of the client: the table with outbound decoders."""
        return render_template("client_connection_types.py", self._context())
