"""SPB's ``gridledger`` commands (``meter``, ``merkle``, ``trade``), registered through :mod:`offchain.spb.mechanism`."""
