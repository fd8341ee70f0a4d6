"""Handlers in process: a session per client, a recording sink and broker, no socket.

A :class:`Harness` connects clients of any connection type to the real handler
classes (bound from the generated table), with a real SQLite store and an in-memory
registry behind the :class:`Rooms` facade; what the handlers publish is delivered
to the other clients of the harness that match, as the hub would.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wsrouter._generated.connection_types import CONNECTION_TYPES
from wsrouter.auth import Principal, TokenVerifier, issue_token
from wsrouter.broker import Audience, Broker, Delivery, Disconnector
from wsrouter.connection_types.base import ConnectionHandler, Context
from wsrouter.connection_types.binding import bind_handlers
from wsrouter.connection_types.presence import PresenceFeed, _Interval
from wsrouter.protocol.session import Peer, Session
from wsrouter.protocol.throttle import TypingThrottle
from wsrouter.registry import ConnectionInfo, Registry, RoomChange, open_registry
from wsrouter.settings import Settings
from wsrouter.store import Store, open_store

SECRET = "in-process-secret-that-is-long-enough-for-hs256-0123"


class Sink:
    """The transport's side of one client: the frames it was sent, and its close."""

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []
        self.closed: tuple[int, str] | None = None

    @property
    def closing(self) -> bool:
        return self.closed is not None

    def enqueue(self, frame: str) -> bool:
        if self.closed is not None:
            return False
        self.frames.append(json.loads(frame))
        return True

    def close(self, code: int, reason: str) -> None:
        self.closed = self.closed or (code, reason)

    def take(self) -> list[dict[str, Any]]:
        """The frames sent since the last call."""
        frames = self.frames[:]
        self.frames.clear()
        return frames


class Rooms:
    """The rooms facade over a real in-memory registry (no hub: the harness delivers)."""

    def __init__(self, peer: Peer, registry: Registry) -> None:
        self.peer = peer
        self.registry = registry
        self.joined: set[str] = set()

    def __contains__(self, room: object) -> bool:
        return room in self.joined

    def __len__(self) -> int:
        return len(self.joined)

    async def join(self, room: str) -> RoomChange | None:
        self.joined.add(room)
        return await self.registry.join(self.peer.id, room)

    async def leave(self, room: str) -> RoomChange | None:
        self.joined.discard(room)
        return await self.registry.leave(self.peer.id, room)

    async def member_count(self, room: str) -> int:
        return await self.registry.count(Audience(connection_type=self.peer.type, room=room))

    async def users(self, room: str) -> list[tuple[str, str]]:
        return await self.registry.room_users(self.peer.type, room)


