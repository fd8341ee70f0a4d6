"""Locust users for every connection type, on the SDK's blocking client.

    LOCUST_SKIP_MONKEY_PATCH=1 WSROUTER_LOAD_SECRET=... \\
        locust -f loadtests/locustfile.py --headless -u 40 -r 20 -t 30s --host http://HOST:PORT

``make load`` does this against a server of its own (``loadtests/run_local.py``). Why
``LOCUST_SKIP_MONKEY_PATCH=1`` and why every SDK call goes through :func:`blocking`:
see ``loadtests/_common.py``. Statistics (request type ``WS`` or ``HTTP``):

- ``... round trip``: a request and its reply on one connection;
- ``... delivery``: from the sender's clock (a timestamp in the message, the
  notification's ``data`` or the answer) to another connection receiving it;
- failures: error replies, unexpected ``error`` frames, closes, timeouts and
  notifications that never arrived.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import gevent  # type: ignore[import-untyped]
import gevent.lock  # type: ignore[import-untyped]
import gevent.monkey  # type: ignore[import-untyped]

if gevent.monkey.is_module_patched("threading"):
    raise SystemExit(
        "loadtests: run Locust with LOCUST_SKIP_MONKEY_PATCH=1 (the SDK needs real threads; "
        "see loadtests/_common.py)"
    )

from locust import User, between, events, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import wsrouter_client
from loadtests._common import (
    RUN_ID,
    Inbox,
    Sample,
    Tokens,
    elapsed_ms,
    next_index,
    timed,
    ws_url,
)
from wsrouter_client.http_models import NotificationCreate, TestSessionCreate
from wsrouter_client.messages import (
    AnswerSynced,
    ChatMessage,
    Error,
    Notification,
    RoomMessage,
)

T = TypeVar("T")

logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per admin request

# Every blocking call occupies one pool thread while it waits: allow one per connection.
gevent.get_hub().threadpool.maxsize = int(os.environ.get("WSROUTER_LOAD_THREADS", "2000"))

GENERAL_ROOMS = 5
CHAT_ROOMS = 3
REQUEST_TIMEOUT = 10.0
DELIVERY_TIMEOUT = 10.0


def blocking(call: Callable[[], T]) -> T:
    """Run a blocking SDK call on a real thread; only this greenlet waits for it.

    The exception travels back as a value: when Locust kills a user mid-call at the
    end of a run, gevent would otherwise print the pool thread's traceback.
    """

    def capture() -> tuple[bool, Any]:
        try:
            return True, call()
        except Exception as exc:
            return False, exc

    ok, value = gevent.get_hub().threadpool.spawn(capture).get()
    if not ok:
        raise value
    result: T = value
    return result


@events.init_command_line_parser.add_listener  # type: ignore[untyped-decorator]
def _arguments(parser: Any) -> None:
    parser.add_argument(
        "--token-secret",
        default="",
        env_var="WSROUTER_LOAD_SECRET",
        help="the server's WSROUTER_JWT_SECRET, to sign the users' tokens",
    )


_tokens: dict[str, Tokens] = {}


def tokens(environment: Environment) -> Tokens:
    """The token signer, made once from ``--token-secret`` / ``$WSROUTER_LOAD_SECRET``."""
    if "signer" not in _tokens:
        options = environment.parsed_options
        _tokens["signer"] = Tokens.from_env(getattr(options, "token_secret", None))
    return _tokens["signer"]


_admin: dict[str, wsrouter_client.AdminClient] = {}
_admin_lock = gevent.lock.Semaphore()  # between greenlets


def admin_client(environment: Environment, base_url: str) -> wsrouter_client.AdminClient:
    """The process's one admin API client (``httpx.Client`` is thread-safe).

    Made once, on a pool thread: making an ``httpx`` client loads the CA bundle, tens of
    milliseconds that would stall every user if each made its own on the hub.
    """
    with _admin_lock:
        if "client" not in _admin:
            token = tokens(environment).token(f"load-admin-{RUN_ID}", role="admin")
            _admin["client"] = blocking(lambda: wsrouter_client.AdminClient(base_url, token))
        return _admin["client"]


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _close_admin(**_: Any) -> None:
    if "client" in _admin:
        _admin.pop("client").close()


class WsUser(User):
    """A user with SDK connections; reports samples and reconnects after a close."""

    abstract = True
    wait_time = between(0.5, 1.5)
    kind = "ws"

    def on_start(self) -> None:
        self.index = next_index()
        self.user_id = f"load-{RUN_ID}-{self.index}"
        self.inbox = Inbox()
        self.connections: list[wsrouter_client.SyncLiveConnection[Any, Any]] = []
        if self.host is None:
            raise SystemExit("loadtests: pass --host http://HOST:PORT")
        self.url = ws_url(self.host)
        self.admin = admin_client(self.environment, self.host.rstrip("/"))
        self.connected = False

    def on_stop(self) -> None:
        for connection in self.connections:
            with contextlib.suppress(Exception):  # closing what may be closed already
                blocking(connection.close)
        self.connections.clear()
        self.report()

    def token(self, *, role: str | None = None, sub: str | None = None) -> str:
        """A token for this user (or ``sub``)."""
        sub = sub or self.user_id
        return tokens(self.environment).token(sub, name=sub, role=role)

    def watch_errors(self, connection: wsrouter_client.SyncLiveConnection[Any, Any]) -> None:
        """Report every ``error`` frame the server sends on ``connection`` as a failure."""

        def failed(error: Error) -> None:
            if not isinstance(error.request_id, str):  # errors with one are replies
                self.inbox.add(
                    Sample(f"{self.kind} error frame", 0, exception=RuntimeError(error.code))
                )

        connection.on(Error, failed)
        self.connections.append(connection)

    def fire(self, sample: Sample, request_type: str = "WS") -> None:
        """Hand one sample to Locust's statistics."""
        self.environment.events.request.fire(
            request_type=request_type,
            name=sample.name,
            response_time=sample.response_time_ms,
            response_length=sample.length,
            exception=sample.exception,
            context={},
        )

    def report(self) -> None:
        """Fire what the callbacks recorded."""
        for sample in self.inbox.drain():
            self.fire(sample)

    def measure(self, name: str, call: Callable[[], T], request_type: str = "WS") -> T | None:
        """Time a blocking call, report it, and mark the user for reconnection on a close."""
        sample, result = timed(f"{self.kind} {name}", lambda: blocking(call))
        self.fire(sample, request_type)
        if isinstance(sample.exception, wsrouter_client.ConnectionClosed):
            self.connected = False
        self.report()
        return result

    def ensure_connected(self) -> bool:
        """Connect (again) when needed; False when that failed (reported)."""
        if self.connected:
            return True
        for connection in self.connections:
            with contextlib.suppress(Exception):  # closing what may be closed already
                blocking(connection.close)
        self.connections.clear()
        sample, _ = timed(f"{self.kind} connect", lambda: blocking(self.connect))
        self.fire(sample)
        self.connected = sample.exception is None
        return self.connected

    def connect(self) -> None:
        """Open this user's connections (blocking; runs on a pool thread)."""
        raise NotImplementedError


