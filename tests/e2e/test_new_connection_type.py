"""A new connection type is the spec plus one handler module: nothing else is edited.

These tests work on a copy of the project (the specs, the server and the SDK) in a
temporary folder: they change the spec there, regenerate, and start a real
``wsrouter serve`` from the copy (its folders first on ``PYTHONPATH``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.e2e.harness import Peer, ServerProcess, free_port, server_env
from tests.timing import TIMEOUT

ROOT = Path(__file__).resolve().parents[2]

QUIZ_HANDLER = '''\
"""``quiz``: one question at a time."""

from __future__ import annotations

from wsrouter._generated.handlers import QuizHandler
from wsrouter._generated.messages import GetQuestion, Question, QuizStarted
from wsrouter.clock import now_iso
from wsrouter.connection_types.base import ConnectionHandler


class QuizConnection(ConnectionHandler, QuizHandler):
    """A ``quiz`` connection."""

    async def open(self) -> None:
        self.send(self.established())
        self.send(QuizStarted(questions=3, timestamp=now_iso()))

    async def on_get_question(self, message: GetQuestion) -> Question:
        """The question numbered ``message.number``."""
        return Question(number=message.number, text=f"Question {message.number}?",
                        timestamp=now_iso())
'''

CLIENT_SCRIPT = """
import asyncio, sys
from wsrouter_client import connect, connect_sync
from wsrouter_client.messages import Question, QuizStarted

url, token = sys.argv[1], sys.argv[2]

async def main() -> None:
    async with connect(url, connection_type="quiz", token=token) as quiz:
        assert quiz.established.connection_type == "quiz", quiz.established
        reply = await quiz.get_question(number=2)
        assert isinstance(reply, Question) and reply.text == "Question 2?", reply
        async for frame in quiz.messages(timeout=5):
            if isinstance(frame, QuizStarted):
                assert frame.questions == 3
                break
        print("async", reply.number, type(quiz).__name__)

asyncio.run(main())
with connect_sync(url, connection_type="quiz", token=token) as quiz:
    reply = quiz.get_question(number=5)
    assert reply.text == "Question 5?", reply
    print("sync", reply.number, type(quiz).__name__)
    sys.stdout.flush()
    sys.stdin.readline()  # stay connected until the test has read /ws/stats
