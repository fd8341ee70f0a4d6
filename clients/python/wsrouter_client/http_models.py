"""The request and response models of the admin HTTP API, generated from ``openapi.yaml``.

``BroadcastRequest``, ``NotificationCreate``, ``TestSessionCreate`` go in;
``WsStats``, ``ConnectionList``, ``TestSession``, ... come back.
"""

from ._generated.http_models import *  # noqa: F403
