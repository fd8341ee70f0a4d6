"""Generate code from spec text into a temporary package and import it."""

from __future__ import annotations

import importlib
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from wsrouter_codegen import Outputs, generate
from wsrouter_codegen.generate import write

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Generated:
    """The imported modules of one generation."""

    root: Path
    messages: ModuleType
    handlers: ModuleType
    http_models: ModuleType
    http_routes: ModuleType
    client_messages: ModuleType
    ws_client: ModuleType
    ws_client_sync: ModuleType
    http_client: ModuleType


def generate_into(tmp_path: Path, asyncapi: str, openapi: str | None = None) -> Generated:
    """Write the specs under ``tmp_path``, generate, and import the result.

    Each call gets its own package name, so generations never share modules.
    """
    package = f"gen_{uuid.uuid4().hex[:12]}"
    (tmp_path / "asyncapi.yaml").write_text(asyncapi, encoding="utf-8")
    openapi_text = openapi if openapi is not None else (FIXTURES / "openapi.yaml").read_text()
    (tmp_path / "openapi.yaml").write_text(openapi_text, encoding="utf-8")
    files = generate(
        tmp_path / "asyncapi.yaml",
        tmp_path / "openapi.yaml",
        Outputs(
            server=Path(package, "server", "_generated"),
            client=Path(package, "client", "_generated"),
        ),
        ruff_config=ROOT / "pyproject.toml",
    )
    write(tmp_path, files)
    sys.path.insert(0, str(tmp_path))
    try:
        server = f"{package}.server._generated"
        client = f"{package}.client._generated"
        return Generated(
            root=tmp_path / package,
            messages=importlib.import_module(f"{server}.messages"),
            handlers=importlib.import_module(f"{server}.handlers"),
            http_models=importlib.import_module(f"{server}.http_models"),
            http_routes=importlib.import_module(f"{server}.http_routes"),
            client_messages=importlib.import_module(f"{client}.messages"),
            ws_client=importlib.import_module(f"{client}.ws_client"),
            ws_client_sync=importlib.import_module(f"{client}.ws_client_sync"),
            http_client=importlib.import_module(f"{client}.http_client"),
        )
    finally:
        sys.path.remove(str(tmp_path))


def fixture_asyncapi() -> str:
    """The text of the fixture AsyncAPI document (the inline specs start from it)."""
    return (FIXTURES / "asyncapi.yaml").read_text(encoding="utf-8")
