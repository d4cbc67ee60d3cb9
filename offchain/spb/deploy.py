"""Deployment component ``spb`` (see :mod:`offchain.deploy`)."""

from __future__ import annotations

from typing import Any

from ..network import Chain
from .market import MarketClient


def deploy(chain: Chain, deployer: Any, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy ``SpbMarket`` (governed by the deployer, no account fee) and the escrow baseline."""
    from ..contracts import deploy as deploy_contract

    market = MarketClient.deploy(chain, deployer, account_fee=0)
    escrow = deploy_contract(chain, "PlainEscrow", sender=deployer)
    return {"SpbMarket": market.address, "PlainEscrow": str(escrow.address)}
