"""Fixtures: one real server for the module, and a factory for tests that need their own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tests.e2e.harness import Peer, ServerProcess, free_port, server_env

StartServer = Callable[..., ServerProcess]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
async def close_peers(anyio_backend: str) -> AsyncIterator[None]:
    """Close every client a test opened, whatever state the test left it in."""
    yield
    while Peer.opened:
        await Peer.opened.pop().close()


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
    # Shared by many tests that send quickly; the rate limit has tests of its own.
    generous = {"WSROUTER_MESSAGES_PER_SECOND": "1000", "WSROUTER_MESSAGE_BURST": "1000"}
    process = ServerProcess(where, free_port(), server_env(where, generous)).start()
    yield process
    process.kill()