class GeneralUser(WsUser):
    """``general``: ping and echo round trips; broadcasts to a shared room."""

    kind = "general"

    def connect(self) -> None:
        self.room = f"load-general-{self.index % GENERAL_ROOMS}"
        self.general = wsrouter_client.connect_sync(
            self.url, token=self.token(), request_timeout=REQUEST_TIMEOUT
        )
        self.watch_errors(self.general)

        def received(message: RoomMessage) -> None:
            sent_at = message.data.get("sent_at") if isinstance(message.data, dict) else None
            if message.sender_id != self.user_id and isinstance(sent_at, float):
                self.inbox.add(Sample("general room delivery", elapsed_ms(sent_at)))

        self.general.on(RoomMessage, received)
        self.general.join_room(room=self.room)

    def on_start(self) -> None:
        super().on_start()
        self.ensure_connected()

    @task(3)
    def ping(self) -> None:
        if self.ensure_connected():
            self.measure("ping round trip", self.general.ping)

    @task(3)
    def echo(self) -> None:
        if self.ensure_connected():
            text = "x" * random.randint(10, 1000)  # noqa: S311 - not cryptography
            self.measure("echo round trip", lambda: self.general.echo(message=text))

    @task(1)
    def broadcast(self) -> None:
        if self.ensure_connected():
            self.measure(
                "room broadcast round trip",
                lambda: self.general.broadcast_to_room(
                    room=self.room, message="load", data={"sent_at": time.time()}
                ),
            )


# Notifications created and not yet received: load_id -> when (monotonic); the listeners.
_pending: dict[str, float] = {}
_pending_lock = threading.Lock()
_listeners: list[str] = []


