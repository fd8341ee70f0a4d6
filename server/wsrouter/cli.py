"""The ``wsrouter`` command: ``token`` prints a signed JWT, ``serve`` runs the server."""

from __future__ import annotations

import argparse
import contextlib
import errno
import faulthandler
import io
import json
import logging
import math
import os
import re
import resource
import socket
import sys
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import uvicorn
from uvicorn.config import LOG_LEVELS

from wsrouter.auth.tokens import issue_token, redact_token
from wsrouter.clock import iso
from wsrouter.settings import ConfigError, Settings

VAR_DIR = Path("var")
"""Where the dev secret (and the default SQLite database) live, relative to the cwd."""

DEV_TOKEN_TTL_SECONDS = 24 * 3600

# Exit status of `main`: 2 for a usage or configuration error (as argparse does, and for
# an address that cannot be listened on), 3 when the server could not start (as uvicorn does).
EXIT_CONFIG_ERROR = 2
EXIT_STARTUP_FAILURE = 3

_logger = logging.getLogger("wsrouter.cli")


class CannotListen(Exception):
    """The address given to ``serve`` cannot be listened on; the message says why, in a line."""


def main(argv: list[str] | None = None) -> int:
    """Run the ``wsrouter`` command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "token":
            return _token(args)
        return _serve(args)
    except ConfigError as exc:
        print(f"wsrouter: configuration error: {exc}", file=sys.stderr, flush=True)
        return EXIT_CONFIG_ERROR
    except CannotListen as exc:
        print(f"wsrouter: {exc}", file=sys.stderr, flush=True)
        return EXIT_CONFIG_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wsrouter",
        description="A spec-first WebSocket router. Configured by WSROUTER_* variables.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    token = commands.add_parser(
        "token",
        help="print a JWT signed with the configured secret",
        description="Print a JWT signed with WSROUTER_JWT_SECRET (or the dev secret in var/).",
    )
    token.add_argument("--sub", required=True, help="the user id")
    token.add_argument("--name", help="the display name (default: the user id)")
    token.add_argument("--role", help='the role; "admin" grants the admin API')
    token.add_argument(
        "--ttl", type=_positive_int, default=3600, metavar="SECONDS", help="default: 3600"
    )

    serve = commands.add_parser(
        "serve",
        help="run the server",
        description="Run the server; without WSROUTER_JWT_SECRET it prints example tokens.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    serve.add_argument("--port", type=_port, default=8000, help="default: 8000")
    serve.add_argument(
        "--workers",
        type=_worker_count,
        default=1,
        metavar="N",
        help="run N processes on this port (needs WSROUTER_BROKER_URL=redis://...); default: 1",
    )
    return parser


def _token(args: argparse.Namespace) -> int:
    secret_file = VAR_DIR / "dev-secret"
    if _uses_dev_secret(os.environ) and not secret_file.is_file():
        # A new secret here would sign tokens that no running server accepts: `serve` makes
        # the secret in its own working directory, and this is not (yet) one.
        print(
            f"wsrouter token: no dev secret at {secret_file.absolute()}: run it in the"
            " directory where `wsrouter serve` runs (it makes the secret), or set"
            " WSROUTER_JWT_SECRET",
            file=sys.stderr,
            flush=True,
        )
        return EXIT_CONFIG_ERROR
    settings = Settings.from_env(var_dir=VAR_DIR)
    try:
        token = issue_token(
            settings, sub=args.sub, name=args.name, role=args.role, ttl_seconds=args.ttl
        )
    except ValueError as exc:
        print(f"wsrouter token: {exc}", file=sys.stderr, flush=True)
        return EXIT_CONFIG_ERROR
    print(token, flush=True)
    return 0


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(var_dir=VAR_DIR)
    log_level = _log_level(os.environ)
    configure_logging(LOG_LEVELS[log_level])
    # Imported here: `wsrouter token` should not have to load the whole server.
    from wsrouter.connection_types.binding import HandlerProblems, bind_handlers  # noqa: PLC0415

    try:
        bind_handlers()  # before anything is printed or served
    except HandlerProblems as exc:
        for problem in exc.problems:
            print(f"wsrouter: {problem}", file=sys.stderr, flush=True)
        return EXIT_CONFIG_ERROR
    from wsrouter.cluster import check_backends  # noqa: PLC0415

    # A fatal signal (SIGBUS when a memory-mapped file such as SQLite's -shm cannot be
    # paged in, SIGSEGV) kills the process before any Python code runs: without this,
    # with no line at all. faulthandler writes what it can to stderr (which thread, in
    # which call) and lets the signal end the process; workers inherit it at fork.
    with contextlib.suppress(io.UnsupportedOperation, ValueError):  # stderr is no file
        faulthandler.enable(all_threads=True)

    if args.workers > 1 and settings.broker_url == "memory://":
        raise ConfigError(
            "--workers needs the Redis broker (WSROUTER_BROKER_URL=redis://HOST:PORT/DB):"
            " the worker processes share connections, rooms and limits through it"
        )
    check_backends(settings)  # Redis or PostgreSQL unreachable: one line, exit status 2
    # Bound before the banner: a busy port is one line and exit 2, not tokens then a traceback.
    if args.workers == 1:
        sockets = listen(args.host, args.port)
        if settings.dev_mode:
            print(dev_banner(settings, args.host, args.port), flush=True)
        return _run(settings, args, log_level, sockets)
    from wsrouter.workers import reuseport_sockets, serve_workers  # noqa: PLC0415

    worker_sockets = reuseport_sockets(args.host, args.port, args.workers)
    if settings.dev_mode:
        print(dev_banner(settings, args.host, args.port), flush=True)
    return serve_workers(
        worker_sockets,
        lambda index, sockets: _run(
            replace(settings, node_id=f"{settings.node_id}-{index}"), args, log_level, sockets
        ),
    )


def _run(
    settings: Settings,
    args: argparse.Namespace,
    log_level: str,
    sockets: list[socket.socket] | None,
) -> int:
    """Build the app and serve it until a signal; the exit status."""
    from wsrouter.app import create_app  # noqa: PLC0415
    from wsrouter.transport.uvicorn_http import RouterHttpProtocol  # noqa: PLC0415
    from wsrouter.transport.uvicorn_protocol import RouterWebSocketProtocol  # noqa: PLC0415

    app = create_app(settings)
    # Again, after the app: Litestar's default logging config replaces our root handler.
    configure_logging(LOG_LEVELS[log_level])
    descriptors = _raise_descriptor_limit()
    # Each socket is a file descriptor: keep some for the database, logs and the listener.
    max_connections = settings.max_connections or max(descriptors - 64, 64)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        # uvicorn's sans-I/O websockets implementation, with the router's bounds on
        # pings, write buffers and closes (transport/uvicorn_protocol.py); compression
        # off (CPU and memory per connection, and the CRIME/BREACH family); frames over
        # the limit close with 1009.
        # uvicorn's h11 protocol with a deadline and a size limit on request heads
        # (transport/uvicorn_http.py): a half-sent handshake does not hold a socket.
        http=RouterHttpProtocol.configured(
            head_timeout=settings.head_timeout_seconds, max_head_bytes=MAX_HEAD_BYTES
        ),
        # h11 refuses a head past this with a bare 400; ours (431) comes first.
        h11_max_incomplete_event_size=MAX_HEAD_BYTES + 4096,
        # Past it, new connections (WebSocket upgrades too) get 503 at once.
        limit_concurrency=max_connections,
        ws=RouterWebSocketProtocol.configured(
            pings_per_second=settings.limits.messages_per_second,
            ping_burst=settings.limits.message_burst,
            ping_strikes=settings.limits.rate_limit_strikes,
            max_buffer_bytes=settings.limits.send_queue_bytes,
            close_after_seconds=settings.close_timeout_seconds,
        ),
        # uvloop, not asyncio's own loop: about twice the round trips per core here, for
        # the router and for any ASGI app (docs/design/benchmarks.md).
        loop="uvloop",
        # Said, not guessed: uvicorn takes an app whose __call__ is a plain function for
        # ASGI 2, and the router's returns its coroutine (one frame less per connection).
        interface="asgi3",
        # Above the protocol's limit, so that the router itself answers a frame just
        # over it with `message_too_big` before closing 1009; far larger frames are
        # closed with 1009 by uvicorn directly.
        ws_max_size=settings.limits.max_frame_bytes * 4,
        ws_per_message_deflate=False,
        ws_ping_interval=settings.heartbeat_seconds,
        ws_ping_timeout=settings.heartbeat_seconds,
        # uvicorn takes whole seconds; round up so the app always gets its full grace.
        timeout_graceful_shutdown=math.ceil(settings.shutdown_grace_seconds),
        lifespan="on",
        # Ours (configure_logging above), not uvicorn's: it would drop the redaction.
        log_config=None,
        log_level=log_level,
        access_log=False,
        server_header=False,
    )
    server = _DrainingServer(config, app.state.endpoint, settings.shutdown_grace_seconds)
    server.run(sockets=sockets)
    return 0 if server.started else EXIT_STARTUP_FAILURE


MAX_HEAD_BYTES = 16 * 1024
"""The largest request head (request line and headers) accepted: 431 above it."""


def _raise_descriptor_limit() -> int:
    """Raise the soft limit on open files to the hard one; return the limit in force.

    The default soft limit (often 1,024) would refuse connections long before memory
    runs out; the hard limit is what the administrator allows.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1_048_576
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft if soft != resource.RLIM_INFINITY else target
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):
        return soft
    return target


