"""brownie side of the networks: expected chain ids, the chain-id guard, the deployer.

Every brownie script calls :func:`guarded_chain` before sending anything: it compares the
chain id the endpoint reports with the one expected for the active brownie network
(:data:`EXPECTED_CHAIN_IDS`, or ``$GRIDLEDGER_CHAIN_ID`` for ``gridledger-live``) and
raises :class:`ChainIdMismatchError` otherwise. :func:`deployer` is anvil's first
account on local chains and ``$GRIDLEDGER_DEPLOYER_KEY`` on the live network.
:func:`import_networks` is what ``make`` runs to register ``tools/brownie-networks.yaml``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..kernel.anvil import anvil_keys
from ..kernel.chain import Chain, connect
from ..kernel.errors import ChainIdMismatchError, ConfigError
from ..kernel.fs import PROJECT_ROOT

__all__ = ["EXPECTED_CHAIN_IDS", "LIVE_NETWORK", "expected_chain_id", "guarded_chain", "deployer", "import_networks"]

NETWORKS_FILE = PROJECT_ROOT / "tools" / "brownie-networks.yaml"
LIVE_NETWORK = "gridledger-live"

#: brownie network id → chain id every script insists on before sending.
EXPECTED_CHAIN_IDS: dict[str, int] = {
    "development": 31337,
    "gridledger-anvil": 31337,
    "gridledger-devnet-anvil": 31337,
    "gridledger-ganache": 1337,
    "gridledger-devnet-ganache": 1337,
    "gridledger-poa": 15151,
}


def expected_chain_id(network: str) -> int:
    """The chain id a script must see on brownie network ``network``."""
    if network == LIVE_NETWORK:
        raw = os.environ.get("GRIDLEDGER_CHAIN_ID", "")
        if not raw.isdigit():
            raise ConfigError(
                "network gridledger-live needs GRIDLEDGER_CHAIN_ID (e.g. 11155111 for Sepolia) "
                "and GRIDLEDGER_RPC_URL in the environment"
            )
        return int(raw)
    if network not in EXPECTED_CHAIN_IDS:
        raise ConfigError(
            f"no expected chain id for brownie network {network!r}; use one of {', '.join(EXPECTED_CHAIN_IDS)} "
            f"or {LIVE_NETWORK}"
        )
    return EXPECTED_CHAIN_IDS[network]


def guarded_chain(network: str, rpc_url: str, actual_chain_id: int | None = None) -> Chain:
    """A :class:`Chain` for ``rpc_url`` after checking its chain id against ``network``'s."""
    expected = expected_chain_id(network)
    if actual_chain_id is not None and actual_chain_id != expected:
        raise ChainIdMismatchError(expected, actual_chain_id, rpc_url)
    return connect(rpc_url, expected_chain_id=expected)


def deployer(network: str) -> LocalAccount:
    """The account that deploys on ``network``: a key from the environment on the live network."""
    if network == LIVE_NETWORK:
        key = os.environ.get("GRIDLEDGER_DEPLOYER_KEY", "")
        if not key:
            raise ConfigError(
                "network gridledger-live needs GRIDLEDGER_DEPLOYER_KEY (hex private key) in the environment"
            )
        try:
            return Account.from_key(key)
        except (ValueError, TypeError) as exc:
            raise ConfigError("GRIDLEDGER_DEPLOYER_KEY is not a valid hex private key") from exc
    return anvil_keys(1)[0]


def import_networks(path: Path = NETWORKS_FILE) -> None:
    """Register the project's networks with brownie (replacing same-id entries: idempotent).

    ``brownie networks import FILE true`` cannot be used: brownie 1.22's compiled CLI
    passes the string "true" to a ``bool`` parameter and reports "Invalid arguments"
    with exit code 0. The same import function is called here with ``replace=True``.
    """
    code = "import sys; from brownie._cli.networks import _import; _import(sys.argv[1], True)"
    result = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=PROJECT_ROOT)
    if result.returncode != 0:
        raise ConfigError(f"importing {path} into brownie's networks failed: {result.stderr.strip()[-500:]}")


if __name__ == "__main__":  # pragma: no cover - `python -m offchain.devnet.brownie_networks`
    import_networks()
    print(f"brownie networks imported from {NETWORKS_FILE.relative_to(PROJECT_ROOT)}")
