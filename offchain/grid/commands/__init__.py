"""The grid mechanism's ``gridledger`` commands (``bill``), registered through :mod:`offchain.grid.mechanism`."""
