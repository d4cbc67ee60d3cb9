"""Deploy step of the ``shared_pv`` mechanism (registered in :mod:`offchain.shared_pv.mechanism`)."""

from __future__ import annotations

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..kernel.contracts import deploy as deploy_contract

__all__ = ["deploy"]


def deploy(chain: Chain, deployer: LocalAccount | str, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy the SharedPvRegistry with the deployer as governor and consortium member (it creates
    plants; each plant is governed by the consortium address given at creation)."""
    governor = deployer if isinstance(deployer, str) else deployer.address
    contract = deploy_contract(chain, "SharedPvRegistry", governor, sender=deployer)
    return {"SharedPvRegistry": str(contract.address)}
