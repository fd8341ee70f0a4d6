"""Delta debugging: the shortest sub-sequence of steps that still shows a failure.

Zeller's ``ddmin``: try removing chunks of ever smaller size and keep any removal
after which a replay (on a fresh connection) still fails the same way. The result
is 1-minimal: removing any single remaining step makes the failure go away.
Generated sequences are shrunk by Hypothesis instead; this is for fixed ones (the
bad-input sweep), where the steps are the unit of removal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def ddmin(
    steps: Sequence[T],
    replay: Callable[[list[T]], R | None],
    failure: R,
    *,
    max_replays: int = 200,
) -> tuple[list[T], R]:
    """Shrink ``steps``, which fail with ``failure``.

    ``replay`` runs a sub-sequence from scratch and returns its failure when it is
    the same kind, else None. Returns the smallest failing sequence found and the
    failure of its replay (``steps`` and ``failure`` when nothing could be removed).
    """
    current, result = list(steps), failure
    replays = 0
    chunks = 2
    while len(current) >= 2 and replays < max_replays:
        size = max(1, len(current) // chunks)
        starts = range(0, len(current), size)
        reduced = False
        for start in starts:
            candidate = current[:start] + current[start + size :]
            if not candidate:
                continue
            replays += 1
            found = replay(candidate)
            if found is not None:
                current, result = candidate, found
                chunks = max(chunks - 1, 2)
                reduced = True
                break
            if replays >= max_replays:
                break
        if not reduced:
            if size == 1:
                break
            chunks = min(len(current), chunks * 2)
    return current, result
