"""Clients of the shared contract layer (``contracts/common``), used by every mechanism.

- :class:`FundsClient` — deposit / withdraw / ``withdrawTo`` / balances of any market that
  inherits ``FundsLedger``, in ether or in the ERC-20 chosen at deploy.
- :class:`SlotClock` — the off-chain twin of ``SlotClock.sol``: 15-minute slots, compressed
  days, and local days of a time zone (92 / 96 / 100 slots) computed with :mod:`zoneinfo`.
"""

from __future__ import annotations

from .funds import ETHER, Funds, FundsClient
from .slots import DstRule, SlotClock, SlotConfig

__all__ = ["DstRule", "ETHER", "Funds", "FundsClient", "SlotClock", "SlotConfig"]
