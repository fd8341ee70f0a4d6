"""Layers point one way: generated code and the client SDK import no more than they may."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVER_GENERATED = ROOT / "server" / "wsrouter" / "_generated"
CLIENT_PACKAGE = ROOT / "clients" / "python" / "wsrouter_client"
CODEGEN_PACKAGE = ROOT / "codegen" / "wsrouter_codegen"

STDLIB = sys.stdlib_module_names


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _third_party(path: Path) -> set[str]:
    return {name for name in _top_level_imports(path) if name not in STDLIB}


@pytest.mark.parametrize(
    "path",
    [
        *sorted(SERVER_GENERATED.glob("*.py")),
        *sorted((CLIENT_PACKAGE / "_generated").glob("*.py")),
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_generated_code_imports_only_msgspec_and_the_standard_library(path: Path) -> None:
    allowed = {"msgspec"} | ({"litestar"} if path.name == "http_routes.py" else set())
    assert _third_party(path) <= allowed


def test_the_client_sdk_imports_nothing_from_the_server() -> None:
    for path in CLIENT_PACKAGE.rglob("*.py"):
        assert not _top_level_imports(path) & {"wsrouter", "wsrouter_codegen"}, path


def test_codegen_imports_neither_server_nor_client() -> None:
    for path in CODEGEN_PACKAGE.rglob("*.py"):
        assert not _top_level_imports(path) & {"wsrouter", "wsrouter_client"}, path


def test_the_client_sdk_runs_without_any_server_dependency() -> None:
    """Import the whole SDK in a fresh interpreter where server-only packages cannot load."""
    script = textwrap.dedent(
        """
        import importlib, importlib.abc, pkgutil, sys

        BLOCKED = {"wsrouter", "wsrouter_codegen", "litestar", "uvicorn", "jwt", "jsonschema",
                   "yaml", "jinja2", "sqlite3", "redis", "psycopg", "asyncpg"}

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"the client SDK imported server-side {name!r}")
                return None

        sys.meta_path.insert(0, Block())
        import wsrouter_client
        found = pkgutil.walk_packages(wsrouter_client.__path__, "wsrouter_client.")
        names = [m.name for m in found]
        for name in names:
            importlib.import_module(name)
        assert "wsrouter_client._generated.ws_client" in names, names
        from wsrouter_client._generated.messages import Ping, decode_general_outbound
        assert decode_general_outbound(b'{"type":"pong","timestamp":"2025-07-10T10:30:00.000Z"}')
        print(len(names))
        """
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 5


SERVER_PACKAGE = ROOT / "server" / "wsrouter"

# The server's layers, lowest first: a module may import its own layer and the ones
# below it, never one above (`_generated` <- `protocol` <- `connection_types` <-
# `transport` <- `app`/`cli`). The backends and helpers sit between the generated code
# and the protocol: they know nothing of connections.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"_generated"}),
    frozenset(
        {"settings", "configuration", "clock", "metrics", "auth", "broker", "registry", "store"}
    )
    | {"redis_client"},
    frozenset({"protocol"}),
    frozenset({"connection_types"}),
    frozenset({"transport", "services", "timers"}),
    frozenset({"admin", "console", "app", "cli", "cluster", "workers"}),
)


def _layer(part: str) -> int:
    for level, names in enumerate(LAYERS):
        if part in names:
            return level
    raise AssertionError(f"wsrouter.{part} is in no layer of tests/test_layering.py")


def _server_imports(path: Path) -> set[str]:
    """The ``wsrouter.<part>`` modules ``path`` imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            pieces = name.split(".")
            if pieces[0] == "wsrouter" and len(pieces) > 1:
                parts.add(pieces[1])
    return parts


def _part(path: Path) -> str:
    relative = path.relative_to(SERVER_PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


@pytest.mark.parametrize(
    "path",
    [
        p
        for p in sorted(SERVER_PACKAGE.rglob("*.py"))
        if p.name != "__init__.py" or p.parent != SERVER_PACKAGE
    ],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_server_imports_point_down_the_layers(path: Path) -> None:
    level = _layer(_part(path))
    upward = sorted(part for part in _server_imports(path) if _layer(part) > level)
    assert not upward, f"{path.relative_to(ROOT)} imports a higher layer: {upward}"


def test_the_layer_check_sees_an_upward_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("from wsrouter.transport.hub import Hub\n", encoding="utf-8")
    assert _server_imports(module) == {"transport"}
    assert _layer("transport") > _layer("connection_types")
