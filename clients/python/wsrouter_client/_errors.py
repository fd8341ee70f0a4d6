"""What the SDK raises, grouped by what the caller can do about it.

Every exception is a :class:`WsrouterError`. Error replies also stay instances of the
generated ``ReplyError``, so code written against the generated clients keeps working.
"""

from __future__ import annotations

from typing import ClassVar, Final

import msgspec

from ._generated import http_client
from ._generated.http_models import ErrorBody, ValidationIssue
from ._generated.messages import (
    CLOSE_CODE_DESCRIPTIONS,
    RETRYABLE_CLOSE_CODES,
    Error,
    ErrorCode,
    ReplyError,
)

# Close codes outside the spec's table that a network or a proxy produces: the
# connection dropped (1006: no close frame), a peer went away, or asked to come back.
_TRANSIENT_CLOSE_CODES: Final = frozenset({1001, 1006, 1013, 1014})


def is_retryable(code: int) -> bool:
    """Whether reconnecting after close ``code`` may help.

    The spec's ``x-close-codes`` table decides for the codes it lists (its
    ``RETRYABLE_CLOSE_CODES``); for the others, the spec's ranges (4000-4499 may be
    retried, 4500-4999 may not) and the transient codes of RFC 6455 (1001, 1006,
    1013, 1014) do.
    """
    if code in RETRYABLE_CLOSE_CODES:
        return True
    if code in CLOSE_CODE_DESCRIPTIONS:
        return False
    if 4000 <= code < 4500:
        return True
    return code in _TRANSIENT_CLOSE_CODES


class WsrouterError(Exception):
    """The base of every exception the SDK raises."""


class ConnectFailed(WsrouterError):
    """The server could not be reached: the WebSocket or the admin API.

    A network error, a timeout, a bad URL, or an HTTP refusal before the upgrade
    (``status_code``, e.g. 403 for an ``Origin`` the server does not allow). The
    original exception (``httpx.ConnectError``, say) is the ``__cause__``.
    """

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ConnectionClosed(WsrouterError):
    """The connection is closed: requests in flight fail with it, and streams end with it.

    ``code`` and ``reason`` come from the server's close frame (1006 when there was
    none); ``retryable`` says whether the spec allows reconnecting after it;
    ``by_client`` is true when this side closed; ``error`` is the ``error`` frame the
    server sent just before closing, if any.
    """

    _what: ClassVar[str] = "connection closed"

    def __init__(
        self,
        code: int,
        reason: str = "",
        *,
        error: Error | None = None,
        by_client: bool = False,
    ) -> None:
        self.code = code
        self.reason = reason
        self.error = error
        self.by_client = by_client
        self.retryable = is_retryable(code) and not by_client
        described = CLOSE_CODE_DESCRIPTIONS.get(code, "")
        detail = reason or (error.message if error is not None else "") or described
        because = f" ({error.code})" if error is not None else ""
        super().__init__(f"{self._what} with {code}{because}" + (f": {detail}" if detail else ""))

    @property
    def error_code(self) -> ErrorCode | None:
        """The ``code`` of the ``error`` frame sent before the close, if there was one."""
        return self.error.code if self.error is not None else None

    def again(self) -> ConnectionClosed:
        """A fresh exception with the same details (one instance per ``raise``)."""
        return type(self)(self.code, self.reason, error=self.error, by_client=self.by_client)


class HandshakeRefused(ConnectionClosed):
    """The server refused the connection: it sent one ``error``, then closed.

    The close code says why (4401 bad or expired token, 4403 too many connections,
    4500 bad ``connection_type`` or ``room``, 4503 another user's test session,
    4504 no such test session); ``error_code`` is the error frame's code.
    """

    _what: ClassVar[str] = "handshake refused"


class RequestTimeout(WsrouterError, TimeoutError):
    """No reply came within the request's timeout; the request may still be processed."""

    def __init__(self, request_id: str | None, timeout: float) -> None:
        if request_id is None:  # a message without reply, waiting for a reconnection
            super().__init__(f"the connection was not usable within {timeout:g} s")
        else:
            super().__init__(f"no reply to request {request_id!r} within {timeout:g} s")
        self.request_id = request_id
        self.timeout = timeout


class RequestFailed(ReplyError, WsrouterError):
    """The server answered a request with an ``error``.

    Also a ``ReplyError`` (``.reply`` is the error message); ``error_code`` is the
    spec's error code (``not_in_room``, ``invalid_message``, ...), as on
    :class:`ConnectionClosed`, and ``message`` the server's words.
    """

    reply: Error

    def __init__(self, reply: Error) -> None:
        super().__init__(reply)
        self.error_code: ErrorCode = reply.code
        self.message: str = reply.message

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"


class ApiError(http_client.ApiError, WsrouterError):
    """The admin API answered with a status other than the operation's success.

    ``status_code`` and ``detail`` are the server's; for a 422, ``issues`` lists what
    failed (each with ``key``, the field, and ``message``), and the exception's text
    names every failing field. Also the generated ``ApiError``.
    """

    def __init__(self, status_code: int, content: bytes) -> None:
        super().__init__(status_code, content)
        try:
            body = msgspec.json.decode(content, type=ErrorBody)
        except (msgspec.DecodeError, msgspec.ValidationError):
            self.issues: list[ValidationIssue] = []
        else:
            self.issues = body.extra if isinstance(body.extra, list) else []

    def __str__(self) -> str:
        text = f"HTTP {self.status_code}: {self.detail}"
        if self.issues:
            text += ": " + "; ".join(_issue(issue) for issue in self.issues)
        return text


def _issue(issue: ValidationIssue) -> str:
    key = issue.key if isinstance(issue.key, str) else ""
    where = f" ({issue.source})" if isinstance(issue.source, str) else ""
    return f"{key}{where}: {issue.message}" if key else issue.message
