"""The benchmark harness behind ``make bench``: router vs bare ASGI vs python-socketio.

Each server runs in its own process pinned to CPU 0 (``taskset -c 0``); this generator
pins itself to CPU 1 and drives it with the websockets asyncio client, one task per
connection. Per server, in order: idle memory, echo, room fan-out, connection setup.
Every scenario is bounded in time and in connections, on loopback only. The CPU time of
the server and of the generator is read (psutil) around each run; a generator above 90 %
of its core means the number is the generator's limit, not the server's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import psutil  # type: ignore[import-untyped,unused-ignore]
from websockets.asyncio.client import ClientConnection, connect

SERVERS = ("router", "bare", "socketio")
SCENARIOS = ("idle_memory", "echo", "fanout", "connect")
SATURATED = 90.0  # generator CPU %, of one core, above which a run is flagged
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"  # noqa: S105 - a throwaway server
ROOM = "bench"
# A payload carries its sequence number and send time (perf_counter_ns) the same way
# for every server, so the generator pays the same to read it back.
PAYLOAD = re.compile(r"P(\d+)\|(\d+)")


@dataclass(frozen=True)
class Plan:
    """How big and how long each scenario is."""

    echo_connections: int
    fanout_subscribers: int
    idle_connections: int
    connect_concurrency: int
    seconds: float
    warmup: float
    fanout_window: int = 4


FULL = Plan(
    echo_connections=50,
    fanout_subscribers=1000,
    idle_connections=5000,
    connect_concurrency=20,
    seconds=4.0,
    warmup=0.5,
)
QUICK = Plan(
    echo_connections=4,
    fanout_subscribers=20,
    idle_connections=50,
    connect_concurrency=4,
    seconds=0.6,
    warmup=0.2,
)


def _percentile(sorted_ns: list[int], q: float) -> float:
    """The ``q`` quantile of ``sorted_ns`` in milliseconds (0 when empty)."""
    if not sorted_ns:
        return 0.0
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1e6


class Target:
    """One running server, and how to speak its protocol."""

    def __init__(self, kind: str, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.kind = kind
        self.port = port
        self.proc = proc
        self.process = psutil.Process(proc.pid)
        self._tokens = [
            jwt.encode({"sub": f"u{i}", "exp": int(time.time()) + 3600}, SECRET, "HS256")
            for i in range(100)
        ]
        self._next = 0

    def url(self) -> str:
        """Where a new connection goes (the router: a token, round-robin over 100 users)."""
        if self.kind == "router":
            self._next += 1
            token = self._tokens[self._next % len(self._tokens)]
            return f"ws://127.0.0.1:{self.port}/ws?connection_type=general&token={token}"
        if self.kind == "socketio":
            return f"ws://127.0.0.1:{self.port}/socket.io/?EIO=4&transport=websocket"
        return f"ws://127.0.0.1:{self.port}/"

    async def open(self, *, deflate: bool = False) -> ClientConnection:
        """A connection, ready for messages (handshake and greeting done)."""
        ws = await connect(
            self.url(),
            compression="deflate" if deflate else None,
            max_size=None,
            ping_interval=None,
            open_timeout=30,
        )
        if self.kind == "router":
            while '"connection_established"' not in str(await ws.recv()):
                pass
        elif self.kind == "socketio":
            await ws.recv()  # engine.io open packet: 0{"sid":...}
            await ws.send("40")
            while not str(await self.recv(ws)).startswith("40"):
                pass
        return ws

    async def recv(self, ws: ClientConnection) -> str:
        """The next application frame (engine.io pings are answered and skipped)."""
        while True:
            frame = str(await ws.recv())
            if self.kind == "socketio" and frame == "2":
                await ws.send("3")
                continue
            return frame

    def echo(self, text: str) -> str:
        """The frame asking for ``text`` back."""
        if self.kind == "router":
            return json.dumps({"type": "echo", "message": text})
        if self.kind == "socketio":
            return "42" + json.dumps(["echo", text])
        return text

    async def join(self, ws: ClientConnection) -> None:
        """Join the bench room and wait for the answer."""
        if self.kind == "router":
            await ws.send(json.dumps({"type": "join_room", "room": ROOM}))
            marker = '"room_joined"'
        elif self.kind == "socketio":
            await ws.send("42" + json.dumps(["join", ROOM]))
            marker = '["joined"'
        else:
            await ws.send(f"join:{ROOM}")
            marker = "joined"
        while marker not in await self.recv(ws):
            pass

    def publish(self, text: str) -> str:
        """The frame sending ``text`` to the bench room."""
        if self.kind == "router":
            return json.dumps({"type": "broadcast_to_room", "room": ROOM, "message": text})
        if self.kind == "socketio":
            return "42" + json.dumps(["publish", {"room": ROOM, "message": text}])
        return f"pub:{ROOM}:{text}"

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far."""
        times = self.process.cpu_times()
        return float(times.user + times.system)

    def rss(self) -> int:
        """The server's resident memory, bytes."""
        return int(self.process.memory_info().rss)


