"""``wsrouter-contract``: passes against the real router, and catches broken servers.

The broken servers are tiny fakes of the ``general`` connection type
(``broken_servers.py``), each correct but for one defect; the tester must report the
defect with the shortest frame sequence that reproduces it.
"""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.contract.broken_servers import Defect, running
from tests.e2e.harness import ServerProcess, free_port, server_env
from tests.timing import TIMEOUT
from wsrouter_contract.cli import main
from wsrouter_contract.shrink import ddmin
from wsrouter_contract.spec import SpecError, parse

ROOT = Path(__file__).resolve().parents[2]
SPEC = str(ROOT / "asyncapi.yaml")
# The fakes answer at once: a short reply timeout keeps the runs with a missing reply
# (every shrinking step waits it out once) quick.
FAKE_TIMEOUT = 0.5
FAKE_ARGS = [
    "--connection-type", "general",
    "--scenarios", "none",
    "--timeout", str(FAKE_TIMEOUT),
    "--rate", "1000",
    "--burst", "1000",
    "--max-examples", "60",
    "--seed", "7",
]  # fmt: skip


def run_tool(capsys: pytest.CaptureFixture[str], url: str, *args: str) -> tuple[int, str]:
    """Run the command in-process; its exit status and its report."""
    status = main([url, "--spec", SPEC, *args])
    return status, capsys.readouterr().out


def failure_blocks(report: str) -> dict[str, str]:
    """The report's failures, keyed by violation kind."""
    blocks = {}
    for block in report.split("\n\n"):
        if block.startswith("FAIL "):
            kind = block.split("kind: ", 1)[1].split("\n", 1)[0]
            blocks[kind] = block
    return blocks


def sent(block: str) -> list[str]:
    """The frames a failure's minimal sequence sends."""
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("> ")]


def types(frames: list[str]) -> list[str]:
    """The ``type`` of each JSON frame."""
    return [json.loads(frame)["type"] for frame in frames]


def check_broken(
    capsys: pytest.CaptureFixture[str], defect: Defect, kind: str
) -> tuple[str, list[str]]:
    """Run against a fake with ``defect``; return the failure of ``kind`` and its frames."""
    with running(defect) as url:
        status, report = run_tool(capsys, url, "--token", "t", *FAKE_ARGS)
    assert status == 1, report
    blocks = failure_blocks(report)
    assert kind in blocks, report
    assert "Minimal reproducing sequence" in blocks[kind]
    return blocks[kind], sent(blocks[kind])


# ---------------------------------------------------------------- the real router


@pytest.fixture
def router(tmp_path: Path) -> Iterator[ServerProcess]:
    """A real ``wsrouter serve`` with its default limits (the tester paces itself)."""
    server = ServerProcess(tmp_path, free_port(), server_env(tmp_path)).start()
    yield server
    server.kill()


