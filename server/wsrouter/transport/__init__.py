"""The WebSocket transport: the ``/ws`` ASGI endpoint, send queues and the local hub."""
