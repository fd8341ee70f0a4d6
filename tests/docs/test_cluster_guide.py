"""The cluster guide's deployment sketch and metrics table name only what exists."""

from __future__ import annotations

import re
from pathlib import Path

from wsrouter.configuration import VARIABLES

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide" / "cluster.md"
SERVER = ROOT / "server" / "wsrouter"


def test_every_variable_the_cluster_guide_names_is_a_setting() -> None:
    named = set(re.findall(r"\bWSROUTER_[A-Z_]+\b", GUIDE.read_text(encoding="utf-8")))
    assert {"WSROUTER_BROKER_URL", "WSROUTER_DATABASE_URL"} <= named
    assert named <= {variable.name for variable in VARIABLES}


def test_every_metric_the_cluster_guide_names_is_one_the_server_keeps() -> None:
    named = set(re.findall(r"`(wsrouter_[a-z_]+)", GUIDE.read_text(encoding="utf-8")))
    source = "\n".join(path.read_text(encoding="utf-8") for path in SERVER.rglob("*.py"))
    kept = set(re.findall(r"\"(wsrouter_[a-z_]+)\"", source))
    assert "wsrouter_broker_gaps" in named
    assert named <= kept, named - kept
