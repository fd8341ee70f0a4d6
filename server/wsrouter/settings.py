"""Configuration, from ``WSROUTER_*`` environment variables (described in configuration.py)."""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Limits:
    """Per-connection and per-user limits (defaults from the protocol)."""

    max_frame_bytes: int = 64 * 1024
    messages_per_second: float = 20.0
    message_burst: int = 40
    rate_limit_strikes: int = 5
    consecutive_errors: int = 20
    connections_per_user: int = 20
    rooms_per_connection: int = 50
    send_queue_frames: int = 256
    send_queue_bytes: int = 1024 * 1024
    max_answer_bytes: int = 16 * 1024
    typing_interval_seconds: float = 2.0
    presence_interval_seconds: float = 0.5
    """Presence changes of a room that follow one within this interval wait for its end."""
    presence_burst: int = 16
    """More changes than this at an interval's end go out as one ``presence`` list."""


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment."""

    jwt_secret: str
    jwt_algorithm: str = "HS256"
    jwt_public_key: str | None = None
    jwt_audience: str | None = None
    jwt_issuer: str | None = None
    database_url: str = "sqlite:///var/wsrouter.db"
    broker_url: str = "memory://"
    allowed_origins: tuple[str, ...] = ()
    heartbeat_seconds: float = 20.0
    timer_interval_seconds: int = 30
    auto_submit_poll_seconds: float = 1.0
    shutdown_grace_seconds: float = 5.0
    close_timeout_seconds: float = 5.0
    """How long a close may take before the socket is aborted (a peer that never reads)."""
    head_timeout_seconds: float = 10.0
    """How long a client has to send a complete request head (408 after it)."""
    max_connections: int | None = None
    """Open sockets (HTTP and WebSocket) above which new ones get 503; None: from the fd limit."""
    node_id: str = field(default_factory=lambda: f"node-{secrets.token_hex(4)}")
    dev_mode: bool = False
    limits: Limits = field(default_factory=Limits)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, var_dir: Path = Path("var")
    ) -> Settings:
        """Read the settings; without ``WSROUTER_JWT_SECRET`` use (or make) a dev secret.

        The dev secret lives in ``var/dev-secret`` so that ``wsrouter token`` and
        ``wsrouter serve`` agree, and is only ever used when no secret is configured.
        """
        env = os.environ if env is None else env
        secret = env.get("WSROUTER_JWT_SECRET", "")
        algorithm = env.get("WSROUTER_JWT_ALGORITHM", "HS256")
        public_key = env.get("WSROUTER_JWT_PUBLIC_KEY") or None
        dev_mode = False
        if algorithm == "HS256" and not secret:
            secret = dev_secret(var_dir)
            dev_mode = True
        if algorithm == "HS256" and len(secret.encode()) < 32:
            raise ConfigError("WSROUTER_JWT_SECRET must be at least 32 bytes long")
        if algorithm not in ("HS256", "RS256", "ES256"):
            raise ConfigError("WSROUTER_JWT_ALGORITHM must be HS256, RS256 or ES256")
        if algorithm != "HS256" and not public_key:
            raise ConfigError(f"WSROUTER_JWT_PUBLIC_KEY is required with {algorithm}")
        origins = tuple(
            o.strip() for o in env.get("WSROUTER_ALLOWED_ORIGINS", "").split(",") if o.strip()
        )
        defaults = Limits()
        limits = Limits(
            max_frame_bytes=_int(env, "WSROUTER_MAX_FRAME_BYTES", defaults.max_frame_bytes),
            messages_per_second=_float(
                env, "WSROUTER_MESSAGES_PER_SECOND", defaults.messages_per_second
            ),
            message_burst=_int(env, "WSROUTER_MESSAGE_BURST", defaults.message_burst),
            connections_per_user=_int(
                env, "WSROUTER_CONNECTIONS_PER_USER", defaults.connections_per_user
            ),
            rooms_per_connection=_int(
                env, "WSROUTER_ROOMS_PER_CONNECTION", defaults.rooms_per_connection
            ),
            send_queue_frames=_int(env, "WSROUTER_SEND_QUEUE_FRAMES", defaults.send_queue_frames),
            send_queue_bytes=_int(env, "WSROUTER_SEND_QUEUE_BYTES", defaults.send_queue_bytes),
        )
        return cls(
            jwt_secret=secret,
            jwt_algorithm=algorithm,
            jwt_public_key=public_key,
            jwt_audience=env.get("WSROUTER_JWT_AUDIENCE") or None,
            jwt_issuer=env.get("WSROUTER_JWT_ISSUER") or None,
            database_url=_database_url(
                env.get("WSROUTER_DATABASE_URL") or f"sqlite:///{var_dir / 'wsrouter.db'}"
            ),
            broker_url=_broker_url(env.get("WSROUTER_BROKER_URL") or "memory://"),
            allowed_origins=origins,
            heartbeat_seconds=_float(env, "WSROUTER_HEARTBEAT_SECONDS", 20.0),
            timer_interval_seconds=_int(env, "WSROUTER_TIMER_INTERVAL_SECONDS", 30),
            auto_submit_poll_seconds=_float(env, "WSROUTER_AUTO_SUBMIT_POLL_SECONDS", 1.0),
            shutdown_grace_seconds=_float(env, "WSROUTER_SHUTDOWN_GRACE_SECONDS", 5.0),
            close_timeout_seconds=_float(env, "WSROUTER_CLOSE_TIMEOUT_SECONDS", 5.0),
            head_timeout_seconds=_float(env, "WSROUTER_HEAD_TIMEOUT_SECONDS", 10.0),
            max_connections=_int(env, "WSROUTER_MAX_CONNECTIONS", 0) or None,
            node_id=env.get("WSROUTER_NODE_ID") or f"node-{secrets.token_hex(4)}",
            dev_mode=dev_mode,
            limits=limits,
        )


def _broker_url(url: str) -> str:
    """``memory://`` or ``redis://[user:password@]HOST[:PORT][/DB]`` (``rediss://`` for TLS)."""
    if url == "memory://":
        return url
    usage = "WSROUTER_BROKER_URL must be memory:// or redis://HOST:PORT/DB"
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise ConfigError(f"{usage}, not {redact_url(url)!r}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    database = parts.path.strip("/")
    if not parts.hostname or port in (-1, 0) or not (database == "" or database.isdigit()):
        raise ConfigError(f"{usage} (a host, a port, a database number): {redact_url(url)!r}")
    return url


def _database_url(url: str) -> str:
    """``sqlite:///PATH`` or ``postgresql://…`` (``postgres://`` too)."""
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return url
    parts = urlsplit(url)
    if parts.scheme in ("postgresql", "postgres") and (parts.hostname or "host=" in parts.query):
        return url
    raise ConfigError(
        "WSROUTER_DATABASE_URL must be sqlite:///PATH or postgresql://USER@HOST:PORT/DATABASE,"
        f" not {redact_url(url)!r}"
    )


def redact_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=f"{parts.username or ''}:***@{host}").geturl()


def dev_secret(var_dir: Path) -> str:
    """The development signing secret under ``var_dir``, created on first use."""
    path = var_dir / "dev-secret"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    path.write_text(secret + "\n", encoding="utf-8")
    path.chmod(0o600)
    return secret


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, not {raw!r}")
    if value <= 0:
        raise ConfigError(f"{name} must be positive")
    return value
