"""Running every check for every connection type, and collecting the results.

Per connection type: connect and find a probe request that succeeds (a refused
handshake skips the type, saying why); run the plugin's scenarios for the type;
send every bad frame; then generated valid traffic. A violation in one phase does
not stop the next ones, so one run reports everything it can.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from wsrouter_contract.check import Violation
from wsrouter_contract.generate import base_payload, probe_candidates
from wsrouter_contract.invalid import bad_frames
from wsrouter_contract.peer import Peer, ServerClosed, Target, Unreachable, close_violation
from wsrouter_contract.phases import Exercise, bad_input, final_requests, valid_traffic
from wsrouter_contract.plugin import Admin, Plugin, Scenario, ScenarioContext, Setup, Skip
from wsrouter_contract.report import Failure, TypeResult
from wsrouter_contract.spec import ConnectionType, Operation
from wsrouter_contract.transcript import Event

PROBE_TRIES = 3


class UsageError(Exception):
    """The options do not fit the spec (an unknown connection type or operation)."""


@dataclass(frozen=True)
class Options:
    """How much to test, and what to leave out."""

    connection_types: tuple[str, ...] = ()
    """Empty: every connection type of the spec."""
    max_examples: int = 50
    """Generated sequences per connection type."""
    max_length: int = 4
    """Requests per generated sequence, at most."""
    seed: int | None = None
    max_frame_bytes: int = 65536
    probes: dict[str, str] = field(default_factory=dict)
    """Connection type -> the operation id to use as its probe."""
    exclude: frozenset[str] = frozenset()
    """Operation ids never sent (valid or not)."""
    settle: float = 0.3
    """Seconds of quiet that end the greeting after connecting."""


def _selected(target: Target, options: Options) -> list[ConnectionType]:
    types = target.spec.connection_types
    unknown = [t for t in (*options.connection_types, *options.probes) if t not in types]
    if unknown:
        raise UsageError(f"unknown connection type(s) {unknown}; the spec has {sorted(types)}")
    ids = {op.id for t in types.values() for op in t.requests}
    bad_ids = [o for o in (*options.exclude, *options.probes.values()) if o not in ids]
    if bad_ids:
        raise UsageError(f"unknown operation(s) {bad_ids}; the spec's requests are {sorted(ids)}")
    names = options.connection_types or tuple(types)
    return [types[name] for name in names]


def run(
    target: Target, options: Options, plugin: Plugin, admin: Admin | None = None
) -> list[TypeResult]:
    """Test every selected connection type; the results, in order."""
    selected = _selected(target, options)
    rooms, notes = dict(target.rooms), []
    if plugin.prepare is not None:
        try:
            prepared = plugin.prepare(Setup(target, admin))
        except Skip as skip:
            prepared, notes = {}, [f"setup skipped: {skip}"]
        for type_name, room in prepared.items():
            rooms.setdefault(type_name, room)
    target = replace(target, rooms=rooms)
    results = []
    for connection_type in selected:
        result = TypeResult(connection_type.name, notes=list(notes))
        try:
            _run_type(target, connection_type, options, plugin, admin, result)
        except Unreachable as exc:
            if result.stats.sent:  # it answered before: it went away during the run
                result.failures.append(Failure("run", Violation("server_unreachable", str(exc))))
            else:
                result.skipped = str(exc)
        results.append(result)
    return results


def _run_type(
    target: Target,
    connection_type: ConnectionType,
    options: Options,
    plugin: Plugin,
    admin: Admin | None,
    result: TypeResult,
) -> None:
    probe = _preflight(target, connection_type, options, result)
    if probe is None:
        return
    exercise = Exercise(target, connection_type, result.stats, *probe)
    for scenario in plugin.scenarios:
        if scenario.connection_type == connection_type.name:
            _run_scenario(scenario, target, admin, result)
    operations = [op for op in connection_type.requests if op.id not in options.exclude]
    allowed = replace(connection_type, requests=tuple(operations))
    frames = bad_frames(target.spec, allowed, probe[0], max_frame_bytes=options.max_frame_bytes)
    failure = bad_input(exercise, frames)
    result.notes.append(f"bad input: {len(frames)} bad frames")
    if failure is not None:
        result.failures.append(failure)
    if not operations:
        result.notes.append("valid traffic: every request excluded")
        return
    generated = [op for op in operations if op.id not in plugin.last]
    last = [op for op in operations if op.id in plugin.last]
    if generated:
        failure = valid_traffic(
            exercise,
            generated,
            max_examples=options.max_examples,
            max_length=options.max_length,
            max_frame_bytes=options.max_frame_bytes,
            seed=options.seed,
        )
        result.notes.append(
            f"valid traffic: up to {options.max_examples} generated sequences of"
            f" {', '.join(op.id for op in generated)}"
        )
        if failure is not None:
            result.failures.append(failure)
    if last:
        failure = final_requests(exercise, last)
        result.notes.append(f"valid traffic, last: {', '.join(op.id for op in last)} once")
        if failure is not None:
            result.failures.append(failure)


def _refusal(
    target: Target, connection_type: str, closed: ServerClosed, transcript: list[Event]
) -> str:
    known = target.spec.close_codes.get(closed.code) if closed.code is not None else None
    why = ""
    for event in reversed(transcript):
        if event.direction == "<" and isinstance(event.data, str):
            frame: Any = json.loads(event.data)
            why = f": {frame.get('message', '')}" if isinstance(frame, dict) else ""
            break
    name = f" ({known.name})" if known else ""
    # A hint only where the refusal is about what the option sets: the spec's meaning of
    # the close code, or the server's words, speak of the room (or of the token).
    said = f"{known.description if known else ''} {why}".lower()
    hint = ""
    if "room" in said and connection_type not in target.rooms:
        hint = f" (--room {connection_type}=ROOM?)"
    elif "token" in said:
        hint = " (check --token)"
    return f"the server refused the connection with {closed.code}{name}{why}{hint}"


def _preflight(
    target: Target, connection_type: ConnectionType, options: Options, result: TypeResult
) -> tuple[Operation, dict[str, Any]] | None:
    """Connect, read the greeting, and find a probe request that succeeds."""
    transcript: list[Event] = []
    forced = options.probes.get(connection_type.name)
    candidates = [
        op
        for op in probe_candidates(connection_type)
        if op.id not in options.exclude and (forced is None or op.id == forced)
    ]
    peer = Peer.open(target, connection_type.name, stats=result.stats, transcript=transcript)
    try:
        try:
            peer.settle(options.settle)
        except ServerClosed as closed:
            result.skipped = _refusal(target, connection_type.name, closed, transcript)
            return None
        tried = []
        for op in candidates[:PROBE_TRIES]:
            payload = base_payload(op.messages[0]) or {}
            request_id = peer.request(payload, op)
            if request_id is None:
                continue
            reply, message = peer.reply(request_id, op)
            if not message.is_error:
                return op, payload
            tried.append(f"{op.id} -> {reply.get('code')}")
        result.skipped = f"no request succeeded to probe with (tried: {', '.join(tried) or 'none'})"
        return None
    except ServerClosed as closed:
        violation = close_violation(target.spec, closed, "after the first request")
        violation.transcript = transcript
        result.failures.append(Failure("connecting", violation))
        return None
    except Violation as violation:
        violation.transcript = transcript
        violation.context = "connecting and sending the first request"
        result.failures.append(Failure("connecting", violation))
        return None
    finally:
        peer.close()


def _run_scenario(
    scenario: Scenario, target: Target, admin: Admin | None, result: TypeResult
) -> None:
    ctx = ScenarioContext(target, scenario.connection_type, admin, result.stats)
    try:
        scenario.run(ctx)
    except Skip as skip:
        result.notes.append(f"scenario skipped: {scenario.name} ({skip})")
    except (Violation, ServerClosed) as exc:
        violation = (
            close_violation(target.spec, exc, "during the scenario")
            if isinstance(exc, ServerClosed)
            else exc
        )
        violation.transcript = ctx.transcript
        violation.context = f"scenario: {scenario.name}"
        result.failures.append(Failure("scenario", violation, shrunk=False))
    else:
        result.notes.append(f"scenario passed: {scenario.name}")
    finally:
        ctx.close()
