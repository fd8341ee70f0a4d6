"""A real ``wsrouter serve`` process on a real socket, and a small WebSocket peer for tests."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, ClassVar

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.timing import TIMEOUT
from wsrouter.auth import issue_token
from wsrouter.settings import Settings

SECRET = "e2e-secret-that-is-long-enough-for-hs256-0123456789"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class ServerProcess:
    """A running ``wsrouter serve``; stop it with :meth:`stop` or :meth:`kill`."""

    workdir: Path
    port: int
    env: dict[str, str]
    command: list[str] | None = None
    """The ``wsrouter`` command (default: this interpreter's ``-m wsrouter.cli``)."""
    process: subprocess.Popen[str] | None = None
    _out: IO[str] | None = None
    args: tuple[str, ...] = ()
    """More ``wsrouter serve`` arguments (``--workers 2``)."""

    @property
    def http_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """``ws://127.0.0.1:PORT/ws``."""
        return f"ws://127.0.0.1:{self.port}/ws"

    @property
    def settings(self) -> Settings:
        """The settings the server runs with (for signing tokens)."""
        return Settings.from_env(self.env, var_dir=self.workdir / "var")

    def token(
        self, sub: str, *, name: str | None = None, role: str | None = None, ttl: int = 3600
    ) -> str:
        """A token the server accepts."""
        return issue_token(self.settings, sub=sub, name=name, role=role, ttl_seconds=ttl)

    def admin_headers(self) -> dict[str, str]:
        """``Authorization`` for the admin API."""
        return {"authorization": f"Bearer {self.token('admin', role='admin')}"}

    def start(self) -> ServerProcess:
        """Start the process and wait until ``/health`` answers."""
        self._out = out = (self.workdir / "server.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                *(self.command or [sys.executable, "-m", "wsrouter.cli"]),
                *("serve", "--port", str(self.port), *self.args),
            ],
            cwd=self.workdir,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 4 * TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._close_log()
                raise RuntimeError(f"the server exited early:\n{self.output()}")
            try:
                if httpx.get(f"{self.http_url}/health", timeout=TIMEOUT).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"the server did not become healthy:\n{self.output()}")

    def output(self) -> str:
        """What the server printed so far."""
        return (self.workdir / "server.log").read_text(errors="replace")

    def stop(self) -> int:
        """SIGTERM, then wait for a graceful exit; returns the exit status."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=6 * TIMEOUT)
        finally:
            self._close_log()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=TIMEOUT)
        self._close_log()

    def _close_log(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def server_env(workdir: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a test server: its own database, a fixed secret."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSROUTER_")}
    env.update(
        WSROUTER_JWT_SECRET=SECRET,
        WSROUTER_DATABASE_URL=f"sqlite:///{workdir / 'var' / 'test.db'}",
        WSROUTER_LOG_LEVEL="info",
    )
    env.update(extra or {})
    return env


class Peer:
    """One WebSocket client with JSON helpers and a timeout on every wait."""

    opened: ClassVar[list[Peer]] = []
    """Every peer opened by the current test; the fixtures close them afterwards."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        Peer.opened.append(self)

    @classmethod
    async def open(
        cls, server: ServerProcess, query: str, headers: Mapping[str, str] | None = None
    ) -> Peer:
        """Connect to ``/ws?<query>``."""
        ws = await asyncio.wait_for(
            connect(f"{server.ws_url}?{query}", additional_headers=headers, max_size=2**22),
            TIMEOUT,
        )
        return cls(ws)

    async def send(self, frame: Mapping[str, Any]) -> None:
        """Send one JSON frame."""
        await self.ws.send(json.dumps(frame))

    async def send_raw(self, data: str | bytes) -> None:
        """Send a frame as it is."""
        await self.ws.send(data)

    async def recv(self) -> dict[str, Any]:
        """The next frame, decoded."""
        raw = await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        frame: dict[str, Any] = json.loads(raw)
        return frame

    async def expect(self, kind: str, **fields: Any) -> dict[str, Any]:
        """The next frame, which must be of type ``kind`` with these field values."""
        frame = await self.recv()
        assert frame.get("type") == kind, frame
        for key, value in fields.items():
            assert frame.get(key) == value, (key, frame)
        return frame

    async def request(self, frame: Mapping[str, Any], reply: str) -> dict[str, Any]:
        """Send a frame and expect its reply."""
        await self.send(frame)
        return await self.expect(reply)

    async def closed(self) -> tuple[int, str]:
        """Wait for the server to close; return the close code and reason."""
        try:
            while True:
                await asyncio.wait_for(self.ws.recv(), TIMEOUT)
        except ConnectionClosed as closed:
            received = closed.rcvd
        if received is None:
            raise AssertionError("the connection closed without a close frame")
        return received.code, received.reason

    async def nothing_more(self, wait: float = 0.3) -> None:
        """Assert that no frame arrives within ``wait`` seconds."""
        try:
            frame = await asyncio.wait_for(self.ws.recv(), wait)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame: {frame!r}")

    async def close(self) -> None:
        """Close from the client side."""
        await self.ws.close()


async def save_answers_until_killed(
    peer: Peer, server: ServerProcess
) -> tuple[int, dict[str, int]]:
    """Stream ``save_answer`` over 40 questions on ``peer``; SIGKILL ``server`` mid-stream.

    The kill comes once every question was acknowledged and 150 versions in all. Returns
    how many saves were sent and, per question, the last version acknowledged.
    """
    acknowledged: dict[str, int] = {}
    sent = 0

    async def stream() -> None:
        nonlocal sent
        while True:
            sent += 1
            await peer.send({"type": "save_answer", "question_id": f"q{sent % 40}", "answer": sent})

    async def acks() -> None:
        while True:
            frame = await peer.recv()
            assert frame["type"] == "answer_saved", frame
            acknowledged[frame["question_id"]] = frame["version"]

    sender, reader = asyncio.create_task(stream()), asyncio.create_task(acks())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 4 * TIMEOUT
    while len(acknowledged) < 40 or sum(acknowledged.values()) < 150:
        assert loop.time() < deadline, (sent, acknowledged)
        assert not reader.done(), reader
        await asyncio.sleep(0.01)
    server.kill()  # SIGKILL, mid-stream
    for task in (sender, reader):
        task.cancel()
        with contextlib.suppress(
            asyncio.CancelledError, ConnectionClosed, TimeoutError, AssertionError
        ):
            await task
    return sent, acknowledged
