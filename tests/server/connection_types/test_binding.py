"""Binding handler classes to the generated table, and what is reported when one is off."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from wsrouter._generated.connection_types import CONNECTION_TYPES
from wsrouter.connection_types.base import ConnectionHandler, Context
from wsrouter.connection_types.binding import HandlerProblems, bind_handlers
from wsrouter.connection_types.chat import ChatConnection
from wsrouter.connection_types.general import GeneralConnection
from wsrouter.connection_types.notifications import NotificationsConnection
from wsrouter.connection_types.test_session import TestSessionConnection


def test_every_type_of_the_spec_has_its_handler() -> None:
    bound = bind_handlers()
    assert list(bound) == list(CONNECTION_TYPES)
    assert bound == {
        "general": GeneralConnection,
        "notifications": NotificationsConnection,
        "test-session": TestSessionConnection,
        "chat": ChatConnection,
    }


def construct_each(context: Context) -> list[ConnectionHandler]:
    """Never called: mypy --strict reports a handler missing a method right here."""
    return [
        GeneralConnection(context),
        NotificationsConnection(context),
        TestSessionConnection(context),
        ChatConnection(context),
    ]


@pytest.fixture
def package(tmp_path: Path) -> Iterator[str]:
    """An importable package of handler modules, written by the test."""
    root = tmp_path / "handlers_under_test"
    root.mkdir()
    (root / "__init__.py").write_text("", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    yield root.name
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith(root.name)]:
        del sys.modules[name]


def write(package: str, module: str, source: str) -> None:
    path = Path(sys.path[0]) / package / f"{module}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")


def test_every_problem_is_reported_at_once(package: str) -> None:
    write(
        package,
        "general",
        """
        from wsrouter._generated.handlers import GeneralHandler
        from wsrouter.connection_types.base import RoomsHandler

        class Partial(RoomsHandler, GeneralHandler):
            async def on_ping(self, message):
                raise NotImplementedError
        """,
    )
    write(
        package,
        "chat",
        """
        from wsrouter._generated.handlers import ChatHandler

        class NotAHandler(ChatHandler):
            pass
        """,
    )
    write(package, "notifications", "x = 1\n")
    with pytest.raises(HandlerProblems) as raised:
        bind_handlers(package=package)
    problems = raised.value.problems
    assert (
        "connection type 'general': Partial has no on_echo; add `async def on_echo(self, "
        "message: Echo) -> EchoReply` to it in server/wsrouter/connection_types/general.py"
    ) in problems
    assert not any("on_ping" in p for p in problems)
    assert any(p.startswith("connection type 'notifications': server/wsrouter/") for p in problems)
    assert (
        "connection type 'chat': NotAHandler in server/wsrouter/connection_types/chat.py must "
        "extend wsrouter.connection_types.base.ConnectionHandler"
    ) in problems
    assert any(p.startswith("connection type 'test-session': no handler; add ") for p in problems)


def test_a_module_that_fails_to_import_is_its_own_error(package: str) -> None:
    write(package, "general", "import a_module_that_does_not_exist\n")
    with pytest.raises(ModuleNotFoundError):
        bind_handlers(package=package)
