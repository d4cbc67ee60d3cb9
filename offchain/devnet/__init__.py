"""Local chains managed as background processes: anvil, ganache and a Clique PoA devnet.

``with PoaDevnet(signers=3, period=2) as devnet: chain = devnet.chain()`` starts the
nodes for the block and stops them by PID afterwards; :func:`up` / :func:`down` keep a
named devnet running between commands (``gridledger devnet up|down|status|logs``).
"""

from __future__ import annotations

from .base import AnvilDevnet, Devnet, GanacheDevnet, devnets_dir
from .genesis import POA_CHAIN_ID, clique_genesis, prefunded_keys, signer_keys
from .manager import DEFAULT_PORTS, KINDS, down, load, logs, names, prune, status, up
from .poa import PoaDevnet
from .workload import DeployFn, gas_by_operation, transfer

__all__ = [
    "Devnet",
    "AnvilDevnet",
    "GanacheDevnet",
    "PoaDevnet",
    "KINDS",
    "DEFAULT_PORTS",
    "POA_CHAIN_ID",
    "up",
    "down",
    "load",
    "status",
    "logs",
    "names",
    "prune",
    "devnets_dir",
    "clique_genesis",
    "signer_keys",
    "prefunded_keys",
    "DeployFn",
    "transfer",
    "gas_by_operation",
]
