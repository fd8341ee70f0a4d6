"""The four connection types, each implementing its generated handler interface."""