@dataclass
class Client:
    """One connected client: send it frames, read what it got."""

    session: Session
    handler: ConnectionHandler
    sink: Sink
    rooms: Rooms

    async def send(self, frame: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Feed one frame as the transport would; return every frame this client got."""
        outcome = await self.session.handle_text(json.dumps(frame))
        if outcome.reply is not None:
            self.sink.enqueue(outcome.reply)
        self.session.outbox.flush_deferred()
        if outcome.close is not None:
            self.sink.close(*outcome.close)
        return self.sink.take()

    async def request(self, frame: Mapping[str, Any]) -> dict[str, Any]:
        """Send a frame and return its one reply."""
        frames = await self.send(frame)
        assert len(frames) >= 1, frames
        return frames[0]


@dataclass
class Recorder(Broker):
    """A broker that delivers to the harness's clients and remembers what went out."""

    harness: Harness
    published: list[tuple[Audience, dict[str, Any]]] = field(default_factory=list)

    async def start(self, deliver: Delivery, disconnect: Disconnector) -> None:
        return None

    async def close(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def publish(self, audience: Audience, frame: str) -> None:
        self.published.append((audience, json.loads(frame)))
        for client in self.harness.clients:
            if _matches(client, audience):
                client.sink.enqueue(frame)

    async def disconnect(self, connection_id: str, code: int, reason: str) -> None:
        for client in self.harness.clients:
            if client.session.peer.id == connection_id:
                client.sink.close(code, reason)


def _matches(client: Client, audience: Audience) -> bool:
    peer = client.session.peer
    return (
        peer.id != audience.exclude
        and (audience.connection_type is None or peer.type == audience.connection_type)
        and (audience.user_id is None or peer.user_id == audience.user_id)
        and (audience.room is None or audience.room in client.rooms)
        and (audience.connection_id is None or peer.id == audience.connection_id)
    )


class SteppedPresenceFeed(PresenceFeed):
    """The server's presence feed whose intervals end when the test says, not by a timer.

    However slow the machine, everything a test does before :meth:`step_until_idle`
    happens within one interval.
    """

    def _start_interval(self, key: tuple[str, str], current: _Interval) -> _Interval:
        return current  # no timer

    async def step_until_idle(self) -> None:
        """End every room's interval, and the ones that follow, until none is left."""
        while not self.idle:
            for key in list(self._rooms):
                self._end_interval(key)
            await asyncio.gather(*self._flushing)
            await asyncio.sleep(0)  # the finished tasks' callbacks take them off the set


class Harness:
    """Clients of any connection type against the real handlers, in this process."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.registry = open_registry("memory://")
        self.tokens = TokenVerifier(settings)
        self.broker = Recorder(self)
        self.typing = TypingThrottle(settings.limits.typing_interval_seconds)
        self.presence = SteppedPresenceFeed(
            self.broker,
            self.registry.room_users,
            settings.limits.presence_interval_seconds,
            settings.limits.presence_burst,
        )
        self.handlers = bind_handlers()
        self.clients: list[Client] = []

    def principal(self, user: str, *, role: str | None = None, ttl: int = 3600) -> Principal:
        return Principal(
            user_id=user,
            name=user.title(),
            role=role,
            expires_at=datetime.now(UTC) + timedelta(seconds=ttl),
        )

    def token(self, user: str, *, role: str | None = None, ttl: int = 3600) -> str:
        return issue_token(self.settings, sub=user, role=role, ttl_seconds=ttl)

    async def connect(
        self, connection_type: str, user: str, *, room: str | None = None, role: str | None = None
    ) -> tuple[Client, list[dict[str, Any]]]:
        """A client that passed the handshake; also the frames its handler opened with."""
        spec = CONNECTION_TYPES[connection_type]
        principal = self.principal(user, role=role)
        peer = Peer(
            connection_id=f"{connection_type}_{user}_{len(self.clients)}",
            connection_type=connection_type,
            principal=principal,
            room=room,
            connected_at=datetime.now(UTC),
        )
        await self.registry.add(
            ConnectionInfo(
                connection_id=peer.id,
                connection_type=connection_type,
                user_id=user,
                username=principal.name,
                connected_at=peer.connected_at,
                node="test",
            ),
            self.settings.limits.connections_per_user,
        )
        sink = Sink()
        session = Session(
            peer=peer,
            sink=sink,
            decode=spec.decode,
            tags=spec.inbound_tags,
            limits=self.settings.limits,
        )
        rooms = Rooms(peer, self.registry)
        handler = self.handlers[connection_type](
            Context(
                session=session,
                rooms=rooms,
                broker=self.broker,
                store=self.store,
                tokens=self.tokens,
                settings=self.settings,
                typing=self.typing,
                presence=self.presence,
            )
        )
        session.bind(handler.dispatch)  # type: ignore[attr-defined]
        client = Client(session, handler, sink, rooms)
        self.clients.append(client)
        await handler.open()
        session.outbox.flush_deferred()  # as the transport does after any opening
        return client, sink.take()

    async def presence_settled(self) -> None:
        """End the rooms' presence intervals until every waiting change is announced."""
        await self.presence.step_until_idle()

    async def disconnect(self, client: Client) -> None:
        """The transport's part when a connection ends."""
        self.clients.remove(client)
        changes = await self.registry.remove(client.session.peer.id)
        await client.handler.rooms_left(changes)
        await client.handler.close()


@asynccontextmanager
async def harness(tmp_path: Path, **env: str) -> AsyncIterator[Harness]:
    """A harness on a fresh SQLite store in ``tmp_path``."""
    settings = Settings.from_env(
        {"WSROUTER_JWT_SECRET": SECRET, **{f"WSROUTER_{k.upper()}": v for k, v in env.items()}},
        var_dir=tmp_path,
    )
    store = open_store(f"sqlite:///{tmp_path / 'test.db'}")
    await store.start()
    opened = Harness(store, settings)
    await opened.registry.start()
    try:
        yield opened
    finally:
        await opened.presence.close()
        await store.close()
