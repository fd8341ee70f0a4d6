"""The browser console (``/console``), the specs' reference page (``/docs``) and the specs."""

from wsrouter.console.routes import console_routes, find_spec_dir

__all__ = ["console_routes", "find_spec_dir"]
