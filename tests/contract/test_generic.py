"""``wsrouter-contract`` on documents that are not ours: the generic profile.

The server under test is ``echo_server.py``, a real process on a real socket,
described by the AsyncAPI generator's Postman echo fixtures (``documents/``, a
client's documents). Our scenarios are a plugin of the wsrouter profile: they run for
our document only, unless ``--profile`` says otherwise.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from websockets.sync.server import ServerConnection, serve

from tests.e2e.harness import free_port
from tests.timing import TIMEOUT
from wsrouter_contract.cli import main
from wsrouter_contract.endpoints import is_wsrouter, read
from wsrouter_contract.urls import endpoint_url

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = Path(__file__).parent / "documents"
ECHO = str(DOCUMENTS / "asyncapi-postman-echo.yml")
CORRELATED = str(DOCUMENTS / "asyncapi-postman-both-correlation.yml")
GEMINI = ROOT / "tests" / "codegen" / "corpus" / "websocket-gemini.yml"
QUICK = ["--max-examples", "10", "--rate", "1000", "--burst", "1000", "--seed", "3"]


def _start(mode: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-m", "tests.contract.echo_server", mode],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(TIMEOUT)
    if not line or not line[0].startswith("port "):
        process.kill()
        raise AssertionError(f"the echo server ({mode}) did not start: {line}")
    return process, int(line[0].split()[1])


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """One echo server process per mode, each with the URL the tests pass."""
    started = {mode: _start(mode) for mode in ("echo", "broken", "greeting", "stranger")}
    try:
        yield {mode: f"ws://127.0.0.1:{port}/raw" for mode, (_, port) in started.items()}
    finally:
        for process, _ in started.values():
            process.kill()
            process.wait(TIMEOUT)
            assert process.stdout is not None
            process.stdout.close()


def run_tool(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Run the command in-process; its exit status and everything it printed."""
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out + err


