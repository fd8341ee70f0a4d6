"""The messages of the WebSocket protocol, generated from ``asyncapi.yaml``.

One msgspec Struct per message (``ChatMessage``, ``RoomJoined``, ``Error``, ...), the
per-type unions of what the server sends (``ChatOutbound``, ...) with their decoders,
the named schemas, ``ErrorCode``, ``CloseCode`` and ``RETRYABLE_CLOSE_CODES``. Use the
classes with ``match`` on a ``messages()`` stream, or with ``on(kind, callback)``.
"""

from ._generated.messages import *  # noqa: F403
