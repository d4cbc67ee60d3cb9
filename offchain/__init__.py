"""GridLedger off-chain package: agents, routing, Certificates of Existence, bills, devnets.

The public API is what ``__all__`` lists; modules and names starting with ``_`` are
private. Every error raised on purpose derives from :class:`GridLedgerError`.
"""

from __future__ import annotations

from .errors import (
    ChainIdMismatchError,
    ConfigError,
    ContractError,
    GridLedgerError,
    NetworkError,
    ToolchainError,
    TransactionFailedError,
)
from .network import Chain, EmbeddedAnvil, connect

__version__ = "0.1.0"

__all__ = [
    "Chain",
    "ChainIdMismatchError",
    "ConfigError",
    "ContractError",
    "EmbeddedAnvil",
    "GridLedgerError",
    "NetworkError",
    "ToolchainError",
    "TransactionFailedError",
    "connect",
    "__version__",
]