class _DrainingServer(uvicorn.Server):
    """On shutdown: stop accepting, flush and close every WebSocket with 1012, then stop.

    uvicorn alone would close WebSockets without sending what their queues still hold.
    """

    def __init__(self, config: uvicorn.Config, endpoint: Any, grace: float) -> None:
        super().__init__(config)
        self._endpoint = endpoint
        self._grace = grace

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        # uvicorn says where it listens only when it bound the sockets itself; ours are
        # bound by `listen`, so say it here, for every address (127.0.0.1 and ::1 alike).
        if self.started and sockets:
            urls = ", ".join(f"http://{_address(sock)}" for sock in sockets)
            _logger.info("wsrouter running on %s (Press CTRL+C to quit)", urls)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()
        await self._endpoint.drain(1012, "server restarting", self._grace)
        await super().shutdown(sockets)


def dev_banner(settings: Settings, host: str, port: int) -> str:
    """What ``wsrouter serve`` prints in dev mode: example tokens and commands to paste."""
    user = issue_token(settings, sub="1", name="Alice", ttl_seconds=DEV_TOKEN_TTL_SECONDS)
    admin = issue_token(settings, sub="admin", role="admin", ttl_seconds=DEV_TOKEN_TTL_SECONDS)
    address = _url_host(host, port)
    return "\n".join(
        [
            "wsrouter: development mode (WSROUTER_JWT_SECRET is not set): tokens are",
            f"signed with the dev secret in {(VAR_DIR / 'dev-secret').absolute()};"
            " `wsrouter token --sub ID` run in this directory makes more.",
            "",
            f"Console (in a browser, tokens prefilled): http://{address}/console",
            "",
            'User token (sub "1", name "Alice", valid 24 h):',
            f"  {user}",
            'Admin token (sub "admin", role admin, valid 24 h):',
            f"  {admin}",
            "",
            "Paste for the SDK and the examples (then .venv/bin/python examples/general.py):",
            f"  export WSROUTER_URL=ws://{address}/ws WSROUTER_HTTP_URL=http://{address}",
            f"  export WSROUTER_TOKEN={user} WSROUTER_ADMIN_TOKEN={admin}",
            "",
            "Connect (general connection type, as Alice):",
            f"  ws://{address}/ws?connection_type=general&token={user}",
            "Statistics (admin API):",
            f'  curl -H "Authorization: Bearer {admin}" http://{address}/ws/stats',
            "",
        ]
    )


