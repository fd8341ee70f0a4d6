"""Cluster mode: real ``wsrouter serve`` nodes on one real Redis and one real PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped,unused-ignore]
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import (
    Peer,
    ServerProcess,
    free_port,
    save_answers_until_killed,
    server_env,
)
from tests.servers import RedisServer, running_redis
from tests.timing import MS, TIMEOUT

pytestmark = pytest.mark.anyio


def _serve(workdir: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "wsrouter.cli", "serve", "--port", str(free_port())],
        cwd=workdir,
        env=server_env(workdir, extra),
        capture_output=True,
        text=True,
        timeout=6 * TIMEOUT,
        check=False,
    )


def test_serve_exits_2_with_one_line_when_redis_is_unreachable(tmp_path: Path) -> None:
    url = f"redis://:hunter2hunter2@127.0.0.1:{free_port()}/0"
    done = _serve(tmp_path, WSROUTER_BROKER_URL=url)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(
        "wsrouter: configuration error: WSROUTER_BROKER_URL: cannot reach Redis at redis://:***@"
    )
    assert "hunter2" not in done.stderr


def test_serve_exits_2_with_one_line_when_postgres_is_unreachable(tmp_path: Path) -> None:
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nothing"
    done = _serve(tmp_path, WSROUTER_DATABASE_URL=url)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(
        "wsrouter: configuration error: WSROUTER_DATABASE_URL: cannot use PostgreSQL at"
    )


def test_serve_exits_2_on_a_broker_url_it_cannot_use(tmp_path: Path) -> None:
    done = _serve(tmp_path, WSROUTER_BROKER_URL="redis://127.0.0.1:notaport/0")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "WSROUTER_BROKER_URL must be memory:// or redis://HOST:PORT/DB" in line


@pytest.fixture
def cluster(start_server: StartServer, redis_url: str, postgres_url: str) -> list[ServerProcess]:
    """Two nodes sharing one Redis database and one PostgreSQL database."""
    extra = {"WSROUTER_BROKER_URL": redis_url, "WSROUTER_DATABASE_URL": postgres_url}
    return [start_server(extra), start_server(extra)]


async def enter(server: ServerProcess, room: str, sub: str, name: str) -> Peer:
    peer = await Peer.open(
        server, f"connection_type=chat&room={room}&token={server.token(sub, name=name)}"
    )
    await peer.expect("connection_established", room=room)
    await expect(peer, "chat_history", room=room)
    await expect(peer, "presence", room=room)
    return peer


async def expect(peer: Peer, kind: str, **fields: Any) -> dict[str, Any]:
    """The next frame of ``kind`` with these fields, past other nodes' late presence frames.

    Across nodes a ``user_joined`` published just before a connection joined a room can
    reach it just after (live frames are at most once and ordered per publisher only);
    the ``presence`` list is what is authoritative then.
    """
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(peer.ws.recv(), 4 * TIMEOUT))
        if frame.get("type") == kind and all(frame.get(k) == v for k, v in fields.items()):
            return frame
        assert frame.get("type") in ("user_joined", "user_left"), frame


async def test_a_chat_room_spans_nodes(cluster: list[ServerProcess]) -> None:
    one, two = cluster
    alice = await enter(one, "lobby", "a", "Alice")
    bob = await enter(two, "lobby", "b", "Bob")
    await expect(alice, "user_joined", user_id="b", username="Bob")
    await bob.send({"type": "send_message", "message": "hi"})
    sent = await expect(bob, "chat_message")
    await expect(alice, "chat_message", id=sent["id"], message="hi", sender_name="Bob")
    # The history is in PostgreSQL, so a newcomer on either node sees it.
    carol = await Peer.open(
        one, f"connection_type=chat&room=lobby&token={one.token('c', name='Carol')}"
    )
    await carol.expect("connection_established")
    history = await carol.expect("chat_history")
    assert [m["message"] for m in history["messages"]] == ["hi"]
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        stats = (await http.get(f"{two.http_url}/ws/stats", headers=two.admin_headers())).json()
    assert stats["total_connections"] == 3
    assert stats["connections_by_type"]["chat"] == 3


async def test_the_per_user_cap_holds_across_nodes(
    start_server: StartServer, redis_url: str, postgres_url: str
) -> None:
    extra = {
        "WSROUTER_BROKER_URL": redis_url,
        "WSROUTER_DATABASE_URL": postgres_url,
        "WSROUTER_CONNECTIONS_PER_USER": "3",
    }
    nodes = [start_server(extra), start_server(extra)]

    async def connect(i: int) -> Any:
        server = nodes[i % 2]
        peer = await Peer.open(server, f"token={server.token('same-user')}")
        first = await peer.recv()
        return first.get("type"), first.get("code")

    outcomes = await asyncio.gather(*(connect(i) for i in range(10)))
    assert sorted(outcomes, key=str).count(("connection_established", None)) == 3
    assert all(
        o in {("connection_established", None), ("error", "too_many_connections")} for o in outcomes
    )


async def test_a_killed_nodes_users_are_announced_gone_by_the_survivor(
    cluster: list[ServerProcess],
) -> None:
    doomed, survivor = cluster
    alice = await enter(doomed, "lobby", "a", "Alice")
    bob = await enter(survivor, "lobby", "b", "Bob")
    await expect(alice, "user_joined", user_id="b")
    doomed.kill()
    loop = asyncio.get_running_loop()
    killed = loop.time()
    await expect(bob, "user_left", user_id="a", room="lobby")
    # The bound: the heartbeat TTL (5 s) and one reaper interval (1 s), with slack.
    assert loop.time() - killed < 10
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        stats = (
            await http.get(f"{survivor.http_url}/ws/stats", headers=survivor.admin_headers())
        ).json()
    assert stats["total_connections"] == 1
    # Alice reconnects to the node that is left.
    again = await enter(survivor, "lobby", "a", "Alice")
    await expect(bob, "user_joined", user_id="a")
    await again.close()


@pytest.fixture
def private_redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, to stop and start under running nodes."""
    with running_redis() as server:
        yield server


