"""``wsrouter serve --workers N``: N server processes sharing one listening socket.

One Python process uses one core; N processes on one machine use N. The parent binds
one socket per worker on the same port with ``SO_REUSEPORT``, forks the workers (each a
whole node of the cluster, with its own event loop, registry heartbeat and node id; each
keeps only its own socket) and waits. The kernel spreads new connections over the
sockets by a hash of their addresses; one shared socket would instead go to whichever
worker wakes first, often the same one. The workers share rooms, the
per-user cap and the admin view through Redis, which is why ``--workers`` needs the
Redis broker. SIGTERM or SIGINT to the parent is passed on to every worker as SIGTERM
(each drains its connections with 1012); a worker that fails makes the others stop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from types import FrameType

EXIT_WORKER_FAILED = 3

log = logging.getLogger("wsrouter.workers")

_FATAL_SIGNAL_HINTS = {
    signal.SIGBUS: ": a memory-mapped file (SQLite's -shm) could not be paged; is its disk full?",
    signal.SIGSEGV: "",
    signal.SIGKILL: ": killed from outside (the OOM killer?)",
}


def reuseport_sockets(host: str, port: int, count: int) -> list[list[socket.socket]]:
    """For each of ``count`` workers, its sockets on ``host:port`` (localhost: both loopbacks)."""
    addresses = [("127.0.0.1", socket.AF_INET)]
    if host == "localhost" and socket.has_ipv6:
        addresses.append(("::1", socket.AF_INET6))
    elif host != "localhost":
        addresses = [(host, socket.AF_INET6 if ":" in host else socket.AF_INET)]
    per_worker = []
    for _ in range(count):
        mine = []
        for address, family in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((address, port))
                # Listening before the fork puts every socket in the kernel's group at
                # once: a worker still starting gets its share queued, instead of the
                # first one up taking every connection until the others listen.
                sock.listen(2048)
            except OSError:
                sock.close()
                if address == "::1":
                    continue  # a machine without IPv6: localhost is 127.0.0.1 alone
                raise
            mine.append(sock)
        per_worker.append(mine)
    return per_worker


def serve_workers(
    sockets: list[list[socket.socket]], run: Callable[[int, list[socket.socket]], int]
) -> int:
    """Fork a worker per entry of ``sockets`` running ``run(index, its_sockets)`` (1-based).

    Returns 0, or :data:`EXIT_WORKER_FAILED` when a worker exited on its own with an error.
    """
    children: dict[int, int] = {}
    stopping = False

    def stop(sig: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            _signal(pid, signal.SIGTERM)

    for index, mine in enumerate(sockets, start=1):
        pid = os.fork()
        if pid == 0:  # the worker: runs the server, never returns into the parent's code
            status = EXIT_WORKER_FAILED
            try:
                # Another worker's socket left open here would outlive that worker.
                for other in sockets:
                    if other is not mine:
                        for sock in other:
                            sock.close()
                status = run(index, mine)
            finally:
                os._exit(status)
        children[pid] = index
    for mine in sockets:
        for sock in mine:
            sock.close()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    worst = 0
    try:
        while children:
            try:
                pid, wait_status = os.wait()
            except ChildProcessError:
                break
            index = children.pop(pid, 0)
            status = os.waitstatus_to_exitcode(wait_status)
            asked = stopping and status in (-signal.SIGTERM, -signal.SIGINT)
            if status < 0 and not asked:  # a signal, not an exit: say so, it could not
                sig = signal.Signals(-status)
                log.error(
                    "worker %s (pid %d) died of %s%s",
                    index,
                    pid,
                    sig.name,
                    _FATAL_SIGNAL_HINTS.get(sig, ""),
                )
            if status != 0 and not stopping:
                worst = max(worst, EXIT_WORKER_FAILED)
                stop(signal.SIGTERM, None)  # one worker down: the node is not what was asked
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return worst


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it has just exited
        os.kill(pid, sig)
