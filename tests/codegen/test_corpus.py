"""The generator on real third-party AsyncAPI 3.0 documents (``corpus/``, see its NOTICE.md).

Each document that generates is imported and checked with ``mypy --strict``; every
message ``example`` it gives that is valid by its own schema decodes, and a copy with a
wrong tag is refused; Kraken's typed request/reply runs against a small server of ours.
A document that does not generate fails with the one reason recorded here. The README's
corpus table shows the same results.
"""

from __future__ import annotations

import importlib
import itertools
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest
import yaml
from jsonschema import Draft202012Validator
from websockets.sync.client import ClientConnection, connect
from websockets.sync.server import ServerConnection, serve

from tests.codegen.helpers import ROOT
from wsrouter_codegen import Outputs, SpecError, generate
from wsrouter_codegen.generate import write

CORPUS = Path(__file__).parent / "corpus"
TIMEOUT = 5.0


@dataclass(frozen=True)
class Document:
    """One corpus document, how it is generated, and what must come of it."""

    file: str
    tag_field: str = "type"
    perspective: str = "auto"
    fails_with: str = ""
    """Empty: it generates; else the first problem it is refused for."""
    reason: str = ""
    """What every problem says, when it is refused for one reason on several messages
    (default: the text of ``fails_with`` after its pointer)."""
    models_only: bool = False
    """Its servers speak another protocol than WebSocket: only ``messages.py`` is made."""
    invalid_examples: tuple[int, ...] = ()
    """Indexes (in document order) of examples that break the document's own schema."""

    @property
    def package(self) -> str:
        stem = self.file.removesuffix(".yml").removesuffix(".yaml")
        return "corpus_" + stem.replace("-", "_").replace("/", "_")

    @property
    def modules(self) -> tuple[str, ...]:
        if self.models_only:
            return ("client.messages",)
        return ("client.messages", "client.ws_client", "client.ws_client_sync")


DOCUMENTS = [
    # `price: '54350.40'` in the update example: a string where the schema says number.
    Document("websocket-gemini.yml", invalid_examples=(0,)),
    # Both subscriptionStatus examples have a `status` outside the schema's enum.
    Document(
        "kraken-websocket-request-reply-multiple-channels.yml",
        tag_field="event",
        invalid_examples=(0, 1),
    ),
    Document(
        "kraken-websocket-request-reply-message-filter-in-reply.yml",
        tag_field="event",
        fails_with="/operations/pingPong/messages: a receive operation needs exactly one "
        "message (no `messages`: all 8 of its channel's)",
    ),
    # No servers (WebSocket assumed): a push-only client, and a client of two channels.
    Document("simple-asyncapi.yml"),
    Document("oneof-asyncapi.yml"),
    # Other protocols: models only (Slack's document names its https handshake server).
    Document("slack-rtm-asyncapi.yml", models_only=True),
    Document("streetlights-mqtt-asyncapi.yml", models_only=True),
    Document(
        "adeo-kafka-request-reply-asyncapi.yml",
        fails_with="/components/messages/costingRequestV1/payload/schemaFormat: unsupported "
        "schemaFormat 'application/vnd.apache.avro;version=1.9.0' of message 'CostingRequestV1'"
        ": only JSON Schema and AsyncAPI schemas",
        reason="unsupported schemaFormat 'application/vnd.apache.avro;version=1.9.0'",
    ),
    # Several documents sharing `common/` files ($refs to other files). The frontend is a
    # client's document whose requests have no reply, so its side is given.
    Document("social-media/frontend/asyncapi.yaml", perspective="client"),
    Document("social-media/backend/asyncapi.yaml"),
    Document("social-media/comments-service/asyncapi.yaml", models_only=True),
    Document("social-media/notification-service/asyncapi.yaml", models_only=True),
    Document(
        "gitter-streaming-asyncapi.yml",
        fails_with="/components/messages/heartbeat/payload/schema: a message payload must be"
        " an object with properties",
    ),
]
GENERATING = [d for d in DOCUMENTS if not d.fails_with]
CLIENTS = [d for d in GENERATING if not d.models_only]


