"""JSON Schema details the generator must translate for msgspec and Python's ``re``."""

from __future__ import annotations

import keyword
import re

import pytest

from wsrouter_codegen.schema import RESERVED_NAMES, class_name, python_name, python_pattern


@pytest.mark.parametrize(
    ("pattern", "python"),
    [
        ("^[a-z]+$", "^[a-z]+\\Z"),
        ("^a$|^b$", "^a\\Z|^b\\Z"),
        ("^[$]+$", "^[$]+\\Z"),  # a $ inside a class is a character
        ("^\\$$", "^\\$\\Z"),  # an escaped $ is a character
        ("^[\\]$]x$", "^[\\]$]x\\Z"),
    ],
)
def test_dollar_anchors_become_end_of_text(pattern: str, python: str) -> None:
    assert python_pattern(pattern) == python


def test_a_trailing_newline_no_longer_matches() -> None:
    assert re.search("^[a-z]+$", "room\n")  # Python's $, unlike ECMA-262's
    assert not re.search(python_pattern("^[a-z]+$"), "room\n")


def test_names_become_python_identifiers() -> None:
    assert python_name("test-session") == "test_session"
    assert python_name("class") == "class_"
    assert python_name("1st") == "_1st"
    assert class_name("test-session") == "TestSession"


def test_soft_keywords_stay_names_whatever_python_runs_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Python 3.12 made `type` a soft keyword; 3.11 did not. The output must be the same
    # on both, so the running interpreter's keyword lists must not decide it.
    monkeypatch.setattr(keyword, "softkwlist", [*keyword.softkwlist, "type", "payload"])
    monkeypatch.setattr(keyword, "issoftkeyword", frozenset(keyword.softkwlist).__contains__)
    assert python_name("type") == "type"
    assert python_name("payload") == "payload"
    assert python_name("match") == "match"
    assert "type" not in RESERVED_NAMES
    assert frozenset(keyword.kwlist) == RESERVED_NAMES  # 3.11's hard keywords, unchanged since
