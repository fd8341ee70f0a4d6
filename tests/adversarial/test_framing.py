"""Frames that break RFC 6455: each closes the connection with the code the RFC names.

These always held (uvicorn's sans-I/O websockets layer checks them before the router
sees a byte); they are here so that a change of transport cannot lose them silently.
"""

from __future__ import annotations

import os
import struct

import pytest

from tests.adversarial.raw import BINARY, PING, TEXT, RawSocket, frame
from tests.e2e.harness import ServerProcess

pytestmark = pytest.mark.anyio

CONTINUATION = 0x0


def unmasked(opcode: int, payload: bytes) -> bytes:
    return struct.pack("!BB", 0x80 | opcode, len(payload)) + payload


def with_first_byte(first: int, payload: bytes) -> bytes:
    """A masked frame whose first byte (FIN, RSV1-3, opcode) is ``first``."""
    masked = bytearray(frame(TEXT, payload))
    masked[0] = first
    return bytes(masked)


CASES = {
    "an unmasked client frame": (unmasked(TEXT, b'{"type":"ping"}'), 1002),
    "reserved bits set (no extension agreed)": (with_first_byte(0xF1, b"{}"), 1002),
    "an unknown opcode": (with_first_byte(0x83, b"{}"), 1002),
    "a fragmented ping": (with_first_byte(PING, b"x"), 1002),
    "a continuation with nothing to continue": (frame(CONTINUATION, b"{}"), 1002),
    "text that is not UTF-8": (frame(TEXT, b'{"type":"echo","message":"\xff\xfe"}'), 1007),
    "a ping over 125 bytes": (
        struct.pack("!BBH", 0x80 | PING, 0x80 | 126, 200) + b"\0\0\0\0" + os.urandom(200),
        1002,
    ),
}


@pytest.mark.parametrize("case", CASES)
async def test_a_frame_that_breaks_the_rfc_closes_with_its_code(
    server: ServerProcess, case: str
) -> None:
    data, code = CASES[case]
    raw = await RawSocket.open(server.port, f"/ws?token={server.token('framer')}")
    opcode, _ = await raw.read_frame()  # connection_established
    assert opcode == TEXT
    raw.pending += data
    assert await raw.drain()
    assert await raw.close_code() == code


async def test_a_binary_frame_in_the_middle_of_a_fragmented_text_is_refused(
    server: ServerProcess,
) -> None:
    raw = await RawSocket.open(server.port, f"/ws?token={server.token('framer')}")
    await raw.read_frame()
    raw.pending += with_first_byte(TEXT, b'{"type":')  # FIN unset: more to come
    raw.pending += frame(BINARY, b"\0")  # a new data frame before the end
    assert await raw.drain()
    assert await raw.close_code() == 1002
