"""One time unit for every test: raise ``WSROUTER_TEST_TIMEOUT_FACTOR`` on a slow machine.

As python-websockets' ``tests/utils.py`` does with ``MS``: every timeout is a
multiple of :data:`MS`, so that one variable scales them all, and nothing waits a
fixed time for what it can wait for (:func:`eventually`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

MS = 0.001 * float(os.environ.get("WSROUTER_TEST_TIMEOUT_FACTOR", "1"))
"""A millisecond, scaled."""

TIMEOUT = 5000 * MS
"""How long a test waits for anything that should happen "at once"."""


async def eventually(condition: Callable[[], bool], timeout: float = TIMEOUT) -> None:
    """Wait until ``condition()`` holds, checking every few milliseconds; fail after ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"still false after {timeout:.1f} s: {condition}")
        await asyncio.sleep(10 * MS)