async def test_a_redis_outage_refuses_newcomers_with_1013_and_heals_by_itself(
    start_server: StartServer, private_redis: RedisServer, postgres_url: str
) -> None:
    extra = {"WSROUTER_BROKER_URL": private_redis.url, "WSROUTER_DATABASE_URL": postgres_url}
    one, two = start_server(extra), start_server(extra)
    alice = await enter(one, "lobby", "a", "Alice")
    dave = await enter(one, "lobby", "d", "Dave")
    await expect(alice, "user_joined", user_id="d")
    bob = await enter(two, "lobby", "b", "Bob")
    await expect(alice, "user_joined", user_id="b")
    await expect(dave, "user_joined", user_id="b")

    private_redis.stop()
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:

        async def ready(server: ServerProcess) -> int:
            return (await http.get(f"{server.http_url}/ready")).status_code

        await _until(lambda: ready(one), 503)
        stats = await http.get(f"{one.http_url}/ws/stats", headers=one.admin_headers())
        assert (stats.status_code, stats.json()["status_code"]) == (503, 503)
        # A newcomer is refused, retryably: nobody can check the per-user cap now.
        newcomer = await Peer.open(one, f"token={one.token('n')}")
        await newcomer.expect("error", code="unavailable")
        assert (await newcomer.closed())[0] == 1013
        # Live frames still reach this node's own connections (the others miss them).
        await alice.send({"type": "send_message", "message": "down"})
        sent = await expect(alice, "chat_message")
        await expect(dave, "chat_message", id=sent["id"])

        private_redis.start()
        down_until = asyncio.get_running_loop().time()
        await _until(lambda: ready(one), 200)
        await _until(lambda: ready(two), 200)
        healed = asyncio.get_running_loop().time() - down_until
        # Delivery across nodes is back, and the nodes put their connections back.
        await bob.send({"type": "send_message", "message": "back"})
        sent = await expect(bob, "chat_message")
        await expect(alice, "chat_message", id=sent["id"])
        await expect(dave, "chat_message", id=sent["id"])

        async def registered() -> int:
            url, headers = f"{two.http_url}/ws/stats", two.admin_headers()
            return int((await http.get(url, headers=headers)).json()["total_connections"])

        # Redis came back empty: each node's next heartbeat puts its connections back.
        await _until(registered, 3)
        metrics = (await http.get(f"{one.http_url}/metrics")).text
    assert "wsrouter_broker_gaps 1" in metrics
    assert healed < 4 * TIMEOUT


