"""The docs site: strict builds fail on a broken link, and the reference pages are generated."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from docs.reference import PAGES, close_codes_page, error_codes_page, settings_page
from wsrouter._generated.messages import CLOSE_CODE_DESCRIPTIONS, ErrorCode
from wsrouter.configuration import VARIABLES

ROOT = Path(__file__).resolve().parents[2]


def _build(site: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(site / "out")],
        cwd=site,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


@pytest.fixture
def site_copy(tmp_path: Path) -> Path:
    """The docs, their config and what they include, copied so a test may break them."""
    for name in ("mkdocs.yml", "asyncapi.yaml", "openapi.yaml"):
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "clients" / "python").mkdir(parents=True)
    shutil.copy(ROOT / "clients" / "python" / "README.md", tmp_path / "clients" / "python")
    return tmp_path


def test_the_copied_site_builds(site_copy: Path) -> None:
    result = _build(site_copy)
    assert result.returncode == 0, result.stderr
    assert (site_copy / "out" / "reference" / "close-codes.html").is_file()


@pytest.mark.parametrize(
    "broken",
    ["[gone](guide/no-such-page.md)", "[gone](guide/protocol.md#no-such-heading)"],
    ids=["missing-page", "missing-anchor"],
)
def test_a_broken_link_fails_the_build(site_copy: Path, broken: str) -> None:
    index = site_copy / "docs" / "index.md"
    index.write_text(index.read_text() + f"\nSee {broken}.\n")

    result = _build(site_copy)

    assert result.returncode != 0
    assert "no-such" in result.stderr


def test_a_hand_written_copy_of_a_reference_page_fails_the_build(site_copy: Path) -> None:
    (site_copy / "docs" / "reference").mkdir()
    (site_copy / "docs" / "reference" / "settings.md").write_text("# Settings\n")

    result = _build(site_copy)

    assert result.returncode != 0
    assert "is generated" in result.stderr


def test_the_close_codes_page_has_every_close_code() -> None:
    page = close_codes_page()
    for code in CLOSE_CODE_DESCRIPTIONS:
        assert re.search(rf"^\| {code} \| `", page, re.M), code


def test_the_error_codes_page_explains_every_error_code() -> None:
    page = error_codes_page()
    for code in ErrorCode.__args__:  # type: ignore[attr-defined]
        assert re.search(rf"^\| `{code}` \| \S", page, re.M), code


def test_the_settings_page_has_every_variable() -> None:
    page = settings_page()
    assert [v.name for v in VARIABLES] == re.findall(r"^\| `(WSROUTER_\w+)` \|", page, re.M)


def test_every_generated_page_is_in_the_nav() -> None:
    nav = (ROOT / "mkdocs.yml").read_text()
    for name in PAGES:
        assert f": {name}\n" in nav, name
