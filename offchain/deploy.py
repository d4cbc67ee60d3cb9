"""One deploy function for every network: embedded anvil, devnets and live chains.

:func:`deploy_all` deploys each registered component in order and writes the addresses
to ``deployments/<network>.json``; :func:`load_deployment` reads them back (checking the
chain id) so that later scripts reuse the same contracts instead of deploying again.
A component is ``"module:function"`` with ``function(chain, deployer, deployed) ->
dict[name, address]``; ``deployed`` holds the addresses of earlier components.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from web3.contract import Contract

from ._utils import PROJECT_ROOT
from .contracts import artifact
from .errors import ChainIdMismatchError, ConfigError
from .network import Chain

__all__ = ["COMPONENTS", "deploy_all", "load_deployment", "deployment_path", "contract_at"]

#: component name → "module:function" deploying it (in this order).
COMPONENTS: dict[str, str] = {
    "spb": "offchain.spb.deploy:deploy",
    "grid": "offchain.grid.deploy:deploy",
}

DEPLOYMENTS_DIR = PROJECT_ROOT / "deployments"


def deployment_path(network: str) -> Path:
    return DEPLOYMENTS_DIR / f"{network}.json"


def deploy_all(
    chain: Chain, deployer: LocalAccount | str, *, network: str, components: list[str] | None = None, write: bool = True
) -> dict[str, str]:
    """Deploy every component (or only ``components``) and return name → address."""
    deployed: dict[str, str] = {}
    for name, path in COMPONENTS.items():
        if components and name not in components:
            continue
        module, _, func = path.partition(":")
        fn = getattr(importlib.import_module(module), func)
        deployed.update(fn(chain, deployer, dict(deployed)))
    if write:
        DEPLOYMENTS_DIR.mkdir(exist_ok=True)
        deployment_path(network).write_text(
            json.dumps({"network": network, "chain_id": chain.chain_id, "contracts": deployed}, indent=2) + "\n"
        )
    return deployed


def load_deployment(chain: Chain, network: str) -> dict[str, str]:
    """Addresses deployed earlier on ``network``; refuses if the chain id differs."""
    path = deployment_path(network)
    if not path.exists():
        raise ConfigError(f"no deployment recorded for network {network!r} ({path}); run `gridledger deploy` first")
    data: dict[str, Any] = json.loads(path.read_text())
    if int(data["chain_id"]) != chain.chain_id:
        raise ChainIdMismatchError(int(data["chain_id"]), chain.chain_id, chain.url)
    return dict(data["contracts"])


def contract_at(chain: Chain, name: str, address: str) -> Contract:
    """A web3 contract object for compiled contract ``name`` at ``address``."""
    return chain.w3.eth.contract(address=chain.w3.to_checksum_address(address), abi=artifact(name)["abi"])
