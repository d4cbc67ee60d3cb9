"""Per-slot double auction (issue 15): signed orders, clearing solved off chain and verified on chain.

Public names are listed in ``__all__`` and loaded on first use (PEP 562), so that
reading the mechanism registry (``offchain.auction.mechanism``) stays cheap; see
``docs/auction.md``. Modules, one job each: ``orders`` (orders and their EIP-712
signatures), ``encoding`` (the packed clearing, records, readings and the money
arithmetic), ``solver`` (pay-as-clear and pay-as-bid), ``client`` (contract client),
``agents`` (traders bidding from PV forecast and load, the clearing operator),
``bench``, ``gasreport``, ``demo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .client import AuctionClient, Bill, SlotClearing, Timing
    from .encoding import Clearing, Fill, MarketParams, Match, Record, settlement_records
    from .errors import AuctionError, BookError, EncodingError, OrderSignatureError
    from .orders import Order, Pricing, Side, SignedOrder, SlotStatus, sign_order
    from .solver import AccountLimits, FeederLimits, Grid, Solution, solve

_WHERE = {
    "AuctionClient": "client",
    "Bill": "client",
    "SlotClearing": "client",
    "Timing": "client",
    "Clearing": "encoding",
    "Fill": "encoding",
    "MarketParams": "encoding",
    "Match": "encoding",
    "Record": "encoding",
    "settlement_records": "encoding",
    "AuctionError": "errors",
    "BookError": "errors",
    "EncodingError": "errors",
    "OrderSignatureError": "errors",
    "Order": "orders",
    "Pricing": "orders",
    "Side": "orders",
    "SignedOrder": "orders",
    "SlotStatus": "orders",
    "sign_order": "orders",
    "AccountLimits": "solver",
    "FeederLimits": "solver",
    "Grid": "solver",
    "Solution": "solver",
    "solve": "solver",
}

__all__ = [
    "AccountLimits",
    "AuctionClient",
    "AuctionError",
    "Bill",
    "BookError",
    "Clearing",
    "EncodingError",
    "FeederLimits",
    "Fill",
    "Grid",
    "MarketParams",
    "Match",
    "Order",
    "OrderSignatureError",
    "Pricing",
    "Record",
    "Side",
    "SignedOrder",
    "SlotClearing",
    "SlotStatus",
    "Solution",
    "Timing",
    "settlement_records",
    "sign_order",
    "solve",
]

__getattr__ = lazy_attributes(__name__, _WHERE)
