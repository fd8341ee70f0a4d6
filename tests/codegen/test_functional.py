"""Generate from a small inline spec, import the result and run it."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import msgspec
import pytest
from litestar import Litestar, Request
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.testing import TestClient

from tests.codegen.helpers import Generated, generate_into

ASYNCAPI = """
asyncapi: 3.0.0
info:
  title: Inline greeter
  version: 0.0.1
  tags: [{name: greeter}]
channels:
  socket:
    address: /socket
    bindings:
      ws:
        query:
          type: object
          additionalProperties: false
          required: [token]
          properties:
            token: {type: string}
            mood: {type: string, enum: [happy, grumpy], default: happy}
    x-close-codes:
      - {code: 4001, name: go_away, retry: false}
      - {code: 4002, name: try_later, retry: true}
    messages:
      hello: {$ref: '#/components/messages/Hello'}
      greeting: {$ref: '#/components/messages/Greeting'}
      wave: {$ref: '#/components/messages/Wave'}
      failure: {$ref: '#/components/messages/Failure'}
      notice: {$ref: '#/components/messages/Notice'}
      shout: {$ref: '#/components/messages/Shout'}
operations:
  hello:
    action: receive
    channel: {$ref: '#/channels/socket'}
    tags: [{name: greeter}]
    messages: [{$ref: '#/channels/socket/messages/hello'}]
    reply:
      channel: {$ref: '#/channels/socket'}
      messages:
        - {$ref: '#/channels/socket/messages/greeting'}
        - {$ref: '#/channels/socket/messages/failure'}
  wave:
    action: receive
    channel: {$ref: '#/channels/socket'}
    tags: [{name: greeter}]
    messages: [{$ref: '#/channels/socket/messages/wave'}]
  sendNotice:
    action: send
    channel: {$ref: '#/channels/socket'}
    tags: [{name: greeter}]
    messages:
      - {$ref: '#/channels/socket/messages/notice'}
      - {$ref: '#/channels/socket/messages/shout'}
components:
  correlationIds:
    rid: {location: '$message.payload#/request_id'}
  schemas:
    Name: {type: string, minLength: 1, maxLength: 5, pattern: '^[a-z]+$'}
    Friend:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {$ref: '#/components/schemas/Name'}
        since: {type: [integer, 'null'], minimum: 1900}
  messages:
    Hello:
      correlationId: {$ref: '#/components/correlationIds/rid'}
      payload:
        type: object
        additionalProperties: false
        required: [type, name]
        properties:
          type: {const: hello}
          name: {$ref: '#/components/schemas/Name'}
          times: {type: integer, minimum: 1, maximum: 3, default: 1}
          friends: {type: array, maxItems: 2, items: {$ref: '#/components/schemas/Friend'}}
          request_id: {type: string}
    Greeting:
      correlationId: {$ref: '#/components/correlationIds/rid'}
      payload:
        type: object
        additionalProperties: false
        required: [type, text]
        properties:
          type: {const: greeting}
          text: {type: string}
          request_id: {type: string}
    Wave:
      correlationId: {$ref: '#/components/correlationIds/rid'}
      payload:
        type: object
        additionalProperties: false
        required: [type]
        properties:
          type: {const: wave}
          request_id: {type: string}
    Failure:
      x-error: true
      correlationId: {$ref: '#/components/correlationIds/rid'}
      payload:
        type: object
        additionalProperties: false
        required: [type, reason]
        properties:
          type: {const: failure}
          reason: {type: string, enum: [rude, unknown]}
          request_id: {type: string}
    Notice:
      payload:
        type: object
        additionalProperties: true
        required: [type, text]
        properties:
          type: {const: notice}
          text: {type: string}
    Shout:
      payload:
        type: object
        additionalProperties: false
        required: [type, text]
        properties:
          type: {type: string}
          text: {type: string}