async def _until(status: Callable[[], Awaitable[int]], wanted: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 4 * TIMEOUT
    while (got := await status()) != wanted:
        assert loop.time() < deadline, f"still {got}, not {wanted}"
        await asyncio.sleep(50 * MS)


@pytest.fixture
def three_nodes(
    start_server: StartServer, redis_url: str, postgres_url: str
) -> list[ServerProcess]:
    """Three nodes sharing one Redis database and one PostgreSQL database."""
    extra = {"WSROUTER_BROKER_URL": redis_url, "WSROUTER_DATABASE_URL": postgres_url}
    return [start_server({**extra, "WSROUTER_NODE_ID": f"node-{i}"}) for i in range(1, 4)]


async def test_three_nodes_act_as_one_router(three_nodes: list[ServerProcess]) -> None:
    one, two, three = three_nodes

    # Notifications reach every tab of a user on any node; a receipt syncs between them.
    tabs = []
    for node in (one, two):
        tab = await Peer.open(node, f"connection_type=notifications&token={node.token('n')}")
        await tab.expect("connection_established")
        tabs.append(tab)
    async with httpx.AsyncClient(
        base_url=three.http_url, headers=three.admin_headers(), timeout=TIMEOUT
    ) as http:
        created = (
            await http.post("/notifications", json={"user_id": "n", "title": "t", "message": "m"})
        ).json()
        assert created["recipients"] == 2
        for tab in tabs:
            await tab.expect("notification", id=created["id"])
        read = {"type": "mark_notification_read", "notification_id": created["id"]}
        receipt = await tabs[0].request(read, "notification_read")
        synced = await tabs[1].expect("notification_read", notification_id=created["id"])
        assert synced["read_at"] == receipt["read_at"]

        # The admin broadcast and its filters count and reach connections on every node.
        generals, ids = [], []
        for node, user in ((one, "g1"), (two, "g1"), (three, "g2")):
            peer = await Peer.open(node, f"token={node.token(user)}")
            ids.append((await peer.expect("connection_established"))["connection_id"])
            generals.append(peer)
        body = {"type": "system_announcement", "message": "hello all"}
        sent = await http.post("/ws/broadcast?connection_type=general&user_id=g1", json=body)
        assert sent.json() == {"recipients": 2}
        for peer in generals[:2]:
            await peer.expect("system_announcement", message="hello all")
        await generals[2].nothing_more(0.2)

        # The connection list names each connection's node; DELETE reaches the holder.
        listed = (await http.get("/ws/connections", params={"user_id": "g1"})).json()
        assert {(i["connection_id"], i["node"]) for i in listed["items"]} == {
            (ids[0], one.settings.node_id),
            (ids[1], two.settings.node_id),
        }
        assert (await http.delete(f"/ws/connections/{ids[0]}")).status_code == 204
        assert (await generals[0].closed())[0] == 4505  # removed by an admin, terminal
        await generals[1].nothing_more(0.2)

        # A test session: an answer saved on one node is synced to a tab on another,
        # and the submit reaches both.
        session = (
            await http.post("/test-sessions", json={"user_id": "cand", "duration_seconds": 600})
        ).json()
    owner, watcher = [
        await Peer.open(
            node, f"connection_type=test-session&room={session['id']}&token={node.token('cand')}"
        )
        for node in (one, two)
    ]
    for peer in (owner, watcher):
        await peer.expect("test_session_ready")
        await peer.expect("session_status")
    save = {"type": "save_answer", "question_id": "q1", "answer": "B"}
    await owner.request(save, "answer_saved")
    await watcher.expect("answer_synced", question_id="q1", answer="B")
    await watcher.request({"type": "submit_session"}, "session_submitted")
    await owner.expect("session_submitted")


def test_workers_need_the_redis_broker(tmp_path: Path) -> None:
    done = subprocess.run(  # noqa: S603 - our own command line
        [
            sys.executable,
            "-m",
            "wsrouter.cli",
            "serve",
            "--port",
            str(free_port()),
            "--workers",
            "2",
        ],
        cwd=tmp_path,
        env=server_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=6 * TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "--workers needs the Redis broker" in line


async def test_workers_share_one_port_and_act_as_one_node(
    tmp_path: Path, redis_url: str, postgres_url: str
) -> None:
    extra = {
        "WSROUTER_BROKER_URL": redis_url,
        "WSROUTER_DATABASE_URL": postgres_url,
        "WSROUTER_NODE_ID": "box",
    }
    server = ServerProcess(
        tmp_path, free_port(), server_env(tmp_path, extra), args=("--workers", "2")
    ).start()
    try:
        # New connections land on either worker (the kernel hashes their addresses: all
        # 16 on one would happen once in 32,768 runs); the room and the registry span both.
        peers = []
        for i in range(16):
            peer = await Peer.open(server, f"token={server.token(f'u{i}')}")
            await peer.expect("connection_established")
            await peer.request({"type": "join_room", "room": "lobby"}, "room_joined")
            peers.append(peer)
        async with httpx.AsyncClient(
            base_url=server.http_url, headers=server.admin_headers(), timeout=TIMEOUT
        ) as http:
            listed = (await http.get("/ws/connections", params={"limit": 100})).json()
        assert listed["total"] == 16
        assert {item["node"] for item in listed["items"]} == {"box-1", "box-2"}
        await peers[0].request(
            {"type": "broadcast_to_room", "room": "lobby", "message": "all"}, "room_message"
        )
        for peer in peers[1:]:
            await peer.expect("room_message", message="all", sender_id="u0")
        for peer in peers:
            await peer.close()
    finally:
        assert server.stop() == 0
    assert "died of" not in server.output()  # stopped as asked: nothing to report


async def test_a_worker_killed_by_a_signal_is_named_and_the_others_stop(
    tmp_path: Path, redis_url: str
) -> None:
    extra = {"WSROUTER_BROKER_URL": redis_url, "WSROUTER_NODE_ID": "box"}
    server = ServerProcess(
        tmp_path, free_port(), server_env(tmp_path, extra), args=("--workers", "2")
    ).start()
    assert server.process is not None
    try:
        [worker, _] = psutil.Process(server.process.pid).children()
        worker.send_signal(signal.SIGBUS)  # what an unpageable SQLite -shm raises
        assert server.process.wait(timeout=6 * TIMEOUT) == 3  # EXIT_WORKER_FAILED
    finally:
        server.kill()
    output = server.output()
    assert "Fatal Python error: Bus error" in output  # the worker's own stacks
    assert re.search(rf"worker [12] \(pid {worker.pid}\) died of SIGBUS: a memory-mapped", output)


async def test_every_acknowledged_answer_survives_a_node_killed_mid_burst(
    start_server: StartServer, redis_url: str, postgres_url: str
) -> None:
    extra = {
        "WSROUTER_BROKER_URL": redis_url,
        "WSROUTER_DATABASE_URL": postgres_url,
        "WSROUTER_MESSAGES_PER_SECOND": "100000",
        "WSROUTER_MESSAGE_BURST": "100000",
    }
    doomed, survivor = start_server(extra), start_server(extra)
    async with httpx.AsyncClient(headers=survivor.admin_headers(), timeout=TIMEOUT) as http:
        session = (
            await http.post(
                f"{survivor.http_url}/test-sessions",
                json={"user_id": "durable", "duration_seconds": 3600},
            )
        ).json()
    query = f"connection_type=test-session&room={session['id']}&token={doomed.token('durable')}"
    peer = await Peer.open(doomed, query)
    await peer.expect("test_session_ready")
    await peer.expect("session_status")
    sent, acknowledged = await save_answers_until_killed(peer, doomed)
    assert sent > sum(acknowledged.values())  # some saves were in flight, unacknowledged
    again = await Peer.open(survivor, query)
    await again.expect("test_session_ready")
    status = await again.expect("session_status")
    for question_id, version in acknowledged.items():
        assert status["answers"][question_id]["version"] >= version, question_id


async def test_a_newcomer_gets_its_history_and_presence_before_anyone_elses_arrival(
    cluster: list[ServerProcess],
) -> None:
    # Many newcomers at once on both nodes: each one's user_joined reaches the others
    # while they are still opening. Each must first see its own opening frames, in order.
    async def newcomer(i: int) -> tuple[Peer, list[str]]:
        node = cluster[i % 2]
        query = f"connection_type=chat&room=storm&token={node.token(f'u{i}', name=f'U{i}')}"
        peer = await Peer.open(node, query)
        return peer, [(await peer.recv())["type"] for _ in range(3)]

    arrived = await asyncio.gather(*(newcomer(i) for i in range(12)))
    for _, opening in arrived:
        assert opening == ["connection_established", "chat_history", "presence"], opening
    await asyncio.gather(*(peer.close() for peer, _ in arrived))
