"""The figures of the reliability guide (docs/guide/reliability.md), measured here.

``python -m loadtests.reliability`` starts the router (SQLite in a temporary folder,
pinned to CPU 0 as the bench does) once per measurement and prints one table:

- **idle connections**: how many opened per second, and the server's memory per idle
  connection once they are all open;
- **join storm**: N users join one chat room at once; the server's CPU seconds and the
  frames the members were sent (presence: ``user_joined`` or ``presence`` lists);
- **shutdown**: seconds from SIGTERM to the process's exit with N connections open
  (each is sent 1012 and answers the close handshake);
- **ping flood**: the server's memory while one client sends WebSocket pings and never
  reads a pong (the peak, and whether and how the server closed it);
- **acknowledged answers under SIGKILL**: a candidate sends ``save_answer`` as fast as
  it can; the server is killed with SIGKILL mid-burst; every answer it acknowledged
  must be in the database afterwards (``lost`` must be 0; the run fails otherwise).

To measure another version of the server (for a before/after), put its ``server`` folder
first on ``PYTHONPATH``: the server process runs whatever ``wsrouter`` that imports.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import signal
import socket
import sqlite3
import struct
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import jwt
import websockets
from picows import WSFrame, WSTransport, ws_connect

from loadtests.bench.connections import (
    MAX_FRAME_BYTES,
    Client,
    close_all,
    gather_bounded,
    open_many,
)
from loadtests.bench.targets import SECRET, Target, start_server, stop_server

MIB = 1024 * 1024


def _token(sub: str, role: str | None = None) -> str:
    claims: dict[str, Any] = {"sub": sub, "exp": int(time.time()) + 3600}
    if role is not None:
        claims["role"] = role
    return jwt.encode(claims, SECRET, "HS256")


# ---------------------------------------------------------------------- idle connections


async def idle(target: Target, count: int) -> dict[str, Any]:
    """Open ``count`` idle connections; the rate and the memory each one holds."""
    await close_all(await open_many(target, Client, 20))  # one-off allocations first
    await asyncio.sleep(0.3)
    before = target.rss()
    started = time.perf_counter()
    clients = await open_many(target, Client, count)
    opened_in = time.perf_counter() - started
    await asyncio.sleep(0.5)
    after = target.rss()
    await close_all(clients)
    return {
        "connections": count,
        "opened_per_second": round(count / opened_in),
        "kib_per_connection": round((after - before) / 1024 / count, 1),
        "rss_mib": round(after / MIB, 1),
    }


# ---------------------------------------------------------------------- join storm


class Member(Client):
    """A chat member that counts the frames it is sent."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.frames = 0

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        """Count, then let the base class handle the greeting and the close."""
        self.frames += 1
        self.control(transport, frame)


async def join_storm(target: Target, members: int) -> dict[str, Any]:
    """``members`` users join one chat room, 100 handshakes at a time: the server's cost."""
    tokens = [_token(f"m{n}") for n in range(members)]
    url = f"ws://127.0.0.1:{target.port}/ws?connection_type=chat&room=storm&token="

    async def join(n: int) -> Member:
        _, member = await ws_connect(
            lambda: Member("router"),
            url + tokens[n],
            max_frame_size=MAX_FRAME_BYTES,
            websocket_handshake_timeout=60,
        )
        if not isinstance(member, Member):
            raise TypeError(type(member).__name__)
        await asyncio.wait_for(member.ready, 60)
        return member

    cpu = target.cpu_seconds()
    started = time.perf_counter()
    joined = await gather_bounded(members, 100, join)
    took = time.perf_counter() - started
    await asyncio.sleep(1.0)  # the last presence interval ends
    spent = target.cpu_seconds() - cpu
    frames = sum(member.frames for member in joined)
    await close_all(joined)
    return {
        "members": members,
        "seconds": round(took, 2),
        "server_cpu_seconds": round(spent, 2),
        "frames_to_members": frames,
        "frames_to_the_first": joined[0].frames,
    }


# ---------------------------------------------------------------------- shutdown


