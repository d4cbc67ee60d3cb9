"""Geth-style Clique genesis for the EthereumJS proof-of-authority devnet.

Clique keeps the initial signer set in the genesis ``extraData``: 32 vanity bytes, the
signer addresses sorted ascending, and 65 zero bytes where a sealed block carries its
signature. Every fork up to London is active from block 0 (EthereumJS 0.9.0 runs
London; our contracts are compiled for London), and the timestamp lies in the past so
the first block can be sealed at once.
"""

from __future__ import annotations

import os
import time
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ..kernel.anvil import ANVIL_CHAIN_ID, ANVIL_MNEMONIC, anvil_keys
from ..kernel.errors import ConfigError

__all__ = ["clique_genesis", "signer_keys", "prefunded_keys", "funded_keys", "POA_CHAIN_ID", "LOCAL_CHAIN_IDS"]

#: Chain id of the local Clique devnet (distinct from anvil's 31337 and ganache's 1337).
POA_CHAIN_ID = 15_151
#: chains whose prefunded keys are known: anvil, ganache, the PoA devnet
LOCAL_CHAIN_IDS = frozenset({ANVIL_CHAIN_ID, 1337, POA_CHAIN_ID})

_FORKS = (
    "homesteadBlock",
    "eip150Block",
    "eip155Block",
    "eip158Block",
    "byzantiumBlock",
    "constantinopleBlock",
    "petersburgBlock",
    "istanbulBlock",
    "berlinBlock",
    "londonBlock",
)


def signer_keys(count: int) -> list[LocalAccount]:
    """Deterministic sealing keys for ``count`` signers (indices 100.. of anvil's mnemonic)."""
    return [Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{100 + i}") for i in range(count)]


def prefunded_keys(count: int = 10) -> list[LocalAccount]:
    """The user accounts funded in the genesis: the same keys anvil funds."""
    return anvil_keys(count)


def funded_keys(env: str, chain_id: int, *, minimum: int, roles: str, local: int | None = None) -> list[LocalAccount]:
    """The keys a command sends with: ``$env`` (comma-separated private keys, at least
    ``minimum``, for ``roles``) or, on a local devnet, its ``local`` (default ``minimum``)
    prefunded keys; on any other chain without ``$env`` a one-line :class:`ConfigError`."""
    raw = os.environ.get(env)
    if raw:
        try:
            keys = [Account.from_key(k.strip()) for k in raw.split(",") if k.strip()]
        except ValueError as exc:
            raise ConfigError(f"${env} holds something that is not a private key: {exc}") from exc
        if len(keys) < minimum:
            raise ConfigError(f"${env} needs {minimum} funded keys ({roles}), got {len(keys)}")
        return keys
    if chain_id in LOCAL_CHAIN_IDS:
        return anvil_keys(local or minimum)
    raise ConfigError(f"chain {chain_id} is not a local devnet: set ${env} to {minimum} funded private keys ({roles})")


def clique_genesis(
    signers: list[str],
    prefunded: list[str],
    *,
    period: int = 2,
    chain_id: int = POA_CHAIN_ID,
    epoch: int = 30_000,
    gas_limit: int = 30_000_000,
    balance_wei: int = 10_000 * 10**18,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """A geth-style genesis dict with ``signers`` authorised and ``prefunded`` funded."""
    if not signers:
        raise ValueError("a Clique network needs at least one signer")
    if period < 1:
        raise ValueError("the Clique period must be at least 1 second")
    ordered = sorted({s.lower().removeprefix("0x") for s in signers})
    extra = "0x" + "00" * 32 + "".join(ordered) + "00" * 65
    alloc = {a.lower().removeprefix("0x"): {"balance": hex(balance_wei)} for a in [*prefunded, *signers]}
    config: dict[str, Any] = {"chainId": chain_id, **{f: 0 for f in _FORKS}}
    config["clique"] = {"period": period, "epoch": epoch}
    return {
        "config": config,
        "nonce": "0x0",
        "timestamp": hex(timestamp if timestamp is not None else int(time.time()) - 60),
        "extraData": extra,
        "gasLimit": hex(gas_limit),
        "difficulty": "0x1",
        "mixHash": "0x" + "00" * 32,
        "coinbase": "0x" + "00" * 20,
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": "0x" + "00" * 32,
        "baseFeePerGas": hex(10**9),
        "alloc": alloc,
    }
