"""Results of a run, and how they are printed."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from wsrouter_contract.check import Violation
from wsrouter_contract.peer import Stats
from wsrouter_contract.transcript import Event, render


@dataclass
class Failure:
    """One contract violation, with the shortest run found that shows it."""

    phase: str
    violation: Violation
    how_shrunk: str = ""
    shrunk: bool = True
    """False for a scenario: its steps are a fixed script, each needed by the next."""

    @property
    def transcript(self) -> list[Event]:
        """The frames of the (minimal) run that shows the violation."""
        return self.violation.transcript


@dataclass
class TypeResult:
    """What happened to one connection type."""

    name: str
    stats: Stats = field(default_factory=Stats)
    failures: list[Failure] = field(default_factory=list)
    skipped: str = ""
    """Why the connection type could not be tested (empty when it was)."""
    notes: list[str] = field(default_factory=list)
    """What ran: scenarios, sequences, bad frames; and what was left out."""

    @property
    def status(self) -> str:
        """``FAIL``, ``skipped`` or ``ok``."""
        if self.failures:
            return "FAIL"
        return "skipped" if self.skipped else "ok"


def _codes(counter: Counter[str], what: str) -> str:
    if not counter:
        return ""
    listed = ", ".join(f"{code} x{n}" for code, n in counter.most_common())
    return f"; {what}: {listed}"


def summary_lines(results: list[TypeResult]) -> list[str]:
    """One line per connection type."""
    width = max((len(r.name) for r in results), default=0)
    lines = []
    for result in results:
        head = f"{result.name:<{width}}  {result.status:<7}"
        if result.skipped and not result.failures:
            lines.append(f"{head} {result.skipped}")
            continue
        stats = result.stats
        counts = f"{stats.sent} messages sent, {stats.checked} frames checked"
        lines.append(f"{head} {counts}")
        indent = f"{'':<{width}}           "
        for counter, what in (
            (stats.error_codes, "error replies to valid requests"),
            (stats.bad_input_codes, "errors answering bad input"),
        ):
            if counter:
                lines.append(indent + _codes(counter, what)[2:])
        lines.extend(f"{'':<{width}}           {note}" for note in result.notes)
    return lines


def failure_lines(result: TypeResult, failure: Failure) -> list[str]:
    """A failure, its offending frame and the minimal frame sequence reproducing it."""
    violation = failure.violation
    lines = [
        f"FAIL {result.name} - {failure.phase}: {violation.summary}",
        f"  kind: {violation.kind}",
    ]
    if violation.context:
        lines.append(f"  while: {violation.context}")
    if not failure.transcript:
        return lines
    sent = sum(1 for e in failure.transcript if e.is_frame_sent)
    connections = sorted({e.connection for e in failure.transcript if e.connection})
    fresh = f"fresh connections {', '.join(connections)}" if connections else "a fresh connection"
    plural = "" if sent == 1 else "s"
    what = "Minimal reproducing sequence" if failure.shrunk else "Reproducing sequence (not shrunk)"
    lines.append(f"  {what} ({sent} frame{plural} sent, on {fresh}):")
    lines.extend(render(failure.transcript, marked=violation.frame))
    if failure.how_shrunk:
        lines.append(f"  ({failure.how_shrunk})")
    return lines


def render_report(header: str, results: list[TypeResult], unit: str = "connection type") -> str:
    """The whole report: a header, the failures in detail, then the summary.

    ``unit``: what each result is (a ``connection type``; an ``endpoint`` in the generic
    profile).
    """
    lines = [header, ""]
    for result in results:
        for failure in result.failures:
            lines += [*failure_lines(result, failure), ""]
    lines += summary_lines(results)
    failed = sum(len(r.failures) for r in results)
    skipped = sum(1 for r in results if r.status == "skipped")
    lines.append("")
    if failed:
        lines.append(f"{failed} violation(s) found.")
    elif skipped == len(results):
        lines.append(f"Nothing was tested: every {unit} was skipped.")
        return "\n".join(lines)
    else:
        lines.append("No violations found.")
    if skipped:
        lines[-1] += f" {skipped} {unit}(s) skipped."
    return "\n".join(lines)