def _load(document: Document) -> dict[str, Any]:
    data = yaml.safe_load((CORPUS / document.file).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@dataclass
class Corpus:
    """The generated packages and what mypy said of them."""

    root: Path
    mypy_output: str = ""
    problems: dict[str, list[str]] = field(default_factory=dict)

    def module(self, document: Document, name: str) -> ModuleType:
        return importlib.import_module(f"{document.package}.{name.replace('.', '._generated.')}")


def _generate(document: Document, root: Path) -> None:
    package = Path(document.package)
    files = generate(
        CORPUS / document.file,
        None,
        Outputs(package / "server" / "_generated", package / "client" / "_generated"),
        tag_field=document.tag_field,
        perspective=document.perspective,
        ruff_config=ROOT / "pyproject.toml",
    )
    write(root, files)
    for folder in (package, package / "server", package / "client"):
        (root / folder / "__init__.py").touch()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corpus]:
    root = tmp_path_factory.mktemp("corpus")
    result = Corpus(root)
    for document in DOCUMENTS:
        try:
            _generate(document, root)
        except SpecError as exc:
            result.problems[document.file] = [str(p) for p in exc.errors]
    packages = [d.package for d in GENERATING if d.file not in result.problems]
    mypy = [sys.executable, "-m", "mypy", "--strict", "--no-incremental"]
    done = subprocess.run(  # noqa: S603 - our interpreter, our files
        [*mypy, *packages], cwd=root, capture_output=True, text=True, check=False
    )
    result.mypy_output = done.stdout + done.stderr
    sys.path.insert(0, str(root))
    try:
        yield result
    finally:
        sys.path.remove(str(root))


def _document(file: str) -> Document:
    return next(d for d in DOCUMENTS if d.file == file)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.file)
def test_each_document_generates_or_fails_for_one_reason(
    corpus: Corpus, document: Document
) -> None:
    problems = corpus.problems.get(document.file, [])
    if not document.fails_with:
        assert problems == []
        return
    assert problems, "it generates now: move it to the generating documents"
    # One reason: the same problem, on every operation or message that has it.
    reason = document.reason or document.fails_with.split(": ", 1)[1]
    assert all(reason in p for p in problems), problems
    assert problems[0] == f"{document.file}#{document.fails_with}"


@pytest.mark.parametrize("document", GENERATING, ids=lambda d: d.file)
def test_the_generated_code_imports_and_is_clean_under_mypy_strict(
    corpus: Corpus, document: Document
) -> None:
    generated = corpus.root / document.package / "client" / "_generated"
    made = sorted(f.name for f in generated.glob("*.py") if f.name != "__init__.py")
    assert made == sorted(f"{name.split('.')[1]}.py" for name in document.modules)
    for name in document.modules:
        corpus.module(document, name)
    assert [
        line for line in corpus.mypy_output.splitlines() if line.startswith(document.package)
    ] == []


def _examples(document: Document) -> list[tuple[str, dict[str, Any], bool]]:
    """Every message example: its message key, its payload, and whether it is valid."""
    data = _load(document)
    found = []
    for key, message in ((data.get("components") or {}).get("messages") or {}).items():
        payload = message.get("payload", {})
        validator = Draft202012Validator({**data, **payload})
        for example in message.get("examples", []):
            if "payload" in example:
                found.append((key, example["payload"], validator.is_valid(example["payload"])))
    return found


@pytest.mark.parametrize("document", GENERATING, ids=lambda d: d.file)
def test_every_valid_example_decodes_and_a_mutated_copy_does_not(
    corpus: Corpus, document: Document
) -> None:
    messages = corpus.module(document, "client.messages")
    decoders: list[Callable[[str], object]] = [
        f for name, f in vars(messages).items() if name.startswith("decode_") and callable(f)
    ]
    assert decoders
    examples = _examples(document)
    invalid = [i for i, (_, _, valid) in enumerate(examples) if not valid]
    assert invalid == list(document.invalid_examples)
    for key, payload, valid in examples:
        if not valid:
            continue
        wire = json.dumps(payload)
        assert any(_decodes(decode, wire) for decode in decoders), (key, payload)
        mutated = json.dumps({**payload, document.tag_field: "no-such-message"})
        assert not any(_decodes(decode, mutated) for decode in decoders), (key, mutated)


def _decodes(decode: Callable[[str], object], wire: str) -> bool:
    try:
        decode(wire)
    except msgspec.ValidationError:
        return False
    return True


