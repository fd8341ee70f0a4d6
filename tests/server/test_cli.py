"""The ``wsrouter`` command: ``token``, ``serve`` (uvicorn faked) and the redacting log setup."""

from __future__ import annotations

import io
import logging
import os
import re
import socket
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar import Litestar

from wsrouter import cli
from wsrouter.auth import TokenVerifier
from wsrouter.cli import KeyValueFormatter, RedactTokens, configure_logging, main
from wsrouter.clock import utcnow
from wsrouter.settings import Settings
from wsrouter.transport.uvicorn_protocol import RouterWebSocketProtocol

SECRET = "a-configured-secret-of-more-than-32-bytes"
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
TOKEN_IN_URL = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
HANDSHAKE = ("127.0.0.1:5555", f"/ws?connection_type=general&token={TOKEN_IN_URL}")


@pytest.fixture(autouse=True)
def workdir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A fresh cwd (the dev secret goes to its var/) and no WSROUTER_* variable set."""
    for name in list(os.environ):
        if name.startswith("WSROUTER_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True)
def logging_state() -> Iterator[None]:
    """Put back what ``configure_logging`` and uvicorn change in the global logging state."""
    names = ["", "litestar", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi"]
    loggers = [logging.getLogger(name or None) for name in names]
    saved = [
        (logger.level, list(logger.handlers), logger.propagate, logger.disabled)
        for logger in loggers
    ]
    filters = {h: list(h.filters) for logger in loggers for h in logger.handlers}
    yield
    for logger, (level, handlers, propagate, disabled) in zip(loggers, saved, strict=True):
        logger.setLevel(level)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.disabled = disabled
    for handler, kept in filters.items():
        handler.filters[:] = kept


def _dev_settings(workdir: Path) -> Settings:
    return Settings.from_env({}, var_dir=workdir / "var")


# wsrouter token


def test_token_prints_a_token_that_verifies_with_the_same_settings(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _dev_settings(workdir)
    status = main(["token", "--sub", "42", "--name", "Bob", "--role", "admin", "--ttl", "60"])

    out = capsys.readouterr().out
    principal = TokenVerifier(_dev_settings(workdir)).verify(out.strip())
    assert status == 0
    assert out.count("\n") == 1
    assert (principal.user_id, principal.name, principal.is_admin) == ("42", "Bob", True)
    assert abs(principal.expires_at - (utcnow() + timedelta(seconds=60))) < timedelta(seconds=5)


def test_token_without_a_dev_secret_refuses_and_names_the_file(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Run from another directory than the server's, a new secret would sign tokens the
    # server rejects (401).
    status = main(["token", "--sub", "42"])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert str(workdir / "var" / "dev-secret") in captured.err
    assert "WSROUTER_JWT_SECRET" in captured.err
    assert captured.err.count("\n") == 1
    assert not (workdir / "var").exists()


def test_token_signs_with_the_dev_secret_that_serve_made(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _dev_settings(workdir)  # what `wsrouter serve` does first in this directory

    assert main(["token", "--sub", "42"]) == 0

    assert TokenVerifier(settings).verify(capsys.readouterr().out.strip()).user_id == "42"


def test_token_uses_the_configured_secret(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSROUTER_JWT_SECRET", SECRET)

    assert main(["token", "--sub", "7"]) == 0

    token = capsys.readouterr().out.strip()
    assert TokenVerifier(Settings(jwt_secret=SECRET)).verify(token).user_id == "7"
    assert not (workdir / "var").exists()


def test_token_exits_2_with_one_line_on_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSROUTER_JWT_SECRET", "too-short")

    status = main(["token", "--sub", "42"])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err == (
        "wsrouter: configuration error: WSROUTER_JWT_SECRET must be at least 32 bytes long\n"
    )


def test_token_exits_2_when_the_server_holds_only_a_public_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSROUTER_JWT_ALGORITHM", "RS256")
    monkeypatch.setenv("WSROUTER_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----...")

    assert main(["token", "--sub", "42"]) == 2
    assert "can only issue HS256 tokens" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["token"], ["token", "--sub", "42", "--ttl", "0"], ["token", "--sub", "1", "--ttl", "x"], []],
    ids=["no-sub", "zero-ttl", "ttl-not-a-number", "no-command"],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(argv)

    assert caught.value.code == 2
    assert "usage: wsrouter" in capsys.readouterr().err


# wsrouter serve (create_app and uvicorn.Server.run faked)


class _FakeApp:
    """Stands in for the Litestar app: never served, but has the endpoint ``serve`` drains."""

    def __init__(self) -> None:
        self.state = types.SimpleNamespace(endpoint=object())

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the fake app is never served")


_fake_asgi_app = _FakeApp()


@dataclass
class FakeServe:
    """What ``serve`` handed to ``create_app`` and uvicorn, and what it had printed by then."""

    starts: bool = True
    settings: list[Settings] = field(default_factory=list)
    configs: list[uvicorn.Config] = field(default_factory=list)
    listened: list[tuple[str, int]] = field(default_factory=list)
    printed_before_run: str = ""

    @property
    def config(self) -> uvicorn.Config:
        (config,) = self.configs
        return config


@pytest.fixture
def fake_serve(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> FakeServe:
    fake = FakeServe()

    def create_app(settings: Settings) -> Any:
        fake.settings.append(settings)
        return _fake_asgi_app

    def listen(host: str, port: int) -> list[Any]:
        fake.listened.append((host, port))
        return []

    def run(server: uvicorn.Server, sockets: object = None) -> None:
        assert sockets == []  # what the fake `listen` gave
        fake.configs.append(server.config)
        fake.printed_before_run = capsys.readouterr().out
        print(fake.printed_before_run, end="")  # leave it for the test to read too
        server.started = fake.starts

    app_module = types.ModuleType("wsrouter.app")
    app_module.create_app = create_app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "wsrouter.app", app_module)
    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setattr(cli, "listen", listen)
    return fake


def test_serve_runs_uvicorn_with_the_protocols_websocket_settings(fake_serve: FakeServe) -> None:
    assert main(["serve", "--port", "8123"]) == 0

    config = fake_serve.config
    assert fake_serve.listened == [("127.0.0.1", 8123)]
    assert config.app is _fake_asgi_app
    assert (config.host, config.port) == ("127.0.0.1", 8123)
    assert isinstance(config.ws, type)
    assert issubclass(config.ws, RouterWebSocketProtocol)
    assert (config.ws.pings_per_second, config.ws.ping_burst) == (20.0, 40)
    assert config.ws.max_buffer_bytes == 1024 * 1024
    assert config.ws.close_after_seconds == 5.0
    assert config.interface == "asgi3"
    assert config.loop == "uvloop"
    assert config.ws_per_message_deflate is False
    assert config.ws_max_size == 4 * 64 * 1024  # the router answers frames just over its limit
    assert (config.ws_ping_interval, config.ws_ping_timeout) == (20.0, 20.0)
    assert config.timeout_graceful_shutdown == 5
    assert config.lifespan == "on"
    assert config.log_config is None
    assert config.log_level == "info"
    assert config.access_log is False
    assert config.server_header is False


def test_serve_builds_the_app_from_the_settings(
    fake_serve: FakeServe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WSROUTER_JWT_SECRET", SECRET)
    monkeypatch.setenv("WSROUTER_MAX_FRAME_BYTES", "4096")
    monkeypatch.setenv("WSROUTER_HEARTBEAT_SECONDS", "7.5")
    monkeypatch.setenv("WSROUTER_SHUTDOWN_GRACE_SECONDS", "2.5")

    assert main(["serve"]) == 0

    (settings,) = fake_serve.settings
    assert settings.jwt_secret == SECRET
    assert fake_serve.config.ws_max_size == 4 * 4096
    assert fake_serve.config.ws_ping_interval == 7.5
    assert fake_serve.config.timeout_graceful_shutdown == 3  # rounded up, never shortened


def test_serve_in_dev_mode_prints_example_tokens_before_starting(
    fake_serve: FakeServe, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--port", "8123"]) == 0

    out = capsys.readouterr().out
    assert out == fake_serve.printed_before_run
    user, admin = dict.fromkeys(JWT.findall(out))  # each token appears twice
    verifier = TokenVerifier(_dev_settings(workdir))
    alice, root = verifier.verify(user), verifier.verify(admin)
    assert (alice.user_id, alice.name, alice.is_admin) == ("1", "Alice", False)
    assert (root.user_id, root.is_admin) == ("admin", True)
    assert timedelta(hours=23) < alice.expires_at - utcnow() <= timedelta(hours=24)
    lines = [line.strip() for line in out.splitlines()]
    assert f"ws://127.0.0.1:8123/ws?connection_type=general&token={user}" in lines
    assert f'curl -H "Authorization: Bearer {admin}" http://127.0.0.1:8123/ws/stats' in lines
    assert "Console (in a browser, tokens prefilled): http://127.0.0.1:8123/console" in lines
    # The names the examples and the README read.
    assert f"export WSROUTER_TOKEN={user} WSROUTER_ADMIN_TOKEN={admin}" in lines
    assert (
        "export WSROUTER_URL=ws://127.0.0.1:8123/ws WSROUTER_HTTP_URL=http://127.0.0.1:8123"
        in lines
    )
    assert str(workdir / "var" / "dev-secret") in out


def test_serve_examples_name_localhost_for_a_wildcard_host(
    fake_serve: FakeServe, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--host", "0.0.0.0"]) == 0  # noqa: S104 - never bound: run is faked

    out = capsys.readouterr().out
    assert fake_serve.config.host == "0.0.0.0"  # noqa: S104
    assert "ws://localhost:8000/ws?connection_type=general&token=" in out
    assert "http://localhost:8000/ws/stats" in out


def test_serve_prints_no_token_when_a_secret_is_configured(
    fake_serve: FakeServe, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSROUTER_JWT_SECRET", SECRET)

    assert main(["serve"]) == 0

    assert not JWT.search(capsys.readouterr().out)
    assert not fake_serve.settings[0].dev_mode


def test_serve_takes_the_log_level_from_the_environment(
    fake_serve: FakeServe, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WSROUTER_LOG_LEVEL", "DEBUG")

    assert main(["serve"]) == 0

    assert fake_serve.config.log_level == "debug"
    assert logging.getLogger().level == logging.DEBUG


def test_serve_exits_2_on_an_unknown_log_level(
    fake_serve: FakeServe, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WSROUTER_LOG_LEVEL", "loud")

    assert main(["serve"]) == 2

    assert "WSROUTER_LOG_LEVEL must be one of" in capsys.readouterr().err
    assert fake_serve.configs == []


def test_serve_exits_3_when_the_server_did_not_start(fake_serve: FakeServe) -> None:
    fake_serve.starts = False

    assert main(["serve"]) == 3


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port something else listens on, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_serve_on_a_busy_port_says_so_in_one_line_before_any_banner(
    host: str, busy_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("uvicorn must not run")

    monkeypatch.setattr(uvicorn.Server, "run", never)

    status = main(["serve", "--host", host, "--port", str(busy_port)])

    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""  # no tokens printed for a server that never ran
    assert re.fullmatch(
        rf"wsrouter: port {busy_port} is in use; make run PORT=(\d+) "
        r"\(wsrouter serve --port \1\)\n",
        captured.err,
    )


def test_serve_names_a_free_port_in_the_busy_port_line(
    busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(cli.CannotListen) as caught:
        cli.listen("127.0.0.1", busy_port)

    suggested = int(re.findall(r"PORT=(\d+)", str(caught.value))[0])
    assert suggested > busy_port
    for sock in cli.listen("127.0.0.1", suggested):
        sock.close()


def test_serve_on_an_unknown_host_exits_2_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--host", "no-such-host.invalid", "--port", "8000"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("wsrouter: cannot listen on no-such-host.invalid")
    assert err.count("\n") == 1


def test_serve_installs_the_redacting_log_handler(fake_serve: FakeServe) -> None:
    assert main(["serve"]) == 0

    (handler,) = logging.getLogger().handlers
    assert any(isinstance(f, RedactTokens) for f in handler.filters)
    assert isinstance(handler.formatter, KeyValueFormatter)


# Logging


def test_log_filter_redacts_the_token_from_a_uvicorn_handshake_record() -> None:
    record = logging.LogRecord(
        "uvicorn.error",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        HANDSHAKE,
        None,
    )

    assert RedactTokens().filter(record)

    assert record.getMessage() == (
        '127.0.0.1:5555 - "WebSocket /ws?connection_type=general&token=***" [accepted]'
    )


def test_log_filter_redacts_the_token_from_a_traceback() -> None:
    try:
        raise RuntimeError(f"failed on {HANDSHAKE[1]}")
    except RuntimeError:
        record = logging.LogRecord(
            "uvicorn.error", logging.ERROR, __file__, 1, "boom", None, sys.exc_info()
        )

    RedactTokens().filter(record)

    assert record.exc_text is not None
    assert TOKEN_IN_URL not in record.exc_text
    assert "token=***" in record.exc_text


def test_logged_handshake_is_one_redacted_key_value_line() -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, stream)

    logging.getLogger("uvicorn.error").info('%s - "WebSocket %s" [accepted]', *HANDSHAKE)

    line = stream.getvalue()
    assert TOKEN_IN_URL not in line
    assert line.count("\n") == 1
    assert re.fullmatch(
        r"ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info logger=uvicorn\.error "
        r'msg="127\.0\.0\.1:5555 - \\"WebSocket /ws\?connection_type=general&token=\*\*\*\\" '
        r'\[accepted\]"\n',
        line,
    )


def test_logged_exception_stays_on_one_line() -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, stream)

    try:
        raise RuntimeError(f"failed on {HANDSHAKE[1]}")
    except RuntimeError:
        logging.getLogger("wsrouter.test").exception("handler failed")

    line = stream.getvalue()
    assert line.count("\n") == 1
    assert 'msg="handler failed" exc="Traceback' in line
    assert TOKEN_IN_URL not in line


def test_extra_fields_are_logged_as_key_values() -> None:
    stream = io.StringIO()
    configure_logging(logging.INFO, stream)

    logging.getLogger("wsrouter.test").info(
        "connection closed", extra={"connection_id": "general_1_17", "code": 4401}
    )

    assert stream.getvalue().endswith(
        ' msg="connection closed" connection_id=general_1_17 code=4401\n'
    )


def test_logging_takes_over_from_litestars_default_config() -> None:
    # Building a Litestar app with its default logging config replaces the root handlers
    # and gives "litestar" a handler of its own that does not propagate.
    Litestar(route_handlers=[])
    litestar_handlers = logging.getLogger("litestar").handlers
    assert litestar_handlers

    handler = configure_logging(logging.INFO, io.StringIO())

    assert logging.getLogger().handlers == [handler]
    for other in litestar_handlers:
        record = logging.LogRecord("litestar", logging.INFO, __file__, 1, "%s %s", HANDSHAKE, None)
        assert other.filter(record)
        assert TOKEN_IN_URL not in record.getMessage()
