"""The cluster row of ``make bench``: the Redis broker and registry against embedded mode.

Three measurements, each printed beside its embedded baseline from the same run:

- **In process** (:func:`in_process`, the numbers to keep): the router's CPU time per
  frame and per connection, one ASGI connection fed from memory as in
  :mod:`.frame_cost`, once with ``memory://`` and once with a Redis broker and registry,
  in interleaved rounds. The frame is a ``broadcast_to_room`` to a room the connection is
  in, one frame in flight (the next frame comes with the reply, before the ``PUBLISH``
  is answered, so frames share ``PUBLISH`` commands as on a busy node: the count per
  frame is printed with the row); a connection is the handshake with its JWT,
  the greeting and the close (with Redis, a registry check-and-add and a removal).
  ``redis-server``'s own CPU per frame and per connection is read beside it.
- **Cross-node delivery** (:func:`delivery`): a publisher sends to a room at a fixed rate;
  half the room is on the publisher's node, half on a second node behind Redis; the
  publish-to-receive latency of each half, against one embedded node holding the whole
  room. A fixed rate, far below saturation: this is the latency Redis adds, not a peak.
- **2 workers vs 1** (:func:`workers`): echo and connect rates of ``wsrouter serve`` with
  the Redis broker and ``--workers 1`` or ``--workers 2``, beside the embedded server.
  On a 2-core machine whose second core runs the load generator, two workers cannot show
  scaling: pinned to one core they show what splitting a node costs; given both cores
  they compete with the generator. Throughput per second of server CPU is the comparable
  figure; more cores than the generator needs are what would show scaling.

Everything runs on loopback, bounded in time; ``redis-server`` is started by
:func:`tests.servers.running_redis` and pinned to the servers' CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped,unused-ignore]
import redis
from picows import WSFrame, WSTransport

from loadtests.bench.apps import Message
from loadtests.bench.connections import TEXT, Client, close_all, gather_bounded, open_client
from loadtests.bench.scenarios import PAYLOAD, Plan, connect_rate, echo, perf_counter_ns
from loadtests.bench.targets import SECRET, SERVER_CPU, Target, pin, start_server, stop_server
from tests.servers import RedisServer, running_redis
from wsrouter.app import create_app
from wsrouter.auth import issue_token
from wsrouter.settings import Limits, Settings

BROKERS = ("embedded", "redis")
JOIN = json.dumps({"type": "join_room", "room": "bench"})
PUBLISH = json.dumps({"type": "broadcast_to_room", "room": "bench", "message": "x" * 32})


# --- in process ------------------------------------------------------------------------


async def _connection(app: Any, scope: Message, frames: list[str]) -> int:
    """One ASGI connection: connect, ``frames`` one reply at a time, close; frames sent."""
    replied = asyncio.Event()
    sent = 0
    pending = iter([{"type": "websocket.connect"}] + [_text(f) for f in frames])

    async def receive() -> Message:
        message = next(pending, None)
        if message is None:
            await replied.wait()
            await asyncio.sleep(0)
            return {"type": "websocket.disconnect", "code": 1000}
        if message["type"] != "websocket.connect":
            await replied.wait()  # the greeting, then each frame's reply: one in flight
            replied.clear()
        # One frame per turn of the event loop, as from a socket: the broker's tasks run
        # between frames (fed without a pause, a whole run would make one batch).
        await asyncio.sleep(0)
        return message

    async def send(message: Message) -> None:
        nonlocal sent
        if message["type"] == "websocket.send":
            sent += 1
            replied.set()

    await app(scope, receive, send)
    return sent


def _text(frame: str) -> Message:
    return {"type": "websocket.receive", "text": frame}


def _settings(broker: str, redis_url: str, folder: Path) -> Settings:
    return Settings(
        jwt_secret=SECRET,
        database_url=f"sqlite:///{folder / f'{broker}.db'}",
        broker_url=redis_url if broker == "redis" else "memory://",
        # Limits far above the load: the path is measured, not the limiting.
        limits=Limits(messages_per_second=1e12, message_burst=10**12, connections_per_user=10**6),
    )


def _scope(settings: Settings, user: int) -> Message:
    token = issue_token(settings, sub=f"u{user}", ttl_seconds=3600)
    return {
        "type": "websocket",
        "path": "/ws",
        "query_string": f"connection_type=general&token={token}".encode(),
        "headers": [],
    }


class _Cpu:
    """CPU seconds of this process and of ``redis-server``, and the ``PUBLISH`` count."""

    def __init__(self, redis_url: str, redis_pid: int) -> None:
        self.server = psutil.Process(redis_pid)
        self.client = redis.Redis.from_url(redis_url)

    def read(self) -> tuple[float, float, int]:
        times = self.server.cpu_times()
        stats = self.client.info("commandstats").get("cmdstat_publish", {"calls": 0})
        return time.process_time(), float(times.user + times.system), int(stats["calls"])


async def _round(
    broker: str, redis_url: str, cpu: _Cpu, frames: int, connects: int, folder: Path
) -> dict[str, float]:
    """One round of one broker: µs of CPU per frame and per connection, router and Redis."""
    settings = _settings(broker, redis_url, folder)
    app = create_app(settings)
    scopes = [_scope(settings, i) for i in range(100)]
    async with app.lifespan():
        await _connection(app, scopes[0], [JOIN] * 1 + [PUBLISH] * 100)  # warm up
        before = cpu.read()
        sent = await _connection(app, scopes[0], [JOIN, *[PUBLISH] * frames])
        after = cpu.read()
        if sent < frames + 2:
            raise RuntimeError(f"{broker}: {frames} frames in, {sent} frames out")
        result = {
            "router_us_per_frame": (after[0] - before[0]) / frames * 1e6,
            "redis_us_per_frame": (after[1] - before[1]) / frames * 1e6,
            "publishes_per_frame": (after[2] - before[2]) / frames,
        }
        before = cpu.read()
        for i in range(connects):
            if await _connection(app, scopes[i % len(scopes)], []) < 1:
                raise RuntimeError(f"{broker}: a connection was not greeted")
        after = cpu.read()
        result["router_us_per_connect"] = (after[0] - before[0]) / connects * 1e6
        result["redis_us_per_connect"] = (after[1] - before[1]) / connects * 1e6
    gc.collect()
    return result


async def in_process(
    redis_url: str, redis_pid: int, frames: int, connects: int, rounds: int
) -> dict[str, Any]:
    """Per frame and per connection, embedded and Redis: the median of ``rounds``."""
    cpu = _Cpu(redis_url, redis_pid)
    runs: dict[str, list[dict[str, float]]] = {broker: [] for broker in BROKERS}
    with tempfile.TemporaryDirectory(prefix="wsrouter-cluster-bench-") as tmp:
        for _ in range(rounds):
            for broker in BROKERS:
                runs[broker].append(
                    await _round(broker, redis_url, cpu, frames, connects, Path(tmp))
                )
    result: dict[str, Any] = {"frames": frames, "connects": connects, "rounds": rounds}
    for broker, broker_runs in runs.items():
        result[broker] = {
            key: round(statistics.median(run[key] for run in broker_runs), 2)
            for key in broker_runs[0]
        }
    return result


# --- cross-node delivery -----------------------------------------------------------------


class _Member(Client):
    """A room member timing each delivery sent within the window."""

    window: tuple[int, int] | None = None
    latencies: list[int]

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        """A delivery: its latency from the send time in its payload; anything else: control."""
        if self.window is not None:
            match = PAYLOAD.search(frame.get_payload_as_memoryview())
            if match is not None:
                sent = int(match[2])
                if self.window[0] <= sent < self.window[1]:
                    self.latencies.append(perf_counter_ns() - sent)
                return
        self.control(transport, frame)


async def _room(target: Target, members: int) -> list[_Member]:
    join, joined = target.join()
    clients = await gather_bounded(members, 50, lambda i: open_client(target, _Member))
    await gather_bounded(members, 50, lambda i: clients[i].request(join, joined))
    return clients


async def _publish_at(
    rate: float, publisher: Client, target: Target, window: tuple[int, int]
) -> int:
    """Publish ``rate`` frames a second until the window's end; how many were sent in it."""
    interval = 1 / rate
    seq = counted = 0
    loop = asyncio.get_running_loop()
    next_at = loop.time()
    while (now := perf_counter_ns()) < window[1]:
        seq += 1
        counted += now >= window[0]
        publisher.transport.send(TEXT, target.publish(f"P{seq}|{now}"))
        next_at += interval
        await asyncio.sleep(max(0.0, next_at - loop.time()))
    return counted


