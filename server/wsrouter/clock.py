"""Time, as the protocol writes it: UTC, ISO 8601 with milliseconds and ``Z``."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """``2025-07-10T10:30:00.000Z``: the only timestamp format on the wire."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class _SecondPrefix:
    """The formatted date and time of the last whole second :func:`now_iso` saw."""

    __slots__ = ("prefix", "second")

    def __init__(self) -> None:
        self.second = -1
        self.prefix = ""


_last = _SecondPrefix()


def now_iso() -> str:
    """:func:`iso` of :func:`utcnow`, formatting the date only once a second.

    Every frame the server sends carries one, so this is on the hot path: building a
    ``datetime`` and calling ``strftime`` per frame cost about a tenth of an echo.
    """
    second, nanos = divmod(time.time_ns(), 1_000_000_000)
    last = _last
    if second != last.second:
        last.prefix = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
        last.second = second
    return f"{last.prefix}{nanos // 1_000_000:03d}Z"


def parse_iso(text: str) -> datetime:
    """The inverse of :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
