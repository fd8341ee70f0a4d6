"""openapi.yaml must be a valid OpenAPI 3.1 document.

openapi-spec-validator checks both the official 3.1 JSON Schema and the rules a schema
cannot express (every path template parameter declared, unique operation ids, ...).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

REPO_ROOT = Path(__file__).resolve().parents[2]
OPENAPI_YAML = REPO_ROOT / "openapi.yaml"

# The smallest useful 3.1 document; each broken variant below adds exactly one mistake.
MINIMAL_DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "minimal", "version": "0.1.0"},
    "paths": {
        "/health": {
            "get": {
                "operationId": "getHealth",
                "responses": {"200": {"description": "The service is up."}},
            },
        },
    },
}


def test_openapi_yaml_is_valid_openapi_3_1() -> None:
    document = yaml.safe_load(OPENAPI_YAML.read_text(encoding="utf-8"))

    validate(document, cls=OpenAPIV31SpecValidator)


def test_minimal_document_is_accepted() -> None:
    # Guards the rejection tests below: they must fail for their one mistake.
    validate(copy.deepcopy(MINIMAL_DOCUMENT), cls=OpenAPIV31SpecValidator)


def _drop_response_description(document: dict[str, Any]) -> None:
    del document["paths"]["/health"]["get"]["responses"]["200"]["description"]


def _use_openapi_3_0(document: dict[str, Any]) -> None:
    document["openapi"] = "3.0.3"


def _add_undeclared_path_parameter(document: dict[str, Any]) -> None:
    document["paths"]["/rooms/{room_id}"] = {
        "get": {"operationId": "getRoom", "responses": {"200": {"description": "The room."}}},
    }


@pytest.mark.parametrize(
    ("break_document", "reason"),
    [
        # The validator quotes with ' or " depending on its JSON Schema backend.
        (_drop_response_description, r"""["']description["'] is a required property"""),
        (_use_openapi_3_0, r"""["']3\.0\.3["'] does not match"""),
        (_add_undeclared_path_parameter, r"""Path parameter ["']room_id["']"""),
    ],
    ids=["response-without-description", "openapi-3.0", "undeclared-path-parameter"],
)
def test_broken_document_is_rejected(
    break_document: Callable[[dict[str, Any]], None], reason: str
) -> None:
    document = copy.deepcopy(MINIMAL_DOCUMENT)
    break_document(document)

    with pytest.raises(OpenAPIValidationError, match=reason):
        validate(document, cls=OpenAPIV31SpecValidator)