def test_the_real_router_passes_for_every_connection_type(
    router: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    session = httpx.post(
        f"{router.http_url}/test-sessions",
        json={"user_id": "1", "duration_seconds": 3600},
        headers=router.admin_headers(),
        timeout=TIMEOUT,
    ).json()
    started = time.monotonic()
    status, report = run_tool(
        capsys,
        router.ws_url,
        "--token", router.token("1", name="Alice"),
        "--admin-token", router.token("admin", role="admin"),
        "--http-url", router.http_url,
        "--room", "chat=lobby",
        "--room", f"test-session={session['id']}",
        "--max-examples", "25",
        "--seed", "1",
    )  # fmt: skip
    assert status == 0, report
    assert "No violations found." in report
    assert "skipped" not in report
    for name in ("general", "notifications", "test-session", "chat"):
        assert f"\n{name} " in report
    assert report.count("scenario passed") == 4, report
    # The session is submitted once, last: no valid request before it met a closed session.
    assert "valid traffic, last: submitSession once" in report
    assert "session_closed" not in report
    # Errors bad input asked for are counted apart from error replies to valid requests.
    valid_errors = [line for line in report.splitlines() if "error replies to valid" in line]
    assert not [line for line in valid_errors if "invalid_json" in line], report
    assert report.count("errors answering bad input: ") == 4, report
    assert time.monotonic() - started < 60


# ---------------------------------------------------------------- broken servers


def test_a_correct_fake_server_passes_including_its_scenario(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running(Defect.NONE) as url:
        args = [a for a in FAKE_ARGS if a not in ("--scenarios", "none")]
        status, report = run_tool(capsys, url, "--token", "t", *args)
    assert status == 0, report
    assert "scenario passed: join -> broadcast_to_room" in report


def test_an_undocumented_field_in_a_reply_is_reported_with_one_echo(
    capsys: pytest.CaptureFixture[str],
) -> None:
    block, frames = check_broken(capsys, Defect.UNDOCUMENTED_FIELD, "undocumented_field")
    assert "`echo` has undocumented field(s) `length`" in block
    assert types(frames) == ["echo"]
    assert '"length": ' in block.split("<-- violates the spec")[0].splitlines()[-1]


def test_a_wrong_type_in_a_reply_is_reported_with_one_join(
    capsys: pytest.CaptureFixture[str],
) -> None:
    block, frames = check_broken(capsys, Defect.WRONG_TYPE, "wrong_type")
    assert "`room_joined` field `$.member_count` is a string, the spec says integer" in block
    assert types(frames) == ["join_room"]


def test_a_missing_reply_is_reported_with_one_leave(
    capsys: pytest.CaptureFixture[str],
) -> None:
    block, frames = check_broken(capsys, Defect.MISSING_REPLY, "missing_reply")
    assert f"no reply to `leaveRoom` (r1) within {FAKE_TIMEOUT:g} s" in block
    assert types(frames) == ["leave_room"]


def test_an_unexpected_close_is_reported_with_its_code(
    capsys: pytest.CaptureFixture[str],
) -> None:
    block, frames = check_broken(capsys, Defect.UNEXPECTED_CLOSE, "unexpected_close")
    assert "closed the connection after `broadcastToRoom`: 1011 (internal_error)" in block
    assert types(frames) == ["broadcast_to_room"]


def test_a_crash_on_bad_input_is_reported_with_the_one_bad_frame(
    capsys: pytest.CaptureFixture[str],
) -> None:
    block, frames = check_broken(capsys, Defect.CRASH_ON_BAD_INPUT, "closed_on_bad_input")
    assert "on text that is not JSON: 1011 (internal_error)" in block
    assert frames == ["{not json"]
    assert "delta debugging" in block


def test_a_server_dying_on_bad_input_is_reported_with_the_frames_up_to_its_death(
    capsys: pytest.CaptureFixture[str],
) -> None:
    block, frames = check_broken(capsys, Defect.DIES_ON_BAD_INPUT, "closed_on_bad_input")
    assert "the connection dropped on text that is not JSON, with no close frame" in block
    assert frames[-1] == "{not json"
    assert "not shrunk: the server went away" in block


def test_an_unreachable_server_is_not_a_pass(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = run_tool(capsys, f"ws://127.0.0.1:{free_port()}/ws", "--token", "t")
    assert status == 2
    assert "cannot connect" in report


# ---------------------------------------------------------------- the parts


def top_level_imports(path: Path) -> set[str]:
    """The packages a module imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_tester_imports_neither_the_server_nor_the_client_sdk() -> None:
    for path in (ROOT / "contract" / "wsrouter_contract").rglob("*.py"):
        assert not top_level_imports(path) & {"wsrouter", "wsrouter_client"}, path


def test_ddmin_keeps_only_the_steps_the_failure_needs() -> None:
    def replay(steps: list[int]) -> str | None:
        return "boom" if 3 in steps and 7 in steps else None

    assert ddmin(list(range(10)), replay, "boom") == ([3, 7], "boom")


def test_a_bad_spec_lists_every_problem_by_its_pointer() -> None:
    document = {
        "asyncapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "channels": {"ws": {"address": "/ws"}},
        "operations": {
            "a": {"action": "receive", "messages": [{"$ref": "#/components/messages/Nope"}]},
            "b": {"action": "fly", "tags": [{"name": "x"}]},
        },
    }
    with pytest.raises(SpecError) as raised:
        parse(document)
    assert raised.value.problems == [
        "#/operations/a/tags: no connection type",
        "#/components/messages/Nope: the reference points to nothing",
        "#/operations/b/action: must be `send` or `receive`",
        "/operations: no operation names a connection type in `tags`",
    ]
