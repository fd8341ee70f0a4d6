"""The four scenarios, each against one :class:`Target`, on picows connections.

In echo and fan-out, the scenario's work per message happens in the picows callback that
receives the frame: the reply is timed and the next message sent from there, with no
task, queue or future per message, so that the generator stays cheaper than the server
it measures. Setting up (opening, joining, closing) goes through :mod:`.connections`.
Every scenario is bounded in time and in connections, on loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from picows import WSFrame, WSTransport

from loadtests.bench.connections import (
    TEXT,
    TIMEOUT,
    Client,
    close_all,
    gather_bounded,
    open_client,
    open_many,
)
from loadtests.bench.measure import cpu_meter, percentile
from loadtests.bench.targets import Target

# A payload carries its sequence number and send time (perf_counter_ns) the same way
# for every server, so the generator pays the same to read it back.
PAYLOAD = re.compile(rb"P(\d+)\|(\d+)")
ECHO_TEXT = "hello, bench " + "x" * 48
# The wait for the last fan-out deliveries after publishing stopped.
DRAIN_SECONDS = 10.0

# A global rather than an attribute lookup on ``time`` for every frame.
perf_counter_ns = time.perf_counter_ns


@dataclass(frozen=True)
class Plan:
    """How big and how long each scenario is."""

    echo_connections: int
    fanout_subscribers: int
    idle_connections: int
    connect_concurrency: int
    seconds: float
    warmup: float
    rounds: int = 1
    """How many times echo, fan-out and connect run against each server, interleaved."""
    fanout_window: int = 4


FULL = Plan(
    echo_connections=50,
    fanout_subscribers=1000,
    idle_connections=5000,
    connect_concurrency=20,
    seconds=4.0,
    warmup=0.5,
    rounds=5,
)
QUICK = Plan(
    echo_connections=4,
    fanout_subscribers=20,
    idle_connections=50,
    connect_concurrency=4,
    seconds=0.6,
    warmup=0.2,
)


def _window(plan: Plan) -> tuple[int, int]:
    """The measured window, from now: (after the warm-up, end), perf_counter_ns."""
    t0 = perf_counter_ns() + int(plan.warmup * 1e9)
    return t0, t0 + int(plan.seconds * 1e9)


async def idle_memory(target: Target, plan: Plan) -> dict[str, Any]:
    """Server RSS growth per open, idle connection whose client offered permessage-deflate."""
    # A few connections first, so that the server's one-off allocations (imports, pools)
    # are not counted against the idle ones.
    await close_all(await open_many(target, Client, 20, deflate=True))
    await asyncio.sleep(0.3)
    before = target.rss()
    result: dict[str, Any] = {"connections": plan.idle_connections}
    with cpu_meter(target, result):
        clients = await open_many(target, Client, plan.idle_connections, deflate=True)
        await asyncio.sleep(0.5)
        after = target.rss()
    result["rss_before_mib"] = round(before / 2**20, 1)
    result["rss_after_mib"] = round(after / 2**20, 1)
    result["kib_per_connection"] = round((after - before) / 1024 / plan.idle_connections, 2)
    await close_all(clients)
    return result


class _EchoRun:
    """What the echo connections of one run share."""

    def __init__(self, frame: bytes, window: tuple[int, int], connections: int) -> None:
        self.frame = frame
        self.t0, self.t1 = window
        self.samples: list[int] = []
        self.running = connections
        self.finished: asyncio.Future[None] = asyncio.get_running_loop().create_future()


class Echoer(Client):
    """An echo connection: sends the next message from the callback that got the reply."""

    run: _EchoRun | None = None
    sent = 0  # perf_counter_ns of the message in flight

    def start(self, run: _EchoRun) -> None:
        """Put the first message in flight."""
        self.run = run
        self.sent = perf_counter_ns()
        self.transport.send(TEXT, run.frame)

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        """A reply: record its round trip, then send the next message or stop at the end."""
        run = self.run
        # engine.io's ping "2" is the only one-byte frame a server sends here; every
        # echo reply is longer, so the payload need not be read at all. msg_type is
        # still read: a CLOSE from the server is longer than one byte too.
        if run is not None and frame.payload_size > 1 and frame.msg_type is TEXT:
            now = perf_counter_ns()
            sent = self.sent
            if sent >= run.t0:
                run.samples.append(now - sent)
            if now < run.t1:
                self.sent = now
                transport.send(TEXT, run.frame)
            else:
                self.run = None
                run.running -= 1
                if not run.running:
                    run.finished.set_result(None)
            return
        self.control(transport, frame)


async def echo(target: Target, plan: Plan) -> dict[str, Any]:
    """Round trips per second with one message in flight on each connection."""
    clients = await open_many(target, Echoer, plan.echo_connections, limit=50)
    result: dict[str, Any] = {"connections": plan.echo_connections}
    run = _EchoRun(target.echo(ECHO_TEXT), _window(plan), plan.echo_connections)
    with cpu_meter(target, result):
        for client in clients:
            client.start(run)
        try:
            await asyncio.wait_for(run.finished, plan.warmup + plan.seconds + TIMEOUT)
        except TimeoutError:
            raise RuntimeError(f"{target.kind}: {run.running} echo connections stalled") from None
    run.samples.sort()
    result["round_trips_per_second"] = round(len(run.samples) / plan.seconds, 1)
    result["p50_ms"] = round(percentile(run.samples, 0.50), 3)
    result["p99_ms"] = round(percentile(run.samples, 0.99), 3)
    await close_all(clients)
    return result


class _FanoutRun:
    """The publisher's window and what the subscribers of one run share."""

    def __init__(
        self, target: Target, publisher: Client, subscribers: int, window: tuple[int, int]
    ) -> None:
        self.target = target
        self.publisher = publisher
        self.subscribers = subscribers
        self.t0, self.t1 = window
        self.seq = 0
        self.remaining: dict[int, int] = {}  # seq -> subscribers still to receive it
        self.latencies: list[int] = []
        self.drained: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def publish(self) -> None:
        """Fill a free window slot; past the end, notice when the last one was delivered."""
        now = perf_counter_ns()
        if now < self.t1:
            self.seq += 1
            self.remaining[self.seq] = self.subscribers
            frame = self.target.publish(f"P{self.seq}|{now}")
            self.publisher.transport.send(TEXT, frame)
        elif not self.remaining and not self.drained.done():
            self.drained.set_result(None)


