"""A contract tester for WebSocket servers described by an AsyncAPI 3 document."""
