"""GridLedger off-chain package: agents, routing, Certificates of Existence, bills, devnets.

The public API is what ``__all__`` lists, re-exported from the kernel; modules and
names starting with ``_`` are private. Every error raised on purpose derives from
:class:`GridLedgerError`. The layers and who may import whom: ``docs/architecture.md``.

The chain helpers are loaded on first use (PEP 562), so that importing any
``offchain`` module — the ``gridledger`` command line above all — does not load web3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .kernel.errors import (
    ChainIdMismatchError,
    ConfigError,
    ContractError,
    GridLedgerError,
    NetworkError,
    SignatureError,
    ToolchainError,
    TransactionFailedError,
)
from .kernel.lazy import lazy_attributes

if TYPE_CHECKING:
    from .kernel.anvil import EmbeddedAnvil
    from .kernel.chain import Chain, connect

__version__ = "0.1.0"

__all__ = [
    "Chain",
    "ChainIdMismatchError",
    "ConfigError",
    "ContractError",
    "EmbeddedAnvil",
    "GridLedgerError",
    "NetworkError",
    "SignatureError",
    "ToolchainError",
    "TransactionFailedError",
    "connect",
    "__version__",
]

__getattr__ = lazy_attributes(
    __name__, {"Chain": "kernel.chain", "connect": "kernel.chain", "EmbeddedAnvil": "kernel.anvil"}
)
