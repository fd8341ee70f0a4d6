"""Testing any WebSocket server against its AsyncAPI 3 document, with no protocol plugin.

Per endpoint (the channels at one address): connect and read what the server says
unasked; send each valid ``example`` of every message a client may send, once, on one
connection; then sequences of valid requests drawn by Hypothesis from the payload
schemas, each on a fresh connection (shrunk on failure). A request with a declared
reply must get one within the timeout, matched by its correlation id where the
document gives one, else by being one of its reply messages. Every frame the server
sends must be one of the messages it may send on that connection.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky, HypothesisException, Unsatisfiable
from hypothesis_jsonschema import from_schema
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from wsrouter_contract.check import Violation
from wsrouter_contract.endpoints import AnyMessage, Endpoint, Request
from wsrouter_contract.frames import AnyFrameChecker, Correlated, explain, payload_error, value_at
from wsrouter_contract.generate import minimal_instance
from wsrouter_contract.peer import Pacer, Stats, Unreachable
from wsrouter_contract.report import Failure, TypeResult
from wsrouter_contract.transcript import Event, compact

Step = tuple[Request, AnyMessage, Any]


@dataclass(frozen=True)
class GenericOptions:
    """How much to send, and how fast."""

    max_examples: int = 50
    max_length: int = 4
    seed: int | None = None
    timeout: float = 5.0
    rate: float = 15.0
    burst: int = 30
    max_frame_bytes: int = 65536
    exclude: frozenset[str] = frozenset()
    settle: float = 0.3


class _Closed(Exception):
    """The server closed the connection."""


class Connection:
    """One connection whose every received frame is checked against the document."""

    def __init__(
        self, url: str, endpoint: Endpoint, options: GenericOptions, stats: Stats,
        transcript: list[Event],
    ) -> None:  # fmt: skip
        self.options = options
        self.stats = stats
        self.transcript = transcript
        self.checker = AnyFrameChecker(endpoint.outbound, endpoint.pushes)
        self.pacer = Pacer(options.rate, options.burst)
        self._ids = itertools.count(1)
        try:
            opened = connect(
                url, open_timeout=options.timeout, close_timeout=options.timeout,
                max_size=None, compression=None, proxy=None,
            )  # fmt: skip
            self.ws: ClientConnection = opened.__enter__()
        except (OSError, InvalidHandshake, InvalidURI, TimeoutError) as exc:
            raise Unreachable(f"cannot connect to {url}: {exc}") from exc

    def close(self) -> None:
        """Close from the client side (never raises)."""
        with contextlib.suppress(OSError, ConnectionClosed):
            self.ws.__exit__(None, None, None)

    def send(self, payload: Any) -> None:
        """Send one payload: a string as it is, anything else as JSON."""
        data = payload if isinstance(payload, str) else compact(payload)
        self.pacer.wait()
        self.transcript.append(Event(">", data))
        self.stats.sent += 1
        try:
            self.ws.send(data)
        except ConnectionClosed as closed:
            raise self._closed(closed) from None

    def _closed(self, closed: ConnectionClosed) -> Violation:
        frame = closed.rcvd
        code, reason = (frame.code, frame.reason) if frame else (None, "no close frame")
        self.transcript.append(Event("x", f"closed: {code} {reason}".rstrip()))
        return Violation("unexpected_close", f"the server closed the connection: {code} {reason}")

    def receive(self, timeout: float) -> Correlated | bool:
        """Read and check one frame: the request it answers, else True; False if none came."""
        try:
            data = self.ws.recv(timeout=timeout)
        except TimeoutError:
            return False
        except ConnectionClosed as closed:
            raise self._closed(closed) from None
        self.transcript.append(Event("<", data))
        self.stats.checked += 1
        _, _, answered = self.checker.check(data)
        return True if answered is None else answered

    def settle(self) -> None:
        """Read (and check) frames until none comes for a moment."""
        deadline = time.monotonic() + self.options.timeout
        while time.monotonic() < deadline and self.receive(self.options.settle) is not False:
            pass

    def exchange(self, request: Request, message: AnyMessage, payload: Any) -> None:
        """Send a request (with a fresh correlation id) and wait for its reply, if any."""
        payload = self._with_id(message, payload)
        waiting = Correlated(request.id, request.replies)
        if message.correlation:
            waiting.request_id = value_at(payload, message.correlation)
            waiting.path = message.correlation
        if request.replies:
            self.checker.pending.append(waiting)
        self.send(payload)
        if not request.replies:
            return
        deadline = time.monotonic() + self.options.timeout
        while (left := deadline - time.monotonic()) > 0:
            if self.receive(left) is waiting:
                return
        raise Violation(
            "missing_reply", f"no reply to `{request.id}` within {self.options.timeout:g} s"
        )

    def _with_id(self, message: AnyMessage, payload: Any) -> Any:
        """``payload`` with a fresh id in its correlation field, where the schema allows."""
        path = message.correlation
        if not path or not isinstance(payload, dict):
            return payload
        number = next(self._ids)
        fresh: Any = number if _numeric(message.schema, path) else f"contract-{number}"
        trial = json.loads(json.dumps(payload))
        node = trial
        for part in path[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node[path[-1]] = fresh
            if payload_error(message, trial) is None:
                return trial
        return payload


def _numeric(schema: Any, path: tuple[str, ...]) -> bool:
    """Whether the schema types the field at ``path`` as a number (Kraken's ``reqid``)."""
    for part in path:
        properties = schema.get("properties") if isinstance(schema, dict) else None
        schema = properties.get(part) if isinstance(properties, dict) else None
    kind = schema.get("type") if isinstance(schema, dict) else None
    kinds = kind if isinstance(kind, list) else [kind]
    return bool({"integer", "number"} & set(kinds)) and "string" not in kinds


def _valid_examples(message: AnyMessage, notes: list[str]) -> list[Any]:
    valid = []
    for i, example in enumerate(message.examples):
        error = payload_error(message, example)
        if error is None:
            valid.append(example)
        else:
            notes.append(f"example {i + 1} of {explain(message, error)}; not sent")
    return valid


def examples_phase(
    url: str, endpoint: Endpoint, requests: list[Request], options: GenericOptions,
    result: TypeResult,
) -> None:  # fmt: skip
    """Every valid example of every request, once, in order, on one connection."""
    steps = [
        (request, message, example)
        for request in requests
        for message in request.messages
        if not message.unsupported
        for example in _valid_examples(message, result.notes)
    ]
    if not steps:
        result.notes.append("examples: none to send")
        return
    transcript: list[Event] = []
    connection = Connection(url, endpoint, options, result.stats, transcript)
    sent = 0
    try:
        connection.settle()
        for request, message, example in steps:
            sent += 1
            connection.exchange(request, message, example)
    except Violation as violation:
        violation.transcript = transcript
        violation.context = f"sending the document's examples ({sent} of {len(steps)})"
        result.failures.append(Failure("examples", violation, shrunk=False))
    finally:
        connection.close()
    result.notes.append(f"examples: {sent} of {len(steps)} sent")


def _payloads(
    message: AnyMessage, max_frame_bytes: int, notes: list[str]
) -> st.SearchStrategy[Any] | None:
    def fits(payload: Any) -> bool:
        return len(json.dumps(payload).encode()) <= max_frame_bytes

    smallest = minimal_instance(message.schema)
    if smallest is not None and not fits(smallest):  # Hypothesis would only give up, slowly
        notes.append(f"generated: no `{message.name}` fits in {max_frame_bytes:,} bytes")
        return None
    try:
        strategy = from_schema(message.schema)
        strategy.validate()
    except (HypothesisException, ValueError, TypeError) as exc:
        notes.append(f"no generated values for `{message.name}`: {exc}")
        return None
    return strategy.filter(fits)


def _hypothesis_test(test: Callable[[], None], options: GenericOptions) -> Callable[[], None]:
    """``test`` as Hypothesis runs it here: quiet, no database, shrinking, seeded if asked."""
    test = settings(
        max_examples=options.max_examples,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )(test)
    if options.seed is not None:
        test = hypothesis_seed(options.seed)(test)
    return test


class _ServerGone(BaseException):
    """The server stopped accepting connections: stop, do not shrink (see phases.py)."""


def generated_phase(
    url: str, endpoint: Endpoint, requests: list[Request], options: GenericOptions,
    result: TypeResult,
) -> None:  # fmt: skip
    """Sequences of valid requests drawn from the schemas, each on a fresh connection."""
    choices = []
    for request in requests:
        for message in request.messages:
            if message.unsupported:
                result.notes.append(f"`{message.name}` not sent: {message.unsupported}")
                continue
            payloads = _payloads(message, options.max_frame_bytes, result.notes)
            if payloads is not None:
                choices.append(st.tuples(st.just(request), st.just(message), payloads))
    if not choices or options.max_examples <= 0:
        return
    failures: list[Violation] = []

    def run(steps: list[Step]) -> None:
        transcript: list[Event] = []
        try:
            connection = Connection(url, endpoint, options, result.stats, transcript)
        except Unreachable as exc:
            raise _ServerGone(str(exc)) from exc
        try:
            for request, message, payload in steps:
                connection.exchange(request, message, payload)
        except Violation as violation:
            violation.transcript = transcript
            violation.context = f"{len(steps)} generated request(s)"
            failures.append(violation)
            raise
        finally:
            connection.close()

    strategy = st.lists(st.one_of(choices), min_size=1, max_size=options.max_length)
    test = _hypothesis_test(given(strategy)(run), options)
    names = ", ".join(r.id for r in requests)
    result.notes.append(f"generated: up to {options.max_examples} sequences of {names}")
    try:
        test()
    except _ServerGone as gone:
        if not failures:
            raise Unreachable(str(gone)) from None
        result.failures.append(Failure("generated", failures[0], "not shrunk: the server went"))
    except Violation as violation:
        how = f"shrunk by Hypothesis in {len(failures)} failing runs"
        result.failures.append(Failure("generated", violation, how))
    except Flaky:
        if not failures:
            raise
        shortest = min(failures, key=lambda v: len(v.transcript))
        result.failures.append(Failure("generated", shortest, "not reproducible (flaky)"))
    except Unsatisfiable:  # every drawn request was over --max-frame-bytes
        result.notes.append(
            f"generated: no request fits in {options.max_frame_bytes:,} bytes; none sent"
        )


def run_endpoint(url: str, endpoint: Endpoint, options: GenericOptions) -> TypeResult:
    """Test one endpoint at ``url``: its greeting, the examples, then generated traffic."""
    result = TypeResult(endpoint.name, notes=[f"url: {url}"])
    requests = [r for r in endpoint.requests if r.id not in options.exclude]
    try:
        transcript: list[Event] = []
        connection = Connection(url, endpoint, options, result.stats, transcript)
        try:
            connection.settle()
        except Violation as violation:
            violation.transcript = transcript
            violation.context = "connecting"
            result.failures.append(Failure("connecting", violation, shrunk=False))
            return result
        finally:
            connection.close()
        if not requests:
            result.notes.append("nothing a client sends: only what the server sends was checked")
            return result
        examples_phase(url, endpoint, requests, options, result)
        generated_phase(url, endpoint, requests, options, result)
        if not result.stats.sent and not result.failures:  # a run that sent nothing passes not
            result.skipped = f"no request could be sent ({result.notes[-1]})"
    except Unreachable as exc:
        if result.stats.sent:
            result.failures.append(Failure("run", Violation("server_unreachable", str(exc))))
        else:
            result.skipped = str(exc)
    return result
