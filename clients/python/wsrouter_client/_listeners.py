"""Callbacks by message type: ``client.on(ChatMessage, callback)``."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from contextlib import suppress
from typing import Any, TypeVar

log = logging.getLogger("wsrouter_client")

T = TypeVar("T")

Listener = Callable[[Any], object]


class Listeners:
    """The callbacks of one connection, called in the order they were added.

    A callback that returns an awaitable (an ``async def``) has it run as a task, so
    that a slow callback does not hold up the reader (nor the replies behind it); an
    exception in a callback is logged and does not stop the others.
    """

    def __init__(self) -> None:
        self._entries: list[tuple[type[Any], Listener]] = []
        self._tasks: set[asyncio.Future[object]] = set()

    def add(self, kind: type[T], callback: Callable[[T], object]) -> Callable[[], None]:
        """Call ``callback`` with every frame of type ``kind``; returns a remover."""
        entry: tuple[type[Any], Listener] = (kind, callback)
        self._entries.append(entry)

        def remove() -> None:
            with suppress(ValueError):
                self._entries.remove(entry)

        return remove

    def notify(self, frame: object) -> None:
        """Call every callback whose type ``frame`` is."""
        for kind, callback in list(self._entries):
            if isinstance(frame, kind):
                self._call(callback, frame)

    def _call(self, callback: Listener, frame: object) -> None:
        try:
            result = callback(frame)
        except Exception:
            log.exception("a listener failed on %r", frame)
            return
        if inspect.isawaitable(result):
            task = asyncio.ensure_future(result)
            self._tasks.add(task)
            task.add_done_callback(self._done)

    def _done(self, task: asyncio.Future[object]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a listener failed", exc_info=task.exception())

    def cancel(self) -> None:
        """Cancel the callbacks still running, but not the one calling this."""
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()
