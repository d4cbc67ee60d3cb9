"""Subcommands of ``gridledger``: one module per top-level command, each with ``register``."""