@contextlib.contextmanager
def cpu_meter(target: Target, result: dict[str, Any]) -> Iterator[None]:
    """Add the server's and the generator's CPU use (% of one core) to ``result``."""
    me = psutil.Process()
    start, server0, gen0 = time.perf_counter(), target.cpu_seconds(), me.cpu_times()
    yield
    wall = time.perf_counter() - start
    gen1 = me.cpu_times()
    gen = (gen1.user + gen1.system) - (gen0.user + gen0.system)
    result["server_cpu_percent"] = round(100 * (target.cpu_seconds() - server0) / wall, 1)
    result["generator_cpu_percent"] = round(100 * gen / wall, 1)
    result["generator_saturated"] = result["generator_cpu_percent"] > SATURATED


async def _gather_bounded(n: int, limit: int, make: Callable[[int], Awaitable[Any]]) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(i: int) -> Any:
        async with semaphore:
            return await make(i)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def _close_all(connections: list[ClientConnection]) -> None:
    async def close(ws: ClientConnection) -> None:
        try:
            await asyncio.wait_for(ws.close(), 5)
        except (TimeoutError, OSError):
            ws.transport.abort()

    await _gather_bounded(len(connections), 200, lambda i: close(connections[i]))


async def idle_memory(target: Target, plan: Plan) -> dict[str, Any]:
    """Server RSS growth per open, idle connection whose client offered permessage-deflate."""
    warm = await _gather_bounded(20, 20, lambda i: target.open(deflate=True))
    await _close_all(warm)
    await asyncio.sleep(0.3)
    before = target.rss()
    result: dict[str, Any] = {"connections": plan.idle_connections}
    with cpu_meter(target, result):
        connections = await _gather_bounded(
            plan.idle_connections, 100, lambda i: target.open(deflate=True)
        )
        await asyncio.sleep(0.5)
        after = target.rss()
    result["rss_before_mib"] = round(before / 2**20, 1)
    result["rss_after_mib"] = round(after / 2**20, 1)
    result["kib_per_connection"] = round((after - before) / 1024 / plan.idle_connections, 2)
    await _close_all(connections)
    return result


async def echo(target: Target, plan: Plan) -> dict[str, Any]:
    """Round trips per second with one message in flight on each connection."""
    connections = await _gather_bounded(plan.echo_connections, 50, lambda i: target.open())
    samples: list[int] = []
    start = time.perf_counter_ns()
    t0 = start + int(plan.warmup * 1e9)
    t1 = t0 + int(plan.seconds * 1e9)

    async def worker(ws: ClientConnection) -> None:
        frame = target.echo("hello, bench " + "x" * 48)
        while True:
            sent = time.perf_counter_ns()
            if sent >= t1:
                return
            await ws.send(frame)
            await target.recv(ws)
            if sent >= t0:
                samples.append(time.perf_counter_ns() - sent)

    result: dict[str, Any] = {"connections": plan.echo_connections}
    await asyncio.sleep(0)
    with cpu_meter(target, result):
        await asyncio.gather(*(worker(ws) for ws in connections))
    samples.sort()
    result["round_trips_per_second"] = round(len(samples) / plan.seconds, 1)
    result["p50_ms"] = round(_percentile(samples, 0.50), 3)
    result["p99_ms"] = round(_percentile(samples, 0.99), 3)
    await _close_all(connections)
    return result


