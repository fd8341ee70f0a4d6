"""Threads behind the blocking API: a private event loop, and a thread for callbacks.

The blocking clients run the async connection on an event loop of their own, on a
daemon thread, and wait for each result; that way both APIs share one implementation
of request matching, reconnection and token refresh. Callbacks run on a second
thread, in order, so that a callback may itself call the blocking API (from the
loop's thread that would wait on itself forever).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger("wsrouter_client")

T = TypeVar("T")


class LoopThread:
    """An event loop running on a daemon thread until :meth:`stop`."""

    def __init__(self, name: str = "wsrouter-client") -> None:
        self.loop = asyncio.new_event_loop()
        self._stopping = False
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_forever()
        finally:
            # What is left (nothing, after a clean close) is cancelled, not abandoned.
            tasks = asyncio.all_tasks(self.loop)
            for task in tasks:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.run_until_complete(self.loop.shutdown_default_executor())
            self.loop.close()

    @property
    def running(self) -> bool:
        """Whether the loop runs and takes work (until :meth:`stop`)."""
        return not self._stopping and self._thread.is_alive()

    def _check(self) -> None:
        if not self.running:
            raise RuntimeError("the connection's event loop is stopped")
        if threading.current_thread() is self._thread:
            raise RuntimeError("a blocking wsrouter_client call on its own event loop thread")

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run ``coroutine`` on the loop and wait for its result (or exception).

        An interrupt of the waiting thread (``KeyboardInterrupt``) cancels it.
        """
        try:
            self._check()
        except RuntimeError:
            coroutine.close()
            raise
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()
            raise

    def call(self, function: Callable[[], T]) -> T:
        """Call ``function`` on the loop's thread and return its result."""
        self._check()
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def call() -> None:
            try:
                done.set_result(function())
            except BaseException as exc:
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(call)
        return done.result()

    def stop(self) -> None:
        """Stop the loop and wait for its thread (at once when called from it)."""
        if self._stopping:
            return
        self._stopping = True
        self.loop.call_soon_threadsafe(self.loop.stop)
        if threading.current_thread() is not self._thread:
            self._thread.join()


class CallbackThread:
    """Runs callbacks one at a time, in the order given, on a thread of its own."""

    def __init__(self, name: str = "wsrouter-client-callbacks") -> None:
        self._queue: queue.SimpleQueue[tuple[Callable[[Any], object], object] | None] = (
            queue.SimpleQueue()
        )
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        while (item := self._queue.get()) is not None:
            callback, frame = item
            try:
                callback(frame)
            except Exception:
                log.exception("a callback failed on %r", frame)

    def submit(self, callback: Callable[[Any], object], frame: object) -> None:
        """Run ``callback(frame)`` after the callbacks submitted before it."""
        self._queue.put((callback, frame))

    def stop(self) -> None:
        """Run what was submitted, then stop (without waiting when called from a callback)."""
        self._queue.put(None)
        if threading.current_thread() is not self._thread:
            self._thread.join()
