"""The auction board as buyers see it: offers from the events, filtered by price and amount.

PriWatt's matching (Algorithm 1, MATCH and VALIDATE): a buyer lists the offers relevant
to its query — price per kWh at most some value, energy at least some amount — and an
offer already processed (locked, funded, sold, refunded, withdrawn) or expired is left
out. The board is rebuilt from ``OfferPosted`` / ``OfferLocked`` / ``TradeOpened`` events
and the contract's status view (:meth:`PriWattClient.board`); this module filters it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .client import BoardOffer
from .eip712 import OfferStatus

__all__ = ["BoardQuery", "match"]


@dataclass(frozen=True)
class BoardQuery:
    """What a buyer looks for. ``None`` leaves a bound out."""

    max_price_per_kwh: int | None = None
    min_energy_wh: int | None = None
    max_energy_wh: int | None = None
    #: show locked, funded and closed offers too (history), not only those on sale
    include_closed: bool = False

    def accepts(self, offer: BoardOffer, now: int) -> bool:
        if not self.include_closed:
            available = offer.status is OfferStatus.OPEN or (
                offer.status is OfferStatus.LOCKED and offer.record.deadline < now
            )
            if not available or offer.expiry <= now:
                return False
        if self.max_price_per_kwh is not None and offer.ask_price * 1000 > self.max_price_per_kwh * offer.energy_wh:
            return False
        if self.min_energy_wh is not None and offer.energy_wh < self.min_energy_wh:
            return False
        return self.max_energy_wh is None or offer.energy_wh <= self.max_energy_wh


def match(offers: Iterable[BoardOffer], query: BoardQuery, now: int) -> list[BoardOffer]:
    """The offers ``query`` accepts at chain time ``now``, cheapest per kWh first."""
    chosen = [o for o in offers if query.accepts(o, now)]
    return sorted(chosen, key=lambda o: (o.ask_price * 1000 / o.energy_wh, -o.energy_wh, o.block))