def test_a_server_that_echoes_passes_the_client_document(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_tool(capsys, servers["echo"], "--spec", ECHO, *QUICK)
    assert status == 0, report
    assert "generic profile, read as the client's document" in report
    assert "generated: up to 10 sequences of sendEchoMessage" in report
    assert "No violations found." in report


def test_a_reply_breaking_the_schema_names_the_message_and_the_pointer(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_tool(capsys, servers["broken"], "--spec", ECHO, *QUICK)
    assert status == 1, report
    assert "FAIL echo - generated: `echo` at `/messageId`: 'id-" in report
    assert "is not of type 'number'" in report
    assert "kind: schema_violation" in report
    # Shrunk by Hypothesis to one request, the offending frame marked.
    assert "Minimal reproducing sequence (1 frame sent, on a fresh connection):" in report
    assert '"messageId": "id-' in report.split("<-- violates the spec")[0].splitlines()[-1]


def test_a_frame_no_message_allows_fails_on_connecting(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_tool(capsys, servers["greeting"], "--spec", ECHO, *QUICK)
    assert status == 1, report
    assert "FAIL echo - connecting: `echo` at `/`: 'content' is a required property" in report


def test_examples_are_sent_and_replies_matched_by_correlation_id(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_tool(capsys, servers["echo"], "--spec", CORRELATED, *QUICK)
    assert status == 0, report
    assert "examples: 2 of 2 sent" in report


def test_a_reply_carrying_another_requests_id_is_a_violation(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    status, report = run_tool(capsys, servers["stranger"], "--spec", CORRELATED, *QUICK)
    assert status == 1, report
    assert (
        "FAIL echo - examples: `echoMessage` only answers a request, but its correlation id"
        " at `/requestId` ('not-contract-1') is that of no request waiting on this connection"
    ) in report
    assert "kind: uncorrelated_reply" in report


def test_requests_that_cannot_fit_in_a_frame_are_a_clean_skip_not_a_pass(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--spec", ECHO, *QUICK, "--max-frame-bytes", "10", "--max-examples", "1")
    status, report = run_tool(capsys, servers["echo"], *args)
    assert status == 2, report  # it sent nothing: it passes nothing
    assert ("skipped no request could be sent (generated: no `echo` fits in 10 bytes)") in report
    assert "Nothing was tested: every endpoint was skipped." in report
    assert "Traceback" not in report


def test_the_wsrouter_profile_is_chosen_for_our_document_only() -> None:
    ours = yaml.safe_load((ROOT / "asyncapi.yaml").read_text(encoding="utf-8"))
    echo = yaml.safe_load(Path(ECHO).read_text(encoding="utf-8"))
    assert is_wsrouter(ours)
    assert not is_wsrouter(echo)


def test_the_wsrouter_profile_asked_for_a_foreign_document_is_a_clean_exit_2(
    servers: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("--spec", ECHO, "--profile", "wsrouter", "--token", "t")
    status, output = run_tool(capsys, servers["echo"], *args)
    assert status == 2
    assert "/operations: no operation names a connection type in `tags`" in output
    assert "Traceback" not in output


def test_the_url_comes_from_the_servers_and_the_channel_address_with_parameters() -> None:
    echo = read(yaml.safe_load(Path(ECHO).read_text(encoding="utf-8"))).endpoints["echo"]
    assert endpoint_url(echo, {}) == "wss://ws.postman-echo.com/raw"
    assert endpoint_url(echo, {}, "ws://127.0.0.1:9/raw/") == "ws://127.0.0.1:9/raw/"
    gemini = read(yaml.safe_load(GEMINI.read_text(encoding="utf-8")))
    (market,) = gemini.endpoints.values()
    assert endpoint_url(market, {}) == "wss://api.gemini.com/v1/marketdata/btcusd"
    got = endpoint_url(market, {"symbol": "ethusd"}, "ws://127.0.0.1:9")
    assert got == "ws://127.0.0.1:9/v1/marketdata/ethusd"


def test_a_parameter_without_a_value_is_one_line_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load(Path(ECHO).read_text(encoding="utf-8"))
    document["channels"]["echo"]["address"] = "/rooms/{room}"
    spec = tmp_path / "rooms.yml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    status, output = run_tool(capsys, "--spec", str(spec))
    assert status == 2
    assert output.strip() == (
        "wsrouter-contract: channel `echo` needs a value for {room}: --param room=VALUE"
    )


def test_a_document_without_a_websocket_server_is_a_clean_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = yaml.safe_load(Path(ECHO).read_text(encoding="utf-8"))
    document["servers"]["echoServer"]["protocol"] = "mqtt"
    spec = tmp_path / "mqtt.yml"
    spec.write_text(yaml.safe_dump(document), encoding="utf-8")
    status, output = run_tool(capsys, "--spec", str(spec))
    assert status == 2
    assert "no WebSocket server (protocol ws or wss) serves any channel" in output


def test_a_server_nobody_runs_is_exit_2_and_tests_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, report = run_tool(capsys, f"ws://127.0.0.1:{free_port()}", "--spec", ECHO)
    assert status == 2
    assert "Nothing was tested: every endpoint was skipped." in report


# ------------------------------------------- a server's document: Kraken's request/reply

KRAKEN = str(GEMINI.parent / "kraken-websocket-request-reply-multiple-channels.yml")


def _kraken(text_reqid: bool) -> Callable[[ServerConnection], None]:
    """Kraken as its document says (pong to ping, a refused subscription status to
    (un)subscribe, each echoing the request's integer ``reqid``), or with one defect: the
    ``reqid`` echoed as text."""

    def serve_one(ws: ServerConnection) -> None:
        ws.send(json.dumps({"event": "systemStatus", "status": "online", "version": "1.8.0"}))
        for data in ws:
            frame = json.loads(data)
            reply: dict[str, object] = {"event": "pong"}
            if frame.get("event") in ("subscribe", "unsubscribe"):
                reply = {"event": "subscriptionStatus", "errorMessage": "not in this test"}
            if "reqid" in frame:
                reply["reqid"] = str(frame["reqid"]) if text_reqid else frame["reqid"]
            ws.send(json.dumps(reply))

    return serve_one


@pytest.mark.parametrize("text_reqid", [False, True], ids=["faithful", "text-reqid"])
def test_krakens_requests_are_matched_by_integer_reqid(
    text_reqid: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(_kraken(text_reqid), "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
            status, report = run_tool(capsys, url, "--spec", KRAKEN, *QUICK)
        finally:
            server.shutdown()
            thread.join(TIMEOUT)
    assert "read as the client's document" in report
    if not text_reqid:
        assert status == 0, report
        assert "generated: up to 10 sequences of pingPong, subscribe, unsubscribe" in report
        return
    assert status == 1, report
    assert "at `/reqid`: '1' is not of type 'integer'" in report


# ------------------------------------- documents in several files: social-media's backend

CORPUS = GEMINI.parent
BACKEND = str(CORPUS / "social-media" / "backend" / "asyncapi.yaml")


def _website_backend(like_count: object) -> Callable[[ServerConnection], None]:
    """The backend's two WebSocket channels: likes come in, new counts go out."""

    def serve_one(ws: ServerConnection) -> None:
        assert ws.request is not None
        if ws.request.path == "/update/comment/likes":
            ws.send(json.dumps({"commentId": "c1", "likeCount": like_count}))
        for _ in ws:  # /like/comment: likes are taken, never answered
            pass

    return serve_one


@pytest.mark.parametrize("like_count", [3, "3"], ids=["faithful", "text-count"])
def test_a_document_in_several_files_is_tested_endpoint_by_endpoint(
    like_count: object, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve(_website_backend(like_count), "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
            status, report = run_tool(capsys, url, "--spec", BACKEND, *QUICK)
        finally:
            server.shutdown()
            thread.join(TIMEOUT)
    assert "newLikeComment" in report
    assert "updateCommentsCount" in report
    if like_count == 3:
        assert status == 0, report
        assert "generated: up to 10 sequences of receiveCommentLike" in report
        return
    assert status == 1, report
    assert (
        "FAIL updateCommentsCount - connecting: `updateCommentLikes` at `/likeCount`:"
        " '3' is not of type 'integer'"
    ) in report


CORPUS_DOCUMENTS = sorted(
    str(p.relative_to(CORPUS)) for p in (*CORPUS.glob("*.yml"), *CORPUS.glob("*/*/asyncapi.yaml"))
)


@pytest.mark.parametrize("document", CORPUS_DOCUMENTS)
def test_every_corpus_document_is_a_clean_run_or_one_clean_refusal(
    document: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A port nobody listens on: the run cannot reach anything outside this machine.
    url = f"ws://127.0.0.1:{free_port()}"
    status, output = run_tool(capsys, url, "--spec", str(CORPUS / document), "--timeout", "0.5")
    assert status == 2, output
    assert "Traceback" not in output
    assert "internal error" not in output
    assert (
        "Nothing was tested: every endpoint was skipped." in output or "cannot be used:" in output
    ), output
