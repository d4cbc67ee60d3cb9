"""Errors of the SPB meters and Certificates of Existence (all derive from :class:`GridLedgerError`)."""

from __future__ import annotations

from ..kernel.errors import GridLedgerError

__all__ = [
    "MeterError",
    "PoolExhaustedError",
    "CoEError",
    "CoERefusedError",
    "UncertifiedMeterError",
    "BadSignatureError",
    "WrongRecipientError",
]


class MeterError(GridLedgerError):
    """A meter operation was refused (bad input, unknown pool, missing CoE, ...)."""


class PoolExhaustedError(MeterError):
    """Every one-time key of the meter's certified pools has been used."""


class CoEError(GridLedgerError):
    """A CoE, request or group tree is malformed or does not verify."""


class CoERefusedError(CoEError):
    """A verifier meter refused a verification request."""


class UncertifiedMeterError(CoERefusedError):
    """The meter's certificate is not signed by a manufacturer CA the verifier trusts."""


class BadSignatureError(CoERefusedError):
    """A signature does not verify for the key it claims."""


class WrongRecipientError(CoERefusedError):
    """The request is meant for (or encrypted to) another verifier meter."""
