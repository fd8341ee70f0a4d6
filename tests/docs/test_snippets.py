"""Every Python snippet of the docs runs, as it is, against a live server.

The snippets are whole programs that read the variables ``make run`` prints
(``WSROUTER_URL``, ``WSROUTER_TOKEN``, ...): the README, the SDK guide
(``clients/python/README.md``) and every page under ``docs/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.harness import ServerProcess, free_port, server_env
from tests.timing import TIMEOUT

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ROOT / "README.md",
    ROOT / "clients" / "python" / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
]
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)


def _snippets() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, match in enumerate(BLOCK.finditer(page.read_text(encoding="utf-8")), 1):
            found.append((f"{page.relative_to(ROOT)}#{number}", match[1]))
    return found


SNIPPETS = _snippets()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    workdir = tmp_path_factory.mktemp("snippets")
    started = ServerProcess(workdir, free_port(), server_env(workdir)).start()
    yield started
    started.kill()


def test_the_docs_have_python_snippets_to_run() -> None:
    assert len(SNIPPETS) >= 6, [name for name, _ in SNIPPETS]


@pytest.mark.parametrize(("name", "code"), SNIPPETS, ids=[name for name, _ in SNIPPETS])
def test_the_snippet_runs(server: ServerProcess, tmp_path: Path, name: str, code: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WSROUTER_")}
    env.update(
        WSROUTER_URL=server.ws_url,
        WSROUTER_HTTP_URL=server.http_url,
        WSROUTER_TOKEN=server.token("1", name="Alice"),
        WSROUTER_ADMIN_TOKEN=server.token("admin", role="admin"),
    )
    script = tmp_path / "snippet.py"
    script.write_text(code, encoding="utf-8")
    result = subprocess.run(  # noqa: S603 - our own interpreter, the docs' code
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=6 * TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, f"{name}\n{result.stdout}\n{result.stderr}"
