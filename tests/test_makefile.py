"""The Makefile as documented: `make run` takes HOST/PORT, PY picks a venv, the table is true."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(*args: str) -> str:
    result = subprocess.run(  # noqa: S603 - make, fixed arguments
        ["make", "--dry-run", "--no-print-directory", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


def test_make_run_serves_on_localhost_8000_unless_host_or_port_are_given() -> None:
    assert "wsrouter serve --host 'localhost' --port '8000'" in _dry_run("run")
    assert "wsrouter serve --host '0.0.0.0' --port '8123'" in _dry_run(
        "run", "HOST=0.0.0.0", "PORT=8123"
    )


def test_another_python_gets_a_virtualenv_of_its_own() -> None:
    commands = _dry_run("lint", "PY=python3.99-not-installed")
    assert ".venv-python3.99-not-installed/bin/ruff check ." in commands
    assert " .venv/bin/" not in commands


def test_the_make_targets_table_lists_every_target_as_the_makefile_runs_it() -> None:
    makefile = (ROOT / "Makefile").read_text()
    phony = set(re.search(r"^\.PHONY: (.+)$", makefile, re.M)[1].split()) - {"help"}  # type: ignore[index]
    table = (ROOT / "docs" / "development.md").read_text()
    rows = dict(re.findall(r"^\| `make ([\w-]+)` \| (.+) \|$", table, re.M))

    assert set(rows) == phony
    assert "localhost:8000" in rows["run"]
    assert "eight minutes" in rows["bench"]
    assert "about eight minutes" in makefile