# ------------------------------------------------------------- Kraken's request/reply


class Wire:
    """A blocking transport for the generated clients: JSON frames over websockets."""

    def __init__(self, ws: ClientConnection, decode: Callable[[str | bytes], Any]) -> None:
        self.ws = ws
        self.decode = decode
        self.ids = itertools.count(1)

    def next_request_id(self) -> int:
        return next(self.ids)

    def send(self, message: msgspec.Struct) -> None:
        self.ws.send(msgspec.json.encode(message).decode())

    def request(self, message: msgspec.Struct, request_id: int, timeout: float | None) -> Any:
        self.send(message)
        while True:
            frame = self.decode(self.ws.recv(timeout=timeout or TIMEOUT))
            if getattr(frame, "reqid", None) == request_id:
                return frame

    def messages(self) -> Iterator[Any]:
        while True:
            yield self.decode(self.ws.recv(timeout=TIMEOUT))


def _kraken(ws: ServerConnection) -> None:
    """Kraken as its document says: pong to ping, a subscription status to subscribe."""
    ws.send(json.dumps({"event": "systemStatus", "status": "online", "version": "1.8.0"}))
    for data in ws:
        frame = json.loads(data)
        if frame["event"] == "ping":
            ws.send(json.dumps({"event": "pong", "reqid": frame.get("reqid")}))
        elif frame["event"] == "subscribe":
            name = frame["subscription"]["name"]
            status = {
                "event": "subscriptionStatus",
                "reqid": frame.get("reqid"),
                "status": "online",
                "subscription": {"name": name},
            }
            if name == "book":
                status["errorMessage"] = "Subscription depth not supported"
            else:
                status |= {"channelID": 10001, "channelName": name}
            ws.send(json.dumps(status))


@contextmanager
def _serving(handler: Callable[[ServerConnection], None]) -> Iterator[str]:
    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"ws://127.0.0.1:{server.socket.getsockname()[1]}"
        finally:
            server.shutdown()
            thread.join(TIMEOUT)


@pytest.fixture
def kraken_url() -> Iterator[str]:
    with _serving(_kraken) as url:
        yield url + "/"


def test_krakens_typed_requests_get_their_typed_replies(corpus: Corpus, kraken_url: str) -> None:
    document = _document("kraken-websocket-request-reply-multiple-channels.yml")
    m = corpus.module(document, "client.messages")
    sync = corpus.module(document, "client.ws_client_sync")
    with connect(kraken_url, open_timeout=TIMEOUT) as ws:
        client = sync.SyncRootClient(Wire(ws, m.decode_root_outbound))
        greeting = next(client.messages())
        assert greeting == m.SystemStatusMessage(status="online", version="1.8.0")
        assert client.ping() == m.PongMessage(reqid=1)
        success = client.subscribe(subscription=m.SubscribeSubscription(name="ohlc"))
        assert isinstance(success, m.SubscriptionStatusMessageOption2)
        assert (success.reqid, success.channelID) == (2, 10001)
        failure = client.subscribe(subscription=m.SubscribeSubscription(name="book"))
        assert isinstance(failure, m.SubscriptionStatusMessageOption1)
        assert failure.errorMessage == "Subscription depth not supported"


# ------------------------------------------------- the documents without servers


def test_simples_push_only_client_gets_the_typed_signup(corpus: Corpus) -> None:
    document = _document("simple-asyncapi.yml")
    m = corpus.module(document, "client.messages")
    sync = corpus.module(document, "client.ws_client_sync")
    signup = {"displayName": "Ada", "email": "ada@example.com"}

    def account_service(ws: ServerConnection) -> None:
        assert ws.request is not None
        if ws.request.path == "/user/signedup":
            ws.send(json.dumps(signup))
            ws.recv()  # until the client closes

    with _serving(account_service) as url, ExitStack() as opened:

        def opener(where: str) -> Wire:
            ws = opened.enter_context(connect(where, open_timeout=TIMEOUT))
            return Wire(ws, m.decode_user_signedup_outbound)

        # No servers in the document: the server is a required argument of connect().
        client = sync.SyncUserSignedupClient.connect(opener, server=url)
        assert next(client.messages()) == m.UserSignedUp(**signup)


