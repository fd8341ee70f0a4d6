"""Cluster faults end to end: PostgreSQL restarted under running nodes, a poller killed.

Real ``wsrouter serve`` nodes on a real Redis and a real PostgreSQL (``tests/servers.py``);
the database is read directly afterwards to check what the acknowledgements promised.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
import psycopg
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, ServerProcess
from tests.servers import PostgresServer, running_postgres
from tests.timing import MS, TIMEOUT

pytestmark = pytest.mark.anyio


@pytest.fixture
def private_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL of this test's own, to stop and start under running nodes."""
    with running_postgres() as server:
        yield server


async def ready(http: httpx.AsyncClient, node: ServerProcess) -> int:
    """The status of the node's ``/ready``."""
    return (await http.get(f"{node.http_url}/ready")).status_code


async def until_ready(http: httpx.AsyncClient, node: ServerProcess, wanted: int) -> None:
    """Wait until ``/ready`` answers ``wanted`` (each answer is bounded by the node)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 4 * TIMEOUT
    while (got := await ready(http, node)) != wanted:
        assert loop.time() < deadline, f"/ready still {got}, not {wanted}"
        await asyncio.sleep(50 * MS)


async def next_frame(peer: Peer, timeout: float) -> dict[str, Any]:
    """The next frame, waiting up to ``timeout`` (a store timeout is longer than TIMEOUT)."""
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(peer.ws.recv(), timeout))
    return frame


async def requests_while_down(
    http: httpx.AsyncClient, nodes: tuple[ServerProcess, ...], tabs: list[Peer]
) -> tuple[list[dict[str, Any]], list[int]]:
    """A ``save_answer`` on each tab and a notification on each node, all at once."""

    async def save(tab: Peer) -> dict[str, Any]:
        await tab.send({"type": "save_answer", "question_id": "down", "answer": "lost"})
        return await next_frame(tab, 4 * TIMEOUT)

    async def notify(node: ServerProcess) -> int:
        body = {"user_id": "reader", "title": "t", "message": "down"}
        url, headers = f"{node.http_url}/notifications", node.admin_headers()
        return (await http.post(url, headers=headers, json=body)).status_code

    replies, statuses = await asyncio.gather(
        asyncio.gather(*(save(tab) for tab in tabs)),
        asyncio.gather(*(notify(node) for node in nodes)),
    )
    return list(replies), list(statuses)


async def newcomers_are_refused_retryably(
    one: ServerProcess, two: ServerProcess, session: str, inboxes: str
) -> None:
    """A newcomer whose opening needs the store is refused, retryably, as when Redis is
    down: the handshake of a test session, the backlog of a notifications tab."""

    async def refused(node: ServerProcess, query: str, greeted: bool) -> None:
        newcomer = await Peer.open(node, query)
        if greeted:  # the backlog is read after the greeting
            await newcomer.expect("connection_established")
        frame = await next_frame(newcomer, 4 * TIMEOUT)  # after the pool's timeout
        assert (frame["type"], frame["code"]) == ("error", "unavailable"), frame
        assert (await newcomer.closed())[0] == 1013

    exam = f"connection_type=test-session&room={session}&token={one.token('cand')}"
    await asyncio.gather(refused(one, exam, greeted=False), refused(two, inboxes, greeted=True))


async def notify_each_node_in_turn(
    http: httpx.AsyncClient, nodes: tuple[ServerProcess, ...], inbox: Peer, count: int
) -> list[str]:
    """``count`` notifications for the inbox's user, each created and delivered: their ids."""
    notified = []
    for n in range(count):
        node = nodes[n % len(nodes)]
        body = {"user_id": "reader", "title": f"t{n}", "message": "back"}
        url, headers = f"{node.http_url}/notifications", node.admin_headers()
        answer = await http.post(url, headers=headers, json=body)
        assert answer.status_code == 201, answer.text
        notified.append(answer.json()["id"])
        await inbox.expect("notification", id=notified[-1])
    return notified


