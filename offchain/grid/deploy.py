"""Deploy GridEvents (component ``grid`` of :mod:`offchain.deploy`)."""

from __future__ import annotations

from typing import Any

from ..contracts import deploy as deploy_contract
from ..network import Chain

__all__ = ["deploy"]


def deploy(chain: Chain, deployer: Any, deployed: dict[str, str]) -> dict[str, str]:
    """Deploy GridEvents with the deployer as grid operator; returns ``{"GridEvents": address}``."""
    operator = deployer if isinstance(deployer, str) else deployer.address
    contract = deploy_contract(chain, "GridEvents", operator, sender=deployer)
    return {"GridEvents": str(contract.address)}
