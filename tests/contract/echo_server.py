"""A tiny WebSocket echo server, run as a process of its own by the generic contract tests.

``python -m tests.contract.echo_server MODE`` listens on a free port of 127.0.0.1,
prints ``port N`` once it accepts connections, and serves until it is killed. MODE:

- ``echo``: every text frame comes back as it is, like Postman's echo server that
  ``documents/asyncapi-postman-echo.yml`` describes;
- ``broken``: every JSON object comes back with ``messageId`` turned into text, which
  that document's ``echo`` message forbids (it says a number);
- ``greeting``: ``echo``, after a first frame no message of the document allows;
- ``stranger``: ``echo``, but a ``requestId`` comes back as another request's.

It shares no code with the tester: it knows the document only as its author would.
"""

from __future__ import annotations

import asyncio
import json
import sys

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

MODES = ("echo", "broken", "greeting", "stranger")


def answer(mode: str, text: str) -> str:
    """What the server sends back for one text frame."""
    if mode not in ("broken", "stranger"):
        return text
    try:
        payload = json.loads(text)
    except ValueError:
        return text
    if isinstance(payload, dict) and mode == "broken":
        payload["messageId"] = f"id-{payload.get('messageId', 0)}"
    elif isinstance(payload, dict) and "requestId" in payload:
        payload["requestId"] = f"not-{payload['requestId']}"
    return json.dumps(payload)


async def main(mode: str) -> None:
    """Serve until killed."""

    async def handler(ws: ServerConnection) -> None:
        try:
            if mode == "greeting":
                await ws.send(json.dumps({"hello": "not an echo message"}))
            async for frame in ws:
                await ws.send(answer(mode, frame) if isinstance(frame, str) else frame)
        except ConnectionClosed:
            pass

    async with serve(handler, "127.0.0.1", 0) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        print(f"port {port}", flush=True)
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in MODES:
        sys.exit(f"usage: python -m tests.contract.echo_server {{{','.join(MODES)}}}")
    asyncio.run(main(sys.argv[1]))
