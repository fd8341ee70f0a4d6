"""The running server honours ``openapi.yaml``: schemathesis against a real ``wsrouter serve``.

Every operation gets generated requests (the spec's examples, its boundaries, then
random valid and invalid data) and every default check of schemathesis on each
response: status code, content type, headers and body documented, invalid data
refused, valid data accepted, credentials enforced. The operations the spec links
also run in sequences (create a test session then read it; read the statistics, list
the connections they count, close one). The seed is fixed, so running the test again
reproduces a failure; schemathesis prints each one with a ``curl`` line to replay it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from litestar import Litestar, Response, get
from schemathesis import APIOperation, Case
from schemathesis.config import HttpBearerAuthConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.openapi.checks import JsonSchemaError, MissingHeaders, UndefinedStatusCode
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.e2e.harness import ServerProcess
from tests.timing import TIMEOUT

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"
SEED = 20251125
EXAMPLES_PER_OPERATION = 100
STATEFUL_SCENARIOS = 60

Operation = APIOperation[Any, Any, Any, Any]


def load_schema() -> OpenApiSchema:
    """``openapi.yaml`` as schemathesis reads it, with a fixed seed and no example database."""
    schema = schemathesis.openapi.from_path(OPENAPI, config=schemathesis.Config(seed=SEED))
    # No database: a failure found once is not replayed first on the next run, which
    # keeps runs alike; the fixed seed is what makes a failure come back.
    schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, database="none")
    # A body over the admin API's 64 KiB (openapi.yaml: 413) is refused whatever its
    # schema says: the free-form `data` objects can be valid and larger than that.
    checks = schema.config.checks
    for check in (checks.negative_data_rejection, checks.positive_data_acceptance):
        check.expected_statuses = [*check.expected_statuses, "413"]
    return schema


schema = load_schema()


@pytest.fixture(scope="module")
def live_schema(openapi_server: ServerProcess) -> OpenApiSchema:
    """:data:`schema` pointed at the live server, with an admin's token for ``bearerAuth``.

    Given as the spec's security scheme (not as a plain header), so schemathesis knows
    it is the credential: its negative cases leave it out, its auth checks take it away.
    """
    token = openapi_server.token("admin", role="admin")
    schema.config.update(base_url=openapi_server.http_url)
    schema.config.auth.openapi.schemes["bearerAuth"] = HttpBearerAuthConfig(bearer=token)
    return schema


@schema.parametrize()
def test_every_operation_honours_openapi_yaml(case: Case[Any], live_schema: OpenApiSchema) -> None:
    # Operations collected before the server started do not know its URL yet.
    case.call_and_validate(base_url=live_schema.get_base_url())


def test_linked_operations_honour_openapi_yaml_in_sequence(live_schema: OpenApiSchema) -> None:
    live_schema.as_state_machine().run(
        settings=hypothesis.settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )


# ---------------------------------------------------------------------- credentials

SECURED = [
    pytest.param(result.ok(), id=result.ok().label)
    for result in schema.get_all_operations()
    if isinstance(result, Ok)
    and result.ok().definition.raw.get("security", schema.raw_schema.get("security"))
]
PROBES = ["/health", "/ready", "/metrics"]


def call_without_admin(
    operation: Operation, server: ServerProcess, headers: dict[str, str]
) -> schemathesis.Response:
    """Call ``operation`` with ``headers`` only, and an invalid body where it takes one.

    The body is wrong on purpose: credentials are checked before anything else.
    """
    parts: dict[str, Any] = {"path_parameters": {p.name: "x" for p in operation.path_parameters}}
    if operation.body:
        parts["body"] = {"unknown": True}
    case = operation.Case(headers=headers, **parts)
    response = case.call(base_url=server.http_url)
    case.validate_response(response)
    return response


@pytest.mark.parametrize("operation", SECURED)
def test_request_without_a_token_gets_401_with_a_bearer_challenge(
    operation: Operation, openapi_server: ServerProcess
) -> None:
    response = call_without_admin(operation, openapi_server, {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == ["Bearer"]


@pytest.mark.parametrize("operation", SECURED)
def test_request_with_a_bad_token_gets_401_naming_the_error(
    operation: Operation, openapi_server: ServerProcess
) -> None:
    headers = {"Authorization": "Bearer not-a-jwt"}
    response = call_without_admin(operation, openapi_server, headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == ['Bearer error="invalid_token"']


@pytest.mark.parametrize("operation", SECURED)
def test_token_without_the_admin_role_gets_403(
    operation: Operation, openapi_server: ServerProcess
) -> None:
    headers = {"Authorization": f"Bearer {openapi_server.token('42')}"}
    response = call_without_admin(operation, openapi_server, headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "the admin role is required"


@pytest.mark.parametrize("path", PROBES)
def test_probes_answer_without_a_token(path: str, openapi_server: ServerProcess) -> None:
    assert httpx.get(openapi_server.http_url + path, timeout=TIMEOUT).status_code == 200


# ---------------------------------------------------------------- the checks can fail


@get("/ws/stats", media_type="application/json")
async def stats_missing_fields() -> dict[str, Any]:
    return {"total_connections": -1}


@get("/health", status_code=418, media_type="application/json")
async def health_with_an_undocumented_status() -> dict[str, Any]:
    return {"status": "ok"}


@get("/ws/connections", media_type="application/json")
async def refusal_without_a_challenge() -> Response[dict[str, Any]]:
    return Response({"status_code": 401, "detail": "no token"}, status_code=401)


WRONG_API = Litestar(
    [stats_missing_fields, health_with_an_undocumented_status, refusal_without_a_challenge]
)


def failures_against_wrong_api(path: str, method: str = "GET", **case: Any) -> set[type]:
    """The kinds of failure the same checks report for one call to :data:`WRONG_API`."""
    wrong = load_schema()
    wrong.app = WRONG_API
    with pytest.raises(FailureGroup) as caught:
        wrong[path][method].Case(**case).call_and_validate()
    return {type(failure) for failure in caught.value.exceptions}


def test_checks_report_a_body_that_breaks_the_schema() -> None:
    headers = {"Authorization": "Bearer x"}
    assert JsonSchemaError in failures_against_wrong_api("/ws/stats", headers=headers)


def test_checks_report_an_undocumented_status_code() -> None:
    assert UndefinedStatusCode in failures_against_wrong_api("/health")


def test_checks_report_a_401_without_its_documented_header() -> None:
    assert MissingHeaders in failures_against_wrong_api("/ws/connections")
