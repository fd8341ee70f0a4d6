"""``make gen-check`` (``codegen generate --check``) fails with a diff on drift."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.codegen.helpers import ROOT
from wsrouter_codegen.__main__ import main

MESSAGES = Path("server/wsrouter/_generated/messages.py")


def test_the_checked_in_generated_code_matches_the_specs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["generate", "--check", "--root", str(ROOT)]) == 0, capsys.readouterr().out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's specs with freshly generated code."""
    for name in ("asyncapi.yaml", "openapi.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    assert main(["generate", "--root", str(tmp_path)]) == 0
    assert main(["generate", "--check", "--root", str(tmp_path)]) == 0
    return tmp_path


def test_a_hand_edited_generated_file_fails_the_check_with_a_diff(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = project / MESSAGES
    target.write_text(target.read_text().replace("class Ping(", "class Pingg("))
    capsys.readouterr()
    assert main(["generate", "--check", "--root", str(project)]) == 1
    out, err = capsys.readouterr()
    assert f"--- {MESSAGES} (on disk)" in out
    assert "-class Pingg(" in out
    assert "+class Ping(" in out
    assert "run `make gen`" in err


def test_a_spec_change_without_regeneration_fails_the_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = project / "asyncapi.yaml"
    spec.write_text(
        spec.read_text().replace(
            "          type: {type: string, const: join_room}\n",
            "          type: {type: string, const: join_room}\n          note: {type: string}\n",
        )
    )
    capsys.readouterr()
    assert main(["generate", "--check", "--root", str(project)]) == 1
    out = capsys.readouterr().out
    assert "+    note: str | UnsetType = UNSET" in out
    assert main(["generate", "--root", str(project)]) == 0
    assert main(["generate", "--check", "--root", str(project)]) == 0


def test_a_stale_file_in_a_generated_folder_fails_the_check(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / MESSAGES.parent / "leftover.py").write_text("x = 1\n")
    capsys.readouterr()
    assert main(["generate", "--check", "--root", str(project)]) == 1
    assert "leftover.py: stale generated file" in capsys.readouterr().out
    assert main(["generate", "--root", str(project)]) == 0
    assert not (project / MESSAGES.parent / "leftover.py").exists()
