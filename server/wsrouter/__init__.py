"""wsrouter: a spec-first WebSocket router (see ``asyncapi.yaml`` and ``openapi.yaml``)."""