class RedactTokens(logging.Filter):
    """Replaces every ``token=`` value in a record's message and traceback with ``***``.

    uvicorn logs each WebSocket handshake with its path and query string, which is where
    browsers put the token. Installed on the handler (filters on a logger do not see
    records propagated from its children), it sees every record that gets written.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; never drops it."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A bad format call: logging would print msg and args raw, so join them here.
            message = f"{record.msg} {record.args!r}"
        record.msg = redact_token(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_token(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_token(record.stack_info)
        return True


# Attributes every LogRecord has; anything else came from `extra=` and is logged as a field.
_RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured duplicate of msg
}
_BARE_VALUE = re.compile(r"[^\s\"=\\]+")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


class KeyValueFormatter(logging.Formatter):
    """One line per event: ``ts=... level=info logger=uvicorn.error msg="..."`` (logfmt).

    Values with spaces, quotes or newlines are JSON-quoted, so a traceback stays on its
    line as ``exc="...\\n..."``; the whole line is redacted once more on the way out.
    """

    def format(self, record: logging.LogRecord) -> str:
        """The record as ``key=value`` pairs."""
        fields: dict[str, object] = {
            "ts": iso(datetime.fromtimestamp(record.created, UTC)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and _KEY.fullmatch(key):
                fields[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            fields["exc"] = record.exc_text
        if record.stack_info:
            fields["stack"] = record.stack_info
        return redact_token(" ".join(f"{key}={_value(val)}" for key, val in fields.items()))


def configure_logging(level: int, stream: TextIO | None = None) -> logging.Handler:
    """Make every log record one redacted ``key=value`` line on ``stream`` (stderr).

    Takes the root logger over: its other handlers are removed. Loggers that a library
    gave handlers of their own and cut off from the root (Litestar's default config does
    that to ``litestar``, and puts a root handler in place of ours) get the redacting
    filter on those handlers, so whatever they write is redacted too.
    """
    root = logging.getLogger()
    for other in list(root.handlers):
        root.removeHandler(other)
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.addFilter(RedactTokens())
    handler.setFormatter(KeyValueFormatter())
    root.addHandler(handler)
    root.setLevel(level)
    for logger in list(logging.root.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            for other in logger.handlers:
                if not any(isinstance(f, RedactTokens) for f in other.filters):
                    other.addFilter(RedactTokens())
    return handler


def _value(value: object) -> str:
    text = str(value)
    if _BARE_VALUE.fullmatch(text):
        return text
    return json.dumps(text, ensure_ascii=False)


def _log_level(env: Mapping[str, str]) -> str:
    level = env.get("WSROUTER_LOG_LEVEL", "info").strip().lower() or "info"
    if level not in LOG_LEVELS:
        raise ConfigError(f"WSROUTER_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
    return level


def listen(host: str, port: int) -> list[socket.socket]:
    """Listening sockets for ``host``:``port``, bound now; :class:`CannotListen` if not.

    A busy port names the next free one, so the way out is in the same line.
    """
    try:
        if host == "localhost":
            return _localhost_sockets(port)
        return [_bind(host, port)]
    except socket.gaierror as exc:
        raise CannotListen(f"cannot listen on {host}: {exc.strerror}") from None
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise CannotListen(f"cannot listen on {host} port {port}: {exc.strerror}") from None
        free = _next_free_port(host, port)
        hint = f"; make run PORT={free} (wsrouter serve --port {free})" if free else ""
        raise CannotListen(f"port {port} is in use{hint}") from None


def _bind(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _next_free_port(host: str, port: int, tries: int = 20) -> int | None:
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        try:
            for sock in (
                _localhost_sockets(candidate) if host == "localhost" else [_bind(host, candidate)]
            ):
                sock.close()
        except OSError:
            continue
        return candidate
    return None


def _localhost_sockets(port: int) -> list[socket.socket]:
    """Listening sockets on 127.0.0.1 and, where the machine has IPv6, ::1.

    ``localhost`` resolves to both, and clients differ in which they try first (Node
    tries ::1); binding only one would make ``ws://localhost:8000`` fail for some.
    """
    sockets = []
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError:
            continue  # no IPv6 on this machine
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind((address, port))
        except OSError:
            sock.close()
            if family == socket.AF_INET:
                raise
            continue
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


def _url_host(host: str, port: int) -> str:
    """``host:port`` as a client would write it in a URL (a wildcard bind means "this machine")."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
        host = "localhost"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _uses_dev_secret(env: Mapping[str, str]) -> bool:
    """Whether :meth:`Settings.from_env` would sign with the dev secret in ``var/``."""
    return (
        not env.get("WSROUTER_JWT_SECRET") and env.get("WSROUTER_JWT_ALGORITHM", "HS256") == "HS256"
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be a positive number of seconds")
    return value


def _worker_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("must be between 1 and 64")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError("must be between 1 and 65535")
    return value


if __name__ == "__main__":
    sys.exit(main())
