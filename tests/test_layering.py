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
