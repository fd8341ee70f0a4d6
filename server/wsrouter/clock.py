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


class _LastStamp:
    """The last timestamp :func:`now_iso` made, and the date and time of its second."""

    __slots__ = ("millisecond", "prefix", "second", "text")

    def __init__(self) -> None:
        self.millisecond = -1
        self.text = ""
        self.second = -1
        self.prefix = ""


_last = _LastStamp()
_MILLIS = tuple(f"{n:03d}Z" for n in range(1000))


def now_iso() -> str:
    """:func:`iso` of :func:`utcnow`, made once a millisecond (the date once a second).

    Every frame the server sends carries one, so this is on the hot path: a
    ``datetime`` and ``strftime`` per frame cost about a tenth of an echo here, and
    even one f-string costs more than the lookups below.
    """
    millisecond = time.time_ns() // 1_000_000
    last = _last
    if millisecond == last.millisecond:
        return last.text
    second, millis = divmod(millisecond, 1000)
    if second != last.second:
        last.prefix = time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime(second))
        last.second = second
    last.text = text = last.prefix + _MILLIS[millis]
    last.millisecond = millisecond
    return text


def parse_iso(text: str) -> datetime:
    """The inverse of :func:`iso`."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
