"""PETra (Bergquist et al.): DSO-minted quantised energy assets, fiat cents, offers with splits.

Public names are listed in ``__all__`` and loaded on first use (PEP 562), so that reading
the mechanism registry (``offchain.petra.mechanism``) stays cheap; see ``docs/petra.md``.
Modules, one job each: ``client`` (contract clients of ``PetraMarket`` and ``FiatToken``),
``agents`` (DSO, producer and consumer agents), ``deploy``, ``gasreport``, ``demo``,
``commands`` (``gridledger petra ...``), ``errors``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .agents import ConsumerAgent, DsoAgent, ProducerAgent
    from .client import (
        Asset,
        AssetKind,
        AssetStatus,
        FeederFlow,
        FiatClient,
        MintOrder,
        Offer,
        PetraClient,
        Portion,
        Reputation,
        Trade,
        cost_of,
        decode_id,
        encode_id,
    )
    from .errors import AgentError, NoMatchError, PetraError

_WHERE = {
    "ConsumerAgent": "agents",
    "DsoAgent": "agents",
    "ProducerAgent": "agents",
    "Asset": "client",
    "AssetKind": "client",
    "AssetStatus": "client",
    "FeederFlow": "client",
    "FiatClient": "client",
    "MintOrder": "client",
    "Offer": "client",
    "PetraClient": "client",
    "Portion": "client",
    "Reputation": "client",
    "Trade": "client",
    "cost_of": "client",
    "decode_id": "client",
    "encode_id": "client",
    "AgentError": "errors",
    "NoMatchError": "errors",
    "PetraError": "errors",
}

__all__ = [
    "AgentError",
    "Asset",
    "AssetKind",
    "AssetStatus",
    "ConsumerAgent",
    "DsoAgent",
    "FeederFlow",
    "FiatClient",
    "MintOrder",
    "NoMatchError",
    "Offer",
    "PetraClient",
    "PetraError",
    "Portion",
    "ProducerAgent",
    "Reputation",
    "Trade",
    "cost_of",
    "decode_id",
    "encode_id",
]

__getattr__ = lazy_attributes(__name__, _WHERE)