"""


def copy_project(target: Path) -> Path:
    """The specs, the server and the SDK, copied to ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target.mkdir(parents=True)
    for name in ("asyncapi.yaml", "openapi.yaml", "pyproject.toml"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(ROOT / "server" / "wsrouter", target / "server" / "wsrouter", ignore=ignore)
    shutil.copytree(
        ROOT / "clients" / "python" / "wsrouter_client",
        target / "clients" / "python" / "wsrouter_client",
        ignore=ignore,
    )
    return target


def edit_yaml(path: Path, change: Any) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def message(name: str, props: dict[str, Any], required: list[str], trait: bool) -> dict[str, Any]:
    return {
        "name": name,
        "title": name.replace("_", " ").capitalize(),
        **({"traits": [{"$ref": "#/components/messageTraits/request"}]} if trait else {}),
        "payload": {
            "type": "object",
            "additionalProperties": False,
            "required": ["type", *required],
            "properties": {"type": {"type": "string", "const": name}, **props},
        },
    }


def add_quiz(spec: dict[str, Any]) -> None:
    """The ``quiz`` type: ``get_question`` -> ``question``, and ``quiz_started`` pushed."""
    spec["info"]["tags"].append(
        {
            "name": "quiz",
            "description": "One question at a time.",
            "x-connection-type": {"greeting": "connectionEstablished"},
        }
    )
    spec["components"]["schemas"]["ConnectionType"]["enum"].append("quiz")
    number = {"type": "integer", "minimum": 1}
    request_id = {"$ref": "#/components/schemas/RequestId"}
    timestamp = {"$ref": "#/components/schemas/Timestamp"}
    messages = spec["components"]["messages"]
    messages["GetQuestion"] = message(
        "get_question", {"number": number, "request_id": request_id}, ["number"], True
    )
    messages["Question"] = message(
        "question",
        {
            "number": number,
            "text": {"type": "string"},
            "request_id": request_id,
            "timestamp": timestamp,
        },
        ["number", "text", "timestamp"],
        True,
    )
    messages["QuizStarted"] = message(
        "quiz_started",
        {"questions": number, "timestamp": timestamp},
        ["questions", "timestamp"],
        False,
    )
    channel = spec["channels"]["ws"]["messages"]
    for key in ("getQuestion", "question", "quizStarted"):
        channel[key] = {"$ref": f"#/components/messages/{key[0].upper()}{key[1:]}"}
    ref = {"$ref": "#/channels/ws"}
    spec["operations"]["getQuestion"] = {
        "action": "receive",
        "channel": ref,
        "summary": "The question of that number.",
        "tags": [{"name": "quiz"}],
        "messages": [{"$ref": "#/channels/ws/messages/getQuestion"}],
        "reply": {
            "channel": ref,
            "messages": [
                {"$ref": "#/channels/ws/messages/question"},
                {"$ref": "#/channels/ws/messages/error"},
            ],
        },
    }
    spec["operations"]["sendQuizStarted"] = {
        "action": "send",
        "channel": ref,
        "summary": "Sent once the quiz has started.",
        "tags": [{"name": "quiz"}],
        "messages": [{"$ref": "#/channels/ws/messages/quizStarted"}],
    }
    for op in ("sendConnectionEstablished", "sendError"):
        spec["operations"][op]["tags"].append({"name": "quiz"})


def add_quiz_to_openapi(spec: dict[str, Any]) -> None:
    spec["components"]["schemas"]["ConnectionType"]["enum"].append("quiz")


def regenerate(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wsrouter_codegen", "generate"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=30 * TIMEOUT,
    )


def project_env(project: Path, workdir: Path) -> dict[str, str]:
    paths = [str(project / "server"), str(project / "clients" / "python")]
    return server_env(workdir, {"PYTHONPATH": os.pathsep.join(paths)})


@pytest.fixture
def quiz_project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project")
    edit_yaml(project / "asyncapi.yaml", add_quiz)
    edit_yaml(project / "openapi.yaml", add_quiz_to_openapi)
    return project


@pytest.fixture
def quiz_server(quiz_project: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    generated = regenerate(quiz_project)
    assert generated.returncode == 0, generated.stderr
    handler = quiz_project / "server" / "wsrouter" / "connection_types" / "quiz.py"
    handler.write_text(QUIZ_HANDLER, encoding="utf-8")
    workdir = tmp_path / "work"
    (workdir / "var").mkdir(parents=True)
    server = ServerProcess(workdir, free_port(), project_env(quiz_project, workdir))
    server.start()
    yield server
    server.stop()


def test_a_new_type_is_the_spec_and_one_handler_module(
    quiz_server: ServerProcess, quiz_project: Path
) -> None:
    client = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", CLIENT_SCRIPT, quiz_server.ws_url, quiz_server.token("7")],
        env=quiz_server.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert client.stdout is not None
        lines = [client.stdout.readline().strip() for _ in range(2)]
        assert lines == ["async 2 QuizConnection", "sync 5 SyncQuizConnection"], (
            lines,
            client.stderr.read() if client.stderr else "",
        )
        stats = httpx.get(
            f"{quiz_server.http_url}/ws/stats",
            headers=quiz_server.admin_headers(),
            timeout=TIMEOUT,
        )
        assert stats.status_code == 200, stats.text
        assert stats.json()["connections_by_type"] == {
            "general": 0,
            "notifications": 0,
            "test-session": 0,
            "chat": 0,
            "quiz": 1,
        }
        console = httpx.get(f"{quiz_server.http_url}/console/spec.json", timeout=TIMEOUT)
        assert console.status_code == 200, console.text
        types = [t["name"] for t in console.json()["websocket"]["connection_types"]]
        assert "quiz" in types
        metrics = httpx.get(f"{quiz_server.http_url}/metrics", timeout=TIMEOUT).text
        assert 'wsrouter_connections_opened_total{type="quiz"} 2' in metrics
    finally:
        client.communicate("\n", timeout=10 * TIMEOUT)
    assert client.returncode == 0
    # The hand-written change: the spec (plus the openapi enum it is checked against)
    # and one module; everything else came out of the generator.
    added = {
        path.relative_to(quiz_project).as_posix()
        for path in quiz_project.rglob("*.py")
        if "_generated" not in path.parts and not (ROOT / path.relative_to(quiz_project)).exists()
    }
    assert added == {"server/wsrouter/connection_types/quiz.py"}


def test_a_message_without_its_handler_method_stops_the_server_before_serving(
    quiz_project: Path, tmp_path: Path
) -> None:
    generated = regenerate(quiz_project)
    assert generated.returncode == 0, generated.stderr
    port = free_port()
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "wsrouter.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=project_env(quiz_project, tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=10 * TIMEOUT,
    )
    assert result.returncode == 2, result.stderr
    assert "connection type 'quiz': no handler" in result.stderr
    assert "server/wsrouter/connection_types/quiz.py" in result.stderr
    assert "QuizHandler (on_get_question)" in result.stderr
    assert "Uvicorn running" not in result.stdout + result.stderr


def add_server_time(spec: dict[str, Any]) -> None:
    """One more request/reply message on ``general``."""
    messages = spec["components"]["messages"]
    request_id = {"$ref": "#/components/schemas/RequestId"}
    messages["GetServerTime"] = message("get_server_time", {"request_id": request_id}, [], True)
    messages["ServerTime"] = message(
        "server_time",
        {"now": {"$ref": "#/components/schemas/Timestamp"}, "request_id": request_id},
        ["now"],
        True,
    )
    channel = spec["channels"]["ws"]["messages"]
    channel["getServerTime"] = {"$ref": "#/components/messages/GetServerTime"}
    channel["serverTime"] = {"$ref": "#/components/messages/ServerTime"}
    ref = {"$ref": "#/channels/ws"}
    spec["operations"]["getServerTime"] = {
        "action": "receive",
        "channel": ref,
        "summary": "The server's clock.",
        "tags": [{"name": "general"}],
        "messages": [{"$ref": "#/channels/ws/messages/getServerTime"}],
        "reply": {
            "channel": ref,
            "messages": [
                {"$ref": "#/channels/ws/messages/serverTime"},
                {"$ref": "#/channels/ws/messages/error"},
            ],
        },
    }


def test_a_handler_missing_a_method_is_named_with_its_signature(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    edit_yaml(project / "asyncapi.yaml", add_server_time)
    generated = regenerate(project)
    assert generated.returncode == 0, generated.stderr
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "wsrouter.cli", "serve", "--port", str(free_port())],
        cwd=tmp_path,
        env=project_env(project, tmp_path),
        capture_output=True,
        text=True,
        check=False,
        timeout=10 * TIMEOUT,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        "wsrouter: connection type 'general': GeneralConnection has no on_get_server_time; add "
        "`async def on_get_server_time(self, message: GetServerTime) -> ServerTime` to it in "
        "server/wsrouter/connection_types/general.py"
    ]


