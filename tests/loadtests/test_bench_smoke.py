"""The benchmark harness (``make bench``) in its tiny mode, so that it cannot rot.

No performance assertions: speed is measured by ``make bench``, not by timed tests. The
cluster row runs too, on a real ``redis-server`` (``tests/servers.py``) it starts itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

SERVERS = ("router", "bare", "socketio")
METRICS = {
    "idle_memory": "kib_per_connection",
    "echo": "round_trips_per_second",
    "fanout": "deliveries_per_second",
    "connect": "connections_per_second",
}


@dataclass(frozen=True)
class QuickBench:
    """What one ``--quick`` run printed and wrote."""

    stdout: str
    document: dict[str, Any]


@pytest.fixture(scope="module")
def quick_bench(tmp_path_factory: pytest.TempPathFactory) -> QuickBench:
    """One quick run for the module's tests (it takes most of a minute)."""
    out = tmp_path_factory.mktemp("bench") / "results.json"
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "loadtests.bench", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return QuickBench(completed.stdout, json.loads(out.read_text()))


def test_quick_bench_measures_every_scenario_on_every_server(quick_bench: QuickBench) -> None:
    assert "router/bare" in quick_bench.stdout
    results = quick_bench.document["results"]
    assert set(results) == set(SERVERS)
    for server in SERVERS:
        assert set(results[server]) == set(METRICS)
        for scenario, metric in METRICS.items():
            run = results[server][scenario]
            assert run[metric] > 0, (server, scenario, run)
            assert 0 <= run["server_cpu_percent"] <= 400
            assert 0 <= run["generator_cpu_percent"] <= 400
            assert isinstance(run["generator_saturated"], bool)
        for scenario in ("echo", "fanout"):
            run = results[server][scenario]
            assert 0 < run["p50_ms"] <= run["p99_ms"], (server, scenario, run)
        for scenario, rate, per_cpu in (
            ("echo", "round_trips_per_second", "round_trips_per_cpu_second"),
            ("fanout", "deliveries_per_second", "deliveries_per_cpu_second"),
        ):
            run = results[server][scenario]
            # A second of CPU time is never more than a second of wall time (one core).
            assert run[per_cpu] >= run[rate] * 0.99 > 0, (server, scenario, run)
    cost = quick_bench.document["frame_cost"]
    assert cost["router_us_per_frame"] > 0
    assert cost["bare_us_per_frame"] > 0
    assert "µs of CPU above ASGI" in quick_bench.stdout


def test_quick_bench_has_the_cluster_row_beside_embedded(quick_bench: QuickBench) -> None:
    for heading in ("cluster, in process", "room delivery at", "redis, 2 workers, 2 cores"):
        assert heading in quick_bench.stdout, heading
    row = quick_bench.document["cluster"]
    own = row["in_process"]
    for broker in ("embedded", "redis"):
        assert own[broker]["router_us_per_frame"] > 0, own
        assert own[broker]["router_us_per_connect"] > 0, own
    # The Redis run's frames really went through Redis, the embedded run's never did.
    assert own["redis"]["publishes_per_frame"] > 0, own
    assert own["embedded"]["publishes_per_frame"] == 0, own
    delivery = row["delivery"]
    for part in (
        delivery["embedded"]["publisher"],
        delivery["redis"]["publisher"],
        delivery["redis"]["other_node"],
    ):
        assert 0 < part["deliveries"] <= part["expected"], delivery
        assert 0 < part["p50_ms"] <= part["p99_ms"], delivery
    assert set(row["workers"]) == {
        "embedded, 1 process",
        "redis, 1 process",
        "redis, 2 workers, 1 core",
        "redis, 2 workers, 2 cores",
    }
    for name, run in row["workers"].items():
        assert run["round_trips_per_second"] > 0, name
        assert run["connections_per_second"] > 0, name
