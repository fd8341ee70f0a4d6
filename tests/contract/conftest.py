"""Fixtures of the contract tests: a real server with a few clients connected to it.

The tests of ``openapi.yaml`` (``test_openapi_*.py``) need operations to have something
to act on: the connections give ``listConnections`` items to return and
``disconnectConnection`` (reached through the link from ``listConnections``) real ids
to close.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.e2e.harness import ServerProcess, free_port, server_env
from tests.timing import TIMEOUT

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"


@pytest.fixture(scope="module")
def openapi_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of its own for the module, with a few clients connected."""
    where = tmp_path_factory.mktemp("openapi-server")
    # Generated requests come fast; the rate limit is not what these tests are about.
    generous = {"WSROUTER_MESSAGES_PER_SECOND": "1000", "WSROUTER_MESSAGE_BURST": "1000"}
    server = ServerProcess(where, free_port(), server_env(where, generous)).start()
    try:
        with ExitStack() as clients:
            _connect_clients(server, clients)
            yield server
    finally:
        server.kill()


def _connect_clients(server: ServerProcess, stack: ExitStack) -> None:
    """One client of each connection type, each read by a thread until it is closed."""
    session = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "3", "duration_seconds": 3600, "title": "Contract"},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    queries = [
        ("1", "connection_type=general"),
        ("2", "connection_type=general"),
        ("1", "connection_type=notifications"),
        ("2", "connection_type=chat&room=lobby"),
        ("3", f"connection_type=test-session&room={session['id']}"),
    ]
    for user, query in queries:
        url = f"{server.ws_url}?{query}&token={server.token(user)}"
        # No keepalive pings of our own (the server sends its heartbeat): their payload comes
        # from the global `random`, and Hypothesis fails a test whose strategies see it move.
        opened = connect(url, open_timeout=TIMEOUT, ping_interval=None, proxy=None)
        client = stack.enter_context(opened)
        # Reading keeps the server's send queue from filling up with broadcasts (close 4008).
        reader = threading.Thread(target=_drain, args=(client,), daemon=True)
        reader.start()
        # Unwound last in, first out: closed, then its reader has finished.
        stack.callback(reader.join, TIMEOUT)
        stack.callback(client.close)


def _drain(client: ClientConnection) -> None:
    try:
        for _ in client:
            pass
    except ConnectionClosed:
        pass
