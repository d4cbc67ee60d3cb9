"""``gridledger bench auction``: the clearing solver on large random books (printed, not asserted).

Goal from the issue: 10,000 orders cleared in <= 1 s. Books are random but seeded (half
bids, half asks, 100-5,000 Wh, limits around 0.10 €/kWh), every owner registered on one
of 8 feeders; the figure is the best of a few runs of :func:`solve` (pay-as-clear and
pay-as-bid), with and without feeder limits.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence

from .orders import Order, Pricing, Side
from .solver import AccountLimits, FeederLimits, Grid, solve

__all__ = ["main", "random_book", "time_solver"]

GOAL_SECONDS = 1.0


def random_book(n: int, *, seed: int = 15, slot: int = 2_000_000, feeders: int = 8) -> tuple[list[Order], Grid]:
    """``n`` orders of ``n`` distinct owners (half bids, half asks) and their registrations."""
    rng = random.Random(seed)
    orders, accounts = [], {}
    for i in range(n):
        owner = "0x" + (i + 1).to_bytes(20, "big").hex()
        bid = i % 2 == 0
        limit = rng.randint(80_000, 160_000) if bid else rng.randint(60_000, 140_000)
        energy = rng.randint(100, 5_000)
        orders.append(Order(owner, slot, 1, Side.BID if bid else Side.ASK, energy, limit, 2**39))
        accounts[owner] = AccountLimits(1 + i % feeders, 10_000, 10_000)
    limits = {f: FeederLimits(n * 400, n * 400) for f in range(1, feeders + 1)}
    return orders, Grid(accounts, limits)


def time_solver(orders: Sequence[Order], grid: Grid | None, pricing: Pricing, runs: int) -> tuple[float, int, int]:
    """(best seconds, filled orders, volume Wh) of ``runs`` solves."""
    best = float("inf")
    solution = None
    for _ in range(runs):
        t0 = time.perf_counter()
        solution = solve(orders, pricing=pricing, grid=grid)
        best = min(best, time.perf_counter() - t0)
    assert solution is not None
    return best, len(solution.fills), solution.volume_wh


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gridledger bench auction", description=__doc__)
    parser.add_argument("--orders", type=int, default=10_000, help="orders in the book (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case; the best is printed (default 3)")
    args = parser.parse_args(list(argv or []))
    orders, grid = random_book(args.orders)
    print(f"auction solver benchmark: {args.orders:,} orders, best of {args.runs} (goal: <= {GOAL_SECONDS} s)")
    for pricing in (Pricing.PAY_AS_CLEAR, Pricing.PAY_AS_BID):
        for label, g in (("no feeder limits", None), ("8 feeders", grid)):
            secs, filled, volume = time_solver(orders, g, pricing, args.runs)
            verdict = "ok" if secs <= GOAL_SECONDS else "MISSED"
            name = "pay-as-clear" if pricing is Pricing.PAY_AS_CLEAR else "pay-as-bid"
            print(f"  {name:12} {label:17} {secs:7.3f} s  {filled:6,} orders filled  {volume:10,} Wh  {verdict}")
    return 0
