"""Shared PV plants (Knirsch et al.): co-owners hold portions of a plant per 15-minute slot.

Public names are loaded on first use (PEP 562), so that reading the mechanism registry
(``offchain.shared_pv.mechanism``) stays cheap; see ``docs/shared-pv.md``. Modules:
``client`` (contract clients, typed events), ``clearing`` (the clearing server: bills
from events, metering CSVs and a tariff), ``agents`` (co-owners that give portions away,
restart-safe), ``gasreport``, ``deploy``, ``demo``, ``commands``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .agents import GiftState, OwnerAgent
    from .clearing import ClearingServer, DayBill, Tariff, bill_day, portions_from_events
    from .client import OwnerShare, PlantClient, RegistryClient
    from .errors import ClearingError, ClearingInputError, SharesError

_WHERE = {
    "GiftState": "agents",
    "OwnerAgent": "agents",
    "ClearingServer": "clearing",
    "DayBill": "clearing",
    "Tariff": "clearing",
    "bill_day": "clearing",
    "portions_from_events": "clearing",
    "OwnerShare": "client",
    "PlantClient": "client",
    "RegistryClient": "client",
    "ClearingError": "errors",
    "ClearingInputError": "errors",
    "SharesError": "errors",
}

__all__ = [
    "ClearingError",
    "ClearingInputError",
    "ClearingServer",
    "DayBill",
    "GiftState",
    "OwnerAgent",
    "OwnerShare",
    "PlantClient",
    "RegistryClient",
    "SharesError",
    "Tariff",
    "bill_day",
    "portions_from_events",
]

__getattr__ = lazy_attributes(__name__, _WHERE)
