"""What floods, slow readers and odd frames did to the server, and what they get now."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest
from websockets.exceptions import InvalidStatus

from tests.adversarial.raw import CLOSE, PING, PONG, TEXT, RawSocket
from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess
from tests.timing import MS, TIMEOUT, eventually

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024


def rss(server: ServerProcess) -> int:
    assert server.process is not None
    return int(psutil.Process(server.process.pid).memory_info().rss)


def stats(server: ServerProcess) -> dict[str, object]:
    body: dict[str, object] = httpx.get(
        f"{server.http_url}/ws/stats", headers=server.admin_headers(), timeout=TIMEOUT
    ).json()
    return body


async def test_a_ping_flood_that_never_reads_is_closed_and_memory_stays_bounded(
    start_server: StartServer,
) -> None:
    server = start_server()
    flooder = await RawSocket.open(
        server.port, f"/ws?token={server.token('flood')}", receive_buffer=4096
    )
    before = rss(server)
    payload = b"p" * 125  # the largest ping: the most pong per ping
    for _ in range(200):
        for _ in range(500):
            flooder.send(PING, payload)
        if not await flooder.drain(timeout=0.5):
            break  # the server stopped reading from us, or dropped us
    grown = rss(server) - before
    assert grown < 32 * MIB, f"{grown / MIB:.1f} MiB"
    assert await flooder.close_code(timeout=4 * TIMEOUT) in (4029, None)
    flooder.close()
    await eventually(lambda: stats(server)["total_connections"] == 0)


async def test_a_reading_ping_flood_is_closed_with_4029(start_server: StartServer) -> None:
    server = start_server()
    flooder = await RawSocket.open(server.port, f"/ws?token={server.token('flood2')}")
    opcode, _ = await flooder.read_frame()
    assert opcode == TEXT  # connection_established
    for _ in range(1000):
        flooder.send(PING)
    await flooder.drain()
    # The close frame, or a reset when it lands among pings the server no longer reads.
    assert await flooder.close_code() in (4029, None)
    flooder.close()
    assert "closing code=4029 reason=ping flood" in server.output()
    await eventually(lambda: stats(server)["total_connections"] == 0)


async def test_a_refused_client_gets_no_pongs_while_its_close_is_pending(
    start_server: StartServer,
) -> None:
    server = start_server()
    refused = await RawSocket.open(server.port, "/ws?token=bad", receive_buffer=4096)
    opcode, _ = await refused.read_frame()
    assert opcode == TEXT  # the error
    for _ in range(2000):
        refused.send(PING, b"x" * 125)
    await refused.drain()
    opcodes = []
    while True:
        try:
            opcode, _ = await refused.read_frame(timeout=500 * MS)
        except TimeoutError:
            break
        if opcode == -1:
            break
        opcodes.append(opcode)
    assert opcodes[:1] == [CLOSE]
    assert PONG not in opcodes  # after its close, the server answers nothing more
    refused.close()


async def test_the_per_user_cap_holds_for_concurrent_test_session_handshakes(
    server: ServerProcess,
) -> None:
    created = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "capped", "duration_seconds": 600},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    query = f"connection_type=test-session&room={created['id']}&token={server.token('capped')}"

    async def attempt() -> str:
        peer = await Peer.open(server, query)
        return str((await peer.recv())["type"])

    results = await asyncio.gather(*(attempt() for _ in range(60)))
    assert results.count("test_session_ready") == 20
    assert results.count("error") == 40
    listed = httpx.get(
        f"{server.http_url}/ws/connections",
        params={"user_id": "capped"},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    assert listed["total"] == 20


async def test_a_slow_consumer_is_unregistered_even_if_it_never_reads_its_close(
    start_server: StartServer,
) -> None:
    server = start_server(
        {
            "WSROUTER_SEND_QUEUE_BYTES": "65536",
            "WSROUTER_SEND_QUEUE_FRAMES": "16",
            "WSROUTER_CLOSE_TIMEOUT_SECONDS": "1",
            "WSROUTER_MESSAGES_PER_SECOND": "1000",
        }
    )
    ghost = await RawSocket.open(
        server.port, f"/ws?token={server.token('ghost')}", receive_buffer=4096
    )
    ghost.send(TEXT, json.dumps({"type": "join_room", "room": "hose"}).encode())
    assert await ghost.drain()
    talker = await Peer.open(server, f"token={server.token('talker')}")
    await talker.expect("connection_established")
    await talker.request({"type": "join_room", "room": "hose"}, "room_joined")
    big = "x" * 16000
    for _ in range(400):
        await talker.send({"type": "broadcast_to_room", "room": "hose", "message": big})
        await talker.expect("room_message")
        if stats(server)["total_connections"] == 1:
            break
    # never read a byte: the close cannot be delivered, so the socket is aborted
    await eventually(lambda: stats(server)["total_connections"] == 1, timeout=4 * TIMEOUT)
    listed = httpx.get(
        f"{server.http_url}/ws/connections",
        params={"user_id": "ghost"},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    assert listed["total"] == 0
    ghost.close()


async def test_deeply_nested_json_is_invalid_message(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={server.token('deep')}")
    await peer.expect("connection_established")
    await peer.send_raw("[" * 1000 + "]" * 1000)
    await peer.expect("error", code="invalid_message")
    await peer.request({"type": "ping"}, "pong")  # the connection lives on
    deep = {"type": "x", "message": "m", "data": {"a": json.loads("[" * 30 + "]" * 30)}}
    body = json.dumps(deep).replace("[[", "[" * 500 + "[[", 1).replace("]]", "]]" + "]" * 500, 1)
    response = httpx.post(
        f"{server.http_url}/ws/broadcast",
        content=body,
        headers={**server.admin_headers(), "content-type": "application/json"},
        timeout=TIMEOUT,
    )
    assert response.status_code == 400, response.text
    assert "nested" in response.text


async def test_a_long_non_ascii_close_reason_is_cut_not_crashed(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"connection_type={'é' * 100}&token={server.token('e')}")
    await peer.expect("error", code="bad_handshake")
    code, reason = await peer.closed()
    assert code == 4500
    assert len(reason.encode()) <= 123
    assert "Exception in ASGI application" not in server.output()


async def test_binary_frames_count_as_bad_frames_and_against_the_size(
    start_server: StartServer,
) -> None:
    server = start_server()
    peer = await Peer.open(server, f"token={server.token('bin')}")
    await peer.expect("connection_established")
    for _ in range(25):
        for _ in range(19):
            await peer.send_raw(b"\x00")
        await peer.send({"type": "ping"})
    codes = []
    while True:
        try:
            frame = await peer.recv()
        except Exception:
            break
        codes.append(frame.get("code", frame["type"]))
    assert "rate_limited" in codes
    assert (await peer.closed())[0] == 4029
    big = await Peer.open(server, f"token={server.token('bin2')}")
    await big.expect("connection_established")
    await big.send_raw(b"\x00" * 200_000)
    assert (await big.closed())[0] == 1009


async def test_a_connection_id_is_url_safe_whatever_the_sub(server: ServerProcess) -> None:
    peer = await Peer.open(server, f"token={server.token('team/alice')}")
    established = await peer.expect("connection_established")
    connection_id = established["connection_id"]
    assert "/" not in connection_id
    response = httpx.delete(
        f"{server.http_url}/ws/connections/{connection_id}",
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 204
    assert (await peer.closed())[0] == 4505  # removed_by_admin: the default, terminal


async def test_shutdown_takes_the_grace_it_is_given_even_with_stuck_peers(
    start_server: StartServer,
) -> None:
    server = start_server(
        {
            "WSROUTER_SHUTDOWN_GRACE_SECONDS": "2",
            "WSROUTER_SEND_QUEUE_BYTES": "67108864",
            "WSROUTER_SEND_QUEUE_FRAMES": "10000",
            "WSROUTER_MESSAGES_PER_SECOND": "1000",
            "WSROUTER_MESSAGE_BURST": "1000",
        }
    )
    stuck = []
    for i in range(3):
        peer = await RawSocket.open(
            server.port, f"/ws?token={server.token(f'stuck{i}')}", receive_buffer=4096
        )
        peer.send(TEXT, json.dumps({"type": "join_room", "room": "jam"}).encode())
        assert await peer.drain()
        stuck.append(peer)
    talker = await Peer.open(server, f"token={server.token('jammer')}")
    await talker.expect("connection_established")
    await talker.request({"type": "join_room", "room": "jam"}, "room_joined")
    for _ in range(500):  # 8 MB each: their sockets are full, their queues are not
        await talker.send({"type": "broadcast_to_room", "room": "jam", "message": "y" * 16000})
        await talker.expect("room_message")
    assert server.process is not None
    started = time.monotonic()
    server.stop()  # SIGTERM; uvicorn ends by re-raising it (exit status -15)
    took = time.monotonic() - started
    assert took < 2 + 2.5, f"shutdown took {took:.1f} s with a grace of 2 s"
    assert "aborting 3 connections still closing after 2s" in server.output()


def test_an_admin_body_over_64_kib_is_refused(server: ServerProcess) -> None:
    body = {"user_id": "big", "title": "t", "message": "m", "data": {"blob": "x" * 10_000_000}}
    response = httpx.post(
        f"{server.http_url}/notifications",
        json=body,
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    )
    assert response.status_code == 413, response.text
    assert response.json()["status_code"] == 413


async def read_until_closed(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while chunk := await asyncio.wait_for(reader.read(65536), TIMEOUT):
        data += chunk
    return data


async def test_idle_and_half_sent_request_heads_are_closed_with_408(
    start_server: StartServer,
) -> None:
    server = start_server({"WSROUTER_HEAD_TIMEOUT_SECONDS": "1"})
    idle = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(20)]
    half = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(20)]
    for _, writer in half:
        writer.write(b"GET /ws?connection_type=general HTTP/1.1\r\nHost: 127.0.0.1\r\nUpg")
        await writer.drain()
    answers = await asyncio.gather(*(read_until_closed(r) for r, _ in idle + half))
    assert all(answer.startswith(b"HTTP/1.1 408 ") for answer in answers), answers[:2]
    for _, writer in idle + half:
        writer.close()
    assert httpx.get(f"{server.http_url}/health", timeout=TIMEOUT).status_code == 200


async def test_an_oversized_request_head_gets_431_and_is_closed(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    for i in range(130):
        writer.write(f"X-Filler-{i}: {'z' * 200}\r\n".encode())
    writer.write(b"\r\n")
    await writer.drain()
    answer = await read_until_closed(reader)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:100]
    writer.close()


async def test_past_the_connection_cap_new_connections_get_503(
    start_server: StartServer,
) -> None:
    server = start_server({"WSROUTER_MAX_CONNECTIONS": "4"})
    peers = []
    for i in range(4):
        peer = await Peer.open(server, f"token={server.token(f'cap{i}')}")
        await peer.expect("connection_established")
        peers.append(peer)
    with pytest.raises(InvalidStatus) as refused:
        await Peer.open(server, f"token={server.token('cap-over')}")
    assert refused.value.response.status_code == 503
    await peers[0].close()
    deadline = time.monotonic() + TIMEOUT
    while True:  # room again once the server has seen the close
        try:
            again = await Peer.open(server, f"token={server.token('cap-again')}")
            break
        except InvalidStatus:
            assert time.monotonic() < deadline
            await asyncio.sleep(10 * MS)
    await again.expect("connection_established")
