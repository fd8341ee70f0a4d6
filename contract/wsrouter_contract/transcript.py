"""What went over the wire in one run, in order, as reports print it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

SHOWN_CHARS = 240


@dataclass(frozen=True)
class Event:
    """One thing that happened on a connection of a run."""

    direction: str
    """``>`` sent by the tester, ``<`` received, ``x`` closed, ``#`` a note."""
    data: str | bytes
    connection: str = ""
    """Which connection of the run (``a``, ``b``) when there are several."""

    @property
    def is_frame_sent(self) -> bool:
        """Whether this is a frame the tester sent."""
        return self.direction == ">"


def show(data: str | bytes, limit: int = SHOWN_CHARS) -> str:
    """A frame as one line: text as it is (cut when long), binary as ``b'...'``."""
    if isinstance(data, bytes):
        head = repr(data[:limit])
        return head if len(data) <= limit else f"{head}... ({len(data):,} bytes, binary)"
    if len(data) <= limit:
        return data
    size = len(data.encode())
    return f"{data[:limit]}... ({size:,} bytes)"


def render(events: Iterable[Event], *, marked: str | bytes | None = None) -> list[str]:
    """The lines of a transcript; the frame equal to ``marked`` gets an arrow."""
    lines = []
    for event in events:
        who = f"[{event.connection}] " if event.connection else ""
        text = event.data if isinstance(event.data, str) else show(event.data)
        if event.direction in "><":
            text = show(event.data)
        line = f"    {who}{event.direction} {text}"
        if marked is not None and event.direction == "<" and event.data == marked:
            line += "    <-- violates the spec"
        lines.append(line)
    return lines


def compact(payload: object) -> str:
    """The text of a JSON frame the tester sends: compact, UTF-8, keys in order."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
