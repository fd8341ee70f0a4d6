"""Whatever a spec holds, the generator answers with files or with located problems.

Hypothesis mutates the fixture document (a node replaced by another value, removed, or
given an unknown keyword); ``wsrouter-codegen generate`` must then exit 0 or 2, print no
traceback, and on 2 write nothing.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.codegen.helpers import FIXTURES, ROOT
from wsrouter_codegen.__main__ import main

FIXTURE: dict[str, Any] = yaml.safe_load((FIXTURES / "asyncapi.yaml").read_text())

Path_ = tuple[str | int, ...]


def _paths(node: Any, path: Path_ = ()) -> list[Path_]:
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*path, i))
    return found


PATHS = _paths(FIXTURE)[1:]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["", "x", "#/nope", "string", "object", "$message.header#/id"]),
    st.just([]),
    st.just({}),
    st.just({"$ref": "#/components/schemas/Friend"}),
    st.just({"$ref": "missing.yaml#/X"}),
    st.just({"oneOf": [{"type": "string"}, {"type": "object", "properties": {}}]}),
)


def _apply(spec: dict[str, Any], path: Path_, how: str, value: Any) -> None:
    parent: Any = spec
    for token in path[:-1]:
        parent = parent[token]
    last = path[-1]
    if how == "remove":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
    elif how == "replace":
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent[last], dict):
        parent[last]["x-bogus" if how == "extension" else "bogusKeyword"] = copy.deepcopy(value)


@settings(
    max_examples=600,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    mutations=st.lists(
        st.tuples(
            st.sampled_from(PATHS),
            st.sampled_from(["remove", "replace", "keyword", "extension"]),
            VALUES,
        ),
        min_size=1,
        max_size=3,
    )
)
def test_a_mutated_spec_generates_or_exits_2_without_a_traceback(
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
    mutations: list[tuple[Path_, str, Any]],
) -> None:
    root = tmp_path_factory.mktemp("mutated")
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    spec = copy.deepcopy(FIXTURE)
    for path, how, value in mutations:
        try:
            _apply(spec, path, how, value)
        except (KeyError, IndexError, TypeError, AttributeError):
            continue  # an earlier mutation removed the place
    (root / "asyncapi.yaml").write_text(yaml.safe_dump(spec))
    args = ["generate", "--root", str(root), "--no-openapi", "--server-out", "s"]
    status = main([*args, "--client-out", "c"])
    out, err = capsys.readouterr()
    assert status in (0, 2), (status, out, err)
    assert "Traceback" not in out + err
    if status == 2:
        assert err.startswith("codegen: "), err
        assert not (root / "s").exists()
        assert not (root / "c").exists()


def test_a_document_that_contains_itself_is_a_clean_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = (FIXTURES / "asyncapi.yaml").read_text()
    (tmp_path / "asyncapi.yaml").write_text(spec + "x-loop: &loop [*loop]\n")
    args = ["generate", "--root", str(tmp_path), "--no-openapi", "--server-out", "s"]
    assert main([*args, "--client-out", "c"]) == 2
    assert "Traceback" not in capsys.readouterr().err