async def shutdown(target: Target, count: int) -> dict[str, Any]:
    """Seconds from SIGTERM to exit with ``count`` connections open."""
    clients = await open_many(target, Client, count)
    started = time.perf_counter()
    target.proc.send_signal(signal.SIGTERM)
    while target.proc.poll() is None:
        await asyncio.sleep(0.01)
    took = time.perf_counter() - started
    for client in clients:  # gone with the server; free the client side
        client.transport.disconnect(graceful=False)
    return {"connections": count, "seconds": round(took, 2), "exit_status": target.proc.returncode}


# ---------------------------------------------------------------------- ping flood


def _handshake(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    # A small receive buffer: the pongs back up in the server, not in this process.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(1)
        if not chunk:
            raise ConnectionError("the server closed during the handshake")
        head += chunk
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head.split(b"\r\n", 1)[0].decode())
    return sock


def _ping() -> bytes:
    payload = os.urandom(125)
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x89, 0x80 | len(payload)) + mask + masked


def ping_flood(target: Target, seconds: float) -> dict[str, Any]:
    """One client pings for ``seconds`` and never reads; the server's memory meanwhile."""
    sock = _handshake(target.port, f"/ws?connection_type=general&token={_token('flooder')}")
    sock.settimeout(1.0)
    frame = _ping() * 64
    before = peak = target.rss()
    sent = 0
    ended = "still open"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sock.sendall(frame)
            sent += 64
        except TimeoutError:
            pass  # the server stopped reading: keep trying, as a flooder would
        except OSError as exc:
            ended = f"reset by the server ({type(exc).__name__})"
            break
        peak = max(peak, target.rss())
    stats = httpx.get(
        f"http://127.0.0.1:{target.port}/ws/stats",
        headers={"authorization": f"Bearer {_token('admin', 'admin')}"},
        timeout=10,
    ).json()
    sock.close()
    if stats["total_connections"] == 0 and ended == "still open":
        ended = "closed by the server (its socket aborted: it never read the close)"
    return {
        "seconds": seconds,
        "pings_sent": sent,
        "rss_before_mib": round(before / MIB, 1),
        "rss_peak_mib": round(peak / MIB, 1),
        "growth_mib": round((peak - before) / MIB, 1),
        "connection": ended,
    }


# ---------------------------------------------------------------------- answers under SIGKILL


async def answers_under_sigkill(target: Target, workdir: Path, total: int) -> dict[str, Any]:
    """Kill the server mid-burst of ``save_answer``; count what was acked and what is stored."""
    base = f"http://127.0.0.1:{target.port}"
    async with httpx.AsyncClient(base_url=base, timeout=10) as http:
        created = await http.post(
            "/test-sessions",
            json={"user_id": "candidate", "duration_seconds": 3600},
            headers={"authorization": f"Bearer {_token('admin', 'admin')}"},
        )
        created.raise_for_status()
    session_id = created.json()["id"]
    query = f"connection_type=test-session&room={session_id}&token={_token('candidate')}"
    acked: set[str] = set()
    async with websockets.connect(f"ws://127.0.0.1:{target.port}/ws?{query}") as ws:
        await ws.recv()  # test_session_ready

        async def send_all() -> None:
            for n in range(total):
                await ws.send(
                    json.dumps({"type": "save_answer", "question_id": f"q{n}", "answer": n})
                )

        sender = asyncio.create_task(send_all())
        try:
            async for raw in ws:
                frame = json.loads(raw)
                if frame["type"] == "answer_saved":
                    acked.add(frame["question_id"])
                    if len(acked) == total // 2:
                        target.proc.send_signal(signal.SIGKILL)
        except websockets.ConnectionClosed:
            pass
        sender.cancel()
    target.proc.wait()
    db = sqlite3.connect(workdir / "bench.db")
    try:
        rows = db.execute("SELECT question_id FROM answers WHERE session_id = ?", (session_id,))
        stored = {question for (question,) in rows}
    finally:
        db.close()
    return {
        "sent_up_to": total,
        "acked": len(acked),
        "stored": len(stored),
        "lost": len(acked - stored),
        "stored_not_acked": len(stored - acked),
    }