"""


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return generate_into(tmp_path_factory.mktemp("inline"), ASYNCAPI)


# ------------------------------------------------------------------------------- messages


def test_message_round_trips_through_json(gen: Generated) -> None:
    m = gen.messages
    hello = m.Hello(name="ann", times=2, friends=[m.Friend(name="bob", since=None)], request_id="1")
    wire = msgspec.json.encode(hello)
    assert msgspec.json.decode(wire)["type"] == "hello"
    assert m.decode_greeter_inbound(wire) == hello


def test_unknown_field_is_rejected(gen: Generated) -> None:
    with pytest.raises(msgspec.ValidationError, match="unknown field `bogus`"):
        gen.messages.decode_greeter_inbound(b'{"type":"hello","name":"ann","bogus":1}')


def test_constraint_violation_is_reported_with_its_json_path(gen: Generated) -> None:
    decode = gen.messages.decode_greeter_inbound
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\.name`"):
        decode(b'{"type":"hello","name":"TOOLONG"}')
    with pytest.raises(msgspec.ValidationError, match=r"at `\$\.friends\[1\]\.since`"):
        decode(b'{"type":"hello","name":"ann","friends":[{"name":"a"},{"name":"b","since":1}]}')
    with pytest.raises(msgspec.ValidationError, match=r"Expected `str`, got `int` - at `\$\.name`"):
        decode(b'{"type":"hello","name":5}')


def test_a_pattern_does_not_let_a_trailing_newline_through(gen: Generated) -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.name"):
        gen.messages.decode_greeter_inbound(b'{"type":"hello","name":"ann\\n"}')


def test_optional_field_is_left_out_when_unset_and_null_is_rejected(gen: Generated) -> None:
    hello = gen.messages.Hello(name="ann")
    wire = msgspec.json.decode(msgspec.json.encode(hello))
    assert wire == {"type": "hello", "name": "ann", "times": 1}
    with pytest.raises(msgspec.ValidationError, match=r"\$\.friends"):
        gen.messages.decode_greeter_inbound(b'{"type":"hello","name":"ann","friends":null}')


def test_unknown_tag_fails_and_peek_tag_reads_it(gen: Generated) -> None:
    with pytest.raises(msgspec.ValidationError, match=r"\$\.type"):
        gen.messages.decode_greeter_inbound(b'{"type":"nope"}')
    assert gen.messages.peek_tag(b'{"type":"nope","x":1}') == "nope"
    assert gen.messages.peek_tag(b"[1]") is None
    assert gen.messages.peek_tag(b'{"type":3}') is None


def test_untagged_message_is_decoded_when_no_tag_matches(gen: Generated) -> None:
    decode = gen.messages.decode_greeter_outbound
    shout = decode(b'{"type":"anything_goes","text":"hey"}')
    assert isinstance(shout, gen.messages.Shout)
    assert shout.type == "anything_goes"
    with pytest.raises(msgspec.ValidationError, match="missing required field `text`"):
        decode(b'{"type":"greeting"}')  # a known tag never falls back


def test_open_payload_keeps_accepting_extra_fields(gen: Generated) -> None:
    notice = gen.messages.decode_greeter_outbound(b'{"type":"notice","text":"x","extra":1}')
    assert isinstance(notice, gen.messages.Notice)


def test_handshake_query_has_defaults_and_rejects_unknown_parameters(gen: Generated) -> None:
    query = msgspec.convert({"token": "t"}, gen.messages.SocketQuery)
    assert query.mood == "happy"
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"token": "t", "mood": "sad"}, gen.messages.SocketQuery)


def test_close_codes_say_whether_to_retry(gen: Generated) -> None:
    assert gen.messages.CloseCode.GO_AWAY == 4001
    assert set(gen.messages.RETRYABLE_CLOSE_CODES) == {4002}


# ------------------------------------------------------------------------------- handlers


def _handler(gen: Generated, *, fail: bool = False) -> Any:
    m = gen.messages

    class Greeter(gen.handlers.GreeterHandler):  # type: ignore[name-defined,misc]
        waves = 0

        async def on_hello(self, message: Any) -> Any:
            if fail:
                raise m.ReplyError(m.Failure(reason="rude"))
            return m.Greeting(text=f"hi {message.name}" * message.times)

        async def on_wave(self, message: Any) -> None:
            self.waves += 1

    return Greeter()


@pytest.mark.anyio
async def test_dispatch_returns_the_reply_with_the_request_id(gen: Generated) -> None:
    reply = await _handler(gen).dispatch(gen.messages.Hello(name="ann", request_id="7"))
    assert reply == gen.messages.Greeting(text="hi ann", request_id="7")


@pytest.mark.anyio
async def test_a_raised_error_reply_carries_the_request_id(gen: Generated) -> None:
    reply = await _handler(gen, fail=True).dispatch(gen.messages.Hello(name="ann", request_id="8"))
    assert reply == gen.messages.Failure(reason="rude", request_id="8")


@pytest.mark.anyio
async def test_a_message_without_reply_dispatches_to_none(gen: Generated) -> None:
    handler = _handler(gen)
    assert await handler.dispatch(gen.messages.Wave()) is None
    assert handler.waves == 1


def test_a_handler_must_implement_every_message(gen: Generated) -> None:
    class Partial(gen.handlers.GreeterHandler):  # type: ignore[name-defined,misc]
        async def on_hello(self, message: Any) -> Any:
            return None

    with pytest.raises(TypeError, match="on_wave"):
        Partial()


# ------------------------------------------------------------------------------- client


class FakeTransport:
    """Records what the client sends and answers requests with a canned frame."""

    def __init__(self, answer: Any = None) -> None:
        self.sent: list[Any] = []
        self.answer = answer

    def next_request_id(self) -> str:
        return f"r{len(self.sent) + 1}"

    async def send(self, message: msgspec.Struct) -> None:
        self.sent.append(message)

    async def request(self, message: msgspec.Struct, request_id: str, timeout: float | None) -> Any:
        self.sent.append(message)
        return self.answer


@pytest.mark.anyio
async def test_client_method_sends_its_message_and_returns_the_reply(gen: Generated) -> None:
    m = gen.client_messages
    transport = FakeTransport(m.Greeting(text="hi", request_id="r1"))
    client = gen.ws_client.GreeterClient(transport)
    assert await client.hello(name="ann", times=2) == m.Greeting(text="hi", request_id="r1")
    assert transport.sent == [m.Hello(name="ann", times=2, request_id="r1")]
    await client.wave()
    assert transport.sent[-1] == m.Wave()


@pytest.mark.anyio
async def test_client_method_raises_on_an_error_reply(gen: Generated) -> None:
    m = gen.client_messages
    client = gen.ws_client.GreeterClient(FakeTransport(m.Failure(reason="rude", request_id="r1")))
    with pytest.raises(m.ReplyError) as caught:
        await client.hello(name="ann")
    assert caught.value.reply.reason == "rude"


@pytest.mark.anyio
async def test_client_method_rejects_a_reply_the_spec_does_not_list(gen: Generated) -> None:
    m = gen.client_messages
    client = gen.ws_client.GreeterClient(FakeTransport(m.Notice(text="?")))
    with pytest.raises(gen.ws_client.UnexpectedReplyError):
        await client.hello(name="ann")


def test_client_decodes_what_the_server_sends(gen: Generated) -> None:
    decoded = gen.ws_client.GreeterClient.decode(b'{"type":"greeting","text":"hi"}')
    assert decoded == gen.client_messages.Greeting(text="hi")


class FakeSyncTransport:
    """``FakeTransport`` without ``async``: what a ``SyncTransport`` looks like."""

    def __init__(self, answer: Any = None) -> None:
        self.sent: list[Any] = []
        self.answer = answer

    def next_request_id(self) -> str:
        return f"r{len(self.sent) + 1}"

    def send(self, message: msgspec.Struct) -> None:
        self.sent.append(message)

    def request(self, message: msgspec.Struct, request_id: str, timeout: float | None) -> Any:
        self.sent.append(message)
        return self.answer

    def messages(self) -> Iterator[Any]:
        yield self.answer


def test_sync_client_method_sends_its_message_and_returns_the_reply(gen: Generated) -> None:
    m = gen.client_messages
    transport = FakeSyncTransport(m.Greeting(text="hi", request_id="r1"))
    client = gen.ws_client_sync.SyncGreeterClient(transport)
    assert client.hello(name="ann", times=2) == m.Greeting(text="hi", request_id="r1")
    assert transport.sent == [m.Hello(name="ann", times=2, request_id="r1")]
    client.wave()
    assert transport.sent[-1] == m.Wave()
    assert list(client.messages()) == [m.Greeting(text="hi", request_id="r1")]


def test_sync_client_raises_the_same_errors_as_the_async_one(gen: Generated) -> None:
    m = gen.client_messages
    failing = gen.ws_client_sync.SyncGreeterClient(
        FakeSyncTransport(m.Failure(reason="unknown", request_id="r1"))
    )
    with pytest.raises(m.ReplyError) as caught:
        failing.hello(name="ann")
    assert caught.value.reply.reason == "unknown"
    odd = gen.ws_client_sync.SyncGreeterClient(FakeSyncTransport(m.Notice(text="?")))
    with pytest.raises(gen.ws_client.UnexpectedReplyError):
        odd.hello(name="ann")


def test_sync_clients_mirror_the_async_ones_method_for_method(gen: Generated) -> None:
    names = [n for n in vars(gen.ws_client) if n.endswith("Client")]
    assert names == ["GreeterClient"]
    for name in names:
        async_client = getattr(gen.ws_client, name)
        sync_client = getattr(gen.ws_client_sync, f"Sync{name}")
        methods = {n for n in vars(async_client) if not n.startswith("_")}
        assert methods == {n for n in vars(sync_client) if not n.startswith("_")}
        for method in methods - {"group", "decode", "messages"}:
            assert inspect.iscoroutinefunction(getattr(async_client, method))
            assert not inspect.iscoroutinefunction(getattr(sync_client, method))
            assert inspect.signature(getattr(async_client, method)) == inspect.signature(
                getattr(sync_client, method)
            )


# ------------------------------------------------------------------------------- HTTP


def _app(gen: Generated) -> Litestar:
    models = gen.http_models
    items: dict[str, Any] = {"abc": models.Item(id="abc", label="Abc", tags=[])}

    class Shelf(gen.http_routes.HttpOperations):  # type: ignore[name-defined,misc]
        async def authorize(
            self, request: Request[Any, Any, Any], schemes: tuple[str, ...]
        ) -> None:
            assert schemes == ("token",)
            if request.headers.get("authorization") != "Bearer good":
                raise NotAuthorizedException("bad token")

        async def get_item(self, *, item_id: str) -> Any:
            if item_id not in items:
                raise NotFoundException(f"no item {item_id}")
            return items[item_id]

        async def delete_item(self, *, item_id: str) -> None:
            items.pop(item_id, None)

        async def create_item(self, *, body: Any, dry_run: bool | None, limit: int) -> Any:
            tags = [str(dry_run), str(limit)]
            item = models.Item(id=f"i{len(items)}", label=body.label, tags=tags)
            items[item.id] = item
            return item

        async def ping(self) -> str:
            return "pong"

    return Litestar(route_handlers=gen.http_routes.route_handlers(Shelf()))


AUTH = {"authorization": "Bearer good"}


def test_routes_delegate_to_the_implementation_and_check_security(gen: Generated) -> None:
    with TestClient(_app(gen)) as http:
        item = http.get("/items/abc", headers=AUTH).json()
        assert item == {"id": "abc", "label": "Abc", "tags": []}
        assert http.get("/items/abc").status_code == 401
        assert http.get("/ping").text == "pong"
        created = http.post("/items?dry_run=true", json={"label": "New"}, headers=AUTH)
        assert created.status_code == 201
        assert created.json()["tags"] == ["True", "5"]
        assert http.delete("/items/abc", headers=AUTH).status_code == 204
        assert http.get("/items/abc", headers=AUTH).status_code == 404


def test_routes_validate_parameters_and_bodies_from_the_spec(gen: Generated) -> None:
    with TestClient(_app(gen)) as http:
        assert http.get("/items/NOT-VALID", headers=AUTH).status_code == 400
        assert http.post("/items?limit=11", json={"label": "x"}, headers=AUTH).status_code == 400
        assert http.post("/items", json={"label": "x", "bogus": 1}, headers=AUTH).status_code == 400
        assert http.post("/items", json={"label": ""}, headers=AUTH).status_code == 400


def test_sync_http_client_calls_the_routes(gen: Generated) -> None:
    with TestClient(_app(gen)) as http:
        client = gen.http_client.SyncApiClient(http, headers=AUTH)
        item = client.get_item(item_id="abc")
        assert item == gen.http_client.Item(id="abc", label="Abc", tags=[])
        made = client.create_item(body=gen.http_client.ItemCreate(label="L"), limit=3)
        assert made.tags == ["None", "3"]
        assert client.ping() == "pong"
        client.delete_item(item_id="abc")
        with pytest.raises(gen.http_client.ApiError) as caught:
            client.get_item(item_id="abc")
        assert caught.value.status_code == 404
        assert caught.value.detail == "no item abc"


@pytest.mark.anyio
async def test_async_http_client_calls_the_routes(gen: Generated) -> None:
    transport = httpx.ASGITransport(app=cast(Any, _app(gen)))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        client = gen.http_client.AsyncApiClient(http, headers=AUTH)
        assert (await client.get_item(item_id="abc")).label == "Abc"
        with pytest.raises(gen.http_client.ApiError) as caught:
            await gen.http_client.AsyncApiClient(http).get_item(item_id="abc")
        assert caught.value.status_code == 401


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_inline_spec_output_is_importable_from_a_plain_folder(gen: Generated) -> None:
    assert (gen.root / "server" / "_generated" / "handlers.py").is_file()
    assert isinstance(gen.root, Path)
