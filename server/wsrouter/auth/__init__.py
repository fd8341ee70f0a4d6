"""Authentication: JWTs in, :class:`Principal` out (see ``asyncapi.yaml``, "Tokens")."""

from wsrouter.auth.tokens import (
    LEEWAY,
    InvalidToken,
    Principal,
    TokenVerifier,
    bearer_token,
    issue_token,
    redact_token,
)

__all__ = [
    "LEEWAY",
    "InvalidToken",
    "Principal",
    "TokenVerifier",
    "bearer_token",
    "issue_token",
    "redact_token",
]
