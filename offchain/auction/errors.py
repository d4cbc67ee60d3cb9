"""Errors of the per-slot double auction (all derive from :class:`GridLedgerError`)."""

from __future__ import annotations

from ..kernel.errors import ConfigError, GridLedgerError, SignatureError

__all__ = ["AuctionError", "BookError", "EncodingError", "OrderSignatureError"]


class AuctionError(GridLedgerError):
    """An auction operation was refused off chain (bad book, clearing, or slot)."""


class BookError(AuctionError, ConfigError):
    """An order book or order is malformed (zero energy, unknown side, values out of range)."""


class EncodingError(AuctionError):
    """A packed clearing, record list or reading list cannot be built or read."""


class OrderSignatureError(AuctionError, SignatureError):
    """An order's signature does not recover to its owner."""
