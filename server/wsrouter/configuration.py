"""What each ``WSROUTER_*`` variable sets: the source of the docs' configuration reference.

:mod:`wsrouter.settings` reads the variables; this table says what they mean, and the
docs site renders it (``docs/hooks.py``). ``tests/server/test_configuration.py`` checks
that every variable the server reads is here and that the defaults match the code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, its default (as text) and what it sets."""

    name: str
    default: str
    meaning: str


VARIABLES: tuple[Variable, ...] = (
    Variable(
        "WSROUTER_JWT_SECRET",
        "a dev secret, made once in `var/dev-secret`",
        "the HS256 signing secret, at least 32 bytes; unset means development mode",
    ),
    Variable(
        "WSROUTER_JWT_ALGORITHM",
        "`HS256`",
        "`HS256`, `RS256` or `ES256`: the only algorithm accepted, whatever a token's header"
        " says (`none` never is)",
    ),
    Variable(
        "WSROUTER_JWT_PUBLIC_KEY",
        "none",
        "the PEM public key (RSA of 2048 bits or more, or P-256) for `RS256`/`ES256`;"
        " required with them; `\\n` escapes allowed",
    ),
    Variable("WSROUTER_JWT_AUDIENCE", "none", "when set, tokens must carry this `aud`"),
    Variable("WSROUTER_JWT_ISSUER", "none", "when set, tokens must carry this `iss`"),
    Variable(
        "WSROUTER_DATABASE_URL",
        "`sqlite:///var/wsrouter.db`",
        "the store: `sqlite:///PATH`, or `postgresql://USER@HOST:PORT/DB` for a cluster"
        " (its migrations applied at start-up under an advisory lock)",
    ),
    Variable(
        "WSROUTER_BROKER_URL",
        "`memory://`",
        "the broker and registry: `memory://`, one process, or `redis://HOST:PORT/DB` for a"
        " cluster (and for `wsrouter serve --workers N`)",
    ),
    Variable(
        "WSROUTER_ALLOWED_ORIGINS",
        "any origin",
        "comma-separated `Origin`s allowed to open a WebSocket; others get HTTP 403",
    ),
    Variable(
        "WSROUTER_NODE_ID",
        "`node-` and 8 random hex digits",
        "this process's name in the cluster",
    ),
    Variable(
        "WSROUTER_HEARTBEAT_SECONDS",
        "`20`",
        "seconds between protocol pings, and without a pong before closing",
    ),
    Variable(
        "WSROUTER_TIMER_INTERVAL_SECONDS",
        "`30`",
        "seconds between `timer_update` messages of a test session",
    ),
    Variable(
        "WSROUTER_AUTO_SUBMIT_POLL_SECONDS",
        "`1`",
        "how often the server looks for test sessions past their end to submit them",
    ),
    Variable(
        "WSROUTER_SHUTDOWN_GRACE_SECONDS",
        "`5`",
        "seconds given to connections to drain on shutdown (close 1012)",
    ),
    Variable(
        "WSROUTER_HEAD_TIMEOUT_SECONDS",
        "`10`",
        "how long a client has to send a whole request head (408 and closed after it; 431"
        " above 16 KiB)",
    ),
    Variable(
        "WSROUTER_MAX_CONNECTIONS",
        "the open-file limit less 64",
        "open sockets above which new connections and upgrades get HTTP 503 (the server"
        " raises its soft open-file limit to the hard one at start-up)",
    ),
    Variable(
        "WSROUTER_CLOSE_TIMEOUT_SECONDS",
        "`5`",
        "how long a close may take (a peer that never reads it) before the socket is aborted"
        " and the connection unregistered",
    ),
    Variable("WSROUTER_MAX_FRAME_BYTES", "`65536`", "largest frame accepted (close 1009 above it)"),
    Variable(
        "WSROUTER_MESSAGES_PER_SECOND",
        "`20`",
        "messages a connection may send per second, on average; binary frames and WebSocket"
        " pings count too (each against its own bucket)",
    ),
    Variable(
        "WSROUTER_MESSAGE_BURST", "`40`", "messages (and pings) a connection may send in a burst"
    ),
    Variable(
        "WSROUTER_CONNECTIONS_PER_USER",
        "`20`",
        "open connections per user (close 4403 above it)",
    ),
    Variable("WSROUTER_ROOMS_PER_CONNECTION", "`50`", "rooms one connection may join"),
    Variable(
        "WSROUTER_SEND_QUEUE_FRAMES",
        "`256`",
        "frames waiting for a slow client before it is closed (4008)",
    ),
    Variable(
        "WSROUTER_SEND_QUEUE_BYTES",
        "`1048576`",
        "bytes waiting for a slow client before it is closed (4008)",
    ),
    Variable(
        "WSROUTER_LOG_LEVEL",
        "`info`",
        "`critical`, `error`, `warning`, `info`, `debug` or `trace`",
    ),
    Variable(
        "WSROUTER_SPEC_DIR",
        "the specs in the package",
        "a folder with other `asyncapi.yaml` and `openapi.yaml` for `/console`, `/docs` and"
        " the spec routes to serve",
    ),
)
"""Every variable the server reads, in the order the reference lists them."""
