"""The broker interface: publish one encoded frame to an audience, cluster-wide.

An :class:`Audience` is a filter over connections (every field that is set must
match); each node delivers a published frame to its own matching connections. The
broker never looks inside frames and never waits for a connection to take one: a
node hands each frame to the connection's bounded send queue.

Guarantees: frames published by one caller to one audience arrive in the order
they were published; delivery is at most once (a node that is down misses them).
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Audience:
    """The connections a frame is for. Rooms are namespaced by connection type."""

    connection_type: str | None = None
    user_id: str | None = None
    room: str | None = None
    connection_id: str | None = None
    exclude: str | None = None
    """A connection to skip (the sender, who gets its copy as a reply)."""


Delivery = Callable[[Audience, str], int]
"""Hands a frame to this node's matching connections; returns how many took it."""

Disconnector = Callable[[str, int, str], bool]
"""Closes this node's connection (id, close code, reason); False if it has none."""


class Broker(abc.ABC):
    """Carries frames and control commands between the nodes of a cluster."""

    @abc.abstractmethod
    async def start(self, deliver: Delivery, disconnect: Disconnector) -> None:
        """Start; frames and commands for this node go to ``deliver`` and ``disconnect``."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Stop delivering; pending publishes may be dropped."""

    @abc.abstractmethod
    async def ping(self) -> None:
        """Raise if the backplane cannot be reached (for ``/ready``)."""

    @abc.abstractmethod
    async def publish(self, audience: Audience, frame: str) -> None:
        """Send ``frame`` to every connection of ``audience``, on every node."""

    @abc.abstractmethod
    async def disconnect(self, connection_id: str, code: int, reason: str) -> None:
        """Close the connection ``connection_id`` on whichever node holds it."""

    async def flushed(self) -> None:
        """Return once what this node published so far has left for the other nodes.

        Sent, or given up on (at most once, as every publish): only the attempt is waited
        for, in bounded time. For a caller that must not commit before its frame left (the
        auto-submit's announcement). A broker that delivers at once has nothing to wait for.
        """
        return
