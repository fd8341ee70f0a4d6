"""Opening one WebSocket: the handshake URL, the first frame, and what a refusal says.

A successful handshake's first frame is ``connection_established`` (or
``test_session_ready``); a refused one is an ``error`` followed by the close whose
code says why, which becomes :class:`HandshakeRefused`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import msgspec

from ._errors import ConnectFailed, HandshakeRefused
from ._generated.messages import ConnectionEstablished, Error, TestSessionReady
from ._wire import Opener, Wire, WireClosed

E = TypeVar("E", bound=ConnectionEstablished | TestSessionReady)


def endpoint_url(url: str, connection_type: str, room: str | None) -> str:
    """``url`` with the handshake query; a URL without a path gets ``/ws``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("connection_type", "room")]
    query.append(("connection_type", connection_type))
    if room is not None:
        query.append(("room", room))
    path = parts.path if parts.path not in ("", "/") else "/ws"
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(query), ""))


async def handshake(
    opener: Opener,
    url: str,
    headers: Mapping[str, str],
    timeout: float | None,
    decode: Callable[[str | bytes], Any],
    first: type[E],
) -> tuple[Wire, E]:
    """Open ``url`` and wait for its first frame, within ``timeout`` for each.

    Raises :class:`HandshakeRefused` when the server closes instead (after its
    ``error``), :class:`ConnectFailed` when no WebSocket opens or the first frame is
    not one.
    """
    wire = await opener(url, headers, timeout)
    try:
        async with asyncio.timeout(timeout):
            return wire, await _first_frame(wire, url, decode, first)
    except TimeoutError:
        await wire.close(1000, "")
        raise ConnectFailed(f"{url}: no first frame within {timeout:g} s") from None
    except BaseException:
        await asyncio.shield(wire.close(1000, ""))
        raise


async def _first_frame(
    wire: Wire, url: str, decode: Callable[[str | bytes], Any], first: type[E]
) -> E:
    error: Error | None = None
    try:
        while True:
            frame = decode(await wire.recv())
            if error is not None:
                continue  # refused: only the close is left to read
            if isinstance(frame, first):
                return frame
            if not isinstance(frame, Error):
                raise ConnectFailed(f"{url}: unexpected first frame {frame!r}")
            error = frame
    except WireClosed as closed:
        raise HandshakeRefused(closed.code, closed.reason, error=error) from None
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ConnectFailed(f"{url}: undecodable first frame: {exc}") from None


def handshake_rooms(first: ConnectionEstablished | TestSessionReady) -> set[str]:
    """The rooms a handshake joins by itself (chat's ``room``, the test session)."""
    return {first.room} if first.room else set()
