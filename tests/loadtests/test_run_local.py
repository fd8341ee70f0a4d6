"""``make load``'s pieces: the server it starts logs, and reply sizes are wire sizes."""

from __future__ import annotations

from pathlib import Path

from loadtests._common import reply_size, timed
from loadtests.run_local import LocalServer
from wsrouter_client.messages import Pong


def test_the_load_servers_log_records_its_start_and_stop(tmp_path: Path) -> None:
    with LocalServer(tmp_path):
        pass

    log = (tmp_path / "server.log").read_text()
    assert "started node=" in log
    assert "stopped node=" in log


def test_a_reply_is_measured_by_its_json_size_on_the_wire() -> None:
    wire = b'{"type":"pong","request_id":"1","timestamp":"2025-07-10T10:30:00.000Z"}'
    pong = Pong(request_id="1", timestamp="2025-07-10T10:30:00.000Z")

    sample, result = timed("general ping round trip", lambda: pong)

    assert result is pong
    assert sample.length == reply_size(pong) == len(wire)
    assert reply_size(None) == 0