# ---------------------------------------------------------------------- the run


def _with_server(workdir: Path, run: Any) -> Any:
    target = start_server("router", workdir)
    try:
        return run(target)
    finally:
        if target.proc.poll() is None:
            stop_server(target)


def measure(
    idle_count: int, storm: int, shutdown_counts: Sequence[int], flood: float, total: int
) -> Any:
    """Every measurement, each on a fresh server; the results by name."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="wsrouter-reliability-") as folder:
        root = Path(folder)
        names = ("idle", "storm", *(f"shutdown{n}" for n in shutdown_counts), "flood", "answers")
        for name in names:
            (root / name).mkdir()
        results["idle"] = _with_server(root / "idle", lambda t: asyncio.run(idle(t, idle_count)))
        results["join_storm"] = _with_server(
            root / "storm", lambda t: asyncio.run(join_storm(t, storm))
        )
        results["shutdown"] = [
            _with_server(root / f"shutdown{n}", lambda t, n=n: asyncio.run(shutdown(t, n)))
            for n in shutdown_counts
        ]
        results["ping_flood"] = _with_server(root / "flood", lambda t: ping_flood(t, flood))
        results["answers"] = _with_server(
            root / "answers",
            lambda t: asyncio.run(answers_under_sigkill(t, root / "answers", total)),
        )
    return results


def table(results: dict[str, Any]) -> str:
    """The results as the lines of a Markdown table."""
    idle_row = results["idle"]
    lines = [
        "| measurement | result |",
        "| --- | --- |",
        f"| {idle_row['connections']:,} idle connections | opened at"
        f" {idle_row['opened_per_second']:,}/s, {idle_row['kib_per_connection']} KiB each"
        f" (server RSS {idle_row['rss_mib']} MiB) |",
    ]
    storm = results["join_storm"]
    lines.append(
        f"| {storm['members']:,} users join one chat room | {storm['seconds']} s,"
        f" {storm['server_cpu_seconds']} s of server CPU, {storm['frames_to_members']:,} frames"
        f" to the members ({storm['frames_to_the_first']:,} to the first) |"
    )
    lines.extend(
        f"| SIGTERM with {row['connections']:,} connections | exit after {row['seconds']} s"
        f" (status {row['exit_status']}) |"
        for row in results["shutdown"]
    )
    flood = results["ping_flood"]
    lines.append(
        f"| ping flood that never reads, {flood['seconds']} s | {flood['pings_sent']:,} pings"
        f" sent, RSS +{flood['growth_mib']} MiB at its peak; {flood['connection']} |"
    )
    answers = results["answers"]
    lines.append(
        f"| SIGKILL mid-burst of `save_answer` | {answers['acked']:,} acknowledged,"
        f" {answers['stored']:,} stored, {answers['lost']} acknowledged but lost |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table (and the JSON with ``--json``); 1 if an acked answer was lost."""
    parser = argparse.ArgumentParser(prog="python -m loadtests.reliability")
    parser.add_argument("--idle", type=int, default=10_000, help="idle connections to open")
    parser.add_argument("--storm", type=int, default=2000, help="users joining one chat room")
    parser.add_argument(
        "--shutdown",
        default="1000,10000",
        help="comma-separated connection counts to shut down with",
    )
    parser.add_argument("--flood-seconds", type=float, default=12.0)
    parser.add_argument("--answers", type=int, default=4000, help="save_answer frames to send")
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)
    # 10,000 connections need more descriptors than the usual soft limit of 1,024.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    counts = [int(n) for n in args.shutdown.split(",") if n]
    results = measure(args.idle, args.storm, counts, args.flood_seconds, args.answers)
    print(table(results), flush=True)
    if args.json:
        print(json.dumps(results, indent=2), flush=True)
    return 1 if results["answers"]["lost"] else 0


if __name__ == "__main__":
    sys.exit(main())