async def delivery(
    layout: dict[str, Target], members: int, rate: float, plan: Plan
) -> dict[str, Any]:
    """Publish on ``layout['publisher']``; ``members`` listen on each node of the layout."""
    publisher_node = layout["publisher"]
    rooms = {name: await _room(target, members) for name, target in layout.items()}
    publisher = await open_client(publisher_node, Client)
    join, joined = publisher_node.join()
    await publisher.request(join, joined)
    everyone = [member for room in rooms.values() for member in room]
    t0 = perf_counter_ns() + int(plan.warmup * 1e9)
    window = (t0, t0 + int(plan.seconds * 1e9))
    for member in everyone:
        member.latencies, member.window = [], window
    published = await _publish_at(rate, publisher, publisher_node, window)
    await asyncio.sleep(min(1.0, plan.seconds / 2))  # the window's last deliveries
    result: dict[str, Any] = {"rate": rate, "members_per_node": members, "published": published}
    for name, room in rooms.items():
        samples = sorted(latency for member in room for latency in member.latencies)
        result[name] = {
            "deliveries": len(samples),
            "expected": published * members,
            "p50_ms": round(_quantile(samples, 0.50), 3),
            "p99_ms": round(_quantile(samples, 0.99), 3),
        }
    await close_all([*everyone, publisher])
    return result


