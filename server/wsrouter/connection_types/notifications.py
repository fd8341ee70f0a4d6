"""``notifications``: stored notifications, live delivery and read receipts."""

from __future__ import annotations

from msgspec import UNSET

from wsrouter._generated.handlers import NotificationsHandler
from wsrouter._generated.messages import (
    GetNotifications,
    MarkAllNotificationsRead,
    MarkNotificationRead,
    Notification,
    NotificationItem,
    NotificationList,
    NotificationRead,
    NotificationsRead,
)
from wsrouter.broker import Audience
from wsrouter.clock import iso, now_iso, utcnow
from wsrouter.connection_types.base import ConnectionHandler
from wsrouter.protocol.errors import fail
from wsrouter.protocol.frames import encode
from wsrouter.store import NotificationRecord

BACKLOG = 100
"""At most this many unread notifications are replayed on connect, oldest first..."""
BACKLOG_BYTES = 1024 * 1024
"""...and at most this many bytes of them (the rest is read with ``get_notifications``)."""


def notification_frame(record: NotificationRecord) -> Notification:
    """The ``notification`` frame of a stored, unread notification."""
    return Notification(
        id=record.id,
        title=record.title,
        message=record.message,
        priority=record.priority,  # type: ignore[arg-type]
        data=record.data if record.data is not None else UNSET,
        created_at=iso(record.created_at),
        read=False,
        timestamp=now_iso(),
    )


class NotificationsConnection(ConnectionHandler, NotificationsHandler):
    """A ``notifications`` connection."""

    async def open(self) -> None:
        self.send(self.established())
        budget = BACKLOG_BYTES
        for record in await self.store.unread_notifications(self.peer.user_id, BACKLOG):
            frame = encode(notification_frame(record))
            budget -= len(frame)
            if budget < 0:
                break  # the rest is read with get_notifications
            self.outbox.send_text(frame)

    def _my_other_tabs(self) -> Audience:
        return Audience(
            connection_type=self.peer.type,
            user_id=self.peer.user_id,
            exclude=self.peer.id,
        )

    async def on_mark_notification_read(self, message: MarkNotificationRead) -> NotificationRead:
        """Store the receipt, then tell every notifications connection of the user."""
        read_at = await self.store.mark_notification_read(
            self.peer.user_id, message.notification_id, utcnow()
        )
        if read_at is None:
            raise fail("not_found", f"no notification {message.notification_id!r} for this user")
        frame = NotificationRead(
            notification_id=message.notification_id, read_at=iso(read_at), timestamp=now_iso()
        )
        await self.publish(self._my_other_tabs(), frame)
        return frame

    async def on_mark_all_notifications_read(
        self, message: MarkAllNotificationsRead
    ) -> NotificationsRead:
        """Mark every unread notification read, on every connection of the user."""
        now = utcnow()
        ids = await self.store.mark_all_notifications_read(self.peer.user_id, now)
        frame = NotificationsRead(notification_ids=ids, read_at=iso(now), timestamp=now_iso())
        await self.publish(self._my_other_tabs(), frame)
        return frame

    async def on_get_notifications(self, message: GetNotifications) -> NotificationList:
        """A page of the user's notifications, newest first."""
        records, more = await self.store.list_notifications(
            self.peer.user_id,
            unread_only=message.unread_only,
            limit=message.limit,
            before=message.before if isinstance(message.before, str) else None,
        )
        items = [
            NotificationItem(
                id=r.id,
                title=r.title,
                message=r.message,
                priority=r.priority,  # type: ignore[arg-type]
                data=r.data if r.data is not None else UNSET,
                created_at=iso(r.created_at),
                read=r.read_at is not None,
                read_at=iso(r.read_at) if r.read_at is not None else UNSET,
            )
            for r in records
        ]
        return NotificationList(items=items, has_more=more, timestamp=now_iso())