def test_oneofs_clients_send_each_member_and_read_either_object(corpus: Corpus) -> None:
    document = _document("oneof-asyncapi.yml")
    m = corpus.module(document, "client.messages")
    sync = corpus.module(document, "client.ws_client_sync")
    received: list[Any] = []

    def server(ws: ServerConnection) -> None:
        assert ws.request is not None
        if ws.request.path == "/test":  # what clients send
            received.extend(json.loads(ws.recv()) for _ in range(2))
            ws.send("done")
        else:  # /test2: what the server sends
            ws.send(json.dumps({"key": "a"}))
            ws.recv()

    with _serving(server) as url:
        with connect(f"{url}/test") as ws:
            client = sync.SyncTestClient(Wire(ws, m.decode_test_outbound))
            client.test_messages_option1(key="k")
            client.test_messages_option2(key2="k2")
            assert ws.recv(timeout=TIMEOUT) == "done"
        assert received == [{"key": "k"}, {"key2": "k2"}]
        with connect(f"{url}/test2") as ws:
            pushed = sync.SyncTest2Client(Wire(ws, m.decode_test2_outbound))
            assert next(pushed.messages()) == m.ObjectWithKeyMessage(key="a")


def test_the_social_media_frontend_likes_a_comment_and_gets_the_new_count(
    corpus: Corpus,
) -> None:
    document = _document("social-media/frontend/asyncapi.yaml")
    m = corpus.module(document, "client.messages")
    sync = corpus.module(document, "client.ws_client_sync")
    liked: list[Any] = []

    def backend(ws: ServerConnection) -> None:
        assert ws.request is not None
        if ws.request.path == "/like/comment":
            liked.append(json.loads(ws.recv()))
            ws.send("done")
        else:  # /update/comment/likes
            ws.send(json.dumps({"commentId": "c1", "likeCount": 3}))
            ws.recv()

    with _serving(backend) as url:
        with connect(f"{url}/like/comment") as ws:
            client = sync.SyncLikeCommentClient(Wire(ws, m.decode_like_comment_outbound))
            client.like_comment(commentId="c1", likedBy="u1")
            assert ws.recv(timeout=TIMEOUT) == "done"
        assert liked == [{"commentId": "c1", "likedBy": "u1"}]
        with connect(f"{url}/update/comment/likes") as ws:
            updates = sync.SyncUpdateCommentLikesClient(
                Wire(ws, m.decode_update_comment_likes_outbound)
            )
            assert next(updates.messages()) == m.UpdateCommentLikes(commentId="c1", likeCount=3)


def test_geminis_symbol_and_server_are_arguments_with_the_documents_defaults(
    corpus: Corpus,
) -> None:
    document = _document("websocket-gemini.yml")
    for name in ("client.ws_client", "client.ws_client_sync"):
        module = corpus.module(document, name)
        client = next(c for n, c in vars(module).items() if n.endswith("V1MarketdataSymbolClient"))
        assert client.url(symbol="btcusd") == "wss://api.gemini.com/v1/marketdata/btcusd"
        here = client.url(symbol="ethusd", server="ws://127.0.0.1:9/")
        assert here == "ws://127.0.0.1:9/v1/marketdata/ethusd"


def test_geminis_client_connects_to_the_symbols_address_and_reads_typed_pushes(
    corpus: Corpus,
) -> None:
    document = _document("websocket-gemini.yml")
    m = corpus.module(document, "client.messages")
    sync = corpus.module(document, "client.ws_client_sync")
    paths: list[str] = []

    def gemini(ws: ServerConnection) -> None:
        assert ws.request is not None
        paths.append(ws.request.path)
        ws.send(json.dumps({"type": "heartbeat", "socket_sequence": 1656}))
        ws.recv()

    with _serving(gemini) as url, ExitStack() as opened:

        def opener(where: str) -> Wire:
            ws = opened.enter_context(connect(where, open_timeout=TIMEOUT))
            return Wire(ws, m.decode_v1_marketdata_symbol_outbound)

        client = sync.SyncV1MarketdataSymbolClient.connect(opener, symbol="ethusd", server=url)
        assert next(client.messages()) == m.MarketDataHeartbeat(socket_sequence=1656)
    assert paths == ["/v1/marketdata/ethusd"]
