"""Token verification: every claim the protocol names, every refusal with its reason."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from wsrouter.auth import (
    InvalidToken,
    Principal,
    TokenVerifier,
    bearer_token,
    issue_token,
    redact_token,
)
from wsrouter.settings import ConfigError, Settings

SECRET = "a-test-secret-long-enough-for-hs256-and-for-hs512-which-wants-64-bytes"
NOW = datetime(2025, 7, 10, 10, 30, tzinfo=UTC)
EXP = int((NOW + timedelta(hours=1)).timestamp())


def _settings(**overrides: Any) -> Settings:
    return Settings(jwt_secret=SECRET, **overrides)


def _verifier(settings: Settings | None = None, now: datetime = NOW) -> TokenVerifier:
    return TokenVerifier(settings or _settings(), clock=lambda: now)


def _hs256(claims: dict[str, Any], key: str = SECRET, **headers: Any) -> str:
    return jwt.encode(claims, key, algorithm="HS256", headers=headers or None)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _handmade(header: dict[str, Any], payload: object, key: bytes | None) -> str:
    """A token built byte by byte, for what PyJWT refuses to sign (alg none, key confusion).

    ``payload`` is JSON-encoded unless it is bytes already.
    """
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(raw)}"
    signature = b"" if key is None else hmac.digest(key, signing_input.encode(), hashlib.sha256)
    return f"{signing_input}.{_b64(signature)}"


def _refusal(token: str, verifier: TokenVerifier | None = None) -> str:
    with pytest.raises(InvalidToken) as caught:
        (verifier or _verifier()).verify(token)
    return caught.value.reason


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


# Accepted tokens


def test_issued_token_verifies_into_its_principal() -> None:
    token = issue_token(_settings(), sub="42", name="Alice", role="teacher", now=NOW)

    assert _verifier().verify(token) == Principal(
        user_id="42", name="Alice", role="teacher", expires_at=NOW + timedelta(hours=1)
    )


def test_expires_at_is_aware_utc() -> None:
    principal = _verifier().verify(_hs256({"sub": "42", "exp": EXP}))

    assert principal.expires_at.tzinfo is UTC
    assert principal.expires_at == NOW + timedelta(hours=1)


def test_name_defaults_to_sub() -> None:
    principal = _verifier().verify(_hs256({"sub": "42", "exp": EXP}))

    assert principal.name == "42"
    assert principal.role is None


def test_empty_name_falls_back_to_sub() -> None:
    assert _verifier().verify(_hs256({"sub": "42", "name": "", "exp": EXP})).name == "42"


def test_admin_role_makes_an_admin() -> None:
    assert _verifier().verify(_hs256({"sub": "a", "role": "admin", "exp": EXP})).is_admin


@pytest.mark.parametrize("role", [None, "user", "Admin", ""])
def test_any_other_role_is_not_an_admin(role: str | None) -> None:
    principal = _verifier().verify(_hs256({"sub": "a", "role": role, "exp": EXP}))

    assert not principal.is_admin


def test_numeric_sub_becomes_a_string() -> None:
    principal = _verifier().verify(_hs256({"sub": 42, "exp": EXP}))

    assert principal.user_id == "42"
    assert principal.name == "42"


def test_token_expired_within_the_leeway_is_accepted() -> None:
    token = _hs256({"sub": "42", "exp": int(NOW.timestamp()) - 9})

    assert _verifier().verify(token).user_id == "42"


def test_nbf_and_iat_within_the_leeway_are_accepted() -> None:
    soon = int(NOW.timestamp()) + 9
    token = _hs256({"sub": "42", "exp": EXP, "nbf": soon, "iat": soon})

    assert _verifier().verify(token).user_id == "42"


def test_aud_and_iss_are_ignored_when_not_configured() -> None:
    token = _hs256({"sub": "42", "exp": EXP, "aud": "elsewhere", "iss": "someone"})

    assert _verifier().verify(token).user_id == "42"


def test_configured_audience_and_issuer_are_accepted() -> None:
    settings = _settings(jwt_audience="wsrouter", jwt_issuer="https://idp.example")
    token = _hs256({"sub": "42", "exp": EXP, "aud": "wsrouter", "iss": "https://idp.example"})

    assert _verifier(settings).verify(token).user_id == "42"


def test_issued_token_carries_the_configured_audience_and_issuer() -> None:
    settings = _settings(jwt_audience="wsrouter", jwt_issuer="https://idp.example")

    token = issue_token(settings, sub="42", now=NOW)

    assert _verifier(settings).verify(token).user_id == "42"


# Refused tokens: time


def test_expired_token_is_refused() -> None:
    token = _hs256({"sub": "42", "exp": int(NOW.timestamp()) - 11})

    assert _refusal(token) == "token expired"


def test_token_used_before_nbf_is_refused() -> None:
    token = _hs256({"sub": "42", "exp": EXP, "nbf": int(NOW.timestamp()) + 60})

    assert _refusal(token) == "token is not valid yet (nbf is in the future)"


def test_token_issued_in_the_future_is_refused() -> None:
    token = _hs256({"sub": "42", "exp": EXP, "iat": int(NOW.timestamp()) + 60})

    assert _refusal(token) == "token is not valid yet (iat is in the future)"


def test_missing_exp_is_refused() -> None:
    assert _refusal(_hs256({"sub": "42"})) == "token is missing the exp claim"


@pytest.mark.parametrize("exp", ["9999999999", True, [1], {"at": 1}])
def test_exp_that_is_not_a_number_is_refused(exp: object) -> None:
    assert (
        _refusal(_hs256({"sub": "42", "exp": exp})) == "token exp claim must be a number of seconds"
    )


def test_exp_beyond_any_date_is_refused() -> None:
    assert _refusal(_hs256({"sub": "42", "exp": 10**20})) == "token exp claim is out of range"


# Refused tokens: claims


def test_missing_sub_is_refused() -> None:
    assert _refusal(_hs256({"exp": EXP})) == "token is missing the sub claim"


@pytest.mark.parametrize(
    ("sub", "reason"),
    [
        ("", "token sub claim is empty"),
        ("x" * 129, "token sub claim is longer than 128 characters"),
        (True, "token sub claim must be a string or an integer"),
        (4.2, "token sub claim must be a string or an integer"),
        (["42"], "token sub claim must be a string or an integer"),
    ],
)
def test_bad_sub_is_refused(sub: object, reason: str) -> None:
    assert _refusal(_hs256({"sub": sub, "exp": EXP})) == reason


def test_sub_of_128_characters_is_accepted() -> None:
    assert _verifier().verify(_hs256({"sub": "x" * 128, "exp": EXP})).user_id == "x" * 128


@pytest.mark.parametrize("claim", ["name", "role"])
def test_name_or_role_that_is_not_a_string_is_refused(claim: str) -> None:
    token = _hs256({"sub": "42", "exp": EXP, claim: ["admin"]})

    assert _refusal(token) == f"token {claim} claim must be a string"


def test_overlong_name_is_refused() -> None:
    token = _hs256({"sub": "42", "exp": EXP, "name": "n" * 257})

    assert _refusal(token) == "token name claim is longer than 256 characters"


def test_wrong_audience_is_refused() -> None:
    settings = _settings(jwt_audience="wsrouter")
    token = _hs256({"sub": "42", "exp": EXP, "aud": "another-service"})

    assert _refusal(token, _verifier(settings)) == "token audience is not accepted"


def test_missing_audience_is_refused_when_configured() -> None:
    settings = _settings(jwt_audience="wsrouter")

    assert _refusal(_hs256({"sub": "42", "exp": EXP}), _verifier(settings)) == (
        "token is missing the aud claim"
    )


def test_wrong_issuer_is_refused() -> None:
    settings = _settings(jwt_issuer="https://idp.example")
    token = _hs256({"sub": "42", "exp": EXP, "iss": "https://evil.example"})

    assert _refusal(token, _verifier(settings)) == "token issuer is not accepted"


def test_missing_issuer_is_refused_when_configured() -> None:
    settings = _settings(jwt_issuer="https://idp.example")

    assert _refusal(_hs256({"sub": "42", "exp": EXP}), _verifier(settings)) == (
        "token is missing the iss claim"
    )


# Refused tokens: signature, algorithm, shape


def test_tampered_signature_is_refused() -> None:
    header, payload, signature = _hs256({"sub": "42", "exp": EXP}).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert _refusal(f"{header}.{payload}.{flipped}") == "token signature is invalid"


def test_tampered_payload_is_refused() -> None:
    header, _, signature = _hs256({"sub": "42", "exp": EXP}).split(".")
    forged = _b64(json.dumps({"sub": "admin", "role": "admin", "exp": EXP}).encode())

    assert _refusal(f"{header}.{forged}.{signature}") == "token signature is invalid"


def test_token_signed_with_another_secret_is_refused() -> None:
    token = _hs256({"sub": "42", "exp": EXP}, key="another-secret-that-is-long-enough-too")

    assert _refusal(token) == "token signature is invalid"


def test_alg_none_is_refused() -> None:
    token = _handmade({"alg": "none", "typ": "JWT"}, {"sub": "42", "exp": EXP}, key=None)

    assert _refusal(token) == "token algorithm not allowed"


def test_token_without_alg_is_refused() -> None:
    token = _handmade({"typ": "JWT"}, {"sub": "42", "exp": EXP}, key=SECRET.encode())

    assert _refusal(token) == "token algorithm not allowed"


def test_token_signed_with_another_algorithm_is_refused() -> None:
    token = jwt.encode({"sub": "42", "exp": EXP}, SECRET, algorithm="HS512")

    assert _refusal(token) == "token algorithm not allowed"


HS256_HEADER = {"alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "a.b",
        "a.b.c",
        "!!!.e30.e30",
        _handmade(HS256_HEADER, b"not json", key=SECRET.encode()),
        _handmade(HS256_HEADER, [1, 2], key=SECRET.encode()),
    ],
    ids=["one-part", "two-parts", "not-base64-json", "bad-base64", "payload-not-json", "array"],
)
def test_malformed_token_is_refused(token: str) -> None:
    assert _refusal(token) == "token is malformed"


def test_not_json_under_a_wrong_signature_is_refused_for_its_signature() -> None:
    # The signature is checked before the payload is parsed: nothing unauthenticated is read.
    token = _handmade(HS256_HEADER, b"not json", key=b"another-secret-that-is-long-enough")

    assert _refusal(token) == "token signature is invalid"


def test_empty_token_is_refused() -> None:
    assert _refusal("") == "token is empty"


def test_overlong_token_is_refused() -> None:
    token = _hs256({"sub": "42", "exp": EXP, "name": "n" * 9000})

    assert _refusal(token) == "token is longer than 8192 characters"


@pytest.mark.parametrize(
    "token",
    [
        _hs256({"sub": "42", "exp": int(NOW.timestamp()) - 60}),
        _hs256({"sub": "42", "exp": EXP}, key="another-secret-that-is-long-enough-too"),
        jwt.encode({"sub": "42", "exp": EXP}, SECRET, algorithm="HS512"),
        _hs256({"sub": ["42"], "exp": EXP}),
        _handmade(HS256_HEADER, b"not json", key=SECRET.encode()),
    ],
)
def test_refusal_never_quotes_the_token_nor_chains_pyjwt_errors(token: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        _verifier().verify(token)

    for part in token.split("."):
        assert part not in caught.value.reason
        assert part not in str(caught.value)
    # Nor does a traceback: PyJWT's exception is not chained to ours.
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None or caught.value.__suppress_context__


# Asymmetric algorithms


def test_rs256_configured_accepts_rs256_tokens(rsa_key: rsa.RSAPrivateKey) -> None:
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=_pem(rsa_key))
    token = jwt.encode({"sub": 7, "role": "admin", "exp": EXP}, rsa_key, algorithm="RS256")

    principal = _verifier(settings).verify(token)

    assert principal.user_id == "7"
    assert principal.is_admin


def test_rs256_configured_refuses_hs256_signed_with_the_public_key(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    # The key confusion attack: the public key is public, so if the header's `alg` were
    # trusted, anyone could sign an HS256 token with it as the HMAC secret.
    public_pem = _pem(rsa_key)
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=public_pem)
    forged = _handmade(
        {"alg": "HS256", "typ": "JWT"},
        {"sub": "admin", "role": "admin", "exp": EXP},
        key=public_pem.encode(),
    )

    assert _refusal(forged, _verifier(settings)) == "token algorithm not allowed"


def test_rs256_configured_refuses_a_token_signed_with_another_key(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=_pem(rsa_key))
    token = jwt.encode({"sub": "42", "exp": EXP}, other, algorithm="RS256")

    assert _refusal(token, _verifier(settings)) == "token signature is invalid"


def test_es256_configured_accepts_es256_and_refuses_rs256(
    ec_key: ec.EllipticCurvePrivateKey, rsa_key: rsa.RSAPrivateKey
) -> None:
    settings = Settings(jwt_secret="", jwt_algorithm="ES256", jwt_public_key=_pem(ec_key))
    verifier = _verifier(settings)

    good = jwt.encode({"sub": "42", "exp": EXP}, ec_key, algorithm="ES256")
    wrong_algorithm = jwt.encode({"sub": "42", "exp": EXP}, rsa_key, algorithm="RS256")

    assert verifier.verify(good).user_id == "42"
    assert _refusal(wrong_algorithm, verifier) == "token algorithm not allowed"


def test_public_key_with_escaped_newlines_is_accepted(rsa_key: rsa.RSAPrivateKey) -> None:
    one_line = _pem(rsa_key).replace("\n", "\\n")
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=one_line)
    token = jwt.encode({"sub": "42", "exp": EXP}, rsa_key, algorithm="RS256")

    assert _verifier(settings).verify(token).user_id == "42"


def test_public_key_that_is_not_pem_is_a_config_error() -> None:
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key="not a key")

    with pytest.raises(ConfigError, match="WSROUTER_JWT_PUBLIC_KEY is not a PEM public key"):
        TokenVerifier(settings)


def test_private_key_in_place_of_the_public_key_is_a_config_error(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    private_pem = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=private_pem)

    with pytest.raises(ConfigError, match="not a PEM public key"):
        TokenVerifier(settings)


def test_key_of_the_wrong_kind_is_a_config_error(
    rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    rs_with_ec = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=_pem(ec_key))
    es_with_rsa = Settings(jwt_secret="", jwt_algorithm="ES256", jwt_public_key=_pem(rsa_key))
    es_with_p384 = Settings(
        jwt_secret="",
        jwt_algorithm="ES256",
        jwt_public_key=_pem(ec.generate_private_key(ec.SECP384R1())),
    )

    with pytest.raises(ConfigError, match="must be an RSA public key"):
        TokenVerifier(rs_with_ec)
    with pytest.raises(ConfigError, match="must be a P-256 public key"):
        TokenVerifier(es_with_rsa)
    with pytest.raises(ConfigError, match="must be a P-256 public key"):
        TokenVerifier(es_with_p384)


def test_rsa_key_under_2048_bits_is_a_config_error() -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=_pem(weak))

    with pytest.raises(ConfigError, match="at least 2048 bits"):
        TokenVerifier(settings)


def test_issue_token_refuses_asymmetric_settings(rsa_key: rsa.RSAPrivateKey) -> None:
    settings = Settings(jwt_secret="", jwt_algorithm="RS256", jwt_public_key=_pem(rsa_key))

    with pytest.raises(ConfigError, match="only issue HS256 tokens"):
        issue_token(settings, sub="42")


@pytest.mark.parametrize(("sub", "ttl"), [("", 60), ("x" * 129, 60), ("42", 0), ("42", -5)])
def test_issue_token_refuses_a_bad_sub_or_ttl(sub: str, ttl: int) -> None:
    with pytest.raises(ValueError, match=r"sub must be|ttl_seconds must be positive"):
        issue_token(_settings(), sub=sub, ttl_seconds=ttl)


# Bearer header and log redaction


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer abc.def.ghi", "abc.def.ghi"),
        ("bearer abc.def.ghi", "abc.def.ghi"),
        ("BEARER   abc.def.ghi  ", "abc.def.ghi"),
        (None, None),
        ("", None),
        ("Bearer", None),
        ("Bearer ", None),
        ("Basic dXNlcjpwYXNz", None),
        ("Bearer abc def", None),
        ("Bearerabc", None),
    ],
)
def test_bearer_token_is_read_from_the_authorization_header(
    header: str | None, token: str | None
) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (
            "/ws?connection_type=general&token=eyJ.abc.def",
            "/ws?connection_type=general&token=***",
        ),
        ("/ws?token=eyJ.abc.def&room=r1", "/ws?token=***&room=r1"),
        (
            '127.0.0.1:5000 - "WebSocket /ws?TOKEN=eyJ.a.b" [accepted]',
            '127.0.0.1:5000 - "WebSocket /ws?TOKEN=***" [accepted]',
        ),
        ("/cb?access_token=abc#frag", "/cb?access_token=***#frag"),
        ('msg="GET /ws?token=eyJ.a.b\\" x"', 'msg="GET /ws?token=***\\" x"'),
        ("/ws?token=a&x=1&token=b", "/ws?token=***&x=1&token=***"),
        ("/ws?connection_type=chat&room=r1", "/ws?connection_type=chat&room=r1"),
        ("/ws?tokenizer=ok", "/ws?tokenizer=ok"),
    ],
)
def test_redact_token_hides_every_token_parameter(text: str, redacted: str) -> None:
    assert redact_token(text) == redacted
