"""The two baselines the router is measured against, served by uvicorn like the router.

``python -m loadtests.bench.apps bare|socketio PORT`` serves one of them on 127.0.0.1 with
the router's uvicorn settings (uvloop, websockets-sansio, deflate off, same maximum frame size,
same ping settings), so the only difference left is the application.

- ``bare``: a raw ASGI WebSocket app, the ceiling of the stack. Its protocol: a text
  frame ``join:ROOM`` joins a room (reply ``joined``), ``pub:ROOM:PAYLOAD`` sends
  ``PAYLOAD`` to every other member and back to the sender, anything else is echoed.
- ``socketio``: python-socketio's ASGI app: event ``echo`` is emitted back, ``join``
  enters a room (reply event ``joined``), ``publish`` ``{"room", "message"}`` emits
  ``message`` to the room (sender skipped) and back to the sender.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# The router's defaults (Settings: 64 KiB frames, accepted up to 4 times that by uvicorn;
# heartbeat 20 s).
MAX_FRAME_BYTES = 65536
HEARTBEAT_SECONDS = 20.0


class BareApp:
    """Echo and room fan-out over raw ASGI, nothing else."""

    def __init__(self) -> None:
        self.rooms: dict[str, dict[int, Send]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            if scope["type"] == "http":
                await send({"type": "http.response.start", "status": 404, "headers": []})
                await send({"type": "http.response.body", "body": b""})
            return
        me = id(send)
        joined: list[str] = []
        try:
            while True:
                event = await receive()
                kind = event["type"]
                if kind == "websocket.connect":
                    await send({"type": "websocket.accept"})
                elif kind == "websocket.disconnect":
                    return
                else:
                    text = event.get("text")
                    if text is None:
                        continue
                    if text.startswith("pub:"):
                        _, room, payload = text.split(":", 2)
                        frame = {"type": "websocket.send", "text": payload}
                        for other, member_send in list(self.rooms.get(room, {}).items()):
                            if other != me:
                                await member_send(frame)
                        await send(frame)
                    elif text.startswith("join:"):
                        room = text[5:]
                        self.rooms.setdefault(room, {})[me] = send
                        joined.append(room)
                        await send({"type": "websocket.send", "text": "joined"})
                    else:
                        await send({"type": "websocket.send", "text": text})
        finally:
            for room in joined:
                self.rooms.get(room, {}).pop(me, None)


def socketio_app() -> Any:
    """The python-socketio server, as an ASGI app."""
    import socketio  # type: ignore[import-untyped,unused-ignore]  # noqa: PLC0415

    sio = socketio.AsyncServer(
        async_mode="asgi",
        max_http_buffer_size=MAX_FRAME_BYTES,
        ping_interval=HEARTBEAT_SECONDS,
        ping_timeout=HEARTBEAT_SECONDS,
    )

    @sio.on("echo")  # type: ignore[untyped-decorator,unused-ignore]
    async def echo(sid: str, data: Any) -> None:
        await sio.emit("echo", data, to=sid)

    @sio.on("join")  # type: ignore[untyped-decorator,unused-ignore]
    async def join(sid: str, room: str) -> None:
        await sio.enter_room(sid, room)
        await sio.emit("joined", room, to=sid)

    @sio.on("publish")  # type: ignore[untyped-decorator,unused-ignore]
    async def publish(sid: str, data: dict[str, Any]) -> None:
        await sio.emit("message", data["message"], room=data["room"], skip_sid=sid)
        await sio.emit("message", data["message"], to=sid)

    return socketio.ASGIApp(sio)


def serve(kind: str, port: int) -> None:
    """Serve ``kind`` (``bare`` or ``socketio``) on 127.0.0.1:``port`` until killed."""
    app: Any = BareApp() if kind == "bare" else socketio_app()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        ws="websockets-sansio",
        loop="uvloop",  # as `wsrouter serve`
        ws_max_size=MAX_FRAME_BYTES * 4,
        ws_per_message_deflate=False,
        ws_ping_interval=HEARTBEAT_SECONDS,
        ws_ping_timeout=HEARTBEAT_SECONDS,
        lifespan="off",
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]))