class Subscriber(Client):
    """A room member: times each delivery and frees its publish's slot when it is the last."""

    run: _FanoutRun | None = None

    def on_ws_frame(self, transport: WSTransport, frame: WSFrame) -> None:
        """A delivery: its latency from the send time in the payload, then the count."""
        run = self.run
        if run is not None:
            # The regex reads the frame's buffer in place; its groups are copies, so
            # nothing outlives the callback that owns the buffer. It is also the only
            # test of the frame: no CLOSE or engine.io ping carries a payload like
            # this, and reading msg_type would cost an enum per delivery.
            match = PAYLOAD.search(frame.get_payload_as_memoryview())
            if match is not None:
                now = perf_counter_ns()
                if run.t0 <= now < run.t1:
                    run.latencies.append(now - int(match[2]))
                seq = int(match[1])
                left = run.remaining[seq] - 1
                if left:
                    run.remaining[seq] = left
                else:
                    del run.remaining[seq]
                    run.publish()
                return
        self.control(transport, frame)


async def fanout(target: Target, plan: Plan) -> dict[str, Any]:
    """One publisher, a room of subscribers: deliveries per second, publish-to-receive."""
    n = plan.fanout_subscribers
    join, joined = target.join()
    subscribers = await open_many(target, Subscriber, n)
    await gather_bounded(n, 100, lambda i: subscribers[i].request(join, joined))
    publisher = await open_client(target, Client)
    await publisher.request(join, joined)
    result: dict[str, Any] = {"subscribers": n}
    run = _FanoutRun(target, publisher, n, _window(plan))
    for subscriber in subscribers:
        subscriber.run = run
    with cpu_meter(target, result):
        for _ in range(plan.fanout_window):
            run.publish()
        # Should a delivery go missing, the run still counts what arrived in its window.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.drained, plan.warmup + plan.seconds + DRAIN_SECONDS)
    run.latencies.sort()
    result["deliveries_per_second"] = round(len(run.latencies) / plan.seconds, 1)
    result["p50_ms"] = round(percentile(run.latencies, 0.50), 3)
    result["p99_ms"] = round(percentile(run.latencies, 0.99), 3)
    for subscriber in subscribers:
        subscriber.run = None
    await close_all([*subscribers, publisher])
    return result


async def connect_rate(target: Target, plan: Plan) -> dict[str, Any]:
    """Connections per second: open (the router checks a JWT), greeting, close; in parallel."""
    count = 0
    t1 = time.perf_counter() + plan.seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < t1:
            client = await open_client(target, Client, deflate=True)
            await client.close()
            count += 1

    result: dict[str, Any] = {"concurrency": plan.connect_concurrency}
    start = time.perf_counter()
    with cpu_meter(target, result):
        await asyncio.gather(*(worker() for _ in range(plan.connect_concurrency)))
    result["connections_per_second"] = round(count / (time.perf_counter() - start), 1)
    return result


Scenario = Callable[[Target, Plan], Awaitable[dict[str, Any]]]
# In the order they run against each server.
SCENARIOS: dict[str, Scenario] = {
    "idle_memory": idle_memory,
    "echo": echo,
    "fanout": fanout,
    "connect": connect_rate,
}
