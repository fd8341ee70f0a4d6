"""The admin HTTP API: health, statistics, connections and a broadcast (blocking API).

    python examples/admin.py --http-url http://localhost:8000 --admin-token ADMIN_TOKEN

The token needs ``role: admin``. The options default to ``WSROUTER_HTTP_URL`` and
``WSROUTER_ADMIN_TOKEN``.
"""

from __future__ import annotations

import argparse
import os
import sys

import wsrouter_client
from wsrouter_client.http_models import BroadcastRequest


def main(http_url: str, admin_token: str) -> None:
    with wsrouter_client.AdminClient(http_url, admin_token) as admin:
        print(f"health: {admin.get_health().status}, ready: {admin.get_ready().status}")
        stats = admin.get_ws_stats()
        print(f"{stats.total_connections} connection(s) of {stats.total_users} user(s)")
        connections = admin.list_connections(limit=10)
        for connection in connections.items:
            rooms = ", ".join(connection.rooms) or "no rooms"
            print(f"  {connection.connection_id} ({connection.username}; {rooms})")
        announcement = BroadcastRequest(
            type="system_announcement", message="Hello from examples/admin.py", priority="low"
        )
        result = admin.broadcast(body=announcement, connection_type="general")
        print(f"broadcast to {result.recipients} general connection(s)")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="The admin API, end to end.")
    env = os.environ.get
    parser.add_argument("--http-url", default=env("WSROUTER_HTTP_URL", "http://localhost:8000"))
    parser.add_argument(
        "--admin-token",
        default=env("WSROUTER_ADMIN_TOKEN"),
        required=not env("WSROUTER_ADMIN_TOKEN"),
    )
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    try:
        main(args.http_url, args.admin_token)
    except wsrouter_client.ApiError as exc:
        sys.exit(f"failed: {exc}")