async def fanout(target: Target, plan: Plan) -> dict[str, Any]:  # noqa: PLR0915
    """One publisher, a room of subscribers: deliveries per second, publish-to-receive."""
    n = plan.fanout_subscribers
    subscribers = await _gather_bounded(n, 100, lambda i: target.open())
    await _gather_bounded(n, 100, lambda i: target.join(subscribers[i]))
    publisher = await target.open()
    await target.join(publisher)
    window = asyncio.Semaphore(plan.fanout_window)
    remaining: dict[int, int] = {}
    latencies: list[int] = []
    start = time.perf_counter_ns()
    t0 = start + int(plan.warmup * 1e9)
    t1 = t0 + int(plan.seconds * 1e9)
    done, drained = asyncio.Event(), asyncio.Event()

    async def subscriber(ws: ClientConnection) -> None:
        while True:
            frame = await target.recv(ws)
            match = PAYLOAD.search(frame)
            if match is None:
                continue
            now = time.perf_counter_ns()
            seq, sent = int(match[1]), int(match[2])
            if t0 <= now < t1:
                latencies.append(now - sent)
            left = remaining[seq] - 1
            if left:
                remaining[seq] = left
            else:
                del remaining[seq]
                window.release()
                if done.is_set() and not remaining:
                    drained.set()

    async def drain_publisher() -> None:
        while True:
            await target.recv(publisher)

    async def publish() -> None:
        seq = 0
        while time.perf_counter_ns() < t1:
            await window.acquire()
            seq += 1
            remaining[seq] = n
            await publisher.send(target.publish(f"P{seq}|{time.perf_counter_ns()}"))
        done.set()
        if not remaining:
            drained.set()

    result: dict[str, Any] = {"subscribers": n}
    readers = [asyncio.create_task(subscriber(ws)) for ws in subscribers]
    drain = asyncio.create_task(drain_publisher())
    with cpu_meter(target, result):
        await publish()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(drained.wait(), 10)  # the last deliveries
    for task in [*readers, drain]:
        task.cancel()
    await asyncio.gather(*readers, drain, return_exceptions=True)
    latencies.sort()
    result["deliveries_per_second"] = round(len(latencies) / plan.seconds, 1)
    result["p50_ms"] = round(_percentile(latencies, 0.50), 3)
    result["p99_ms"] = round(_percentile(latencies, 0.99), 3)
    await _close_all([*subscribers, publisher])
    return result


async def connect_rate(target: Target, plan: Plan) -> dict[str, Any]:
    """Connections per second: open (the router checks a JWT), greeting, close; in parallel."""
    count = 0
    t1 = time.perf_counter() + plan.seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < t1:
            ws = await target.open(deflate=True)
            await ws.close()
            count += 1

    result: dict[str, Any] = {"concurrency": plan.connect_concurrency}
    start = time.perf_counter()
    with cpu_meter(target, result):
        await asyncio.gather(*(worker() for _ in range(plan.connect_concurrency)))
    result["connections_per_second"] = round(count / (time.perf_counter() - start), 1)
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pin(cpu: int) -> list[str]:
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(cpu)]
    return []


def start_server(kind: str, workdir: Path) -> Target:
    """Start ``kind`` on a free loopback port, pinned to CPU 0; wait until it accepts."""
    port = _free_port()
    env = dict(os.environ)
    if kind == "router":
        wsrouter = Path(sys.executable).with_name("wsrouter")
        command = [str(wsrouter), "serve", "--host", "127.0.0.1", "--port", str(port)]
        env.update(
            WSROUTER_JWT_SECRET=SECRET,
            WSROUTER_MESSAGES_PER_SECOND="1000000",
            WSROUTER_MESSAGE_BURST="1000000",
            WSROUTER_CONNECTIONS_PER_USER="100000",
            WSROUTER_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
            WSROUTER_LOG_LEVEL="warning",
        )
    else:
        command = [sys.executable, str(Path(__file__).with_name("apps.py")), kind, str(port)]
    proc = subprocess.Popen([*_pin(0), *command], env=env, cwd=workdir)  # noqa: S603
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{kind} exited with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"{kind} did not start listening") from None
            time.sleep(0.05)
    return Target(kind, port, proc)


