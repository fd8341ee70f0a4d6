"""Close reasons fit a close frame: 123 bytes of UTF-8, cut at a character boundary."""

from __future__ import annotations

from wsrouter.transport.connection import MAX_REASON_BYTES, close_reason


def test_a_short_reason_is_kept() -> None:
    assert close_reason("token expired") == "token expired"


def test_a_long_non_ascii_reason_is_cut_at_a_character_boundary() -> None:
    reason = close_reason("connection_type=" + "é" * 100)
    assert len(reason.encode()) <= MAX_REASON_BYTES
    assert reason.startswith("connection_type=é")
    assert reason.endswith("é")
    assert len(close_reason("€" * 100).encode()) == 123  # 41 three-byte characters
