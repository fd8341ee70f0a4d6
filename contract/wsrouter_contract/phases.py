"""The spec-driven checks of one connection type: valid traffic and bad input.

Every run starts on a fresh connection, so a failing run can be replayed and
shrunk: valid traffic by Hypothesis (the sequence and the values in it), bad input
by delta debugging over the bad frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Flaky

from wsrouter_contract.check import Violation
from wsrouter_contract.generate import Step, base_payload, sequences
from wsrouter_contract.invalid import BadFrame
from wsrouter_contract.peer import (
    Peer,
    ServerClosed,
    Stats,
    Target,
    Unreachable,
    close_violation,
)
from wsrouter_contract.report import Failure
from wsrouter_contract.shrink import ddmin
from wsrouter_contract.spec import ConnectionType, Operation
from wsrouter_contract.transcript import Event, compact


class _ServerGone(BaseException):
    """The server stopped accepting connections: stop the run, do not shrink.

    A ``BaseException``, so that Hypothesis lets it through at once instead of
    shrinking towards the shortest run that cannot connect.
    """

    def __init__(self, unreachable: Unreachable) -> None:
        super().__init__(str(unreachable))
        self.unreachable = unreachable


@dataclass
class Exercise:
    """What every run of one connection type needs."""

    target: Target
    connection_type: ConnectionType
    stats: Stats
    probe: Operation
    probe_payload: dict[str, Any]

    def open(self, transcript: list[Event], *, bad_input: bool = False) -> Peer:
        """A fresh connection of this type (``bad_input``: for sending bad frames)."""
        return Peer.open(
            self.target,
            self.connection_type.name,
            stats=self.stats,
            transcript=transcript,
            bad_input=bad_input,
        )

    def probe_on(self, peer: Peer) -> None:
        """Send the probe request and wait for its reply (:class:`ServerClosed` if closed)."""
        request_id = peer.request(self.probe_payload, self.probe)
        if request_id is not None:
            peer.reply(request_id, self.probe)

    def still_serving(self, peer: Peer, after: str) -> None:
        """Send the probe request and require its reply."""
        try:
            self.probe_on(peer)
        except ServerClosed as closed:
            raise close_violation(self.target.spec, closed, after) from None


def _run_steps(exercise: Exercise, steps: list[Step], transcript: list[Event]) -> None:
    peer = exercise.open(transcript)
    try:
        for op, payload in steps:
            try:
                request_id = peer.request(payload, op)
                if op.replies and request_id is not None:
                    peer.reply(request_id, op)
            except ServerClosed as closed:
                what = f"after `{op.id}`"
                raise close_violation(exercise.target.spec, closed, what) from None
        exercise.still_serving(peer, "after valid requests")
    finally:
        peer.close()


def valid_traffic(
    exercise: Exercise,
    operations: list[Operation],
    *,
    max_examples: int,
    max_length: int,
    max_frame_bytes: int,
    seed: int | None,
) -> Failure | None:
    """Generated runs of valid requests, each on a fresh connection; shrunk on failure."""
    failures: list[Violation] = []

    def run(steps: list[Step]) -> None:
        transcript: list[Event] = []
        try:
            _run_steps(exercise, steps, transcript)
        except Unreachable as exc:
            raise _ServerGone(exc) from exc
        except Violation as violation:
            violation.transcript = transcript
            violation.context = f"{len(steps)} generated request(s)"
            failures.append(violation)
            raise

    strategy = sequences(operations, max_length=max_length, max_frame_bytes=max_frame_bytes)
    test = settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )(given(strategy)(run))
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    try:
        test()
    except _ServerGone as gone:
        if not failures:
            raise gone.unreachable from None
        return Failure("valid traffic", failures[0], "not shrunk: the server went away after it")
    except Violation as violation:
        tried = len(failures)
        return Failure("valid traffic", violation, f"shrunk by Hypothesis in {tried} failing runs")
    except Flaky:
        if not failures:  # not one of ours (the server went away): let it be reported
            raise
        shortest = min(failures, key=lambda v: len(v.transcript))
        return Failure("valid traffic", shortest, "not reproducible on replay (flaky)")
    return None


def final_requests(exercise: Exercise, operations: list[Operation]) -> Failure | None:
    """Each of ``operations`` once, on one fresh connection, after every other request.

    For requests that end what the connection acts on (submitting an exam): sent
    earlier, they would leave the rest of the run only their aftermath to test.
    """
    steps = [
        (op, payload) for op in operations if (payload := base_payload(op.messages[0])) is not None
    ]
    transcript: list[Event] = []
    try:
        _run_steps(exercise, steps, transcript)
    except Violation as violation:
        violation.transcript = transcript
        violation.context = "the requests kept for last"
        return Failure("valid traffic", violation, shrunk=False)
    return None


def _error_for(peer: Peer, frame: BadFrame, request_id: str | None) -> None:
    """Wait for the ``error`` a bad frame must cause, with the frame's request id."""
    try:
        payload, _ = peer.wait_for(lambda r: r[1].is_error, f"`error` for {frame.description}")
    except Violation as violation:
        if violation.kind == "missing_reply":
            violation.kind = "no_error_for_bad_input"
        raise
    if request_id is not None and peer.checker.request_id_of(payload) != request_id:
        raise Violation(
            "missing_request_id",
            f"the error for {frame.description} does not carry its request id {request_id!r}",
            peer.transcript[-1].data,
        )


