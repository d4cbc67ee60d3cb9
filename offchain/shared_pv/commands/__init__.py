"""The shared-PV mechanism's ``gridledger`` commands (``shares``, ``clearing``), registered through
:mod:`offchain.shared_pv.mechanism`."""
