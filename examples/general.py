"""A ``general`` connection: ping, echo, a room and a broadcast to it (async API).

    python examples/general.py --url ws://localhost:8000/ws --token TOKEN

``--url`` and ``--token`` default to ``WSROUTER_URL`` and ``WSROUTER_TOKEN``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import wsrouter_client


async def main(url: str, token: str) -> None:
    async with wsrouter_client.connect(url, token=token) as client:
        print(f"connected: {client.connection_id} (user {client.established.user_id})")
        pong = await client.ping()
        print(f"ping -> pong at {pong.timestamp}")
        echoed = await client.echo(message="Hello WebSocket!")
        print(f"echo -> {echoed.message}")
        joined = await client.join_room(room="examples")
        print(f"joined room {joined.room} ({joined.member_count} connection(s) in it)")
        sent = await client.broadcast_to_room(room="examples", message="Hello, room!")
        print(f"broadcast -> {sent.message!r} from {sent.sender_name}")
        try:
            await client.leave_room(room="never-joined")
        except wsrouter_client.RequestFailed as failed:
            print(f"leave_room(never-joined) -> error {failed.error_code}")
        await client.leave_room(room="examples")
        print(f"left room examples; rooms now: {sorted(client.rooms)}")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A general connection, end to end.")
    parser.add_argument("--url", default=os.environ.get("WSROUTER_URL", "ws://localhost:8000/ws"))
    token = os.environ.get("WSROUTER_TOKEN")
    parser.add_argument("--token", default=token, required=token is None)
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    try:
        asyncio.run(main(args.url, args.token))
    except wsrouter_client.WsrouterError as exc:
        sys.exit(f"failed: {exc!r}")
