"""Errors of the shared-PV mechanism (all derive from :class:`GridLedgerError`)."""

from __future__ import annotations

from ..kernel.errors import ConfigError, GridLedgerError

__all__ = ["SharesError", "ClearingError", "ClearingInputError"]


class SharesError(GridLedgerError):
    """A portion transfer or plant operation was malformed or refused off chain."""


class ClearingError(GridLedgerError):
    """The clearing server could not bill a day (inconsistent history, missing data)."""


class ClearingInputError(ClearingError, ConfigError):
    """A metering or generation series, CSV file or tariff is missing or malformed."""
