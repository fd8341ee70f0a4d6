"""A tiny headless Locust run against a real server, so the load users cannot rot.

Locust runs in a subprocess only: importing it here would monkeypatch pytest's process.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from loadtests.run_local import failures, run_locust
from tests.e2e.harness import SECRET, ServerProcess, free_port, server_env

KINDS = ("general", "notifications", "test-session", "chat")


@pytest.fixture(params=["one node", "two nodes on Redis"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    """One node, or two (``--workers 2``, what ``make load CLUSTER=2`` runs) on Redis."""
    workdir = tmp_path / "server"
    (workdir / "var").mkdir(parents=True)
    extra = {"WSROUTER_TIMER_INTERVAL_SECONDS": "1"}
    args: tuple[str, ...] = ()
    if request.param != "one node":
        extra["WSROUTER_BROKER_URL"] = request.getfixturevalue("redis_url")
        args = ("--workers", "2")
    started = ServerProcess(workdir, free_port(), server_env(workdir, extra), args=args).start()
    try:
        yield started
    finally:
        started.stop()


def test_a_short_run_of_every_user_has_no_failures(server: ServerProcess, tmp_path: Path) -> None:
    out = tmp_path / "load"
    # Two nodes start two processes' worth of users' connections on a busy machine: given
    # longer, so that every kind completes a round trip.
    run_time = "12s" if server.args else "5s"
    status = run_locust(server.http_url, SECRET, out, users=4, spawn_rate=4, run_time=run_time)
    with (out / "report_stats.csv").open(newline="") as file:
        rows = [row for row in csv.DictReader(file) if row["Name"] != "Aggregated"]
    report = "\n".join(f"{r['Name']}: {r['Request Count']} / {r['Failure Count']}" for r in rows)
    assert failures(out) == 0, (out / "report_failures.csv").read_text()
    assert status == 0, report
    for kind in KINDS:
        measured = [
            r for r in rows if r["Name"].startswith(f"{kind} ") and "connect" not in r["Name"]
        ]
        assert measured, f"no {kind} round trip in the stats:\n{report}"
    assert (out / "report.html").stat().st_size > 0
