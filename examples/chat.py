"""A ``chat`` room: history and presence on joining, a message, typing (async API).

    python examples/chat.py --url ws://localhost:8000/ws --token TOKEN [--room lobby]

``--url`` and ``--token`` default to ``WSROUTER_URL`` and ``WSROUTER_TOKEN``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import wsrouter_client
from wsrouter_client.messages import ChatHistory, ChatMessage, Presence


async def main(url: str, token: str, room: str) -> None:
    async with wsrouter_client.connect(url, connection_type="chat", room=room, token=token) as chat:
        print(f"connected: {chat.connection_id} in room {chat.established.room}")
        # The first iterator also gets what arrived since the handshake: the
        # connection_established, then the room's history and who is in it.
        async for frame in chat.messages(timeout=10):
            match frame:
                case ChatHistory(messages=history):
                    print(f"history: {len(history)} message(s)")
                case Presence(users=users):
                    print(f"present: {', '.join(user.username for user in users)}")
                    break
        chat.on(ChatMessage, lambda message: print(f"<{message.sender_name}> {message.message}"))
        sent = await chat.send_message(message="Hello, chat!")
        print(f"sent message {sent.id} at {sent.timestamp}")
        await chat.typing()
        print("typing sent")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="A chat connection, end to end.")
    parser.add_argument("--url", default=os.environ.get("WSROUTER_URL", "ws://localhost:8000/ws"))
    token = os.environ.get("WSROUTER_TOKEN")
    parser.add_argument("--token", default=token, required=token is None)
    parser.add_argument("--room", default="lobby")
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    try:
        asyncio.run(main(args.url, args.token, args.room))
    except (wsrouter_client.WsrouterError, TimeoutError) as exc:
        sys.exit(f"failed: {exc!r}")
