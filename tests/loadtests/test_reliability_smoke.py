"""The reliability figures' script (``python -m loadtests.reliability``), in a tiny run.

No performance assertions (the guide's figures come from full runs); what must hold at
any size does: no acknowledged answer is lost to SIGKILL, and shutdown drains.
"""

from __future__ import annotations

import json
import subprocess
import sys


def test_a_tiny_reliability_run_measures_everything_and_loses_no_acked_answer() -> None:
    completed = subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            *("-m", "loadtests.reliability", "--json"),
            *(
                "--idle",
                "50",
                "--storm",
                "40",
                "--shutdown",
                "20",
                "--flood-seconds",
                "1",
                "--answers",
                "200",
            ),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    results = json.loads(completed.stdout[completed.stdout.index("{") :])
    assert results["idle"]["connections"] == 50
    assert results["idle"]["kib_per_connection"] > 0
    storm = results["join_storm"]
    # each member: its greeting, history and presence, and at least the last list or join
    assert storm["frames_to_the_first"] >= 4
    [shutdown] = results["shutdown"]
    assert shutdown["seconds"] < 5  # the default grace; 20 clients that answer take far less
    assert results["ping_flood"]["pings_sent"] > 0
    answers = results["answers"]
    assert answers["acked"] == 100  # killed at half of what was sent
    assert answers["lost"] == 0
    assert answers["stored"] >= answers["acked"]
