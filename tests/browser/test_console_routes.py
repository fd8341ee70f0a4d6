"""The console's HTTP routes and the spec digest behind the page, without a browser."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar import Litestar
from litestar.testing import TestClient

from wsrouter.console import console_routes, find_spec_dir
from wsrouter.console.spec import SpecFiles, console_spec, resolve
from wsrouter.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "console-test-secret-that-is-long-enough-0123456789"


def _client(*, dev_mode: bool, spec_dir: Path = ROOT) -> TestClient[Litestar]:
    settings = Settings(jwt_secret=SECRET, dev_mode=dev_mode)
    return TestClient(Litestar(route_handlers=console_routes(settings, spec_dir)))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient[Litestar]]:
    with _client(dev_mode=False) as client:
        yield client


def test_root_redirects_to_the_console(client: TestClient[Litestar]) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307)
    assert response.headers["location"] == "/console"


@pytest.mark.parametrize("path", ["/console", "/docs"])
def test_pages_load_nothing_from_elsewhere(client: TestClient[Litestar], path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "http://" not in response.text
    assert "https://" not in response.text


def test_static_files_are_served(client: TestClient[Litestar]) -> None:
    for name in ("console.js", "docs.js", "console.css"):
        response = client.get(f"/console/static/{name}")
        assert response.status_code == 200, name
        assert "https://" not in response.text, name


def test_the_favicon_is_served_and_named_by_both_pages(client: TestClient[Litestar]) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/console/static/favicon.svg").content == icon.content
    for page in ("/console", "/docs"):
        assert '<link rel="icon" href="/console/static/favicon.svg"' in client.get(page).text


@pytest.mark.parametrize("name", ["asyncapi.yaml", "openapi.yaml"])
def test_specs_are_served_as_they_are_on_disk(client: TestClient[Litestar], name: str) -> None:
    response = client.get(f"/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert response.content == (ROOT / name).read_bytes()


def test_spec_routes_answer_404_without_the_specs(tmp_path: Path) -> None:
    with _client(dev_mode=False, spec_dir=tmp_path) as client:
        assert client.get("/asyncapi.yaml").status_code == 404
        digest = client.get("/console/spec.json").json()
        assert client.get("/console").status_code == 200
    assert digest["websocket"] is None
    assert [problem.split(":")[0] for problem in digest["problems"]] == [
        "asyncapi.yaml",
        "openapi.yaml",
    ]


def test_close_codes_and_their_words_come_from_the_spec(client: TestClient[Litestar]) -> None:
    spec = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    table = spec["channels"]["ws"]["x-close-codes"]
    served = client.get("/console/spec.json").json()["websocket"]["close_codes"]
    assert [(c["code"], c["name"], c["description"]) for c in served] == [
        (c["code"], c["name"], c["description"]) for c in table
    ]


def test_every_template_is_an_example_of_the_spec(client: TestClient[Litestar]) -> None:
    spec = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    examples = [
        example["payload"]
        for message in spec["components"]["messages"].values()
        for example in message.get("examples", [])
    ]
    types = client.get("/console/spec.json").json()["websocket"]["connection_types"]
    assert [t["name"] for t in types] == ["general", "notifications", "test-session", "chat"]
    for connection_type in types:
        assert connection_type["send"], connection_type["name"]
        for message in connection_type["send"]:
            assert message["examples"], message["type"]
            for example in message["examples"]:
                assert example["payload"] in examples


def test_admin_operations_have_resolved_parameters_and_bodies(
    client: TestClient[Litestar],
) -> None:
    operations = client.get("/console/spec.json").json()["http"]["operations"]
    broadcast = next(op for op in operations if op["operation_id"] == "broadcast")
    assert [p["name"] for p in broadcast["parameters"]] == ["connection_type", "user_id", "room"]
    assert broadcast["parameters"][0]["schema"]["enum"][0] == "general"
    assert "$ref" not in str(broadcast)
    assert broadcast["body"]["example"]["type"] == "system_announcement"


def test_dev_tokens_are_not_issued_outside_development_mode(
    client: TestClient[Litestar],
) -> None:
    assert client.get("/console/dev-token").status_code == 404


def test_dev_tokens_are_not_issued_to_other_machines() -> None:
    # The test client's address is "testclient", not a loopback address.
    with _client(dev_mode=True) as client:
        assert client.get("/console/dev-token").status_code == 404


def test_spec_dir_comes_from_the_environment_first(tmp_path: Path) -> None:
    (tmp_path / "asyncapi.yaml").write_text("asyncapi: 3.0.0\n", encoding="utf-8")
    assert find_spec_dir({"WSROUTER_SPEC_DIR": str(tmp_path)}) == tmp_path
    assert find_spec_dir({}) == ROOT


def test_a_cyclic_ref_is_left_as_a_ref() -> None:
    document: dict[str, Any] = {"a": {"$ref": "#/b"}, "b": {"next": {"$ref": "#/a"}}}
    assert resolve(document, {"$ref": "#/a"}) == {"next": {"$ref": "#/a"}}


def test_a_broken_spec_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "asyncapi.yaml").write_text("channels: [not, a, mapping]\n", encoding="utf-8")
    (tmp_path / "openapi.yaml").write_text(": not yaml :\n  - [", encoding="utf-8")
    digest = console_spec(SpecFiles(tmp_path / "asyncapi.yaml", tmp_path / "openapi.yaml"))
    assert digest["websocket"] is None
    assert digest["http"] is None
    assert len(digest["problems"]) == 2
