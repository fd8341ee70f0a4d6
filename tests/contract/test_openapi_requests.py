"""The server reads requests exactly as ``openapi.yaml`` says, no more leniently.

Litestar converts leniently on its own: ``"60"`` for an integer field, ``null`` for
an enum query parameter (taken as no filter), the last of a parameter given twice,
a trailing newline past a ``$`` in a pattern. Random generation finds these rarely,
so each has a test of its own here; every response is also checked against the spec
by schemathesis.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.core.transport import Response

from tests.e2e.harness import ServerProcess

OPENAPI = Path(__file__).resolve().parents[2] / "openapi.yaml"
schema = schemathesis.openapi.from_path(OPENAPI)


def call(server: ServerProcess, label: str, **parts: Any) -> Response:
    """Call the operation ``label`` (``"GET /ws/stats"``) as an admin; check the answer."""
    method, path = label.split(" ", 1)
    token = server.token("admin", role="admin")
    case = schema[path][method].Case(headers={"Authorization": f"Bearer {token}"}, **parts)
    response = case.call(base_url=server.http_url)
    case.validate_response(response)
    return response


def refused_at(response: Response) -> list[tuple[str | None, str | None]]:
    """Where a 422 says the request is wrong: (source, key) of each item of ``extra``."""
    assert response.status_code == 422, response.text
    return [(item.get("source"), item.get("key")) for item in response.json()["extra"]]


SESSION = {"user_id": "7", "duration_seconds": 60}


def test_numeric_string_for_an_integer_field_is_refused(openapi_server: ServerProcess) -> None:
    body = {**SESSION, "duration_seconds": "60"}
    response = call(openapi_server, "POST /test-sessions", body=body)
    assert refused_at(response) == [("body", "duration_seconds")]


def test_whole_number_written_as_a_float_is_an_integer(openapi_server: ServerProcess) -> None:
    body = {**SESSION, "duration_seconds": 60.0}
    response = call(openapi_server, "POST /test-sessions", body=body)
    assert response.status_code == 201
    assert response.json()["user_id"] == "7"


def test_fraction_for_an_integer_field_is_refused(openapi_server: ServerProcess) -> None:
    body = {**SESSION, "duration_seconds": 60.5}
    response = call(openapi_server, "POST /test-sessions", body=body)
    assert refused_at(response) == [("body", "duration_seconds")]


def test_field_the_schema_does_not_list_is_refused(openapi_server: ServerProcess) -> None:
    body = {"title": "Hi", "message": "there", "colour": "red"}
    response = call(openapi_server, "POST /notifications", body=body)
    assert response.status_code == 422
    assert "colour" in response.json()["extra"][0]["message"]


def test_body_that_is_not_json_is_refused_with_400(openapi_server: ServerProcess) -> None:
    response = call(
        openapi_server, "POST /notifications", body="{not json", media_type="text/plain"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON is malformed")


def test_json_value_of_the_wrong_kind_followed_by_garbage_is_refused_with_400(
    openapi_server: ServerProcess,
) -> None:
    # The typed decoder stops at `9` (not an object) before it sees that `9u` is not JSON.
    response = call(openapi_server, "POST /test-sessions", body="9u", media_type="text/plain")
    assert response.status_code == 400


def test_empty_body_is_refused_with_400(openapi_server: ServerProcess) -> None:
    response = call(openapi_server, "POST /test-sessions", body="", media_type="text/plain")
    assert response.status_code == 400


@pytest.mark.parametrize("value", ["null", "None", ""])
def test_enum_query_parameter_outside_its_values_is_refused(
    openapi_server: ServerProcess, value: str
) -> None:
    response = call(openapi_server, "GET /ws/connections", query={"connection_type": value})
    assert refused_at(response) == [("query", "connection_type")]


def test_query_parameter_given_twice_is_refused(openapi_server: ServerProcess) -> None:
    query = {"connection_type": ["general", "chat"]}
    response = call(openapi_server, "GET /ws/connections", query=query)
    assert refused_at(response) == [("query", "connection_type")]


def test_integer_query_parameter_reads_digits(openapi_server: ServerProcess) -> None:
    response = call(openapi_server, "GET /ws/connections", query={"limit": "2", "offset": "0"})
    assert response.status_code == 200
    assert len(response.json()["items"]) <= 2


def test_integer_query_parameter_past_its_maximum_is_refused(
    openapi_server: ServerProcess,
) -> None:
    response = call(openapi_server, "GET /ws/connections", query={"limit": "501"})
    assert refused_at(response) == [("query", "limit")]


def test_pattern_does_not_let_a_trailing_newline_through(openapi_server: ServerProcess) -> None:
    response = call(openapi_server, "GET /ws/connections", query={"room": "lobby\n"})
    assert refused_at(response) == [("query", "room")]
    parts = {"path_parameters": {"session_id": "ts\n"}}
    response = call(openapi_server, "GET /test-sessions/{session_id}", **parts)
    assert refused_at(response) == [("path", "session_id")]


def test_overlong_connection_id_is_refused_with_422(openapi_server: ServerProcess) -> None:
    parts = {"path_parameters": {"connection_id": "x" * 257}}
    response = call(openapi_server, "DELETE /ws/connections/{connection_id}", **parts)
    assert refused_at(response) == [("path", "connection_id")]


def test_unknown_test_session_is_404(openapi_server: ServerProcess) -> None:
    parts = {"path_parameters": {"session_id": "ts_missing"}}
    response = call(openapi_server, "GET /test-sessions/{session_id}", **parts)
    assert response.status_code == 404
    assert response.json() == {"status_code": 404, "detail": "no test session 'ts_missing'"}


def test_broadcast_of_a_protocol_type_is_refused_naming_the_field(
    openapi_server: ServerProcess,
) -> None:
    body = {"type": "room_message", "message": "spoofed"}
    response = call(openapi_server, "POST /ws/broadcast", body=body)
    assert refused_at(response) == [("body", "type")]
