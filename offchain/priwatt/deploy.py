"""Deploy step of the ``priwatt`` mechanism (registered in :mod:`offchain.priwatt.mechanism`)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ..common.funds import ETHER
from ..kernel.chain import Chain
from .client import PriWattClient


def deploy(chain: Chain, deployer: LocalAccount | str, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy ``PriWattMarket`` in ether, governed by the deployer, which is also its first
    DSO key (the demo hands the role to its own DSO agent; a real deployment grants the
    DSO's keys with ``grantRole`` and revokes the deployer's)."""
    address = deployer if isinstance(deployer, str) else deployer.address
    market = PriWattClient.deploy(chain, sender=deployer, dso=address, payment_asset=ETHER)
    return {"PriWattMarket": market.address}
