"""Keeping tokens out of everything the tester prints.

A token travels in the handshake URL's query (``token=...``), so any message that
quotes the URL, an exception's text or a traceback, would show it; and a server may
echo it back in a frame. Everything printed goes through :func:`redact` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"
MIN_SECRET = 8
_QUERY_TOKEN = re.compile(r"((?:^|[?&])(?:access_)?token=)[^&\s'\"]*", re.IGNORECASE)
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every given secret, ``token=`` query value and bearer token masked."""
    # A secret of a few characters (a test's `t`) would mask every word that holds it; the
    # query and bearer patterns still hide it where a token stands.
    for secret in sorted((s for s in secrets if s and len(s) >= MIN_SECRET), key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _QUERY_TOKEN.sub(lambda m: m.group(1) + MASK, text)
    return _BEARER.sub(lambda m: m.group(1) + MASK, text)
