"""The wire format of time, and the fast path that formats the current time."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from wsrouter import clock

WIRE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def test_iso_writes_milliseconds_and_z_in_utc() -> None:
    moment = datetime(2025, 7, 10, 12, 30, 0, 123_999, tzinfo=timezone(timedelta(hours=2)))
    assert clock.iso(moment) == "2025-07-10T10:30:00.123Z"


def test_parse_iso_inverts_iso() -> None:
    moment = datetime(2025, 7, 10, 10, 30, 0, 5_000, tzinfo=UTC)
    assert clock.parse_iso(clock.iso(moment)) == moment


def test_now_iso_is_the_wire_format_of_now() -> None:
    before = clock.utcnow().replace(microsecond=0)
    stamp = clock.now_iso()
    after = clock.utcnow()
    assert WIRE.fullmatch(stamp)
    assert before <= clock.parse_iso(stamp) <= after


@pytest.mark.parametrize(
    ("nanos", "expected"),
    [
        (1_752_143_400_000_000_000, "2025-07-10T10:30:00.000Z"),
        (1_752_143_400_999_999_999, "2025-07-10T10:30:00.999Z"),
        (1_752_143_401_000_000_000, "2025-07-10T10:30:01.000Z"),  # the next second
        (1_752_143_400_042_000_000, "2025-07-10T10:30:00.042Z"),  # back again
        (1_767_225_599_999_000_000, "2025-12-31T23:59:59.999Z"),
        (1_767_225_600_000_000_000, "2026-01-01T00:00:00.000Z"),  # a new year
    ],
)
def test_now_iso_formats_each_second_anew(
    monkeypatch: pytest.MonkeyPatch, nanos: int, expected: str
) -> None:
    monkeypatch.setattr(time, "time_ns", lambda: nanos)
    assert clock.now_iso() == expected
    reference = datetime.fromtimestamp(nanos // 1000 / 1e6, UTC)
    assert clock.now_iso() == clock.iso(reference)
