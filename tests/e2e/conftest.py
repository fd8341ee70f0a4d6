"""Fixtures: one real server for the module, and a factory for tests that need their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.e2e.harness import ServerProcess, free_port, server_env

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[StartServer]:
    """Start servers with extra environment; all are stopped at the end of the test."""
    started: list[ServerProcess] = []

    def start(extra: Mapping[str, str] | None = None, workdir: Path | None = None) -> ServerProcess:
        where = workdir or tmp_path / f"server{len(started)}"
        where.mkdir(parents=True, exist_ok=True)
        server = ServerProcess(where, free_port(), server_env(where, extra)).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server shared by the tests of one module."""
    where = tmp_path_factory.mktemp("server")
    process = ServerProcess(where, free_port(), server_env(where)).start()
    yield process
    process.kill()
