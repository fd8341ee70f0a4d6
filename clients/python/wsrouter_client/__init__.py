"""wsrouter_client: the Python client SDK of the wsrouter WebSocket router.

Async::

    async with wsrouter_client.connect(url, connection_type="chat", room="lobby",
                                       token=token) as chat:
        sent = await chat.send_message(message="hi")       # -> ChatMessage
        async for frame in chat.messages():                 # everything the server sends
            ...

Blocking: ``with wsrouter_client.connect_sync(...) as chat: chat.send_message(...)``.
The admin HTTP API: ``AdminClient(base_url, token)`` and ``AsyncAdminClient``.
Message types live in :mod:`wsrouter_client.messages`, the admin API's models in
:mod:`wsrouter_client.http_models`; what tests need to run the SDK without a server
(``Wire``, ``Opener``) in :mod:`wsrouter_client.testing`.
"""

from ._admin import AdminClient, AsyncAdminClient
from ._clients import LiveConnection
from ._errors import (
    ApiError,
    ConnectFailed,
    ConnectionClosed,
    HandshakeRefused,
    RequestFailed,
    RequestTimeout,
    WsrouterError,
    is_retryable,
)
from ._generated.connections import (
    ChatConnection,
    GeneralConnection,
    NotificationsConnection,
    SyncChatConnection,
    SyncGeneralConnection,
    SyncNotificationsConnection,
    SyncTestSessionConnection,
    TestSessionConnection,
    connect,
    connect_sync,
)
from ._generated.messages import RETRYABLE_CLOSE_CODES, CloseCode, ReplyError
from ._generated.ws_client import UnexpectedReplyError
from ._options import ConnectOptions, SyncConnectOptions
from ._reconnect import Reconnect
from ._stream import MessageStream
from ._sync import SyncLiveConnection, SyncMessageStream
from ._token import TokenProvider, token_expiry

__all__ = [
    "RETRYABLE_CLOSE_CODES",
    "AdminClient",
    "ApiError",
    "AsyncAdminClient",
    "ChatConnection",
    "CloseCode",
    "ConnectFailed",
    "ConnectOptions",
    "ConnectionClosed",
    "GeneralConnection",
    "HandshakeRefused",
    "LiveConnection",
    "MessageStream",
    "NotificationsConnection",
    "Reconnect",
    "ReplyError",
    "RequestFailed",
    "RequestTimeout",
    "SyncChatConnection",
    "SyncConnectOptions",
    "SyncGeneralConnection",
    "SyncLiveConnection",
    "SyncMessageStream",
    "SyncNotificationsConnection",
    "SyncTestSessionConnection",
    "TestSessionConnection",
    "TokenProvider",
    "UnexpectedReplyError",
    "WsrouterError",
    "connect",
    "connect_sync",
    "is_retryable",
    "token_expiry",
]
