"""PETra's ``gridledger`` command (``petra ...``), registered through :mod:`offchain.petra.mechanism`."""
