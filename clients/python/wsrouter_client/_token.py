"""Tokens: reading a JWT's expiry, asking the application for a fresh one, and when to.

The SDK never verifies a token (the server does); it only reads ``exp`` to know when
to send ``refresh_token``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import TypeAlias

log = logging.getLogger("wsrouter_client")

TokenProvider: TypeAlias = Callable[[], str | Awaitable[str]]
"""Returns a fresh token: a plain function (run in a worker thread, so it may block,
e.g. on an HTTP call to an identity provider) or an ``async`` one."""


def token_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT (seconds since the epoch), read without verifying it.

    ``None`` when the token is not a JWT or has no numeric ``exp``.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    exp = claims.get("exp") if isinstance(claims, dict) else None
    if isinstance(exp, bool) or not isinstance(exp, int | float):
        return None
    return float(exp)


def refresh_delay(token: str, *, now: float, before: float) -> float | None:
    """Seconds from ``now`` until ``token`` should be replaced; ``None`` if it never expires.

    ``before`` seconds ahead of its ``exp``; a token that lives less than twice that is
    replaced halfway through what is left of its life, so that a short-lived token
    is not refreshed over and over.
    """
    exp = token_expiry(token)
    if exp is None:
        return None
    left = exp - now
    return max(left - before, left / 2, 0.0)


async def fetch_token(provider: TokenProvider) -> str:
    """Ask ``provider`` for a token."""
    if inspect.iscoroutinefunction(provider):
        token: object = await provider()
    else:
        token = await asyncio.to_thread(provider)
        if inspect.isawaitable(token):
            token = await token
    if not isinstance(token, str) or not token:
        raise TypeError(f"the token provider returned {token!r}, not a token")
    return token


async def keep_token_fresh(
    current: Callable[[], str | None],
    provider: TokenProvider,
    offer: Callable[[str], Awaitable[bool]],
    *,
    before: float,
    clock: Callable[[], float],
    sleep: Callable[[float], Awaitable[None]],
) -> None:
    """Replace the ``current()`` token ahead of its expiry, over and over.

    Each time, a token from ``provider`` is handed to ``offer`` (which sends
    ``refresh_token`` and says whether the server took it). It stops, logging why,
    when the token has no ``exp``, the provider fails or has nothing fresher, or the
    server refuses: the server then closes at expiry (4401), and a reconnection, if
    enabled, starts over with a fresh token.
    """
    while (token := current()) is not None:
        delay = refresh_delay(token, now=clock(), before=before)
        if delay is None:
            return
        await sleep(delay)
        try:
            fresh = await fetch_token(provider)
        except Exception:
            log.exception("the token provider failed; the server will close with 4401")
            return
        if (token_expiry(fresh) or 0.0) <= (token_expiry(token) or 0.0):
            log.warning("the token provider gave no fresher token; not refreshing")
            return
        if not await offer(fresh):
            return
