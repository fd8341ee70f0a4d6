"""A full disk under the database: the server's failure, not the client's, and nothing lost.

The database lives on a tmpfs of 4 MiB mounted for the test (as root, as CI runs;
where the machine refuses the mount, the test fails and says why). Filling it makes
every write fail with SQLite's "database or disk is full".
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import StartServer
from tests.e2e.harness import Peer, free_port, server_env
from tests.timing import TIMEOUT, eventually
from wsrouter.store._sqlite_schema import connect

pytestmark = pytest.mark.anyio


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs, unmounted afterwards."""
    where = tmp_path / "disk"
    where.mkdir()
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        pytest.fail("mounting a tmpfs needs root and mount(8); CI runs as root")
    done = subprocess.run(  # noqa: S603 - a fixed command line
        [mount, "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"this machine refuses a tmpfs mount: {done.stderr.strip()}")
    try:
        yield where
    finally:
        umount = ["umount", "-l", str(where)]
        subprocess.run(umount, check=False)  # noqa: S603 - umount(8), our own folder


def fill(disk: Path) -> Path:
    """Fill the disk with one file; return it (delete it to free the space)."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


async def test_a_full_disk_answers_storage_unavailable_and_loses_nothing(
    start_server: StartServer, small_disk: Path
) -> None:
    server = start_server({"WSROUTER_DATABASE_URL": f"sqlite:///{small_disk / 'wsrouter.db'}"})
    created = httpx.post(
        f"{server.http_url}/test-sessions",
        json={"user_id": "cand", "duration_seconds": 600},
        headers=server.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    candidate = await Peer.open(
        server, f"connection_type=test-session&room={created['id']}&token={server.token('cand')}"
    )
    await candidate.expect("test_session_ready")
    await candidate.expect("session_status")
    acked: dict[str, object] = {}
    for i in range(5):
        saved = await candidate.request(
            {"type": "save_answer", "question_id": f"q{i}", "answer": i}, "answer_saved"
        )
        acked[saved["question_id"]] = i

    filler = fill(small_disk)
    for i in range(30):  # more than the 20 bad frames in a row that would close it
        big = {"type": "save_answer", "question_id": "late", "answer": "x" * 4000}
        await candidate.send({**big, "request_id": str(i)})
        failed = await candidate.expect("error", code="storage_unavailable", request_id=str(i))
        assert "retry" in failed["message"]
    ready = httpx.get(f"{server.http_url}/ready", timeout=TIMEOUT)
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"].startswith("failed")

    filler.unlink()
    saved = await candidate.request(
        {"type": "save_answer", "question_id": "late", "answer": "in the end"}, "answer_saved"
    )
    acked["late"] = "in the end"
    await eventually(
        lambda: httpx.get(f"{server.http_url}/ready", timeout=TIMEOUT).status_code == 200
    )
    status = await candidate.request({"type": "get_session_status"}, "session_status")
    assert {q: a["answer"] for q, a in status["answers"].items()} == acked


def _corrupted_copy(tmp_path: Path) -> Path:
    """A real wsrouter database whose schema page is overwritten after its header.

    (Damage deeper in the file shows when a query reads it: `storage_unavailable`.)
    """
    made = tmp_path / "made.db"
    db = connect(made)
    db.executemany(
        "INSERT INTO chat_messages (id, room, sender_id, sender_name, message, created_us)"
        " VALUES (?, 'r', 'u', 'U', ?, 0)",
        [(f"m{n}", "x" * 200) for n in range(200)],
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(made.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)
    made.write_bytes(bytes(data))
    return made


@pytest.mark.parametrize("kind", ["random bytes", "corrupted schema", "a folder", "read-only disk"])
def test_a_database_it_cannot_use_stops_start_up_with_one_line_naming_it(
    kind: str, tmp_path: Path, small_disk: Path
) -> None:
    if kind == "random bytes":
        path = tmp_path / "noise.db"
        path.write_bytes(os.urandom(8192))
    elif kind == "corrupted schema":
        path = _corrupted_copy(tmp_path)
    elif kind == "a folder":
        path = tmp_path / "folder.db"
        path.mkdir()
    else:
        remount = ["mount", "-o", "remount,ro", str(small_disk)]
        subprocess.run(remount, check=True)  # noqa: S603 - mount(8), our own folder
        path = small_disk / "wsrouter.db"
    done = subprocess.run(  # noqa: S603 - our own command line
        [sys.executable, "-m", "wsrouter.cli", "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=server_env(tmp_path, {"WSROUTER_DATABASE_URL": f"sqlite:///{path}"}),
        capture_output=True,
        text=True,
        timeout=6 * TIMEOUT,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(
        f"wsrouter: configuration error: WSROUTER_DATABASE_URL: cannot use the SQLite database"
        f" {str(path)!r}: "
    ), line


def test_a_fatal_signal_is_logged_with_where_it_struck(start_server: StartServer) -> None:
    server = start_server()
    assert server.process is not None
    server.process.send_signal(signal.SIGBUS)  # what an unwritable -shm's mmap raised
    assert server.process.wait(timeout=TIMEOUT) == -signal.SIGBUS
    output = server.output()
    assert "Fatal Python error: Bus error" in output
    assert 'File "' in output  # the threads' stacks
