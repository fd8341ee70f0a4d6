"""The servers under test: starting and stopping them, and each one's framing.

A :class:`Target` is one running server process (pinned to CPU 0) together with what the
generator needs to speak its protocol: the URL of a new connection and the frames that
ask for an echo, join the bench room and publish to it. The frames are bytes, ready for
``WSTransport.send``. The greeting each server sends after the WebSocket handshake is
handled by :mod:`loadtests.bench.connections`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import jwt
import psutil  # type: ignore[import-untyped,unused-ignore]

SERVERS = ("router", "bare", "socketio")
SECRET = "bench-secret-0123456789abcdef0123456789abcdef"  # noqa: S105 - a throwaway server
ROOM = "bench"
SERVER_CPU = 0
GENERATOR_CPU = 1


def pin(cpus: int | str) -> list[str]:
    """The ``taskset`` prefix pinning a command to ``cpus`` (empty where that is impossible)."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        return ["taskset", "-c", str(cpus)]
    return []


class Target:
    """One running server, and how to speak its protocol."""

    def __init__(self, kind: str, port: int, proc: subprocess.Popen[bytes]) -> None:
        self.kind = kind
        self.port = port
        self.proc = proc
        self.process = psutil.Process(proc.pid)
        # Tokens made once: signing a JWT per connection would cost the generator more
        # than the connection itself, and the connect scenario measures the server.
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

    def echo(self, text: str) -> bytes:
        """The frame asking for ``text`` back."""
        if self.kind == "router":
            return json.dumps({"type": "echo", "message": text}).encode()
        if self.kind == "socketio":
            return ("42" + json.dumps(["echo", text])).encode()
        return text.encode()

    def join(self) -> tuple[bytes, str]:
        """The frame joining the bench room, and a text found only in the answer to it."""
        if self.kind == "router":
            return json.dumps({"type": "join_room", "room": ROOM}).encode(), '"room_joined"'
        if self.kind == "socketio":
            return ("42" + json.dumps(["join", ROOM])).encode(), '["joined"'
        return f"join:{ROOM}".encode(), "joined"

    def publish(self, text: str) -> bytes:
        """The frame sending ``text`` to the bench room."""
        if self.kind == "router":
            frame = {"type": "broadcast_to_room", "room": ROOM, "message": text}
            return json.dumps(frame).encode()
        if self.kind == "socketio":
            return ("42" + json.dumps(["publish", {"room": ROOM, "message": text}])).encode()
        return f"pub:{ROOM}:{text}".encode()

    def cpu_seconds(self) -> float:
        """CPU time the server has used so far (``--workers N``: its workers' too)."""
        total = 0.0
        for process in [self.process, *self.process.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    def rss(self) -> int:
        """The server's resident memory, bytes."""
        return int(self.process.memory_info().rss)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    kind: str,
    workdir: Path,
    *,
    extra_env: Mapping[str, str] | None = None,
    args: tuple[str, ...] = (),
    cpus: str = str(SERVER_CPU),
) -> Target:
    """Start ``kind`` on a free loopback port, pinned to ``cpus``; wait until it accepts.

    The router takes ``extra_env`` over its bench settings and ``args`` after its
    command line (the cluster row: a Redis broker, ``--workers 2``).
    """
    port = _free_port()
    env = dict(os.environ)
    if kind == "router":
        wsrouter = Path(sys.executable).with_name("wsrouter")
        command = [str(wsrouter), "serve", "--host", "127.0.0.1", "--port", str(port), *args]
        # Limits far above the load, so that the router's full path is measured and not
        # its rate limiting.
        env.update(
            WSROUTER_JWT_SECRET=SECRET,
            WSROUTER_MESSAGES_PER_SECOND="1000000",
            WSROUTER_MESSAGE_BURST="1000000",
            WSROUTER_CONNECTIONS_PER_USER="100000",
            WSROUTER_DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
            WSROUTER_LOG_LEVEL="warning",
        )
        env.update(extra_env or {})
    else:
        command = [sys.executable, str(Path(__file__).with_name("apps.py")), kind, str(port)]
    proc = subprocess.Popen([*pin(cpus), *command], env=env, cwd=workdir)  # noqa: S603
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