async def test_a_postgres_restart_fails_requests_while_down_and_none_once_back(
    start_server: StartServer, redis_url: str, private_postgres: PostgresServer
) -> None:
    database = private_postgres.fresh_url()
    extra = {"WSROUTER_BROKER_URL": redis_url, "WSROUTER_DATABASE_URL": database}
    nodes = one, two = start_server(extra), start_server(extra)
    loop = asyncio.get_running_loop()
    async with httpx.AsyncClient(timeout=6 * TIMEOUT) as http:
        created = await http.post(
            f"{one.http_url}/test-sessions",
            headers=one.admin_headers(),
            json={"user_id": "cand", "duration_seconds": 3600},
        )
        session = created.json()["id"]
        tabs = []
        for node in nodes:
            query = f"connection_type=test-session&room={session}&token={node.token('cand')}"
            tab = await Peer.open(node, query)
            await tab.expect("test_session_ready")
            await tab.expect("session_status")
            tabs.append(tab)
        inboxes = f"connection_type=notifications&token={two.token('reader')}"
        inbox = await Peer.open(two, inboxes)
        await inbox.expect("connection_established")
        await inbox.request({"type": "get_notifications"}, "notification_list")  # opened

        private_postgres.stop()
        await asyncio.gather(*(until_ready(http, node, 503) for node in nodes))

        # Every request that needs the store is refused, on both nodes at once, within
        # the pool's timeout: never an acknowledgement.
        started = loop.time()
        (replies, statuses), _ = await asyncio.gather(
            requests_while_down(http, nodes, tabs),
            newcomers_are_refused_retryably(one, two, session, inboxes),
        )
        refused_within = loop.time() - started
        for reply in replies:
            assert (reply["type"], reply["code"]) == ("error", "storage_unavailable"), reply
        assert statuses == [503, 503]
        await inbox.nothing_more(0.1)

        # Back: from the moment PostgreSQL accepts connections again, no request fails.
        private_postgres.start()
        back = loop.time()
        saved, first_ack = [], 0.0
        for n in range(20):
            tab, other = tabs[n % 2], tabs[1 - n % 2]
            await tab.send({"type": "save_answer", "question_id": f"q{n}", "answer": n})
            reply = await next_frame(tab, 4 * TIMEOUT)
            assert reply["type"] == "answer_saved", reply
            first_ack = first_ack or loop.time() - back
            saved.append(reply["question_id"])
            await other.expect("answer_synced", question_id=f"q{n}")
        notified = await notify_each_node_in_turn(http, nodes, inbox, 5)
        for node in nodes:
            assert await ready(http, node) == 200
            metrics = (await http.get(f"{node.http_url}/metrics")).text
            assert 'wsrouter_errors_sent_total{code="storage_unavailable"} 1' in metrics

    for node in nodes:  # each refusal logged as a warning, with no trace of a crash
        log = node.output()
        assert "storage unavailable method=POST path=/notifications" in log
        assert "level=error" not in log
    with psycopg.connect(database) as db:
        answers = db.execute(
            "SELECT question_id FROM answers WHERE session_id = %s", (session,)
        ).fetchall()
        stored = db.execute("SELECT id FROM notifications").fetchall()
    assert sorted(q for (q,) in answers) == sorted(saved)  # all 20, and not "down"
    assert sorted(i for (i,) in stored) == sorted(notified)  # all 5, none from the outage
    print(f"refused within {refused_within:.2f} s; first ack {first_ack:.2f} s after restart")


def _auto_submitted(node: ServerProcess) -> list[str]:
    return re.findall(r"auto-submitted session_id=(ts_\w+)", node.output())


async def test_three_pollers_submit_every_due_session_once_with_one_killed_before_due(
    start_server: StartServer, redis_url: str, postgres_url: str
) -> None:
    extra = {
        "WSROUTER_BROKER_URL": redis_url,
        "WSROUTER_DATABASE_URL": postgres_url,
        "WSROUTER_AUTO_SUBMIT_POLL_SECONDS": "0.1",
    }
    doomed, *survivors = nodes = [start_server(extra) for _ in range(3)]
    async with httpx.AsyncClient(
        base_url=doomed.http_url, headers=doomed.admin_headers(), timeout=TIMEOUT
    ) as http:
        sessions = [
            (await http.post("/test-sessions", json={"user_id": f"u{n}", "duration_seconds": 3}))
            .raise_for_status()
            .json()
            for n in range(8)
        ]

    async def open_tab(node: ServerProcess, session: dict[str, Any]) -> Peer:
        query = f"connection_type=test-session&room={session['id']}"
        peer = await Peer.open(node, f"{query}&token={node.token(session['user_id'])}")
        await peer.expect("test_session_ready")
        status = await peer.expect("session_status")
        assert status["status"] == "in_progress", status
        return peer

    # A tab on each node for every session; the doomed node's go down with it.
    tabs = {
        session["id"]: await asyncio.gather(*(open_tab(node, session) for node in nodes))
        for session in sessions
    }

    # Killed just before the first deadline: its polls found nothing due, and the
    # survivors' must take every session.
    first_due = min(datetime.fromisoformat(s["ends_at"]).timestamp() for s in sessions)
    await asyncio.sleep(max(0.0, first_due - 0.15 - time.time()))
    assert time.time() < first_due, "too slow to kill the node before the deadline"
    doomed.kill()

    for session_id, (_, *surviving) in tabs.items():
        for tab in surviving:
            frame = await next_frame(tab, 4 * TIMEOUT)
            while frame["type"] == "timer_update":  # the last marks before the deadline
                frame = await next_frame(tab, 4 * TIMEOUT)
            assert (frame["type"], frame["session_id"]) == ("session_submitted", session_id)
    for tab in [tab for _, *surviving in tabs.values() for tab in surviving]:
        await tab.nothing_more(0.05)  # once each: no second submit was announced

    claims = Counter(i for node in nodes for i in _auto_submitted(node))
    assert claims == Counter(s["id"] for s in sessions)  # each exactly once
    assert not _auto_submitted(doomed)
    with psycopg.connect(postgres_url) as db:
        rows = db.execute("SELECT count(*) FROM test_sessions WHERE submitted_at IS NULL")
        assert rows.fetchone() == (0,)
    assert len(survivors) == 2
