"""What every scenario records besides its own numbers: CPU use and latency quantiles."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import psutil  # type: ignore[import-untyped,unused-ignore]

from loadtests.bench.targets import Target

SATURATED = 90.0  # generator CPU %, of one core, above which a run is flagged


def percentile(sorted_ns: list[int], q: float) -> float:
    """The ``q`` quantile of ``sorted_ns`` in milliseconds (0 when empty)."""
    if not sorted_ns:
        return 0.0
    return sorted_ns[min(len(sorted_ns) - 1, int(q * len(sorted_ns)))] / 1e6


@contextlib.contextmanager
def cpu_meter(target: Target, result: dict[str, Any]) -> Iterator[None]:
    """Add the server's and the generator's CPU use (% of one core) to ``result``.

    A generator near a full core is the limit of the run: the number it reports is then
    how fast the generator goes, not the server.
    """
    me = psutil.Process()
    start, server0, gen0 = time.perf_counter(), target.cpu_seconds(), me.cpu_times()
    yield
    wall = time.perf_counter() - start
    gen1 = me.cpu_times()
    gen = (gen1.user + gen1.system) - (gen0.user + gen0.system)
    result["server_cpu_percent"] = round(100 * (target.cpu_seconds() - server0) / wall, 1)
    result["generator_cpu_percent"] = round(100 * gen / wall, 1)
    result["generator_saturated"] = result["generator_cpu_percent"] > SATURATED
