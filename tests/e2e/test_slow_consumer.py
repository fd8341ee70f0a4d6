"""A client that stops reading is closed with 4008; broadcasts never wait for it."""

from __future__ import annotations

import time

import httpx
import pytest
from websockets.asyncio.client import connect

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer
from tests.timing import TIMEOUT

pytestmark = pytest.mark.anyio


async def test_a_client_that_stops_reading_is_closed_with_4008(start_server: StartServer) -> None:
    server = start_server(
        {"WSROUTER_SEND_QUEUE_BYTES": "65536", "WSROUTER_SEND_QUEUE_FRAMES": "16"}
    )
    # max_queue=1: the client library stops reading the socket after one unread frame.
    ws = await connect(
        f"{server.ws_url}?token={server.token('slow')}", max_queue=1, open_timeout=TIMEOUT
    )
    slow = Peer(ws)
    await slow.expect("connection_established")
    await slow.request({"type": "join_room", "room": "firehose"}, "room_joined")
    body = {"type": "firehose", "message": "x" * 16000}
    slowest = 0.0
    with httpx.Client(base_url=server.http_url, headers=server.admin_headers()) as http:
        for _ in range(600):
            started = time.monotonic()
            response = http.post("/ws/broadcast?connection_type=general&room=firehose", json=body)
            slowest = max(slowest, time.monotonic() - started)
            assert response.status_code == 202
            if response.json()["recipients"] == 0:
                break  # the slow consumer is gone
    assert slowest < TIMEOUT  # no broadcast waited on the stuck socket
    code, reason = await slow.closed()
    assert code == 4008
    assert "slow consumer" in reason
