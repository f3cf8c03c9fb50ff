"""The ``pulse`` sub-commands, one module per area, each with ``register(app)``."""
