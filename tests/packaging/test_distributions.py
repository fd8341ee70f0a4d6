"""The four distributions, each built as a wheel and installed alone into a fresh virtualenv.

The server (``wsrouter``), the client SDK (``wsrouter-client``), the generator
(``wsrouter-codegen``) and the contract tester (``wsrouter-contract``) each depend on
exactly what their own modules import; none pulls in another's libraries. Each wheel's
command runs from a virtualenv holding only that wheel and its dependencies: the server
answers ``/health`` and serves the console, its docs and both specs (package data, no
``WSROUTER_SPEC_DIR``), the client connects to it, the generator regenerates the
repository's code from the repository's specs without drift, and the contract tester
checks the live server.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

from tests.e2e.harness import ServerProcess, free_port, server_env
from tests.timing import TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
CONSTRAINTS = ROOT / "constraints.txt"
# Building a venv and installing into it is pip's work, bounded by this.
INSTALL_TIMEOUT = 300


@dataclass(frozen=True)
class Distribution:
    """One installable part: where its pyproject is, its package, what it may use."""

    name: str
    project: Path
    package: Path
    imports: frozenset[str]
    """The third-party modules its code imports."""
    requires: frozenset[str]
    """The distributions it depends on (normalised names, extras dropped)."""
    command: str | None


def _dist(
    name: str, project: str, package: str, imports: str, requires: str, command: str | None
) -> Distribution:
    return Distribution(
        name,
        ROOT / project,
        ROOT / package,
        frozenset(imports.split()),
        frozenset(requires.split()),
        command,
    )


DISTRIBUTIONS = {
    d.name: d
    for d in [
        _dist(
            "wsrouter",
            ".",
            "server/wsrouter",
            "litestar uvicorn msgspec jwt cryptography yaml websockets h11"
            " redis psycopg psycopg_pool",
            # pyjwt[crypto] brings cryptography; uvloop is uvicorn's loop, named in its
            # config rather than imported; websockets and h11 are uvicorn's WebSocket and
            # HTTP implementations, which transport/uvicorn_*.py extend; redis-py and
            # psycopg are cluster mode's Redis and PostgreSQL clients.
            "litestar uvicorn uvloop msgspec pyjwt pyyaml websockets h11"
            " redis psycopg psycopg-pool",
            "wsrouter",
        ),
        _dist(
            "wsrouter-client",
            "clients/python",
            "clients/python/wsrouter_client",
            "msgspec websockets httpx",
            "msgspec websockets httpx",
            None,
        ),
        _dist(
            "wsrouter-codegen",
            "codegen",
            "codegen/wsrouter_codegen",
            "jinja2 yaml",
            "jinja2 pyyaml ruff",  # ruff formats the output (run as a command)
            "wsrouter-codegen",
        ),
        _dist(
            "wsrouter-contract",
            "contract",
            "contract/wsrouter_contract",
            "websockets httpx yaml jsonschema hypothesis hypothesis_jsonschema",
            "websockets httpx pyyaml jsonschema hypothesis hypothesis-jsonschema",
            "wsrouter-contract",
        ),
    ]
}
OUR_PACKAGES = {"wsrouter", "wsrouter_client", "wsrouter_codegen", "wsrouter_contract"}


def _project(dist: Distribution) -> dict[str, object]:
    project: dict[str, object] = tomllib.loads((dist.project / "pyproject.toml").read_text())[
        "project"
    ]
    return project


def _third_party_imports(package: Path) -> set[str]:
    found: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"__future__"}


# ------------------------------------------------------------------ metadata, no install


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_each_part_imports_only_its_own_libraries_and_none_of_the_other_parts(name: str) -> None:
    dist = DISTRIBUTIONS[name]
    own = dist.package.name

    assert _third_party_imports(dist.package) - {own} == set(dist.imports)


@pytest.mark.parametrize("name", sorted(DISTRIBUTIONS))
def test_each_distribution_requires_exactly_its_own_libraries_pinned_as_lower_bounds(
    name: str,
) -> None:
    dist = DISTRIBUTIONS[name]
    project = _project(dist)
    pins = {
        n.strip().lower(): v.strip()
        for n, _, v in (line.partition("==") for line in CONSTRAINTS.read_text().splitlines())
    }
    requirements = [Requirement(text) for text in project["dependencies"]]  # type: ignore[attr-defined]

    assert project["name"] == name
    assert {r.name.lower() for r in requirements} == dist.requires
    for requirement in requirements:
        assert requirement.specifier.contains(pins[requirement.name.lower()]), requirement
    assert "optional-dependencies" not in project  # no extras: each part is its own wheel


# ------------------------------------------------------------------ wheels in fresh venvs


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every distribution built as a wheel (``pip wheel``, the dev venv's hatchling)."""
    out = tmp_path_factory.mktemp("wheels")
    for dist in DISTRIBUTIONS.values():
        _run(
            [
                *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"),
                *("--quiet", "--wheel-dir", str(out), str(dist.project)),
            ]
        )
    built = {}
    for wheel in out.glob("*.whl"):
        name = wheel.name.split("-")[0].replace("_", "-")
        built[name] = wheel
    assert set(built) == set(DISTRIBUTIONS)
    return built


@dataclass(frozen=True)
class Venv:
    """A virtualenv with one of our wheels and its dependencies, nothing else."""

    path: Path

    def bin(self, name: str) -> str:
        """The path of a command installed into it."""
        return str(self.path / "bin" / name)

    def installed(self) -> set[str]:
        """The normalised names of every distribution installed into it."""
        listed = _run([self.bin("python"), "-m", "pip", "list", "--format", "json"])
        return {item["name"].lower().replace("_", "-") for item in json.loads(listed)}


