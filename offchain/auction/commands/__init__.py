"""The auction's ``gridledger`` command (``auction``), registered through :mod:`offchain.auction.mechanism`."""
