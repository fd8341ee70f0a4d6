"""A bad spec stops the generator with every problem located by JSON pointer."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.codegen.helpers import FIXTURES, ROOT
from wsrouter_codegen import Outputs, SpecError, generate
from wsrouter_codegen.__main__ import main

Spec = dict[str, Any]


def _fixture(name: str) -> Spec:
    data = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _problems(tmp_path: Path, asyncapi: Spec | str, openapi: Spec | None = None) -> list[str]:
    a = tmp_path / "asyncapi.yaml"
    o = tmp_path / "openapi.yaml"
    a.write_text(asyncapi if isinstance(asyncapi, str) else yaml.safe_dump(asyncapi))
    o.write_text(yaml.safe_dump(openapi if openapi is not None else _fixture("openapi.yaml")))
    with pytest.raises(SpecError) as caught:
        generate(a, o, Outputs(Path("s"), Path("c")), ruff_config=ROOT / "pyproject.toml")
    return [str(problem) for problem in caught.value.errors]


def _hello_props(spec: Spec) -> Spec:
    props: Spec = spec["components"]["messages"]["Hello"]["payload"]["properties"]
    return props


HELLO = "/components/messages/Hello/payload"


def _one_of(spec: Spec) -> None:
    _hello_props(spec)["times"] = {"oneOf": []}


def _broken_ref(spec: Spec) -> None:
    spec["channels"]["socket"]["messages"]["hello"] = {"$ref": "#/components/messages/Nope"}


def _external_ref(spec: Spec) -> None:
    _hello_props(spec)["name"] = {"$ref": "other.yaml#/Name"}


def _cyclic_ref(spec: Spec) -> None:
    spec["components"]["schemas"]["Loop1"] = {"$ref": "#/components/schemas/Loop2"}
    spec["components"]["schemas"]["Loop2"] = {"$ref": "#/components/schemas/Loop1"}


def _two_messages(spec: Spec) -> None:
    spec["operations"]["hello"]["messages"].append({"$ref": "#/channels/socket/messages/wave"})


def _no_tags(spec: Spec) -> None:
    del spec["operations"]["hello"]["tags"]


def _old_version(spec: Spec) -> None:
    spec["asyncapi"] = "2.6.0"


def _shared_tag(spec: Spec) -> None:
    spec["components"]["messages"]["Wave"]["payload"]["properties"]["type"]["const"] = "hello"


def _bad_correlation(spec: Spec) -> None:
    spec["components"]["correlationIds"]["requestId"]["location"] = "$message.header#/id"


def _avro(spec: Spec) -> None:
    hello = spec["components"]["messages"]["Hello"]
    hello["payload"] = {"schemaFormat": "application/vnd.apache.avro;version=1.9.0", "schema": {}}


CASES: list[tuple[str, Callable[[Spec], None], str, str]] = [
    ("avro", _avro, f"{HELLO}/schemaFormat", "unsupported schemaFormat"),
    ("one_of", _one_of, f"{HELLO}/properties/times/oneOf", "expected a non-empty list"),
    ("broken_ref", _broken_ref, "/channels/socket/messages/hello", "broken reference"),
    ("external_ref", _external_ref, f"{HELLO}/properties/name", "cannot read 'other.yaml'"),
    ("cyclic_ref", _cyclic_ref, "/components/schemas/Loop1", "cyclic reference"),
    ("two_messages", _two_messages, "/operations/hello/messages", "exactly one message"),
    ("no_tags", _no_tags, "/operations/hello", "needs tags"),
    ("old_version", _old_version, "/asyncapi", "expected 3.x"),
    ("shared_tag", _shared_tag, "/operations", "share the tag 'hello'"),
    ("bad_correlation", _bad_correlation, "/components/correlationIds/requestId", "location"),
]


@pytest.mark.parametrize(
    ("mutate", "pointer", "message"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_asyncapi_is_reported_at_its_location(
    tmp_path: Path, mutate: Callable[[Spec], None], pointer: str, message: str
) -> None:
    spec = _fixture("asyncapi.yaml")
    mutate(spec)
    problems = _problems(tmp_path, spec)
    assert any(p.startswith(f"asyncapi.yaml#{pointer}:") and message in p for p in problems), (
        problems
    )


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    spec = _fixture("asyncapi.yaml")
    _one_of(spec)
    _no_tags(spec)
    problems = _problems(tmp_path, spec)
    assert len(problems) == 2, problems


def test_unparsable_yaml_is_reported(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "asyncapi: [3.0.0\n")
    assert problems[0].startswith("asyncapi.yaml#: not valid YAML")


def test_bad_openapi_is_reported_at_its_location(tmp_path: Path) -> None:
    api = _fixture("openapi.yaml")
    del api["paths"]["/ping"]["get"]["operationId"]
    api["paths"]["/items"]["post"]["parameters"].append(
        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
    )
    problems = _problems(tmp_path, _fixture("asyncapi.yaml"), api)
    assert "openapi.yaml#/paths/~1ping/get: an operation needs an operationId" in problems
    assert any(
        p.startswith("openapi.yaml#/paths/~1items/post/parameters/2:") and "location" in p
        for p in problems
    )


def test_the_command_exits_non_zero_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _fixture("asyncapi.yaml")
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(_fixture("openapi.yaml")))
    (tmp_path / "asyncapi.yaml").write_text(yaml.safe_dump(good))
    args = ["generate", "--root", str(tmp_path), "--server-out", "s", "--client-out", "c"]
    assert main(args) == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    bad = copy.deepcopy(good)
    _one_of(bad)
    _hello_props(bad)["new_field"] = {"type": "string"}  # would change the output if written
    (tmp_path / "asyncapi.yaml").write_text(yaml.safe_dump(bad))
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"asyncapi.yaml#{HELLO}/properties/times/oneOf" in err
    assert "nothing written" in err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before