def _send_bad(exercise: Exercise, peer: Peer, frame: BadFrame) -> Peer:
    """Send one bad frame and check the answer; returns the connection to go on with."""
    spec = exercise.target.spec
    request_id = None
    if frame.raw is not None:
        peer.send(frame.raw)
    elif frame.correlate and frame.payload is not None:
        request_id = peer.request(frame.payload, None)
    else:
        peer.send(compact(frame.payload))
    try:
        _error_for(peer, frame, request_id)
        # The spec may allow a close right after the error (1009 after `message_too_big`).
        exercise.probe_on(peer)
    except ServerClosed as closed:
        if closed.code not in frame.close_codes or closed.code not in spec.close_codes:
            violation = close_violation(spec, closed, f"on {frame.description}")
            violation.kind = "closed_on_bad_input"
            raise violation from None
    else:
        return peer
    peer.close()
    fresh = exercise.open(peer.transcript, bad_input=True)
    try:
        exercise.still_serving(fresh, f"after {frame.description} closed a connection")
    except BaseException:
        fresh.close()
        raise
    return fresh


def _sweep(exercise: Exercise, frames: list[BadFrame]) -> Violation | None:
    transcript: list[Event] = []
    peer: Peer | None = None
    try:
        peer = exercise.open(transcript, bad_input=True)
        for frame in frames:
            try:
                peer = _send_bad(exercise, peer, frame)
            except Violation as violation:
                violation.context = f"bad input: {frame.description}"
                raise
    except Violation as violation:
        violation.transcript = transcript
        return violation
    finally:
        if peer is not None:
            peer.close()
    return None


def bad_input(exercise: Exercise, frames: list[BadFrame]) -> Failure | None:
    """Send every bad frame (each followed by the probe); shrink a failure by ddmin."""
    first = _sweep(exercise, frames)
    if first is None:
        return None

    gone: list[Unreachable] = []

    def replay(subset: list[BadFrame]) -> Violation | None:
        if gone:
            return None
        try:
            found = _sweep(exercise, subset)
        except Unreachable as exc:  # the server went away: no replay can tell anything
            gone.append(exc)
            return None
        return found if found is not None and found.kind == first.kind else None

    minimal, violation = ddmin(frames, replay, first)
    how = (
        f"delta debugging: {len(frames)} bad frames -> {len(minimal)},"
        " each subset replayed on a fresh connection"
    )
    if gone:
        how = "not shrunk: the server went away after it"
    return Failure("bad input", violation, how)
