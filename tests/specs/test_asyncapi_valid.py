"""asyncapi.yaml must be a valid AsyncAPI 3.0.0 document.

It is checked against the official JSON Schema shipped in the npm package
``@asyncapi/specs`` (stored in ``schemas/``; see the README there), so a spec that our
generator happens to accept but other AsyncAPI tools would reject fails here first.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

REPO_ROOT = Path(__file__).resolve().parents[2]
ASYNCAPI_YAML = REPO_ROOT / "asyncapi.yaml"
SCHEMA_JSON = Path(__file__).resolve().parent / "schemas" / "asyncapi-3.0.0.json"

# The smallest document the schema accepts that still has one channel and one operation,
# so the broken variants below differ from a valid document by exactly one mistake.
MINIMAL_DOCUMENT: dict[str, Any] = {
    "asyncapi": "3.0.0",
    "info": {"title": "minimal", "version": "0.1.0"},
    "channels": {
        "ws": {
            "address": "/ws",
            "messages": {"ping": {"payload": {"type": "object"}}},
        },
    },
    "operations": {
        "sendPing": {
            "action": "send",
            "channel": {"$ref": "#/channels/ws"},
            "messages": [{"$ref": "#/channels/ws/messages/ping"}],
        },
    },
}


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    """A Draft 7 validator for the official AsyncAPI 3.0.0 schema."""
    schema = json.loads(SCHEMA_JSON.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def describe_errors(errors: Iterable[ValidationError], depth: int = 0) -> list[str]:
    """One line per error, ``$.json.path: message``, sorted by path.

    The schema wraps most objects in ``oneOf: [Reference, <object>]``, whose own message
    is only a dump of the instance; the reason is in the errors of each branch, so those
    are listed, indented, under the ``oneOf`` line.
    """
    lines: list[str] = []
    indent = "  " * depth
    for error in sorted(errors, key=lambda e: (e.json_path, list(e.relative_schema_path))):
        if error.context:
            lines.append(f"{indent}{error.json_path}: no {error.validator} branch matched:")
            lines.extend(describe_errors(error.context, depth + 1))
        else:
            lines.append(f"{indent}{error.json_path}: {error.message}")
    return lines


def leaf_paths(errors: Iterable[ValidationError]) -> set[str]:
    """The JSON paths of the innermost errors (those that explain why a branch failed)."""
    paths: set[str] = set()
    for error in errors:
        paths |= leaf_paths(error.context) if error.context else {error.json_path}
    return paths


def test_asyncapi_yaml_validates_against_official_schema(validator: Draft7Validator) -> None:
    document = yaml.safe_load(ASYNCAPI_YAML.read_text(encoding="utf-8"))

    errors = list(validator.iter_errors(document))

    assert not errors, f"{ASYNCAPI_YAML.name} is not valid AsyncAPI 3.0.0:\n" + "\n".join(
        describe_errors(errors)
    )


def test_minimal_document_is_accepted(validator: Draft7Validator) -> None:
    # Guards the rejection tests below: they must fail for their one mistake, not because
    # the starting document was already invalid.
    assert describe_errors(validator.iter_errors(MINIMAL_DOCUMENT)) == []


def test_asyncapi_2_publish_action_is_rejected(validator: Draft7Validator) -> None:
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    document["operations"]["sendPing"]["action"] = "publish"

    errors = list(validator.iter_errors(document))

    assert "$.operations.sendPing.action" in leaf_paths(errors), describe_errors(errors)


def test_document_without_asyncapi_version_is_rejected(validator: Draft7Validator) -> None:
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    del document["asyncapi"]

    errors = list(validator.iter_errors(document))

    assert describe_errors(errors) == ["$: 'asyncapi' is a required property"]


def test_error_report_names_every_error_with_its_json_path(validator: Draft7Validator) -> None:
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    del document["info"]["title"]
    document["channels"]["ws"]["address"] = 5

    report = describe_errors(validator.iter_errors(document))

    assert "$.info: 'title' is a required property" in report
    assert "  $.channels.ws.address: 5 is not of type 'string', 'null'" in report
