"""Counters and gauges, rendered in the Prometheus text exposition format."""

from __future__ import annotations

from collections.abc import Callable

from wsrouter._generated.connection_types import CONNECTION_TYPES

Labels = tuple[tuple[str, str], ...]


class CounterCell:
    """One labelled series of a counter; hot paths keep it and add to ``value``."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: float = 0


class Metrics:
    """A small metrics registry: labelled counters, and gauges read when scraped."""

    def __init__(self) -> None:
        self._counters: dict[str, dict[Labels, CounterCell]] = {}
        self._help: dict[str, str] = {}
        self._gauges: dict[str, tuple[str, Callable[[], float]]] = {}

    def counter(self, name: str, help_text: str) -> None:
        """Declare a counter (``name`` ends in ``_total``)."""
        self._counters.setdefault(name, {})
        self._help[name] = help_text

    def cell(self, name: str, **labels: str) -> CounterCell:
        """The series of a declared counter with these labels (made on first use).

        What counts once per frame takes its cell once per connection, so that a frame
        costs one addition rather than a lookup by name and labels.
        """
        series = self._counters[name]
        key = tuple(sorted(labels.items()))
        found = series.get(key)
        if found is None:
            found = series[key] = CounterCell()
        return found

    def inc(self, name: str, amount: float = 1, **labels: str) -> None:
        """Add to a declared counter."""
        self.cell(name, **labels).value += amount

    def gauge(self, name: str, help_text: str, read: Callable[[], float]) -> None:
        """Declare a gauge whose value ``read`` returns at scrape time."""
        self._gauges[name] = (help_text, read)

    def render(self) -> str:
        """Everything, in the text exposition format (version 0.0.4)."""
        lines: list[str] = []
        for name, series in sorted(self._counters.items()):
            lines += [f"# HELP {name} {self._help[name]}", f"# TYPE {name} counter"]
            if not series:
                lines.append(f"{name} 0")
            for labels, cell in sorted(series.items()):
                lines.append(f"{name}{_labels(labels)} {cell.value:g}")
        for name, (help_text, read) in sorted(self._gauges.items()):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {read():g}"]
        return "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    inner = ",".join(
        f'{key}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for key, value in labels
    )
    return "{" + inner + "}"


def router_metrics() -> Metrics:
    """The metrics the router keeps."""
    metrics = Metrics()
    metrics.counter("wsrouter_connections_opened_total", "WebSocket connections accepted.")
    metrics.counter("wsrouter_connections_refused_total", "Handshakes refused, by close code.")
    metrics.counter("wsrouter_messages_received_total", "Frames received, by connection type.")
    metrics.counter("wsrouter_errors_sent_total", "Error frames sent, by code.")
    metrics.counter("wsrouter_closes_total", "Connections closed by the server, by close code.")
    metrics.counter(
        "wsrouter_broadcast_recipients_total", "Connections reached by admin broadcasts."
    )
    # Every connection type of the spec is a label from the start (at 0), so that a
    # dashboard sees a type before its first connection.
    for connection_type in CONNECTION_TYPES:
        metrics.cell("wsrouter_connections_opened_total", type=connection_type)
        metrics.cell("wsrouter_messages_received_total", type=connection_type)
    return metrics
