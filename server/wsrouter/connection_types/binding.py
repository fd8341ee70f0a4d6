"""Binding a handler class to each connection type of the generated table, at start-up.

By convention the handler of a type lives in ``connection_types/<module>.py`` (the
row's ``module``: ``test-session`` is ``test_session.py``) and is the one class
there that implements the type's generated interface and extends
:class:`~wsrouter.connection_types.base.ConnectionHandler`. Every problem is
collected (a missing module, no such class, a missing ``on_<message>`` method) so
that the server can refuse to start with all of them at once, before serving.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Mapping
from typing import Any

from wsrouter._generated.connection_types import CONNECTION_TYPES, ConnectionTypeSpec
from wsrouter.connection_types.base import ConnectionHandler

PACKAGE = "wsrouter.connection_types"
FOLDER = "server/wsrouter/connection_types"


class HandlerProblems(Exception):
    """Some connection types of the spec cannot be served; one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def bind_handlers(
    table: Mapping[str, ConnectionTypeSpec] = CONNECTION_TYPES, package: str = PACKAGE
) -> dict[str, type[ConnectionHandler]]:
    """The handler class of every connection type; :class:`HandlerProblems` if any is off."""
    bound: dict[str, type[ConnectionHandler]] = {}
    problems: list[str] = []
    for spec in table.values():
        handler = _find(spec, package, problems)
        if handler is not None:
            bound[spec.name] = handler
    if problems:
        raise HandlerProblems(problems)
    return bound


def _find(
    spec: ConnectionTypeSpec, package: str, problems: list[str]
) -> type[ConnectionHandler] | None:
    where = f"{FOLDER}/{spec.module}.py"
    interface = spec.interface.__name__
    try:
        module = importlib.import_module(f"{package}.{spec.module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"{package}.{spec.module}":
            raise  # the module exists but imports something missing: its own bug
        problems.append(
            f"connection type {spec.name!r}: no handler; add {where} with a class that extends "
            f"ConnectionHandler and implements {interface} ({', '.join(spec.methods)})"
        )
        return None
    candidates = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and value.__module__ == module.__name__
        and issubclass(value, spec.interface)
    ]
    if len(candidates) != 1:
        found = ", ".join(c.__name__ for c in candidates) or "none"
        problems.append(
            f"connection type {spec.name!r}: {where} needs exactly one class implementing "
            f"{interface} (found: {found})"
        )
        return None
    handler = candidates[0]
    if not issubclass(handler, ConnectionHandler):
        problems.append(
            f"connection type {spec.name!r}: {handler.__name__} in {where} must extend "
            "wsrouter.connection_types.base.ConnectionHandler"
        )
        return None
    missing = [m for m in spec.methods if m in getattr(handler, "__abstractmethods__", ())]
    for method in missing:
        problems.append(
            f"connection type {spec.name!r}: {handler.__name__} has no {method}; add "
            f"`async def {method}{_signature(spec.interface, method)}` to it in {where}"
        )
    others = sorted(set(getattr(handler, "__abstractmethods__", ())) - set(missing))
    if others:
        problems.append(
            f"connection type {spec.name!r}: {handler.__name__} in {where} is abstract "
            f"({', '.join(others)})"
        )
    return None if missing or others else handler


def _signature(interface: type[Any], method: str) -> str:
    """``(self, message: Ping) -> Pong``, as the generated interface declares it."""
    function = getattr(interface, method)
    annotations = getattr(function, "__annotations__", {})
    params = [
        f"{name}: {annotation}" for name, annotation in annotations.items() if name != "return"
    ]
    returns = annotations.get("return", "None")
    return f"(self, {', '.join(params)}) -> {returns}"
