"""The ids every store hands out: the same shapes whichever database keeps them."""

from __future__ import annotations

import secrets


def new_notification_id() -> str:
    """``n_`` and 22 url-safe random characters (128 bits): unguessable, never reused."""
    return "n_" + secrets.token_urlsafe(16)


def new_session_id() -> str:
    """``ts_`` and 16 hex digits (64 random bits): a valid room name, unguessable enough."""
    return "ts_" + secrets.token_hex(8)


def new_message_id() -> str:
    """``m_`` and 22 url-safe random characters (128 bits)."""
    return "m_" + secrets.token_urlsafe(16)
