"""Checking a WebSocket handshake: parameters, token, limits and access.

A refused handshake is accepted, sent one ``error`` frame and closed with the
spec's close code, so browsers (which cannot read an HTTP status) see why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

import msgspec

from wsrouter._generated.connection_types import CONNECTION_TYPES
from wsrouter._generated.messages import CloseCode, ErrorCode, WsQuery
from wsrouter.auth import InvalidToken, Principal, TokenVerifier, bearer_token
from wsrouter.store import Store, TestSessionRecord


class Refusal(Exception):
    """The handshake is refused with this close code and error."""

    def __init__(self, close_code: int, error_code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.close_code = close_code
        self.error_code = error_code
        self.message = message


@dataclass(frozen=True)
class Accepted:
    """A handshake that passed every check."""

    principal: Principal
    connection_type: str
    room: str | None
    session: TestSessionRecord | None


def query_parameters(query_string: bytes) -> dict[str, str]:
    """The first value of each query parameter."""
    parsed = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    return {key: values[0] for key, values in parsed.items()}


async def check_handshake(
    tokens: TokenVerifier, store: Store, query_string: bytes, headers: Mapping[str, str]
) -> Accepted:
    """Check everything about a handshake; raise :class:`Refusal` on the first failure.

    The per-user connection limit is not checked here: registering the connection
    checks it and adds it in one step (a count here would race with other handshakes).
    """
    params = query_parameters(query_string)
    try:
        query = msgspec.convert(params, WsQuery, strict=False)
    except msgspec.ValidationError as exc:
        if "$.token" in str(exc):
            raise Refusal(CloseCode.UNAUTHORIZED, "unauthorized", "the token is too long") from None
        raise Refusal(CloseCode.BAD_HANDSHAKE, "bad_handshake", f"bad handshake: {exc}") from None
    connection_type: str = query.connection_type
    spec = CONNECTION_TYPES.get(connection_type)
    if spec is None:  # the query's enum and the table come from the same spec
        raise Refusal(
            CloseCode.BAD_HANDSHAKE, "bad_handshake", f"unknown connection_type {connection_type!r}"
        )
    room = query.room if isinstance(query.room, str) and spec.room_required else None
    if spec.room_required and room is None:
        what = f" ({spec.room_description})" if spec.room_description else ""
        raise Refusal(
            CloseCode.BAD_HANDSHAKE,
            "bad_handshake",
            f"connection_type={connection_type} needs a `room` query parameter{what}",
        )
    token = query.token if isinstance(query.token, str) and query.token else None
    token = token or bearer_token(headers.get("authorization"))
    if token is None:
        raise Refusal(
            CloseCode.UNAUTHORIZED, "unauthorized", "a token is required (`token` query parameter)"
        )
    try:
        principal = tokens.verify(token)
    except InvalidToken as exc:
        raise Refusal(CloseCode.UNAUTHORIZED, "unauthorized", exc.reason) from None
    session = None
    if connection_type == "test-session" and room is not None:
        session = await store.get_test_session(room)
        if session is None:
            raise Refusal(CloseCode.SESSION_NOT_FOUND, "not_found", f"no test session {room!r}")
        if session.user_id != principal.user_id and not principal.is_admin:
            raise Refusal(
                CloseCode.FORBIDDEN, "forbidden", "this test session belongs to another user"
            )
    return Accepted(principal, connection_type, room, session)
