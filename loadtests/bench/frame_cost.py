"""The server's own work per frame, without sockets: the router against the bare app.

``make bench`` measures whole servers over loopback, where the kernel, uvicorn and the
``websockets`` parser take most of every round trip and a shared VM's drift is large.
This measures only what runs above the ASGI interface: one ASGI connection of each app is
fed the same echo frames by an in-memory ``receive`` and its frames are dropped by an
in-memory ``send``, in one process, one app after the other, in rounds. The router runs
its full path (the connection opened with a JWT, every frame checked against the limits,
decoded and validated, dispatched, its reply encoded and written); the bare app
(:class:`loadtests.bench.apps.BareApp`) hands each text back. The difference is what the
router adds to every round trip; ``make bench`` runs this and prints it with its table.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from loadtests.bench.apps import BareApp, Message, Receive, Send
from loadtests.bench.targets import SECRET
from wsrouter.app import create_app
from wsrouter.auth import issue_token
from wsrouter.settings import Limits, Settings

App = Callable[[Message, Receive, Send], Awaitable[None]]

ROUTER_FRAME = json.dumps({"type": "echo", "message": "x" * 32})
BARE_FRAME = "x" * 32


async def _drive(app: App, scope: Message, frame: str, frames: int) -> float:
    """Seconds for ``app`` to take the connect event and then ``frames`` copies of ``frame``."""
    left = frames
    sent = 0

    async def receive() -> Message:
        nonlocal left
        if left == frames:
            left -= 1
            return {"type": "websocket.connect"}
        if left < 0:
            return {"type": "websocket.disconnect", "code": 1000}
        left -= 1
        return {"type": "websocket.receive", "text": frame}

    async def send(message: Message) -> None:
        nonlocal sent
        if message["type"] == "websocket.send":
            sent += 1

    started = time.perf_counter()
    await app(scope, receive, send)
    elapsed = time.perf_counter() - started
    # The greeting (router) and one reply per frame: a run that answered less is no run.
    if sent < frames - 1:
        raise RuntimeError(f"{frames} frames in, {sent} frames out")
    return elapsed


async def measure(frames: int, rounds: int) -> dict[str, Any]:
    """Microseconds per echo frame: router and bare, the median of ``rounds``."""
    with tempfile.TemporaryDirectory(prefix="wsrouter-frame-cost-") as tmp:
        settings = Settings(
            jwt_secret=SECRET,
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            # Limits far above the load: the path is measured, not the rate limiting.
            limits=Limits(messages_per_second=1e12, message_burst=10**12),
        )
        router = create_app(settings)
        token = issue_token(settings, sub="bench", ttl_seconds=3600)
        router_scope: Message = {
            "type": "websocket",
            "path": "/ws",
            "query_string": f"connection_type=general&token={token}".encode(),
            "headers": [],
        }
        bare = BareApp()
        bare_scope: Message = {"type": "websocket", "path": "/ws", "headers": []}
        runs: dict[str, list[float]] = {"router": [], "bare": []}
        async with router.lifespan():  # starts the store, registry and broker; gc.freeze()
            for _ in range(rounds):
                seconds = await _drive(router, router_scope, ROUTER_FRAME, frames)
                runs["router"].append(seconds / frames * 1e6)
                seconds = await _drive(bare, bare_scope, BARE_FRAME, frames)
                runs["bare"].append(seconds / frames * 1e6)
    gc.collect()
    router_us = statistics.median(runs["router"])
    bare_us = statistics.median(runs["bare"])
    return {
        "frames": frames,
        "rounds": rounds,
        "router_us_per_frame": round(router_us, 3),
        "bare_us_per_frame": round(bare_us, 3),
        "router_added_us_per_frame": round(router_us - bare_us, 3),
        "runs_us_per_frame": {k: [round(v, 3) for v in vs] for k, vs in runs.items()},
    }


def table(result: dict[str, Any]) -> str:
    """The result as a Markdown table."""
    return "\n".join(
        [
            "| in process, per echo frame | router | bare | router - bare |",
            "| --- | ---: | ---: | ---: |",
            f"| µs of CPU above ASGI | {result['router_us_per_frame']:.2f} "
            f"| {result['bare_us_per_frame']:.2f} | {result['router_added_us_per_frame']:.2f} |",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Measure, print the table and (with ``--json``) the JSON document on the last line."""
    parser = argparse.ArgumentParser(
        prog="python -m loadtests.bench.frame_cost", description=__doc__
    )
    parser.add_argument("--frames", type=int, default=100_000, help="frames per run")
    parser.add_argument("--rounds", type=int, default=5, help="runs per app, interleaved")
    parser.add_argument("--json", action="store_true", help="print the JSON document last")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.frames, args.rounds))
    print(table(result))
    if args.json:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
