"""Per-connection protocol logic: a frame in, a reply (or an error, or a close) out."""
