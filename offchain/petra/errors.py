"""Errors of the PETra package (all derive from :class:`GridLedgerError`)."""

from __future__ import annotations

from ..kernel.errors import GridLedgerError

__all__ = ["PetraError", "AgentError", "NoMatchError"]


class PetraError(GridLedgerError):
    """A PETra operation was refused off chain (bad input, unknown asset, ...)."""


class AgentError(PetraError):
    """An agent refused an action or found the market in an unexpected state."""


class NoMatchError(AgentError):
    """No offer in the order book fits what the agent wants to trade."""
