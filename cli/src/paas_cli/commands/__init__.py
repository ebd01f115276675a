"""The `paas` commands, one module per topic; each exposes `register(app)`."""
