"""``wsrouter serve`` as a process: where it says it listens, and a port already taken."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.e2e.harness import free_port, server_env
from tests.timing import TIMEOUT


def _serve(workdir: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own command line
        [sys.executable, "-m", "wsrouter.cli", "serve", *args],
        cwd=workdir,
        env=server_env(workdir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_healthy(process: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 4 * TIMEOUT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            if httpx.get(url, timeout=TIMEOUT).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server did not become healthy")


def test_serve_on_localhost_says_where_it_runs(tmp_path: Path) -> None:
    port = free_port()
    process = _serve(tmp_path, "--host", "localhost", "--port", str(port))
    try:
        _wait_healthy(process, f"http://127.0.0.1:{port}/health")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=6 * TIMEOUT)
    (line,) = [line for line in err.splitlines() if "running on" in line]
    assert f"http://127.0.0.1:{port}" in line  # and [::1], where the machine has IPv6


def test_serve_on_a_busy_port_exits_2_with_one_line_and_no_tokens(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = server_env(tmp_path)
        del env["WSROUTER_JWT_SECRET"]  # dev mode: the banner with tokens would come first
        process = subprocess.run(  # noqa: S603 - our own command line
            [sys.executable, "-m", "wsrouter.cli", "serve", "--port", str(port)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=4 * TIMEOUT,
            check=False,
        )
    assert process.returncode == 2
    assert process.stdout == ""
    assert process.stderr.startswith(f"wsrouter: port {port} is in use; make run PORT=")
    assert process.stderr.count("\n") == 1