class NotificationsUser(WsUser):
    """``notifications``: listeners; each also creates notifications for a random listener
    over the admin API now and then, and marks what it received read."""

    kind = "notifications"

    def connect(self) -> None:
        self.unread: list[str] = []
        self.inbox_connection = wsrouter_client.connect_sync(
            self.url,
            connection_type="notifications",
            token=self.token(),
            request_timeout=REQUEST_TIMEOUT,
        )
        self.watch_errors(self.inbox_connection)

        def received(notification: Notification) -> None:
            data = notification.data if isinstance(notification.data, dict) else {}
            with _pending_lock:
                created = _pending.pop(str(data.get("load_id")), None)
            sent_at = data.get("sent_at")
            if created is not None and isinstance(sent_at, float):
                self.inbox.add(Sample("notifications delivery", elapsed_ms(sent_at)))
                self.unread.append(notification.id)

        self.inbox_connection.on(Notification, received)
        with _pending_lock:
            _listeners.append(self.user_id)

    def on_start(self) -> None:
        super().on_start()
        self.ensure_connected()

    def on_stop(self) -> None:
        with _pending_lock:
            if self.user_id in _listeners:
                _listeners.remove(self.user_id)
        super().on_stop()

    @task(2)
    def create(self) -> None:
        with _pending_lock:
            if not _listeners:
                return
            target = random.choice(_listeners)  # noqa: S311 - not cryptography
        # Registered before the call: the notification may arrive before the reply.
        load_id = uuid.uuid4().hex
        with _pending_lock:
            _pending[load_id] = time.monotonic()
        data = {"sent_at": time.time(), "load_id": load_id}
        body = NotificationCreate(user_id=target, title="load", message="load test", data=data)

        def create() -> bool:
            self.admin.create_notification(body=body)
            return True

        if not self.measure("admin create notification", create, request_type="HTTP"):
            with _pending_lock:
                _pending.pop(load_id, None)  # reported already: not a delivery failure too
        self.sweep()

    @task(1)
    def mark_read(self) -> None:
        if self.ensure_connected() and self.unread:
            notification_id = self.unread.pop(0)
            self.measure(
                "mark read round trip",
                lambda: self.inbox_connection.mark_notification_read(
                    notification_id=notification_id
                ),
            )

    def sweep(self) -> None:
        """Report notifications not delivered within ``DELIVERY_TIMEOUT`` as failures."""
        now = time.monotonic()
        with _pending_lock:
            late = [key for key, created in _pending.items() if now - created > DELIVERY_TIMEOUT]
            for key in late:
                del _pending[key]
        for _ in late:
            self.fire(
                Sample(
                    "notifications delivery",
                    DELIVERY_TIMEOUT * 1000,
                    exception=TimeoutError("notification never arrived"),
                )
            )


class TestSessionUser(WsUser):
    """``test-session``: a candidate saving answers under a running timer, watched by a
    proctor (an admin-role connection to the same session)."""

    kind = "test-session"

    def connect(self) -> None:
        session = self.admin.create_test_session(
            body=TestSessionCreate(user_id=self.user_id, duration_seconds=3600, question_count=50)
        )
        self.candidate = wsrouter_client.connect_sync(
            self.url,
            connection_type="test-session",
            room=session.id,
            token=self.token(),
            request_timeout=REQUEST_TIMEOUT,
        )
        self.watch_errors(self.candidate)
        proctor = wsrouter_client.connect_sync(
            self.url,
            connection_type="test-session",
            room=session.id,
            token=self.token(role="admin", sub=f"proctor-{RUN_ID}-{self.index}"),
            request_timeout=REQUEST_TIMEOUT,
        )
        self.watch_errors(proctor)

        def synced(message: AnswerSynced) -> None:
            answer = message.answer
            if isinstance(answer, dict) and isinstance(answer.get("sent_at"), float):
                self.inbox.add(
                    Sample("test-session proctor delivery", elapsed_ms(answer["sent_at"]))
                )

        proctor.on(AnswerSynced, synced)

    def on_start(self) -> None:
        super().on_start()
        self.ensure_connected()

    @task(5)
    def save_answer(self) -> None:
        if self.ensure_connected():
            question = f"q{random.randint(1, 50)}"  # noqa: S311 - not cryptography
            answer = {"choice": random.choice("ABCD"), "sent_at": time.time()}  # noqa: S311
            self.measure(
                "save answer round trip",
                lambda: self.candidate.save_answer(question_id=question, answer=answer),
            )

    @task(1)
    def status(self) -> None:
        if self.ensure_connected():
            self.measure("session status round trip", self.candidate.get_session_status)


class ChatUser(WsUser):
    """``chat``: in each room, senders, typists and readers (by user index); every member
    measures delivery of the others' messages from the timestamp in their text."""

    kind = "chat"

    def connect(self) -> None:
        self.room = f"load-chat-{self.index % CHAT_ROOMS}"
        self.role = ("sender", "typist", "reader")[(self.index // CHAT_ROOMS) % 3]
        self.chat = wsrouter_client.connect_sync(
            self.url,
            connection_type="chat",
            room=self.room,
            token=self.token(),
            request_timeout=REQUEST_TIMEOUT,
        )
        self.watch_errors(self.chat)

        def received(message: ChatMessage) -> None:
            if message.sender_id == self.user_id or not message.message.startswith("t="):
                return
            try:
                sent_at = float(message.message[2:].split(" ", 1)[0])
            except ValueError:
                return
            self.inbox.add(Sample(f"chat delivery to a {self.role}", elapsed_ms(sent_at)))

        self.chat.on(ChatMessage, received)

    def on_start(self) -> None:
        super().on_start()
        self.ensure_connected()

    @task(3)
    def send(self) -> None:
        if self.ensure_connected() and self.role != "reader":
            # Typists mostly type; senders mostly send.
            if self.role == "typist" and random.random() < 0.7:  # noqa: S311
                return
            text = f"t={time.time():.6f} hello from {self.user_id}"
            self.measure("send message round trip", lambda: self.chat.send_message(message=text))

    @task(2)
    def typing(self) -> None:
        if self.ensure_connected() and self.role == "typist":
            self.measure("typing sent", self.chat.typing)

    @task(1)
    def read(self) -> None:
        self.report()  # readers only read: report what arrived
