"""Building ``error`` frames, and the failures handlers raise to produce them."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET, UnsetType

from wsrouter._generated.messages import Error, ErrorCode, ReplyError
from wsrouter.clock import now_iso


def error(
    code: ErrorCode,
    message: str,
    *,
    request_id: str | UnsetType = UNSET,
    details: dict[str, Any] | UnsetType = UNSET,
) -> Error:
    """An ``error`` message; ``message`` is cut to the spec's 1024 characters."""
    return Error(
        code=code,
        message=message[:1024],
        details=details,
        request_id=request_id,
        timestamp=now_iso(),
    )


def fail(code: ErrorCode, message: str) -> ReplyError:
    """The exception a handler raises to answer its request with an error."""
    return ReplyError(error(code, message))
