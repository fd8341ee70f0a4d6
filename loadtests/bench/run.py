"""The benchmark harness behind ``make bench``: router vs bare ASGI vs python-socketio.

Each server runs in its own process pinned to CPU 0 (``taskset -c 0``); this generator
pins itself to CPU 1 and drives it over picows connections, doing the work of every
message in picows' frame callbacks (:mod:`.scenarios`). The three servers run side by
side, idle but for the one under load. Idle memory is measured once per server; then echo,
room fan-out and connection setup run in rounds, each round against every server in
turn (the order rotating), and each server's run with the median of the round's headline
metric is the one reported. A shared VM's speed drifts by a third from one minute to the
next: interleaving puts the drift into every server's numbers alike, and the median
drops the outliers. The CPU time of the server and of the generator is read (psutil)
around each run; a generator above 90 % of its core means the number is the generator's
limit, not the server's. This module runs them all, prints the table and writes the JSON
document.

Modules: :mod:`.targets` starts and stops the servers and knows each one's framing,
:mod:`.connections` is the picows client, :mod:`.scenarios` the four scenarios and their
sizes, :mod:`.measure` the CPU meter and quantiles; :mod:`.frame_cost` measures, without
sockets and so with far less noise, the CPU the router adds to every frame;
:mod:`.cluster` is the cluster row (Redis against embedded, 2 workers against 1).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from loadtests.bench import cluster
from loadtests.bench.measure import SATURATED
from loadtests.bench.scenarios import FULL, QUICK, SCENARIOS, Plan
from loadtests.bench.targets import (
    GENERATOR_CPU,
    SERVER_CPU,
    SERVERS,
    Target,
    pin,
    start_server,
    stop_server,
)

Results = dict[str, dict[str, dict[str, Any]]]  # server -> scenario -> one run's numbers


# The metric a scenario's rounds are ranked by (the median run is the one reported).
RANKED_BY = {
    "echo": "round_trips_per_second",
    "fanout": "deliveries_per_second",
    "connect": "connections_per_second",
}


async def _run(target: Target, name: str, plan: Plan) -> dict[str, Any]:
    print(f"bench: {target.kind} {name} ...", file=sys.stderr, flush=True)
    result = await SCENARIOS[name](target, plan)
    await asyncio.sleep(0.3)  # let the server finish closing the last connections
    return result


# Throughput per second of the server's CPU time: on a shared VM whose host takes a
# varying share of the server's core (steal), this moves less than the rate per second of
# wall time (a busy host still slows every cycle). The median over the rounds is reported.
PER_CPU_SECOND = {
    "echo": ("round_trips_per_second", "round_trips_per_cpu_second"),
    "fanout": ("deliveries_per_second", "deliveries_per_cpu_second"),
}


def per_cpu_second(run: dict[str, Any], rate: str) -> float:
    """``run[rate]`` per second of server CPU time (0 if the server used none)."""
    cpu = float(run["server_cpu_percent"]) / 100
    return round(float(run[rate]) / cpu, 1) if cpu > 0 else 0.0


def median_run(runs: list[dict[str, Any]], metric: str) -> dict[str, Any]:
    """The run with the median ``metric`` (the lower middle one of an even count)."""
    ranked = sorted(runs, key=lambda run: float(run[metric]))
    return ranked[(len(ranked) - 1) // 2]


async def bench_all(targets: list[Target], plan: Plan) -> Results:
    """Idle memory per server, then the other scenarios in interleaved rounds."""
    results: Results = {t.kind: {} for t in targets}
    for target in targets:
        results[target.kind]["idle_memory"] = await _run(target, "idle_memory", plan)
    for name, metric in RANKED_BY.items():
        runs: dict[str, list[dict[str, Any]]] = {t.kind: [] for t in targets}
        for round_no in range(plan.rounds):
            shift = round_no % len(targets)
            for target in targets[shift:] + targets[:shift]:
                runs[target.kind].append(await _run(target, name, plan))
        for kind, kind_runs in runs.items():
            chosen = dict(median_run(kind_runs, metric))
            chosen["rounds"] = [run[metric] for run in kind_runs]
            if name in PER_CPU_SECOND:
                rate, key = PER_CPU_SECOND[name]
                per_cpu = [per_cpu_second(run, rate) for run in kind_runs]
                chosen[key] = statistics.median(per_cpu)
                chosen[f"{key}_rounds"] = per_cpu
            results[kind][name] = chosen
    return results


# (scenario, metric, label)
HEADLINES = (
    ("echo", "round_trips_per_second", "echo: round trips/s"),
    ("echo", "p50_ms", "echo: p50 ms"),
    ("echo", "p99_ms", "echo: p99 ms"),
    ("echo", "round_trips_per_cpu_second", "echo: round trips per server CPU-s"),
    ("fanout", "deliveries_per_second", "fan-out: deliveries/s"),
    ("fanout", "deliveries_per_cpu_second", "fan-out: deliveries per server CPU-s"),
    ("fanout", "p99_ms", "fan-out: p99 ms"),
    ("idle_memory", "kib_per_connection", "idle: KiB per connection"),
    ("connect", "connections_per_second", "connect: connections/s"),
)


def ratios(results: Results) -> dict[str, dict[str, float | None]]:
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


def table(results: Results) -> str:
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
    rounds = len(results["router"]["echo"].get("rounds", [None]))
    lines += [
        "",
        f"Echo, fan-out and connect: the median of {rounds} interleaved round(s) per server"
        " (per server CPU-s: the median of the rounds' values); every round's value is in"
        " the JSON.",
        "",
        f"CPU, % of one core: server / generator (! = generator saturated, above {SATURATED:g} %)",
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


def frame_cost(*, quick: bool) -> tuple[dict[str, Any], str]:
    """:mod:`.frame_cost` in its own process, pinned to the server's CPU: JSON and table.

    Its own process also keeps the app and its imports out of this generator's heap.
    """
    size = ["--frames", "2000", "--rounds", "1"] if quick else []
    command = [sys.executable, "-m", "loadtests.bench.frame_cost", "--json", *size]
    print("bench: frame cost in process ...", file=sys.stderr, flush=True)
    completed = subprocess.run(  # noqa: S603 - our own interpreter and module
        [*pin(SERVER_CPU), *command], capture_output=True, text=True, check=True
    )
    *table_lines, last = completed.stdout.splitlines()
    result: dict[str, Any] = json.loads(last)
    return result, "\n".join(table_lines)


def _raise_fd_limit() -> None:
    # 5,000 idle connections need more descriptors than the usual soft limit of 1,024.
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
        os.sched_setaffinity(0, {GENERATOR_CPU})
    with tempfile.TemporaryDirectory(prefix="wsrouter-bench-") as tmp:
        targets: list[Target] = []
        try:
            for kind in SERVERS:
                targets.append(start_server(kind, Path(tmp)))
            results = asyncio.run(bench_all(targets, plan))
        finally:
            for target in targets:
                stop_server(target)
    cost, cost_table = frame_cost(quick=args.quick)
    cluster_row = cluster.bench_cluster(plan, quick=args.quick)
    document = {
        "plan": vars(plan) | {"quick": args.quick},
        "pinned": bool(pin(SERVER_CPU)),
        "results": results,
        "ratios": ratios(results),
        "frame_cost": cost,
        "cluster": cluster_row,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(table(results))
    print()
    print(cost_table)
    print()
    print(cluster.table(cluster_row))
    print(f"\nwritten: {args.out}")
    return 0
