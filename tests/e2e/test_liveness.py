"""Order, heartbeats and logs: what users never see until it goes wrong."""

from __future__ import annotations

import asyncio
import base64
import os

import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess
from tests.timing import TIMEOUT, eventually

pytestmark = pytest.mark.anyio


async def test_messages_of_one_connection_are_answered_in_order(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={server.token('order')}")
    await peer.expect("connection_established")
    for i in range(100):
        await peer.send({"type": "echo", "message": str(i), "request_id": str(i)})
    for i in range(100):
        await peer.expect("echo", message=str(i), request_id=str(i))


async def test_a_client_that_never_answers_pings_is_dropped(start_server: StartServer) -> None:
    server = start_server({"WSROUTER_HEARTBEAT_SECONDS": "0.5"})
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws?token={server.token('mute')} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), TIMEOUT)
    assert b" 101 " in status
    opcodes = []
    # Read raw frames and never answer: the server pings, waits, then gives up on us.
    while True:
        header = await asyncio.wait_for(reader.read(2), 4 * TIMEOUT)
        if not header:
            break  # the server closed the TCP connection
        length = header[1] & 0x7F
        if length == 126:
            length = int.from_bytes(await reader.readexactly(2), "big")
        await reader.readexactly(length)
        opcodes.append(header[0] & 0x0F)
        if opcodes[-1] == 0x8:
            break  # a close frame
    writer.close()
    assert 0x9 in opcodes  # it was pinged
    assert opcodes[-1] == 0x8 or not header  # and then closed


async def test_tokens_never_reach_the_log(server: ServerProcess) -> None:
    token = server.token("secretive")
    peer = await Peer.open(server, f"connection_type=general&token={token}")
    await peer.expect("connection_established")
    bad = token[:-4] + "AAAA"
    refused = await Peer.open(server, f"token={bad}")
    await refused.expect("error", code="unauthorized")
    await peer.close()
    await eventually(lambda: "disconnected connection_id=general_secretive_" in server.output())
    log = server.output()
    assert "connection_id=general_secretive_" in log  # the log has the events...
    assert token not in log  # ...but no token
    assert bad not in log
    assert token.split(".")[2] not in log


async def test_permessage_deflate_is_refused_even_when_offered(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={server.token('deflate')}")  # websockets offers it
    await peer.expect("connection_established")
    assert peer.ws.protocol.extensions == []
