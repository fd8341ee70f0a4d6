"""The end-to-end fixtures: each case runs against a real ``wsrouter serve`` process."""

from collections.abc import Iterator

import pytest

from tests.adversarial.raw import RawSocket
from tests.e2e.conftest import anyio_backend, close_peers, server, start_server

__all__ = ["anyio_backend", "close_peers", "close_raw_sockets", "server", "start_server"]


@pytest.fixture(autouse=True)
def close_raw_sockets() -> Iterator[None]:
    """Close every raw socket a test opened, whatever state the test left it in."""
    yield
    while RawSocket.opened:
        RawSocket.opened.pop().close()
