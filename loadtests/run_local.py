"""``make load``: a bounded headless Locust run against a local server started here.

    python -m loadtests.run_local [--users 40] [--spawn-rate 20] [--run-time 30s] [--out var/load]
                                  [--cluster N]

Starts ``wsrouter serve`` on a free port with a temporary SQLite database under
``--out`` and a known secret, runs Locust (``loadtests/locustfile.py``, every
connection type) in a subprocess, stops the server (even on failure), and exits
non-zero when Locust did or when its CSV records any failure. Writes
``report_stats.csv``, ``report_failures.csv``, ... and ``report.html`` under ``--out``.
With ``--cluster N`` the server is N nodes (``--workers N``) on a ``redis-server`` of
their own (started as the tests start it), so the same users cross nodes.

This module never imports Locust (it monkeypatches on import); pytest imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.servers import running_redis

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "loadtests" / "locustfile.py"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def locust_env(secret: str) -> dict[str, str]:
    """Locust's environment: no monkeypatching (see ``_common.py``), the token secret."""
    env = dict(os.environ)
    env.update(LOCUST_SKIP_MONKEY_PATCH="1", WSROUTER_LOAD_SECRET=secret)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def run_locust(
    host: str,
    secret: str,
    out: Path,
    *,
    users: int,
    spawn_rate: float,
    run_time: str,
    extra: list[str] | None = None,
) -> int:
    """Run headless Locust against ``host``; its exit status."""
    out.mkdir(parents=True, exist_ok=True)
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust) if locust.exists() else "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(spawn_rate),
        "-t",
        run_time,
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(out / "report"),
        "--html",
        str(out / "report.html"),
        "--exit-code-on-error",
        "1",
        *(extra or []),
    ]
    return subprocess.run(command, env=locust_env(secret), check=False).returncode  # noqa: S603


def failures(out: Path) -> int:
    """The failure count of the ``Aggregated`` row of Locust's CSV."""
    with (out / "report_stats.csv").open(newline="") as file:
        for row in csv.DictReader(file):
            if row["Name"] == "Aggregated":
                return int(row["Failure Count"])
    raise RuntimeError("no Aggregated row in report_stats.csv")


class LocalServer:
    """``wsrouter serve`` with its own database and secret; a context manager."""

    def __init__(self, workdir: Path, *, workers: int = 1, broker_url: str = "memory://") -> None:
        self.workdir = workdir
        self.workers = workers
        self.broker_url = broker_url
        self.port = free_port()
        self.secret = secrets.token_urlsafe(48)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        env = {k: v for k, v in os.environ.items() if not k.startswith("WSROUTER_")}
        env.update(
            WSROUTER_JWT_SECRET=self.secret,
            WSROUTER_DATABASE_URL=f"sqlite:///{self.workdir / 'load.db'}",
            # server.log has each start, stop, connection refused and error (info).
            WSROUTER_LOG_LEVEL=os.environ.get("WSROUTER_LOG_LEVEL", "info"),
            # The clock of a running test session ticks every 5 s under load.
            WSROUTER_TIMER_INTERVAL_SECONDS="5",
            # Every load user is a distinct user; the per-user limit is not under test.
            WSROUTER_CONNECTIONS_PER_USER="100",
            WSROUTER_BROKER_URL=self.broker_url,
        )
        wsrouter = Path(sys.executable).with_name("wsrouter")
        log = (self.workdir / "server.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(wsrouter), "serve", "--port", str(self.port), "--workers", str(self.workers)],
            cwd=self.workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early; see {self.workdir / 'server.log'}")
            try:
                with urllib.request.urlopen(f"{self.host}/health", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.__exit__(None, None, None)
        raise RuntimeError("the server did not become healthy")

    def __exit__(self, *_: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="A bounded Locust run against a local server.")
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--run-time", default="30s")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load")
    parser.add_argument(
        "--cluster",
        type=int,
        default=0,
        metavar="N",
        help="N nodes (`wsrouter serve --workers N`) on a redis-server of their own",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="server-", dir=args.out))
    try:
        with contextlib.ExitStack() as stack:
            options: dict[str, Any] = {}
            if args.cluster:
                redis = stack.enter_context(running_redis())
                options = {"workers": args.cluster, "broker_url": redis.url}
            server = stack.enter_context(LocalServer(workdir, **options))
            nodes = f"{args.cluster} nodes on {options['broker_url']}" if args.cluster else "1 node"
            print(f"load: {nodes} at {server.host}, database {workdir / 'load.db'}", flush=True)
            status = run_locust(
                server.host,
                server.secret,
                args.out,
                users=args.users,
                spawn_rate=args.spawn_rate,
                run_time=args.run_time,
            )
        failed = failures(args.out)
    finally:
        shutil.copy(workdir / "server.log", args.out / "server.log")
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load: report in {args.out}/report.html; {failed} failure(s), locust exit {status}")
    return 1 if status != 0 or failed else 0


if __name__ == "__main__":
    sys.exit(main())