BROKEN = {
    "constructor": (
        '    """A ``general`` connection."""\n',
        '    """A ``general`` connection."""\n\n'
        "    def __init__(self, context: Context) -> None:\n"
        '        raise RuntimeError("a bug in the constructor")\n',
    ),
    "open": (
        "        self.send(self.established())\n",
        '        raise RuntimeError("a bug in open")\n',
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("where", sorted(BROKEN))
async def test_a_handler_that_raises_while_opening_leaves_nothing_registered(
    where: str, tmp_path: Path
) -> None:
    project = copy_project(tmp_path / "project")
    general = project / "server" / "wsrouter" / "connection_types" / "general.py"
    old, new = BROKEN[where]
    text = general.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new).replace(
        "from wsrouter.connection_types.base import RoomsHandler",
        "from wsrouter.connection_types.base import Context, RoomsHandler",
    )
    general.write_text(text, encoding="utf-8")
    workdir = tmp_path / "work"
    (workdir / "var").mkdir(parents=True)
    server = ServerProcess(workdir, free_port(), project_env(project, workdir)).start()
    try:
        token = server.token("9")
        for _ in range(25):  # more than the per-user limit (20): nothing stays registered
            peer = await Peer.open(server, f"connection_type=general&token={token}")
            error = await peer.expect("error", code="internal_error")
            assert "request_id" not in error
            assert await peer.closed() == (1011, "internal error")
        stats = httpx.get(
            f"{server.http_url}/ws/stats", headers=server.admin_headers(), timeout=TIMEOUT
        ).json()
        assert stats["total_connections"] == 0
        assert stats["connections_by_user"] == {}
        chat = await Peer.open(server, f"connection_type=chat&room=lobby&token={token}")
        await chat.expect("connection_established")  # the other types still work
        await chat.close()
    finally:
        server.stop()
    assert f"a bug in {'the constructor' if where == 'constructor' else 'open'}" in (
        server.output()
    )
