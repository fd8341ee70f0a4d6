"""Hooks for testing code that uses the SDK, without a server.

Pass ``opener=`` to :func:`wsrouter_client.connect` (or ``connect_sync``): a function
``(url, headers, timeout) -> Wire`` that returns a fake :class:`Wire`, which hands the
connection the frames a test chooses and records what it sends. A ``Wire`` raises
:class:`WireClosed` once it is closed.
"""

from ._wire import Opener, Wire, WireClosed

__all__ = ["Opener", "Wire", "WireClosed"]
