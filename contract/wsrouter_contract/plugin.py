"""The interface of scenario plugins: protocol knowledge kept out of the generic core.

The core knows only what the spec says. What a protocol *means* (joining a room
before broadcasting to it, where test sessions come from) lives in a plugin module
(``--scenarios MODULE``, by default :mod:`wsrouter_contract.scenarios`) with:

* ``SCENARIOS``: a sequence of :class:`Scenario` objects, each run once for its
  connection type before the generic checks;
* optionally ``prepare(setup: Setup) -> dict[str, str]``: a ``room`` for connection
  types the user gave none (``--room`` always wins);
* optionally ``LAST_OPERATIONS``: ids of operations that end what the connection acts
  on (submitting an exam). Generated traffic leaves them out and sends each once, after
  every other request, so that the rest of the run does not meet only its aftermath.

Scenarios drive connections through :class:`ScenarioContext`, so every frame they
receive is checked against the spec like any other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Protocol

import httpx

from wsrouter_contract.check import Violation
from wsrouter_contract.generate import base_payload
from wsrouter_contract.peer import Peer, Received, ServerClosed, Stats, Target, close_violation
from wsrouter_contract.spec import Operation
from wsrouter_contract.transcript import Event


class Skip(Exception):
    """The scenario cannot run here (no admin API, a session already submitted...)."""


@dataclass(frozen=True)
class Admin:
    """The server's HTTP admin API, when the user gave its URL and an admin token."""

    http_url: str
    token: str
    timeout: float = 5.0

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST JSON; the decoded response, or :class:`Skip` when the call fails."""
        headers = {"authorization": f"Bearer {self.token}"}
        try:
            response = httpx.post(
                self.http_url.rstrip("/") + path, json=body, headers=headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise Skip(f"admin API: POST {path} failed: {exc}") from None
        if response.status_code >= 300:
            raise Skip(f"admin API: POST {path} -> {response.status_code} {response.text[:200]}")
        result: dict[str, Any] = response.json()
        return result


@dataclass(frozen=True)
class Setup:
    """What ``prepare`` gets: the target, the admin API if any, the user's rooms."""

    target: Target
    admin: Admin | None


@dataclass
class ScenarioContext:
    """Connections and helpers for one scenario run; all connections share a transcript."""

    target: Target
    connection_type: str
    admin: Admin | None
    stats: Stats
    transcript: list[Event] = field(default_factory=list)
    peers: list[Peer] = field(default_factory=list)

    def open(
        self, name: str, *, room: str | None = None, connection_type: str | None = None
    ) -> Peer:
        """A new connection named ``name`` in reports (``a``, ``b``)."""
        peer = Peer.open(
            self.target,
            connection_type or self.connection_type,
            stats=self.stats,
            transcript=self.transcript,
            room=room,
            name=name,
        )
        self.peers.append(peer)
        return peer

    def operation(self, peer: Peer, tag: str) -> Operation:
        """The request whose message has this ``type``."""
        for op in peer.checker.connection_type.requests:
            if op.messages[0].tag == tag:
                return op
        raise Skip(f"the spec has no `{tag}` request for {peer.checker.connection_type.name}")

    def request(
        self, peer: Peer, tag: str, *, skip_on: Collection[str] = (), **fields: Any
    ) -> dict[str, Any]:
        """Send a request and return its reply, which must not be an error.

        An error whose ``code`` is in ``skip_on`` means the scenario cannot run here
        (:class:`Skip`); any other error fails it.
        """
        op = self.operation(peer, tag)
        payload = {**(base_payload(op.messages[0]) or {}), **fields, "type": tag}
        try:
            request_id = peer.request(payload, op)
            if request_id is None:
                return {}
            reply, message = peer.reply(request_id, op)
        except ServerClosed as closed:
            raise close_violation(self.target.spec, closed, f"after `{tag}`") from None
        if message.is_error and reply.get("code") in skip_on:
            raise Skip(f"`{tag}` was refused with `{reply.get('code')}`")
        if message.is_error:
            self.fail(f"`{tag}` was refused: {reply.get('code')}: {reply.get('message')}")
        return reply

    def expect(
        self, peer: Peer, tag: str, what: str, match: Callable[[dict[str, Any]], bool] | None = None
    ) -> dict[str, Any]:
        """Wait for a frame of type ``tag`` (that ``match`` accepts) on ``peer``."""

        def found(received: Received) -> bool:
            payload = received[0]
            return payload.get("type") == tag and (match is None or match(payload))

        try:
            return peer.wait_for(found, what)[0]
        except ServerClosed as closed:
            raise close_violation(self.target.spec, closed, f"while waiting for {what}") from None
        except Violation as violation:
            if violation.kind == "missing_reply":
                violation.kind = "scenario_failed"
            raise

    def fail(self, summary: str) -> None:
        """End the scenario with a failure."""
        raise Violation("scenario_failed", summary)

    def close(self) -> None:
        """Close every connection of the scenario."""
        for peer in self.peers:
            peer.close()


class Scenario(Protocol):
    """A stateful sequence that follows the protocol, for one connection type."""

    @property
    def name(self) -> str:
        """What the scenario checks, in a few words."""

    @property
    def connection_type(self) -> str:
        """The connection type it belongs to."""

    def run(self, ctx: ScenarioContext) -> None:
        """Drive the scenario; raise :class:`Violation` or :class:`Skip`."""


@dataclass(frozen=True)
class Plugin:
    """A loaded scenario module."""

    scenarios: Sequence[Scenario] = ()
    prepare: Callable[[Setup], dict[str, str]] | None = None
    last: frozenset[str] = frozenset()
    """Operation ids sent once, after the rest of the generated traffic."""


def load_plugin(name: str | None) -> Plugin:
    """Import a scenario module by name; None or ``none`` means no scenarios."""
    if name is None or name == "none":
        return Plugin()
    module: ModuleType = importlib.import_module(name)
    return Plugin(
        scenarios=tuple(getattr(module, "SCENARIOS", ())),
        prepare=getattr(module, "prepare", None),
        last=frozenset(getattr(module, "LAST_OPERATIONS", ())),
    )
