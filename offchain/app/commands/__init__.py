"""The application's own ``gridledger`` commands (those of no single mechanism), listed in :mod:`offchain.app.registry`."""
