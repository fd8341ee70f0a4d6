"""Real Redis and PostgreSQL servers for the tests: started once per session, never mocked.

``redis-server`` and PostgreSQL's ``initdb``/``postgres`` come from Debian's packages
(``make test`` installs them where missing). A missing binary fails the test that
needs it, loudly: nothing is skipped. PostgreSQL refuses to run as root, so as root
it runs as the ``postgres`` user, in a temporary folder that user owns.

Each server listens on 127.0.0.1 on a free port, keeps nothing on disk that matters
(Redis: no RDB, no AOF; PostgreSQL: ``fsync=off``, tests only) and can be stopped and
started again on the same port, for the fault tests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from itertools import count
from pathlib import Path
from typing import Any

from tests.timing import MS, TIMEOUT

POSTGRES_BIN_DIRS = sorted(
    Path("/usr/lib/postgresql").glob("*/bin"),
    key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    reverse=True,
)
"""Debian installs PostgreSQL's server binaries here, newest version first."""


class MissingServer(RuntimeError):
    """A server binary is not installed; the message says how to install it."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def find_binary(name: str, package: str, extra_dirs: list[Path] | None = None) -> str:
    """The path of ``name``, or :class:`MissingServer` naming the Debian package."""
    found = shutil.which(name)
    for folder in extra_dirs or []:
        if found is None and (folder / name).exists():
            found = str(folder / name)
    if found is None:
        raise MissingServer(
            f"{name} is not installed: `apt-get install {package}` (`make test` does it)"
        )
    return found


def _wait_until(ready: Any, what: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 4 * TIMEOUT
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{_tail(log)}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready after {4 * TIMEOUT} s:\n{_tail(log)}")
        time.sleep(20 * MS)


def _tail(log: Path) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-20:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes] | None, sig: int) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(4 * TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RedisServer:
    """A ``redis-server`` on a free port; :meth:`stop` and :meth:`start` keep the port.

    Each test takes a database of its own (:meth:`fresh_url`): keys never meet, and
    the broker's pub/sub channel is named after the database, so neither do frames.
    """

    def __init__(self, folder: Path) -> None:
        self.binary = find_binary("redis-server", "redis-server")
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._databases = count(1)

    @property
    def url(self) -> str:
        """The URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def fresh_url(self) -> str:
        """The URL of a database no test has used yet."""
        return f"redis://127.0.0.1:{self.port}/{next(self._databases)}"

    def start(self) -> None:
        """Start the server and wait until it answers ``PING``."""
        log = self.folder / "redis.log"
        command = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.folder),
            "--databases", "10000",
            "--logfile", str(log),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)  # noqa: S603
        _wait_until(self._answers, "redis-server", self.process, log)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Stop the server (everything in it is lost: no persistence)."""
        _stop(self.process, signal.SIGTERM)
        self.process = None


class PostgresServer:
    """A PostgreSQL cluster in a temporary folder, on a free port, ``fsync=off``.

    Tests get databases of their own with :meth:`fresh_url` (``CREATE DATABASE …
    TEMPLATE template0``: about as fast as an empty database can be made).
    """

    def __init__(self, folder: Path) -> None:
        self.initdb = find_binary("initdb", "postgresql", POSTGRES_BIN_DIRS)
        self.postgres = find_binary("postgres", "postgresql", POSTGRES_BIN_DIRS)
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self._databases = count(1)
        # initdb refuses to run as root: then everything runs as `postgres`.
        self._user: dict[str, Any] = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(folder, account.pw_uid, account.pw_gid)
            self._user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def url(self, database: str = "postgres") -> str:
        """The URL of ``database`` (over TCP, trust authentication)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        """Create the cluster (``initdb``)."""
        log = self.folder / "initdb.log"
        with log.open("wb") as out:
            done = subprocess.run(  # noqa: S603
                [
                    self.initdb,
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--no-sync",
                    "--encoding=UTF8",
                    "--locale=C",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                check=False,
                cwd=self.folder,
                **self._user,
            )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed ({done.returncode}):\n{_tail(log)}")

    def start(self) -> None:
        """Start the server and wait until it accepts a connection."""
        log = self.folder / "postgres.log"
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    self.postgres,
                    "-D",
                    str(self.data),
                    "-p",
                    str(self.port),
                    "-k",
                    str(self.folder),
                    *_settings(
                        listen_addresses="127.0.0.1",
                        max_connections="300",
                        # Tests only: a crash of the machine loses nothing kept here.
                        fsync="off",
                        full_page_writes="off",
                    ),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.folder,
                **self._user,
            )
        _wait_until(self._answers, "postgres", self.process, log)

    def _answers(self) -> bool:
        import psycopg  # noqa: PLC0415 - only the tests that start PostgreSQL need it

        try:
            with psycopg.connect(self.url(), connect_timeout=int(TIMEOUT)) as db:
                db.execute("SELECT 1")
        except psycopg.OperationalError:
            return False
        return True

    def fresh_url(self) -> str:
        """The URL of a new, empty database."""
        import psycopg  # noqa: PLC0415

        name = f"test_{os.getpid()}_{next(self._databases)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
        return self.url(name)

    def stop(self, sig: int = signal.SIGINT) -> None:
        """Stop the server (SIGINT: PostgreSQL's fast shutdown)."""
        _stop(self.process, sig)
        self.process = None


def _settings(**values: str) -> list[str]:
    """``-c name=value`` options for ``postgres``."""
    return [option for name, value in values.items() for option in ("-c", f"{name}={value}")]


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A started :class:`RedisServer`, stopped and removed on exit."""
    folder = Path(tempfile.mkdtemp(prefix="wsrouter-redis-"))
    try:
        server = RedisServer(folder)
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A started :class:`PostgresServer` in a new cluster, stopped and removed on exit."""
    # Not under pytest's tmp_path: its parents are private to root, and the server
    # runs as `postgres`, which must be able to reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="wsrouter-postgres-"))
    try:
        server = PostgresServer(folder)
        server.init()
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def wait_until(
    check: Callable[[], Awaitable[bool]], what: str, timeout: float = TIMEOUT
) -> float:
    """Wait until ``await check()`` is true (every 10 ms); return how long it took.

    Fails with ``what`` after ``timeout`` seconds: the wait is for an event, bounded.
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    while not await check():
        if loop.time() - start > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(10 * MS)
    return loop.time() - start