def _quantile(sorted_ns: list[int], q: float) -> float:
    if not sorted_ns:
        return 0.0
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1e6


# --- 2 workers vs 1 ----------------------------------------------------------------------


async def workers(targets: dict[str, Target], plan: Plan) -> dict[str, Any]:
    """Echo and connect against each configuration, in interleaved rounds (the median)."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in targets}
    names = list(targets)
    for round_no in range(plan.rounds):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            print(f"bench: cluster {name} ...", file=sys.stderr, flush=True)
            ran = {"echo": await echo(targets[name], plan)}
            await asyncio.sleep(0.3)
            ran["connect"] = await connect_rate(targets[name], plan)
            await asyncio.sleep(0.3)
            runs[name].append(ran)
    result: dict[str, Any] = {}
    for name, name_runs in runs.items():
        echoes = [run["echo"] for run in name_runs]
        connects = [run["connect"] for run in name_runs]
        result[name] = {
            "round_trips_per_second": statistics.median(
                e["round_trips_per_second"] for e in echoes
            ),
            "round_trips_per_cpu_second": statistics.median(
                _per_cpu(e["round_trips_per_second"], e["server_cpu_percent"]) for e in echoes
            ),
            "echo_server_cpu_percent": statistics.median(e["server_cpu_percent"] for e in echoes),
            "connections_per_second": statistics.median(
                c["connections_per_second"] for c in connects
            ),
            "connections_per_cpu_second": statistics.median(
                _per_cpu(c["connections_per_second"], c["server_cpu_percent"]) for c in connects
            ),
            "generator_saturated": any(
                run[s]["generator_saturated"] for run in name_runs for s in ("echo", "connect")
            ),
        }
    return result


def _per_cpu(rate: float, cpu_percent: float) -> float:
    return round(rate / (cpu_percent / 100), 1) if cpu_percent > 0 else 0.0


def _wait_ready(target: Target, tries: int = 20) -> None:
    """``/ready`` answered 200 on ``tries`` new connections in a row (every worker is up)."""
    deadline = time.monotonic() + 30
    good = 0
    while good < tries:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{target.kind} on port {target.port}: not ready")
        try:
            ok = httpx.get(f"http://127.0.0.1:{target.port}/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            ok = False
        good = good + 1 if ok else 0
        if not ok:
            time.sleep(0.05)


# --- the row -----------------------------------------------------------------------------

WORKER_SETUPS = {
    # name: (broker, --workers, CPUs)
    "embedded, 1 process": ("embedded", 1, str(SERVER_CPU)),
    "redis, 1 process": ("redis", 1, str(SERVER_CPU)),
    "redis, 2 workers, 1 core": ("redis", 2, str(SERVER_CPU)),
    "redis, 2 workers, 2 cores": ("redis", 2, "0,1"),
}


@contextlib.contextmanager
def _servers(redis_server: RedisServer, folder: Path) -> Iterator[dict[str, Target]]:
    """Every server the row needs, started together and stopped at the end."""
    started: dict[str, Target] = {}
    try:
        for name, (broker, count, cpus) in WORKER_SETUPS.items():
            env = {"WSROUTER_BROKER_URL": redis_server.fresh_url()} if broker == "redis" else {}
            where = folder / f"workers-{len(started)}"
            where.mkdir()
            started[name] = start_server(
                "router", where, extra_env=env, args=("--workers", str(count)), cpus=cpus
            )
        cluster_url = redis_server.fresh_url()
        for name in ("node-a", "node-b"):
            where = folder / name
            where.mkdir()
            env = {"WSROUTER_BROKER_URL": cluster_url, "WSROUTER_NODE_ID": name}
            started[name] = start_server("router", where, extra_env=env)
        for target in started.values():
            _wait_ready(target)
        yield started
    finally:
        for target in started.values():
            stop_server(target)


def bench_cluster(plan: Plan, *, quick: bool) -> dict[str, Any]:
    """The whole row: in process (in a pinned subprocess), cross-node delivery, workers."""
    members, rate = (3, 20.0) if quick else (20, 100.0)
    with running_redis() as server, tempfile.TemporaryDirectory(prefix="wsrouter-bench-") as tmp:
        if server.process is not None and (os.cpu_count() or 1) >= 2:
            os.sched_setaffinity(server.process.pid, {SERVER_CPU})
        result: dict[str, Any] = {"in_process": _in_process_subprocess(server, quick=quick)}
        with _servers(server, Path(tmp)) as targets:
            print("bench: cluster cross-node delivery ...", file=sys.stderr, flush=True)
            embedded = {"publisher": targets["embedded, 1 process"]}
            two_nodes = {"publisher": targets["node-a"], "other_node": targets["node-b"]}
            # The embedded node holds the whole room: as many members as both nodes.
            result["delivery"] = {
                "embedded": asyncio.run(delivery(embedded, 2 * members, rate, plan)),
                "redis": asyncio.run(delivery(two_nodes, members, rate, plan)),
            }
            setups = {name: targets[name] for name in WORKER_SETUPS}
            result["workers"] = asyncio.run(workers(setups, plan))
    return result


def _in_process_subprocess(server: RedisServer, *, quick: bool) -> dict[str, Any]:
    """:func:`in_process` in its own process pinned to the servers' CPU, like frame_cost."""
    assert server.process is not None  # noqa: S101 - running_redis started it
    size = ["--frames", "300", "--connects", "30", "--rounds", "1"] if quick else []
    command = [
        *(sys.executable, "-m", "loadtests.bench.cluster"),
        *("--redis", server.fresh_url(), "--redis-pid", str(server.process.pid), *size),
    ]
    print("bench: cluster in process ...", file=sys.stderr, flush=True)
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*pin(SERVER_CPU), *command], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(completed.stdout.splitlines()[-1])
    return result


