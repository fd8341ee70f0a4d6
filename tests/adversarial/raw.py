"""A WebSocket client made of bytes: for what well-behaved client libraries refuse to do.

It sends the upgrade request itself, masks its own frames, and reads (or does not
read) exactly when the test says so, on a socket whose receive buffer the test may
shrink, so that a peer that stops reading is a peer that really stops reading.
"""

from __future__ import annotations

import asyncio
import base64
import os
import socket
import struct
from typing import ClassVar

from tests.timing import TIMEOUT

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA


def frame(opcode: int, payload: bytes = b"") -> bytes:
    """One masked client frame."""
    mask = os.urandom(4)
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return header + mask + masked


class RawSocket:
    """An upgraded connection: write frames, read frames, or neither.

    A plain socket, not asyncio streams (which read ahead on their own): bytes are
    read from it only when the test asks, so a test that does not read leaves them in
    the kernel's receive buffer until it is full and the server's writes stall.
    """

    opened: ClassVar[list[RawSocket]] = []
    """Every socket opened by the current test; a fixture closes them afterwards."""

    def __init__(self, sock: socket.socket) -> None:
        RawSocket.opened.append(self)
        self.sock = sock
        self.loop = asyncio.get_running_loop()
        self.buffer = b""
        self.pending = bytearray()

    @classmethod
    async def open(
        cls, port: int, path: str, *, host: str = "127.0.0.1", receive_buffer: int | None = None
    ) -> RawSocket:
        """Connect and upgrade; ``receive_buffer`` shrinks the socket's receive buffer."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.setblocking(False)
        raw = cls(sock)
        await asyncio.wait_for(raw.loop.sock_connect(sock, ("127.0.0.1", port)), TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n"
        )
        await asyncio.wait_for(raw.loop.sock_sendall(sock, request.encode()), TIMEOUT)
        while b"\r\n\r\n" not in raw.buffer:
            chunk = await asyncio.wait_for(raw.loop.sock_recv(sock, 65536), TIMEOUT)
            assert chunk, "the server closed during the upgrade"
            raw.buffer += chunk
        head, raw.buffer = raw.buffer.split(b"\r\n\r\n", 1)
        assert b" 101 " in head.split(b"\r\n", 1)[0], head
        return raw

    def send(self, opcode: int, payload: bytes = b"") -> None:
        """Queue one frame; :meth:`drain` writes what is queued."""
        self.pending += frame(opcode, payload)

    async def drain(self, timeout: float = TIMEOUT) -> bool:
        """Write what is queued; ``False`` if the server stopped taking it within ``timeout``."""
        data, self.pending = bytes(self.pending), bytearray()
        try:
            await asyncio.wait_for(self.loop.sock_sendall(self.sock, data), timeout)
        except (TimeoutError, ConnectionError):
            return False
        return True

    async def _read(self, size: int, timeout: float) -> bytes | None:
        while len(self.buffer) < size:
            try:
                chunk = await asyncio.wait_for(self.loop.sock_recv(self.sock, 65536), timeout)
            except ConnectionError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size:]
        return data

    async def read_frame(self, timeout: float = TIMEOUT) -> tuple[int, bytes]:
        """The next frame's opcode and payload; ``(-1, b"")`` when the socket ended."""
        header = await self._read(2, timeout)
        if header is None:
            return -1, b""
        size = header[1] & 0x7F
        if size in (126, 127):
            extended = await self._read(2 if size == 126 else 8, timeout)
            if extended is None:
                return -1, b""
            size = int.from_bytes(extended, "big")
        payload = await self._read(size, timeout)
        if payload is None:
            return -1, b""
        return header[0] & 0x0F, payload

    async def close_code(self, timeout: float = TIMEOUT) -> int | None:
        """Read until the server's close frame; its code (``None`` if the socket just ended)."""
        while True:
            opcode, payload = await self.read_frame(timeout)
            if opcode == -1:
                return None
            if opcode == CLOSE:
                code: int = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                return code

    def close(self) -> None:
        """Drop the socket (a reset if anything is unread)."""
        self.sock.close()
