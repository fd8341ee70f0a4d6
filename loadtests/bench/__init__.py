"""``make bench``: peak throughput of the router, a bare ASGI app and python-socketio."""
