"""A ``notifications`` connection: a live notification, the unread list, mark all read.

    python examples/notifications.py --url ws://localhost:8000/ws --token TOKEN \\
        [--http-url http://localhost:8000 --admin-token ADMIN_TOKEN]

With an admin token, it first creates a notification for the token's user through
the admin API and waits for it to arrive. The options default to ``WSROUTER_URL``,
``WSROUTER_TOKEN``, ``WSROUTER_HTTP_URL`` and ``WSROUTER_ADMIN_TOKEN``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid

import wsrouter_client
from wsrouter_client.http_models import NotificationCreate
from wsrouter_client.messages import Notification


async def main(url: str, token: str, http_url: str, admin_token: str | None) -> None:
    async with wsrouter_client.connect(url, connection_type="notifications", token=token) as inbox:
        user = inbox.established.user_id
        print(f"connected: {inbox.connection_id} (user {user})")
        if admin_token is not None:
            title = f"Hello {uuid.uuid4().hex[:6]}"
            arrived = asyncio.Event()

            def show(notification: Notification) -> None:
                if notification.title == title:
                    print(f"notification arrived: {notification.title}: {notification.message}")
                    arrived.set()

            inbox.on(Notification, show)
            async with wsrouter_client.AsyncAdminClient(http_url, admin_token) as admin:
                body = NotificationCreate(user_id=user, title=title, message="from the SDK")
                created = await admin.create_notification(body=body)
            print(f"created notification {created.id} through the admin API")
            await asyncio.wait_for(arrived.wait(), timeout=10)
        unread = await inbox.get_notifications(unread_only=True)
        print(f"{len(unread.items)} unread notification(s)")
        for item in unread.items:
            print(f"  [{item.priority}] {item.title}: {item.message}")
        read = await inbox.mark_all_notifications_read()
        print(f"marked {len(read.notification_ids)} notification(s) read")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A notifications connection, end to end.")
    env = os.environ.get
    parser.add_argument("--url", default=env("WSROUTER_URL", "ws://localhost:8000/ws"))
    parser.add_argument(
        "--token", default=env("WSROUTER_TOKEN"), required=not env("WSROUTER_TOKEN")
    )
    parser.add_argument("--http-url", default=env("WSROUTER_HTTP_URL", "http://localhost:8000"))
    parser.add_argument("--admin-token", default=env("WSROUTER_ADMIN_TOKEN"))
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    try:
        asyncio.run(main(args.url, args.token, args.http_url, args.admin_token))
    except (wsrouter_client.WsrouterError, wsrouter_client.ApiError, TimeoutError) as exc:
        sys.exit(f"failed: {exc!r}")
