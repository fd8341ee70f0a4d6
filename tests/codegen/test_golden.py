"""The generator's output for the fixture specs matches the committed golden files."""

from __future__ import annotations

from tests.codegen.refresh_golden import golden_diff, golden_files


def test_fixture_specs_generate_the_golden_output() -> None:
    diff = golden_diff()
    assert not diff, f"generated code changed; review, then `make golden`:\n{diff}"


def test_generation_is_byte_for_byte_deterministic() -> None:
    first = golden_files()
    second = golden_files()
    assert [(f.path, f.text) for f in first] == [(f.path, f.text) for f in second]


def test_every_generated_file_starts_with_the_do_not_edit_header() -> None:
    for generated in golden_files():
        first_line = generated.text.splitlines()[0]
        assert first_line.startswith("# generated from "), generated.path
        assert first_line.endswith("by codegen — do not edit"), generated.path