def _venv(root: Path, wheel: Path) -> Venv:
    venv = Venv(root / "venv")
    _run([sys.executable, "-m", "venv", str(venv.path)])
    _run(
        [
            *(venv.bin("python"), "-m", "pip", "install", "--quiet"),
            *("--disable-pip-version-check", "-c", str(CONSTRAINTS), str(wheel)),
        ]
    )
    return venv


def _run(args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreters and commands
        args,
        capture_output=True,
        text=True,
        check=False,
        timeout=INSTALL_TIMEOUT,
        cwd=cwd,
        env=env,
    )
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _clean_env() -> dict[str, str]:
    """This process's environment without WSROUTER_* and without the dev venv on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSROUTER_")}
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONPATH", None)
    return env


def _distribution_closure(venv: Venv) -> set[str]:
    return venv.installed() - {"pip", "setuptools", "wheel"}


# The libraries that make each part what it is; another part's venv must have none of them.
SIGNATURE = {
    "wsrouter": {"litestar", "uvicorn", "pyjwt", "uvloop"},
    "wsrouter-client": set(),
    "wsrouter-codegen": {"jinja2", "ruff"},
    "wsrouter-contract": {"hypothesis", "hypothesis-jsonschema", "jsonschema"},
}


def _foreign(name: str) -> set[str]:
    """What must not be in ``name``'s venv: the other parts and their signature libraries."""
    others = set().union(*(SIGNATURE[other] for other in DISTRIBUTIONS if other != name))
    return others | (set(DISTRIBUTIONS) - {name})


@pytest.fixture(scope="module")
def server_venv(wheels: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Venv:
    return _venv(tmp_path_factory.mktemp("server-venv"), wheels["wsrouter"])


@pytest.fixture(scope="module")
def installed_server(
    server_venv: Venv, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """``wsrouter serve`` from the wheel, started outside the repository."""
    workdir = tmp_path_factory.mktemp("installed-server")
    env = {**_clean_env(), **server_env(workdir)}
    env.pop("WSROUTER_SPEC_DIR", None)
    server = ServerProcess(workdir, free_port(), env, command=[server_venv.bin("wsrouter")])
    yield server.start()
    server.kill()


@pytest.mark.timeout(INSTALL_TIMEOUT)
def test_the_server_wheel_installs_alone_and_serves_health_console_docs_and_specs(
    server_venv: Venv, installed_server: ServerProcess
) -> None:
    assert "usage: wsrouter" in _run([server_venv.bin("wsrouter"), "--help"])
    assert not _distribution_closure(server_venv) & _foreign("wsrouter")
    with httpx.Client(base_url=installed_server.http_url, timeout=TIMEOUT) as http:
        assert http.get("/health").status_code == 200
        for page in ("/console", "/docs"):
            assert http.get(page).status_code == 200, page
        for spec in ("asyncapi.yaml", "openapi.yaml"):
            assert http.get(f"/{spec}").content == (ROOT / spec).read_bytes()
        assert http.get("/console/spec.json").json()["problems"] == []


@pytest.mark.timeout(INSTALL_TIMEOUT)
def test_the_client_wheel_installs_alone_and_connects(
    wheels: dict[str, Path], tmp_path: Path, installed_server: ServerProcess
) -> None:
    venv = _venv(tmp_path, wheels["wsrouter-client"])
    assert not _distribution_closure(venv) & _foreign("wsrouter-client")
    script = (
        "import asyncio, sys, wsrouter_client as wc\n"
        "async def main():\n"
        "    async with wc.connect(sys.argv[1], token=sys.argv[2]) as c:\n"
        "        print(type(await c.ping()).__name__)\n"
        "asyncio.run(main())\n"
    )
    out = _run(
        [venv.bin("python"), "-c", script, installed_server.ws_url, installed_server.token("7")],
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert out == "Pong\n"


@pytest.mark.timeout(INSTALL_TIMEOUT)
def test_the_codegen_wheel_installs_alone_and_generates_the_repositorys_code(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    venv = _venv(tmp_path, wheels["wsrouter-codegen"])
    assert not _distribution_closure(venv) & _foreign("wsrouter-codegen")
    assert "usage: wsrouter-codegen" in _run([venv.bin("wsrouter-codegen"), "--help"])
    out = _run(
        [venv.bin("wsrouter-codegen"), "generate", "--check", "--root", str(ROOT)],
        cwd=tmp_path,
        env=_clean_env(),
    )
    assert "generated files match the specs" in out


@pytest.mark.timeout(INSTALL_TIMEOUT)
def test_the_contract_wheel_installs_alone_and_checks_a_live_server(
    wheels: dict[str, Path], tmp_path: Path, installed_server: ServerProcess
) -> None:
    venv = _venv(tmp_path, wheels["wsrouter-contract"])
    assert not _distribution_closure(venv) & _foreign("wsrouter-contract")
    assert "usage: wsrouter-contract" in _run([venv.bin("wsrouter-contract"), "--help"])
    env = {**_clean_env(), "WSROUTER_CONTRACT_TOKEN": installed_server.token("8")}
    out = _run(
        [
            *(venv.bin("wsrouter-contract"), installed_server.ws_url),
            *("--spec", str(ROOT / "asyncapi.yaml"), "--connection-type", "general"),
            *("--scenarios", "none", "--max-examples", "5", "--seed", "1"),
        ],
        cwd=tmp_path,
        env=env,
    )
    assert "No violations found." in out