def table(result: dict[str, Any]) -> str:
    """The cluster row as Markdown tables, embedded beside Redis."""
    own = result["in_process"]
    emb, red = own["embedded"], own["redis"]
    lines = [
        "| cluster, in process: µs of CPU | embedded | redis: router | redis: redis-server |",
        "| --- | ---: | ---: | ---: |",
        f"| per room frame (broadcast_to_room) | {emb['router_us_per_frame']:.1f} "
        f"| {red['router_us_per_frame']:.1f} | {red['redis_us_per_frame']:.1f} |",
        f"| per connection (open, greeting, close) | {emb['router_us_per_connect']:.1f} "
        f"| {red['router_us_per_connect']:.1f} | {red['redis_us_per_connect']:.1f} |",
        "",
        f"(Redis: {red['publishes_per_frame']:.2f} `PUBLISH` per frame; the router's CPU"
        " includes its Redis client and reading its own batches back.)",
        "",
    ]
    emb_d, red_d = result["delivery"]["embedded"], result["delivery"]["redis"]
    lines += [
        f"| room delivery at {red_d['rate']:g} frames/s, ms | p50 | p99 | delivered |",
        "| --- | ---: | ---: | ---: |",
    ]
    for label, part in (
        ("embedded, one node", emb_d["publisher"]),
        ("redis, publisher's node", red_d["publisher"]),
        ("redis, other node", red_d["other_node"]),
    ):
        lines.append(
            f"| {label} | {part['p50_ms']:.2f} | {part['p99_ms']:.2f} "
            f"| {part['deliveries']}/{part['expected']} |"
        )
    lines += [
        "",
        "| workers | echo round trips/s | per server CPU-s | connections/s | per server CPU-s |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, run in result["workers"].items():
        flag = " !" if run["generator_saturated"] else ""
        lines.append(
            f"| {name}{flag} | {run['round_trips_per_second']:g} "
            f"| {run['round_trips_per_cpu_second']:g} | {run['connections_per_second']:g} "
            f"| {run['connections_per_cpu_second']:g} |"
        )
    lines += [
        "",
        "(! = the generator saturated its core.) On 2 cores the generator takes one: 2 workers"
        " on 1 core show what splitting costs, on 2 cores they compete with the generator."
        " The in-process numbers are the ones to compare.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """The in-process part alone; prints its JSON document (the row runs this pinned)."""
    parser = argparse.ArgumentParser(prog="python -m loadtests.bench.cluster", description=__doc__)
    parser.add_argument("--redis", required=True, help="redis://HOST:PORT/DB of a spare database")
    parser.add_argument("--redis-pid", type=int, required=True, help="redis-server's process")
    parser.add_argument("--frames", type=int, default=20_000, help="frames per run")
    parser.add_argument("--connects", type=int, default=2_000, help="connections per run")
    parser.add_argument("--rounds", type=int, default=5, help="runs per broker, interleaved")
    args = parser.parse_args(argv)
    result = asyncio.run(
        in_process(args.redis, args.redis_pid, args.frames, args.connects, args.rounds)
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
