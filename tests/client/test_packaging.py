"""The SDK installs and imports on its own: msgspec, websockets, httpx and nothing of the server."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients" / "python"
PACKAGE = CLIENT / "wsrouter_client"

SERVER_ONLY = {"litestar", "uvicorn", "pyjwt", "jsonschema", "pyyaml", "jinja2", "wsrouter"}
ALLOWED_IMPORTS = {"msgspec", "websockets", "httpx"}


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, _, version = line.partition("==")
        pins[name.strip().lower()] = version.strip()
    return pins


def test_the_distribution_depends_on_exactly_the_client_libraries_pinned_as_lower_bounds() -> None:
    project = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    pins = _pins()
    assert project["name"] == "wsrouter-client"
    assert sorted(project["dependencies"]) == sorted(
        f"{name}>={pins[name]}" for name in ALLOWED_IMPORTS
    )


def test_every_module_imports_only_the_standard_library_and_the_client_libraries() -> None:
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = {node.module.split(".")[0]}
            else:
                continue
            third_party = names - sys.stdlib_module_names
            assert third_party <= ALLOWED_IMPORTS, (path, third_party)


def test_pip_resolves_the_sdk_without_any_server_dependency(tmp_path: Path) -> None:
    """What ``pip install ./clients/python`` would install, in full (``--ignore-installed``)."""
    report = tmp_path / "report.json"
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [
            *(sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"),
            *("--quiet", "--disable-pip-version-check", "--report", str(report), str(CLIENT)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    installs = json.loads(report.read_text())["install"]
    names = {item["metadata"]["name"].lower().replace("_", "-") for item in installs}
    assert {"wsrouter-client", "msgspec", "websockets", "httpx"} <= names
    assert not names & SERVER_ONLY, names & SERVER_ONLY
    ours = next(i for i in installs if i["metadata"]["name"] == "wsrouter-client")
    assert sorted(ours["metadata"]["requires_dist"]) == [
        "httpx>=0.28.1",
        "msgspec>=0.22.0",
        "websockets>=17.4",
    ]
