"""Test-session clocks: timer updates to this node's connections, and auto-submit.

Auto-submit polls the store for sessions past their end, so it happens even when
nobody is connected, on any node; the store's conditional update makes exactly
one node win. Timer updates go to this node's own connections only (every node
runs its own clock), at every multiple of the interval and at the warning marks.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from wsrouter._generated.messages import TimerUpdate
from wsrouter.broker import Audience
from wsrouter.clock import iso, now_iso, utcnow
from wsrouter.connection_types.test_session import submitted_frame
from wsrouter.protocol.frames import encode
from wsrouter.services import Services
from wsrouter.store import StorageUnavailable, TestSessionRecord

WARNING_MARKS = (300, 60, 30, 10)

log = logging.getLogger("wsrouter.timers")


def marks_below(remaining: float, interval: int) -> list[int]:
    """The announcement marks (seconds left) below ``remaining``, highest first."""
    top = int(remaining)
    if top == remaining:
        top -= 1
    regular = range(top - top % interval, 0, -interval) if interval > 0 else range(0)
    return sorted({m for m in (*regular, *WARNING_MARKS) if 0 < m <= top}, reverse=True)


class SessionClock:
    """Runs the timers of the sessions watched on this node, and the auto-submit."""

    def __init__(self, services: Services, tick: float = 0.25) -> None:
        self.services = services
        self.tick = tick
        self._watched: dict[str, tuple[datetime, list[int]]] = {}
        self._task: asyncio.Task[None] | None = None

    def watch(self, session_id: str, ends_at: datetime) -> None:
        """Announce the remaining time of ``session_id`` to this node's connections."""
        if session_id not in self._watched:
            remaining = (ends_at - utcnow()).total_seconds()
            self._watched[session_id] = (ends_at, marks_below(remaining, self.interval))

    @property
    def interval(self) -> int:
        """Seconds between regular timer updates."""
        return self.services.settings.timer_interval_seconds

    def start(self) -> None:
        """Start ticking."""
        self._task = asyncio.create_task(self._run(), name="session-clock")

    async def stop(self) -> None:
        """Stop ticking."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        poll = self.services.settings.auto_submit_poll_seconds
        last_poll = float("-inf")
        loop = asyncio.get_running_loop()
        while True:
            try:
                if loop.time() - last_poll >= poll:
                    last_poll = loop.time()
                    await self.submit_due()
                self.announce()
            except StorageUnavailable as exc:  # the database is down: no bug, try next poll
                log.warning("session clock: storage unavailable: %s", exc)
            except Exception:
                log.exception("session clock tick failed")
            await asyncio.sleep(self.tick)

    def announce(self) -> None:
        """Send the timer updates whose mark has been reached."""
        now = utcnow()
        hub = self.services.hub
        for session_id, (ends_at, marks) in list(self._watched.items()):
            if not hub.in_room("test-session", session_id):
                del self._watched[session_id]
                continue
            remaining = (ends_at - now).total_seconds()
            due = [m for m in marks if remaining <= m]
            if not due:
                continue
            del marks[: len(due)]
            mark = due[-1]
            frame = TimerUpdate(
                session_id=session_id,
                remaining_seconds=max(0, round(remaining)) if remaining < mark - 1 else mark,
                ends_at=iso(ends_at),
                warning=mark in WARNING_MARKS,
                timestamp=now_iso(),
            )
            hub.deliver(Audience(connection_type="test-session", room=session_id), encode(frame))

    async def submit_due(self) -> None:
        """Submit every session whose time is up; tell its connections, cluster-wide."""
        # Each due session comes back from exactly one node's call (PostgreSQL: claimed
        # with SKIP LOCKED, so pollers never wait on each other).
        store = self.services.store
        for submitted in await store.submit_due_sessions(utcnow(), announce=self._announce):
            log.info("auto-submitted session_id=%s", submitted.id)  # committed by now

    async def _announce(self, batch: list[TestSessionRecord]) -> None:
        # With PostgreSQL this runs before the claim commits: a node that dies here
        # leaves the sessions to the next poller, which announces them again.
        for submitted in batch:
            self._watched.pop(submitted.id, None)
            await self.services.publish(
                Audience(connection_type="test-session", room=submitted.id),
                submitted_frame(submitted),
            )
        await self.services.broker.flushed()  # gone to the other nodes before the commit
