"""``notifications`` in process: the unread backlog on open, read receipts on every tab."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.server.connection_types.harness import Harness, harness

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def h(tmp_path: Path, anyio_backend: str) -> AsyncIterator[Harness]:
    async with harness(tmp_path) as opened:
        yield opened


async def notify(h: Harness, user: str | None, title: str) -> str:
    record = await h.store.create_notification(
        user_id=user, title=title, message="m", priority="normal", data=None, now=datetime.now(UTC)
    )
    return record.id


async def test_open_replays_the_unread_notifications_oldest_first(h: Harness) -> None:
    await notify(h, "u1", "one")
    await notify(h, None, "for everyone")
    await notify(h, "u2", "not mine")
    _, opening = await h.connect("notifications", "u1")
    assert [f["type"] for f in opening] == [
        "connection_established",
        "notification",
        "notification",
    ]
    assert [f["title"] for f in opening[1:]] == ["one", "for everyone"]


async def test_a_read_receipt_reaches_the_users_other_tabs(h: Harness) -> None:
    first = await notify(h, "u1", "one")
    tab1, _ = await h.connect("notifications", "u1")
    tab2, _ = await h.connect("notifications", "u1")
    other, _ = await h.connect("notifications", "u2")
    read = await tab1.request({"type": "mark_notification_read", "notification_id": first})
    assert read["type"] == "notification_read"
    assert [f["notification_id"] for f in tab2.sink.take()] == [first]
    assert other.sink.take() == []
    missing = await tab1.request({"type": "mark_notification_read", "notification_id": "nope"})
    assert missing["code"] == "not_found"
    _, reopened = await h.connect("notifications", "u1")
    assert [f["type"] for f in reopened] == ["connection_established"]


async def test_the_replayed_backlog_is_bounded_in_bytes(h: Harness) -> None:
    big = {"blob": "x" * 60_000}
    for i in range(30):  # about 1.8 MB in all
        await h.store.create_notification(
            user_id="u1",
            title=str(i),
            message="m",
            priority="low",
            data=big,
            now=datetime.now(UTC),
        )
    _, opening = await h.connect("notifications", "u1")
    replayed = [f["title"] for f in opening[1:]]
    assert 10 < len(replayed) < 30
    assert replayed == [str(i) for i in range(len(replayed))]  # oldest first, no gap
