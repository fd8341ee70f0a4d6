"""The admin HTTP API (``openapi.yaml``), implementing the generated route interface."""
