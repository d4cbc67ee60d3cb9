"""PriWatt's ``gridledger`` commands: ``board``, ``escrow``, ``channel``, ``pv`` (one module each)."""
