"""One deploy function for every network: embedded anvil, devnets and live chains.

:func:`deploy_all` runs each mechanism's deploy step, in registry order, and writes the
addresses to ``deployments/<network>.json``; :func:`load_deployment` reads them back
(checking the chain id) so that later scripts reuse the same contracts instead of
deploying again. A mechanism's step is ``"module:function"`` (its
:attr:`~offchain.kernel.mechanism.Mechanism.deploy`) with ``function(chain, deployer,
deployed) -> dict[name, address]``; ``deployed`` holds the addresses of earlier steps.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount

from ..kernel.chain import Chain
from ..kernel.errors import ChainIdMismatchError, ConfigError
from ..kernel.fs import PROJECT_ROOT, atomic_write
from ..kernel.mechanism import load
from .registry import mechanisms

__all__ = ["deploy_all", "load_deployment", "deployment_path", "DEPLOYMENTS_DIR"]

DEPLOYMENTS_DIR = PROJECT_ROOT / "deployments"


def deployment_path(network: str) -> Path:
    return DEPLOYMENTS_DIR / f"{network}.json"


def deploy_all(
    chain: Chain,
    deployer: LocalAccount | str,
    *,
    network: str,
    components: list[str] | None = None,
    write: bool = True,
) -> dict[str, str]:
    """Deploy every mechanism (or only those named in ``components``) and return contract name → address."""
    deployed: dict[str, str] = {}
    for mechanism in mechanisms():
        if mechanism.deploy is None or (components and mechanism.name not in components):
            continue
        deployed.update(load(mechanism.deploy)(chain, deployer, dict(deployed)))
    if write:
        document = {"network": network, "chain_id": chain.chain_id, "contracts": deployed}
        atomic_write(deployment_path(network), json.dumps(document, indent=2) + "\n", mode=0o644)
    return deployed


def load_deployment(chain: Chain, network: str) -> dict[str, str]:
    """Addresses deployed earlier on ``network``; refuses if the chain id differs."""
    path = deployment_path(network)
    if not path.exists():
        raise ConfigError(
            f"no deployment recorded for network {network!r} ({path}); run `brownie run deploy --network {network}`"
        )
    data: dict[str, Any] = json.loads(path.read_text())
    if int(data["chain_id"]) != chain.chain_id:
        raise ChainIdMismatchError(int(data["chain_id"]), chain.chain_id, chain.url)
    return dict(data["contracts"])
