"""Deploy step of the ``spb`` mechanism (registered in :mod:`offchain.spb.mechanism`)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..kernel.contracts import deploy as deploy_contract
from .market import MarketClient


def deploy(chain: Chain, deployer: LocalAccount | str, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy ``SpbMarket`` (governed by the deployer, no account fee) and the escrow baseline."""
    market = MarketClient.deploy(chain, sender=deployer, account_fee=0)
    escrow = deploy_contract(chain, "PlainEscrow", sender=deployer)
    return {"SpbMarket": market.address, "PlainEscrow": str(escrow.address)}