def stop_server(target: Target) -> None:
    """Stop the server (SIGTERM, then SIGKILL)."""
    target.proc.terminate()
    try:
        target.proc.wait(10)
    except subprocess.TimeoutExpired:
        target.proc.kill()
        target.proc.wait()


async def bench_server(target: Target, plan: Plan) -> dict[str, Any]:
    """Every scenario against one server."""
    scenarios: dict[str, Callable[[Target, Plan], Awaitable[dict[str, Any]]]] = {
        "idle_memory": idle_memory,
        "echo": echo,
        "fanout": fanout,
        "connect": connect_rate,
    }
    results = {}
    for name, scenario in scenarios.items():
        print(f"bench: {target.kind} {name} ...", file=sys.stderr, flush=True)
        results[name] = await scenario(target, plan)
        await asyncio.sleep(0.3)
    return results


# (scenario, metric, higher is better, label)
HEADLINES = (
    ("echo", "round_trips_per_second", "echo: round trips/s"),
    ("echo", "p50_ms", "echo: p50 ms"),
    ("echo", "p99_ms", "echo: p99 ms"),
    ("fanout", "deliveries_per_second", "fan-out: deliveries/s"),
    ("fanout", "p99_ms", "fan-out: p99 ms"),
    ("idle_memory", "kib_per_connection", "idle: KiB per connection"),
    ("connect", "connections_per_second", "connect: connections/s"),
)


def ratios(results: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, float | None]]:
    """router/bare and router/socketio for every headline metric."""
    out: dict[str, dict[str, float | None]] = {}
    for scenario, metric, _ in HEADLINES:
        router = float(results["router"][scenario][metric])
        row: dict[str, float | None] = {}
        for other in ("bare", "socketio"):
            base = float(results[other][scenario][metric])
            row[f"router/{other}"] = round(router / base, 2) if base else None
        out[f"{scenario}.{metric}"] = row
    return out


def table(results: dict[str, dict[str, dict[str, Any]]]) -> str:
    """The results and ratios as a Markdown table, then the CPU use of each run."""
    rat = ratios(results)
    lines = [
        "| metric | router | bare | socketio | router/bare | router/socketio |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for scenario, metric, label in HEADLINES:
        values = [f"{results[s][scenario][metric]:g}" for s in SERVERS]
        row = rat[f"{scenario}.{metric}"]
        ratio = [f"{row[k]:.2f}" if row[k] is not None else "-" for k in row]
        lines.append(f"| {label} | {' | '.join(values)} | {' | '.join(ratio)} |")
    lines += [
        "",
        "CPU, % of one core: server / generator (! = generator saturated, above 90 %)",
        "",
        "| scenario | router | bare | socketio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for scenario in SCENARIOS:
        cells = []
        for server in SERVERS:
            run = results[server][scenario]
            flag = " !" if run["generator_saturated"] else ""
            cells.append(
                f"{run['server_cpu_percent']:.0f} / {run['generator_cpu_percent']:.0f}{flag}"
            )
        lines.append(f"| {scenario} | {' | '.join(cells)} |")
    return "\n".join(lines)


def _raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def main(argv: list[str] | None = None) -> int:
    """Run every scenario against every server; print the table, write the JSON."""
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny runs, for the smoke test")
    parser.add_argument("--out", type=Path, default=Path("var/bench/results.json"))
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    _raise_fd_limit()
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(0, {1})
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="wsrouter-bench-") as tmp:
        for kind in SERVERS:
            target = start_server(kind, Path(tmp))
            try:
                results[kind] = asyncio.run(bench_server(target, plan))
            finally:
                stop_server(target)
    document = {
        "plan": vars(plan) | {"quick": args.quick},
        "pinned": bool(_pin(0)),
        "results": results,
        "ratios": ratios(results),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(table(results))
    print(f"\nwritten: {args.out}")
    return 0
