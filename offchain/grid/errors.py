"""Errors of the grid events / bills subpackage (all derive from :class:`GridLedgerError`)."""

from __future__ import annotations

from ..kernel.errors import ConfigError, GridLedgerError, NetworkError

__all__ = [
    "BillError",
    "BillIncompleteError",
    "BillNotFoundError",
    "BillTamperedError",
    "IpfsUnavailableError",
    "StoreConfigError",
]


class BillError(GridLedgerError):
    """A bill could not be built, stored, anchored or verified."""


class BillIncompleteError(BillError):
    """The purchaser lacks a storage, purchase or transfer record: no bill can be made."""


class BillNotFoundError(BillError):
    """No content with this CID in the store, or no bill anchored for the purchaser."""


class BillTamperedError(BillError):
    """A fetched bill's bytes do not hash to the CID anchored on chain."""

    def __init__(self, message: str, *, expected: str, actual: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual


class IpfsUnavailableError(NetworkError):
    """The configured IPFS RPC endpoint did not answer (after retries)."""


class StoreConfigError(ConfigError):
    """A bill-store setting (IPFS API multiaddr, store folder) is malformed."""
