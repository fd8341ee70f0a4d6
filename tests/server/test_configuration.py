"""The configuration reference (``wsrouter.configuration``) stays true to the code."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from wsrouter.configuration import VARIABLES
from wsrouter.settings import Limits, Settings

PACKAGE = Path(__file__).resolve().parents[2] / "server" / "wsrouter"
VARIABLE = re.compile(r"WSROUTER_[A-Z_]+")


def _read_by_the_server() -> set[str]:
    """Every ``WSROUTER_*`` name written as a whole string in the server's own code."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "_generated" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and VARIABLE.fullmatch(value):
                names.add(value)
    return names


def test_every_variable_the_server_reads_is_documented_and_no_other() -> None:
    documented = [v.name for v in VARIABLES]

    assert len(documented) == len(set(documented))
    assert set(documented) == _read_by_the_server()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WSROUTER_HEARTBEAT_SECONDS", Settings.heartbeat_seconds),
        ("WSROUTER_TIMER_INTERVAL_SECONDS", Settings.timer_interval_seconds),
        ("WSROUTER_AUTO_SUBMIT_POLL_SECONDS", Settings.auto_submit_poll_seconds),
        ("WSROUTER_SHUTDOWN_GRACE_SECONDS", Settings.shutdown_grace_seconds),
        ("WSROUTER_CLOSE_TIMEOUT_SECONDS", Settings.close_timeout_seconds),
        ("WSROUTER_MAX_FRAME_BYTES", Limits.max_frame_bytes),
        ("WSROUTER_MESSAGES_PER_SECOND", Limits.messages_per_second),
        ("WSROUTER_MESSAGE_BURST", Limits.message_burst),
        ("WSROUTER_CONNECTIONS_PER_USER", Limits.connections_per_user),
        ("WSROUTER_ROOMS_PER_CONNECTION", Limits.rooms_per_connection),
        ("WSROUTER_SEND_QUEUE_FRAMES", Limits.send_queue_frames),
        ("WSROUTER_SEND_QUEUE_BYTES", Limits.send_queue_bytes),
        ("WSROUTER_BROKER_URL", Settings.broker_url),
        ("WSROUTER_JWT_ALGORITHM", Settings.jwt_algorithm),
    ],
)
def test_a_documented_default_is_the_codes_default(name: str, value: object) -> None:
    (variable,) = [v for v in VARIABLES if v.name == name]
    shown = f"{value:g}" if isinstance(value, float) else str(value)

    assert variable.default == f"`{shown}`"
