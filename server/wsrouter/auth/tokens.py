"""JWTs: verifying them into a :class:`Principal`, issuing dev tokens, keeping them out of logs.

The accepted algorithm is the configured one and only that one: it is never read from
the token's header, so neither ``alg: none`` nor the HS256-signed-with-the-public-key
confusion can get through. PyJWT checks the signature, ``aud`` and ``iss``; the claims
this server relies on (``sub``, ``exp``, ``nbf``, ``iat``, ``name``, ``role``) are checked
here, against an injectable clock, so that every refusal has a precise reason.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from jwt.types import Options

from wsrouter.clock import utcnow
from wsrouter.settings import ConfigError, Settings

LEEWAY = timedelta(seconds=10)
"""Clock skew tolerated on ``exp``, ``nbf`` and ``iat``."""

MAX_TOKEN_LENGTH = 8192
"""Longer tokens are refused before any parsing (the protocol's limit for ``refresh_token``)."""

MAX_USER_ID_LENGTH = 128
MAX_NAME_LENGTH = 256
_MIN_RSA_BITS = 2048


@dataclass(frozen=True)
class Principal:
    """Who a verified token speaks for."""

    user_id: str
    """The ``sub`` claim, always a string (a numeric ``sub`` becomes its decimal string)."""
    name: str
    """The display name: the ``name`` claim, or ``user_id`` when the token has none."""
    role: str | None
    """The ``role`` claim; ``"admin"`` grants the admin API."""
    expires_at: datetime
    """The ``exp`` claim, timezone-aware, in UTC."""

    @property
    def is_admin(self) -> bool:
        """Whether the token carries ``role: admin``."""
        return self.role == "admin"


class InvalidToken(Exception):
    """A token was refused; :attr:`reason` says why and is safe to send to the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        """A short human message, e.g. ``"token expired"``; it never contains the token."""


class TokenVerifier:
    """Checks tokens against the configured algorithm, key, audience and issuer.

    The key is loaded once, here, so a bad ``WSROUTER_JWT_PUBLIC_KEY`` fails at start-up
    with a :class:`ConfigError` rather than on the first connection.
    """

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._algorithm = settings.jwt_algorithm
        self._key: str | RSAPublicKey | EllipticCurvePublicKey
        if self._algorithm == "HS256":
            self._key = settings.jwt_secret
        else:
            self._key = _load_public_key(self._algorithm, settings.jwt_public_key)
        self._audience = settings.jwt_audience
        self._issuer = settings.jwt_issuer
        self._clock = clock

    def verify(self, token: str) -> Principal:
        """The principal ``token`` speaks for; :class:`InvalidToken` if it is not acceptable."""
        if not token:
            raise InvalidToken("token is empty")
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken(f"token is longer than {MAX_TOKEN_LENGTH} characters")
        claims = self._decode(token)
        user_id = _user_id(claims)
        now = self._clock().timestamp()
        leeway = LEEWAY.total_seconds()
        exp = _numeric_date(claims, "exp")
        if exp is None:
            raise InvalidToken("token is missing the exp claim")
        if exp <= now - leeway:
            raise InvalidToken("token expired")
        for claim in ("nbf", "iat"):
            moment = _numeric_date(claims, claim)
            if moment is not None and moment > now + leeway:
                raise InvalidToken(f"token is not valid yet ({claim} is in the future)")
        try:
            expires_at = datetime.fromtimestamp(exp, UTC)
        except (OverflowError, OSError, ValueError):
            raise InvalidToken("token exp claim is out of range") from None
        name = _optional_string(claims, "name", MAX_NAME_LENGTH) or user_id
        role = _optional_string(claims, "role", MAX_NAME_LENGTH) or None
        return Principal(user_id=user_id, name=name, role=role, expires_at=expires_at)

    def _decode(self, token: str) -> dict[str, Any]:
        """Signature, algorithm, ``aud`` and ``iss``, by PyJWT; the rest is ours (see above)."""
        options: Options = {
            "verify_signature": True,
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            # "Checked when configured": a token may carry an aud/iss we do not ask for.
            "verify_aud": self._audience is not None,
            "verify_iss": self._issuer is not None,
            # PyJWT 2.10+ refuses a numeric sub, which the protocol accepts.
            "verify_sub": False,
            "verify_jti": False,
        }
        # `from None` everywhere: PyJWT's messages and tracebacks may quote token parts.
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._key,
                algorithms=[self._algorithm],
                options=options,
                audience=self._audience,
                issuer=self._issuer,
            )
        except jwt.InvalidAlgorithmError:
            raise InvalidToken("token algorithm not allowed") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("token signature is invalid") from None
        except jwt.MissingRequiredClaimError as exc:
            raise InvalidToken(f"token is missing the {exc.claim} claim") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("token audience is not accepted") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("token issuer is not accepted") from None
        except jwt.DecodeError:
            raise InvalidToken("token is malformed") from None
        except jwt.PyJWTError:
            raise InvalidToken("token is invalid") from None
        return claims


def issue_token(
    settings: Settings,
    *,
    sub: str,
    name: str | None = None,
    role: str | None = None,
    ttl_seconds: int = 3600,
    now: datetime | None = None,
) -> str:
    """A token for ``sub``, signed with HS256 and the configured secret (dev and tests).

    It carries ``aud`` and ``iss`` when those are configured, so that it verifies.
    Raises :class:`ConfigError` when the server is configured for RS256/ES256: it holds
    only the public key then, and tokens come from the identity provider.
    """
    if settings.jwt_algorithm != "HS256":
        raise ConfigError(
            f"wsrouter can only issue HS256 tokens; with WSROUTER_JWT_ALGORITHM="
            f"{settings.jwt_algorithm} it holds no private key"
        )
    if not sub or len(sub) > MAX_USER_ID_LENGTH:
        raise ValueError(f"sub must be 1 to {MAX_USER_ID_LENGTH} characters long")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    issued_at = int((now or utcnow()).timestamp())
    claims: dict[str, Any] = {"sub": sub, "iat": issued_at, "exp": issued_at + ttl_seconds}
    if name is not None:
        claims["name"] = name
    if role is not None:
        claims["role"] = role
    if settings.jwt_audience is not None:
        claims["aud"] = settings.jwt_audience
    if settings.jwt_issuer is not None:
        claims["iss"] = settings.jwt_issuer
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def bearer_token(header_value: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value, else ``None``."""
    if header_value is None:
        return None
    scheme, _, token = header_value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or any(c.isspace() for c in token):
        return None
    return token


# A `token=` query parameter, also as the tail of a longer name (`access_token=`), up to
# the next separator; quotes and backslashes end it too, since URLs are often logged
# inside quotes, JSON-escaped ones included (`\"`).
_TOKEN_PARAMETER = re.compile(r"(?i)(\b\w*token=)[^&#\s\"'\\]+")


def redact_token(text: str) -> str:
    """``text`` with the value of every ``token=`` query parameter replaced by ``***``."""
    return _TOKEN_PARAMETER.sub(r"\1***", text)


def _load_public_key(algorithm: str, pem: str | None) -> RSAPublicKey | EllipticCurvePublicKey:
    if not pem:
        raise ConfigError(f"WSROUTER_JWT_PUBLIC_KEY is required with {algorithm}")
    # Environment variables often carry a PEM with its newlines escaped as "\n".
    if "\n" not in pem:
        pem = pem.replace("\\n", "\n")
    try:
        key = load_pem_public_key(pem.encode())
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"WSROUTER_JWT_PUBLIC_KEY is not a PEM public key ({exc})") from None
    if algorithm == "RS256":
        if not isinstance(key, RSAPublicKey):
            raise ConfigError("WSROUTER_JWT_PUBLIC_KEY must be an RSA public key for RS256")
        if key.key_size < _MIN_RSA_BITS:
            raise ConfigError(f"WSROUTER_JWT_PUBLIC_KEY must have at least {_MIN_RSA_BITS} bits")
        return key
    if algorithm == "ES256":
        if not isinstance(key, EllipticCurvePublicKey) or not isinstance(key.curve, SECP256R1):
            raise ConfigError("WSROUTER_JWT_PUBLIC_KEY must be a P-256 public key for ES256")
        return key
    raise ConfigError("WSROUTER_JWT_ALGORITHM must be HS256, RS256 or ES256")


def _user_id(claims: Mapping[str, Any]) -> str:
    sub = claims.get("sub")
    if sub is None:
        raise InvalidToken("token is missing the sub claim")
    # bool is an int subclass; `"sub": true` is not a user id.
    if isinstance(sub, int) and not isinstance(sub, bool):
        sub = str(sub)
    if not isinstance(sub, str):
        raise InvalidToken("token sub claim must be a string or an integer")
    if not sub:
        raise InvalidToken("token sub claim is empty")
    if len(sub) > MAX_USER_ID_LENGTH:
        raise InvalidToken(f"token sub claim is longer than {MAX_USER_ID_LENGTH} characters")
    return sub


def _numeric_date(claims: Mapping[str, Any], claim: str) -> float | None:
    value = claims.get(claim)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidToken(f"token {claim} claim must be a number of seconds")
    return float(value)


def _optional_string(claims: Mapping[str, Any], claim: str, max_length: int) -> str | None:
    value = claims.get(claim)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidToken(f"token {claim} claim must be a string")
    if len(value) > max_length:
        raise InvalidToken(f"token {claim} claim is longer than {max_length} characters")
    return value
