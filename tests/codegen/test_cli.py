"""``wsrouter-codegen generate`` as a tool for other projects: paths, options, exits."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.codegen.helpers import FIXTURES, ROOT
from wsrouter_codegen.__main__ import main


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A folder with the fixture specs and the project's ruff settings."""
    for name in ("asyncapi.yaml", "openapi.yaml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_absolute_output_folders_are_written_there(project: Path, tmp_path: Path) -> None:
    server, client = tmp_path / "out" / "server", tmp_path / "out" / "client"
    args = ["generate", "--root", str(project), "--server-out", str(server)]
    assert main([*args, "--client-out", str(client)]) == 0
    assert "messages.py" in _files(server)
    assert "ws_client.py" in _files(client)
    assert main([*args, "--client-out", str(client), "--check"]) == 0


def test_check_writes_nothing_even_when_everything_is_missing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _files(project)
    out = project / "absolute"
    args = ["generate", "--check", "--root", str(project), "--server-out", str(out / "s")]
    assert main([*args, "--client-out", "c"]) == 1
    assert _files(project) == before
    assert "(on disk, missing)" in capsys.readouterr().out


def test_an_openapi_document_without_paths_generates(project: Path) -> None:
    empty = {"openapi": "3.1.0", "info": {"title": "No paths", "version": "1"}, "paths": {}}
    (project / "openapi.yaml").write_text(yaml.safe_dump(empty))
    assert main(["generate", "--root", str(project), "--server-out", "s", "--client-out", "c"]) == 0
    assert "class AsyncApiClient" in (project / "c" / "http_client.py").read_text()


def test_the_openapi_document_may_be_left_out(project: Path) -> None:
    (project / "openapi.yaml").unlink()
    args = ["generate", "--root", str(project), "--server-out", "s", "--client-out", "c"]
    assert main([*args, "--no-openapi"]) == 0
    # (The fixture declares its groups in info.tags: the connection-type table comes too.)
    server = {"__init__.py", "messages.py", "handlers.py", "connection_types.py"}
    client = {"__init__.py", "messages.py", "ws_client.py", "ws_client_sync.py", "connections.py"}
    assert _files(project / "s") == server
    assert _files(project / "c") == client


def test_models_only_and_client_only_narrow_the_output(project: Path) -> None:
    args = ["generate", "--root", str(project), "--server-out", "s", "--client-out", "c"]
    assert main([*args, "--models-only"]) == 0
    assert _files(project / "s") == {"__init__.py", "messages.py", "http_models.py"}
    assert _files(project / "c") == {"__init__.py", "messages.py", "http_models.py"}
    shutil.rmtree(project / "s")
    shutil.rmtree(project / "c")
    assert main([*args, "--client-only"]) == 0
    assert not (project / "s").exists()
    assert "ws_client.py" in _files(project / "c")


def test_a_missing_spec_is_a_clean_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["generate", "--root", str(project), "--asyncapi", "nope.yaml"]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml" in err
    assert "Traceback" not in err


def test_an_output_folder_that_cannot_be_made_is_a_clean_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "blocker").write_text("a file where a folder should go")
    args = ["generate", "--root", str(project), "--server-out", "blocker/s", "--client-out", "c"]
    assert main(args) == 2
    assert "blocker" in capsys.readouterr().err


def test_help_lists_every_flag_with_its_default(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--help"])
    out = capsys.readouterr().out
    for flag in ("--asyncapi", "--openapi", "--no-openapi", "--server-out", "--client-out"):
        assert flag in out
    assert "--tag-field" in out
    assert "(default: asyncapi.yaml)" in out


def test_a_document_of_another_protocol_gets_only_its_models(project: Path) -> None:
    spec = yaml.safe_load((project / "asyncapi.yaml").read_text())
    spec["servers"] = {"broker": {"host": "broker.example.com", "protocol": "mqtt"}}
    (project / "asyncapi.yaml").write_text(yaml.safe_dump(spec))
    args = ["generate", "--root", str(project), "--server-out", "s", "--client-out", "c"]
    assert main([*args, "--no-openapi"]) == 0
    assert _files(project / "c") == {"__init__.py", "messages.py"}
    text = " ".join((project / "c" / "messages.py").read_text().split())
    assert "servers speak mqtt, not WebSocket, so no client or handler interface is" in text


def test_references_to_other_files_are_followed(project: Path) -> None:
    common = project / "common"
    common.mkdir()
    (common / "schemas.yaml").write_text(
        yaml.safe_dump(
            {
                "components": {
                    "schemas": {
                        "User": {
                            "type": "object",
                            "required": ["name"],
                            "properties": {
                                "name": {"$ref": "#/components/schemas/Name"},
                                "home": {"$ref": "places.yaml#/Place"},
                            },
                        },
                        "Name": {"type": "string", "maxLength": 5},
                    }
                }
            }
        )
    )
    (common / "places.yaml").write_text(
        yaml.safe_dump({"Place": {"type": "object", "properties": {"city": {"type": "string"}}}})
    )
    spec = yaml.safe_load((project / "asyncapi.yaml").read_text())
    hello = spec["components"]["messages"]["Hello"]["payload"]["properties"]
    hello["author"] = {"$ref": "common/schemas.yaml#/components/schemas/User"}
    (project / "asyncapi.yaml").write_text(yaml.safe_dump(spec))
    args = ["generate", "--root", str(project), "--server-out", "s", "--client-out", "c"]
    assert main([*args, "--no-openapi"]) == 0
    text = (project / "c" / "messages.py").read_text()
    assert "class User(" in text
    # The fixture has a `Name` of its own: the other file's takes the next free name.
    assert "Name2: TypeAlias = Annotated[str, Meta(max_length=5)]" in text
    assert "name: Name2" in text
    assert "author: User | UnsetType = UNSET" in text
    assert "home: UserHome | UnsetType = UNSET" in text
    assert main([*args, "--no-openapi", "--check"]) == 0
    (common / "places.yaml").write_text(
        yaml.safe_dump({"Place": {"type": "object", "properties": {"town": {"type": "string"}}}})
    )
    assert main([*args, "--no-openapi", "--check"]) == 1  # a referenced file changed: drift
