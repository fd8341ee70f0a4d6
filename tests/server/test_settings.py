"""Settings from WSROUTER_* variables: secrets, the dev secret, numbers, defaults."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from wsrouter.settings import ConfigError, Limits, Settings

SECRET = "a-configured-secret-of-more-than-32-bytes"


def test_short_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="WSROUTER_JWT_SECRET must be at least 32 bytes"):
        Settings.from_env({"WSROUTER_JWT_SECRET": "x" * 31}, var_dir=tmp_path)


def test_secret_of_32_bytes_is_accepted(tmp_path: Path) -> None:
    settings = Settings.from_env({"WSROUTER_JWT_SECRET": "x" * 32}, var_dir=tmp_path)

    assert settings.jwt_secret == "x" * 32
    assert not settings.dev_mode


def test_configured_secret_creates_no_dev_secret(tmp_path: Path) -> None:
    Settings.from_env({"WSROUTER_JWT_SECRET": SECRET}, var_dir=tmp_path / "var")

    assert not (tmp_path / "var").exists()


def test_dev_secret_is_created_once_and_reused(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"

    first = Settings.from_env({}, var_dir=var_dir)
    second = Settings.from_env({}, var_dir=var_dir)

    assert first.dev_mode
    assert second.dev_mode
    assert first.jwt_secret == second.jwt_secret
    assert len(first.jwt_secret.encode()) >= 32
    assert (var_dir / "dev-secret").read_text(encoding="utf-8").strip() == first.jwt_secret


def test_dev_secret_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    Settings.from_env({}, var_dir=tmp_path)

    assert stat.S_IMODE((tmp_path / "dev-secret").stat().st_mode) == 0o600


def test_dev_secrets_differ_between_checkouts(tmp_path: Path) -> None:
    one = Settings.from_env({}, var_dir=tmp_path / "one")
    other = Settings.from_env({}, var_dir=tmp_path / "other")

    assert one.jwt_secret != other.jwt_secret


@pytest.mark.parametrize("algorithm", ["HS512", "none", "hs256"])
def test_unsupported_algorithm_is_refused(tmp_path: Path, algorithm: str) -> None:
    env = {"WSROUTER_JWT_SECRET": SECRET, "WSROUTER_JWT_ALGORITHM": algorithm}

    with pytest.raises(ConfigError, match="must be HS256, RS256 or ES256"):
        Settings.from_env(env, var_dir=tmp_path)


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_asymmetric_algorithm_needs_a_public_key(tmp_path: Path, algorithm: str) -> None:
    with pytest.raises(ConfigError, match=f"WSROUTER_JWT_PUBLIC_KEY is required with {algorithm}"):
        Settings.from_env({"WSROUTER_JWT_ALGORITHM": algorithm}, var_dir=tmp_path)


def test_asymmetric_algorithm_uses_no_dev_secret(tmp_path: Path) -> None:
    env = {"WSROUTER_JWT_ALGORITHM": "RS256", "WSROUTER_JWT_PUBLIC_KEY": "-----BEGIN..."}

    settings = Settings.from_env(env, var_dir=tmp_path / "var")

    assert not settings.dev_mode
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("WSROUTER_MAX_FRAME_BYTES", "64k", "WSROUTER_MAX_FRAME_BYTES must be a whole number"),
        ("WSROUTER_CONNECTIONS_PER_USER", "2.5", "WSROUTER_CONNECTIONS_PER_USER must be a whole"),
        ("WSROUTER_SEND_QUEUE_BYTES", "0", "WSROUTER_SEND_QUEUE_BYTES must be positive"),
        ("WSROUTER_MESSAGES_PER_SECOND", "fast", "WSROUTER_MESSAGES_PER_SECOND must be a number"),
        ("WSROUTER_HEARTBEAT_SECONDS", "-1", "WSROUTER_HEARTBEAT_SECONDS must be positive"),
    ],
)
def test_bad_number_is_named_in_the_error(
    tmp_path: Path, name: str, raw: str, message: str
) -> None:
    env = {"WSROUTER_JWT_SECRET": SECRET, name: raw}

    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env, var_dir=tmp_path)


def test_numbers_are_read(tmp_path: Path) -> None:
    env = {
        "WSROUTER_JWT_SECRET": SECRET,
        "WSROUTER_MAX_FRAME_BYTES": "1024",
        "WSROUTER_MESSAGES_PER_SECOND": "2.5",
        "WSROUTER_HEARTBEAT_SECONDS": "5",
    }

    settings = Settings.from_env(env, var_dir=tmp_path)

    assert settings.limits.max_frame_bytes == 1024
    assert settings.limits.messages_per_second == 2.5
    assert settings.heartbeat_seconds == 5.0


def test_empty_number_means_the_default(tmp_path: Path) -> None:
    env = {"WSROUTER_JWT_SECRET": SECRET, "WSROUTER_MAX_FRAME_BYTES": ""}

    assert Settings.from_env(env, var_dir=tmp_path).limits.max_frame_bytes == 64 * 1024


def test_defaults_are_the_protocols(tmp_path: Path) -> None:
    settings = Settings.from_env({"WSROUTER_JWT_SECRET": SECRET}, var_dir=tmp_path)

    assert settings.jwt_algorithm == "HS256"
    assert settings.jwt_audience is None
    assert settings.jwt_issuer is None
    assert settings.broker_url == "memory://"
    assert settings.database_url == f"sqlite:///{tmp_path / 'wsrouter.db'}"
    assert settings.allowed_origins == ()
    assert settings.heartbeat_seconds == 20.0
    assert settings.limits == Limits()
    assert settings.limits.max_frame_bytes == 64 * 1024
    assert settings.node_id.startswith("node-")


def test_allowed_origins_are_a_comma_separated_list(tmp_path: Path) -> None:
    env = {
        "WSROUTER_JWT_SECRET": SECRET,
        "WSROUTER_ALLOWED_ORIGINS": " https://a.example , ,https://b.example",
    }

    settings = Settings.from_env(env, var_dir=tmp_path)

    assert settings.allowed_origins == ("https://a.example", "https://b.example")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "Infinity"])
@pytest.mark.parametrize(
    "name",
    [
        "WSROUTER_MESSAGES_PER_SECOND",
        "WSROUTER_HEARTBEAT_SECONDS",
        "WSROUTER_SHUTDOWN_GRACE_SECONDS",
        "WSROUTER_CLOSE_TIMEOUT_SECONDS",
    ],
)
def test_a_number_that_is_not_finite_is_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"^{name} must be a finite number, not '{value}'$"):
        Settings.from_env({"WSROUTER_JWT_SECRET": SECRET, name: value}, var_dir=tmp_path)


def test_the_close_timeout_is_a_setting(tmp_path: Path) -> None:
    env = {"WSROUTER_JWT_SECRET": SECRET, "WSROUTER_CLOSE_TIMEOUT_SECONDS": "1.5"}
    assert Settings.from_env(env, var_dir=tmp_path).close_timeout_seconds == 1.5
    assert (
        Settings.from_env({"WSROUTER_JWT_SECRET": SECRET}, var_dir=tmp_path).close_timeout_seconds
        == 5.0
    )
