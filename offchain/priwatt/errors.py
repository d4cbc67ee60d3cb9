"""Errors of the PriWatt mechanism, in the package hierarchy (``offchain.kernel.errors``)."""

from __future__ import annotations

from ..kernel.errors import GridLedgerError, SignatureError

__all__ = [
    "PriWattError",
    "OfferNotFoundError",
    "StaleRecordError",
    "ChannelError",
    "BadStateError",
    "DeliveryStoppedError",
    "ClaimRefusedError",
]


class PriWattError(GridLedgerError):
    """Something in the PriWatt mechanism went wrong (off chain)."""


class OfferNotFoundError(PriWattError):
    """No offer with this id was posted on this market."""


class StaleRecordError(PriWattError):
    """The record rebuilt from the events does not hash to the offer's stored word."""


class ChannelError(PriWattError):
    """A micropayment channel's off-chain rules were broken."""


class BadStateError(ChannelError, SignatureError):
    """A channel state is not signed by the buyer, names another channel, goes backwards or overdraws."""


class DeliveryStoppedError(ChannelError):
    """The seller's agent stopped delivering: the buyer did not sign for the last kWh."""


class ClaimRefusedError(PriWattError):
    """The DSO refused to attest a claim (more energy than the meter measured)."""
