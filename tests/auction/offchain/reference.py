"""Brute-force reference clearings for small books (the solver's property tests compare
against these). Exponential on purpose: obviously correct, usable up to ~8 orders."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from offchain.auction.orders import Order


def best_uniform_volume(orders: Sequence[Order]) -> int:
    """The most energy one uniform price can trade: for every candidate price (each
    order's limit — volume only changes at limits), min(Σ bids at or above it, Σ asks at
    or below it)."""
    prices = {o.limit_price for o in orders}
    best = 0
    for p in prices:
        demand = sum(o.energy_wh for o in orders if o.is_bid and o.limit_price >= p)
        supply = sum(o.energy_wh for o in orders if not o.is_bid and o.limit_price <= p)
        best = max(best, min(demand, supply))
    return best


def best_uniform_welfare(orders: Sequence[Order], volume: int) -> int:
    """Among uniform-price clearings of ``volume``, the most welfare: at each candidate
    price that can trade it, the highest bids and the cheapest asks are filled."""
    best = None
    for p in {o.limit_price for o in orders}:
        bids = sorted((o for o in orders if o.is_bid and o.limit_price >= p), key=lambda o: -o.limit_price)
        asks = sorted((o for o in orders if not o.is_bid and o.limit_price <= p), key=lambda o: o.limit_price)
        if sum(o.energy_wh for o in bids) < volume or sum(o.energy_wh for o in asks) < volume:
            continue
        w = _take(bids, volume) - _take(asks, volume)
        best = w if best is None else max(best, w)
    return 0 if best is None else best


def _take(orders: Sequence[Order], volume: int) -> int:
    value = 0
    for o in orders:
        q = min(o.energy_wh, volume)
        value += q * o.limit_price
        volume -= q
    return value


def best_matched_volume(orders: Sequence[Order]) -> int:
    """The most energy any set of bid-ask matches (bid limit >= ask limit) can trade: a
    max-flow on the compatibility graph, computed by brute force over the order in which
    asks are served (each ask greedily takes compatible bids from the highest limit —
    over all ask orders and all bid priorities this reaches the optimum on tiny books)."""
    bids = [o for o in orders if o.is_bid]
    asks = [o for o in orders if not o.is_bid]
    best = 0
    for ask_order in itertools.permutations(asks):
        for bid_order in itertools.permutations(bids):
            left = {b: b.energy_wh for b in bids}
            total = 0
            for a in ask_order:
                need = a.energy_wh
                for b in bid_order:
                    if need == 0:
                        break
                    if b.limit_price >= a.limit_price and left[b]:
                        q = min(need, left[b])
                        left[b] -= q
                        need -= q
                        total += q
            best = max(best, total)
    return best
