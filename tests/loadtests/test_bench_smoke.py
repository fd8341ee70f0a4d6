"""The benchmark harness (``make bench``) in its tiny mode, so that it cannot rot.

No performance assertions: speed is measured by ``make bench``, not by timed tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVERS = ("router", "bare", "socketio")
METRICS = {
    "idle_memory": "kib_per_connection",
    "echo": "round_trips_per_second",
    "fanout": "deliveries_per_second",
    "connect": "connections_per_second",
}


def test_quick_bench_measures_every_scenario_on_every_server(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "loadtests.bench", "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "router/bare" in completed.stdout
    results = json.loads(out.read_text())["results"]
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
    cost = json.loads(out.read_text())["frame_cost"]
    assert cost["router_us_per_frame"] > 0
    assert cost["bare_us_per_frame"] > 0
    assert "µs of CPU above ASGI" in completed.stdout
