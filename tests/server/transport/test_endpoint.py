"""The ``/ws`` endpoint in-process: what a bug in a handler does to its connection."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, MutableMapping
from pathlib import Path
from typing import Any

import pytest

from wsrouter.app import RouterApp, create_app
from wsrouter.auth import issue_token
from wsrouter.connection_types.general import GeneralConnection
from wsrouter.settings import Settings

pytestmark = pytest.mark.anyio

SECRET = "endpoint-test-secret-0123456789abcdef"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[RouterApp]:
    settings = Settings(jwt_secret=SECRET, database_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    router = create_app(settings)
    services = router.state.services
    await services.store.start()
    await services.registry.start()
    await services.broker.start(services.hub.deliver, services.hub.disconnect)
    yield router
    await services.broker.close()
    await services.registry.close()
    await services.store.close()


async def run_connection(app: RouterApp, token: str) -> list[MutableMapping[str, Any]]:
    """Open ``/ws`` with ``token`` and disconnect once the server sends a close."""
    sent: list[MutableMapping[str, Any]] = []
    closed = asyncio.Event()
    events = [{"type": "websocket.connect"}]

    async def receive() -> MutableMapping[str, Any]:
        if events:
            return events.pop(0)
        await closed.wait()
        return {"type": "websocket.disconnect", "code": 1011}

    async def send(event: MutableMapping[str, Any]) -> None:
        sent.append(event)
        if event["type"] == "websocket.close":
            closed.set()

    scope = {
        "type": "websocket",
        "path": "/ws",
        "query_string": f"connection_type=general&token={token}".encode(),
        "headers": [],
    }
    await asyncio.wait_for(app(scope, receive, send), 5)
    return sent


async def test_a_bug_in_a_handler_closes_its_connection_with_1011(
    app: RouterApp, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_open(self: GeneralConnection) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(GeneralConnection, "open", broken_open)
    token = issue_token(app.state.services.settings, sub="u1", ttl_seconds=60)
    with caplog.at_level(logging.ERROR, logger="wsrouter"):
        sent = await run_connection(app, token)
    assert sent[0] == {"type": "websocket.accept"}
    assert sent[-1] == {"type": "websocket.close", "code": 1011, "reason": "internal error"}
    assert "connection failed connection_id=general_u1_" in caplog.text
    assert token not in caplog.text
    assert len(app.state.services.hub) == 0  # and nothing is left of it
