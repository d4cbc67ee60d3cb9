"""PriWatt (Aitzhan & Svetinovic): auction board with DSO-attested ownership lock, 2-of-3
escrow with the DSO as mediator, micropayment channels, anonymous messaging.

Public names load on first use (PEP 562) so that reading the registry stays cheap; see
``docs/priwatt.md``. Modules: ``eip712`` (records and typed data), ``client`` (the
contract client), ``board`` (the buyers' query), ``messaging`` (fresh identities, the
routing backbone), ``agents`` / ``scenario`` (trades), ``gasreport``, ``bench``, ``demo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .agents import BuyerAgent, DeliveryMeter, DsoAgent, SellerAgent, TradeState
    from .board import BoardQuery, match
    from .client import BoardOffer, FundedTrade, PriWattClient
    from .eip712 import EnergyClaim, OfferStatus, Trade, TradeKind
    from .errors import (
        BadStateError,
        ChannelError,
        ClaimRefusedError,
        DeliveryStoppedError,
        OfferNotFoundError,
        PriWattError,
        StaleRecordError,
    )
    from .messaging import BackboneNetwork, Identity, LocalNetwork, Message

_WHERE = {
    "BuyerAgent": "agents",
    "DeliveryMeter": "agents",
    "DsoAgent": "agents",
    "SellerAgent": "agents",
    "TradeState": "agents",
    "BoardQuery": "board",
    "match": "board",
    "BoardOffer": "client",
    "FundedTrade": "client",
    "PriWattClient": "client",
    "EnergyClaim": "eip712",
    "OfferStatus": "eip712",
    "Trade": "eip712",
    "TradeKind": "eip712",
    "BadStateError": "errors",
    "ChannelError": "errors",
    "ClaimRefusedError": "errors",
    "DeliveryStoppedError": "errors",
    "OfferNotFoundError": "errors",
    "PriWattError": "errors",
    "StaleRecordError": "errors",
    "BackboneNetwork": "messaging",
    "Identity": "messaging",
    "LocalNetwork": "messaging",
    "Message": "messaging",
}

__all__ = [
    "BackboneNetwork",
    "BadStateError",
    "BoardOffer",
    "BoardQuery",
    "BuyerAgent",
    "ChannelError",
    "ClaimRefusedError",
    "DeliveryMeter",
    "DeliveryStoppedError",
    "DsoAgent",
    "EnergyClaim",
    "FundedTrade",
    "Identity",
    "LocalNetwork",
    "Message",
    "OfferNotFoundError",
    "OfferStatus",
    "PriWattClient",
    "PriWattError",
    "SellerAgent",
    "StaleRecordError",
    "Trade",
    "TradeKind",
    "TradeState",
    "match",
]

__getattr__ = lazy_attributes(__name__, _WHERE)
