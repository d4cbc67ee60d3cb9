"""Deploy step of the ``grid`` mechanism (registered in :mod:`offchain.grid.mechanism`)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ..common.funds import ETHER
from ..kernel.chain import Chain
from ..kernel.contracts import deploy as deploy_contract

__all__ = ["deploy"]


def deploy(chain: Chain, deployer: LocalAccount | str, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy GridEvents with the deployer as grid operator, paid in ether; returns
    ``{"GridEvents": address}``."""
    operator = deployer if isinstance(deployer, str) else deployer.address
    contract = deploy_contract(chain, "GridEvents", operator, ETHER, sender=deployer)
    return {"GridEvents": str(contract.address)}
