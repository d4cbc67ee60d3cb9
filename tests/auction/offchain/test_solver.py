"""The clearing solver against brute-force references on random small books, gsy-e's rule
on the worked example of docs/auction.md, and the checks the market applies."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.auction.orders import Order, Pricing, Side
from offchain.auction.solver import (
    AccountLimits,
    FeederLimits,
    Grid,
    gsy_clearing_point,
    solve_pay_as_bid,
    solve_pay_as_clear,
)

from tests.auction.offchain.reference import best_matched_volume, best_uniform_volume, best_uniform_welfare

SLOT = 2_000_000
EXPIRY = 2**39


def owner(i: int) -> str:
    return "0x" + (i + 1).to_bytes(20, "big").hex()


def order(i: int, side: Side, energy: int, limit: int) -> Order:
    return Order(owner(i), SLOT, 1, side, energy, limit, EXPIRY)


@st.composite
def books(draw, max_orders: int = 7):
    n = draw(st.integers(min_value=1, max_value=max_orders))
    out = []
    for i in range(n):
        side = draw(st.sampled_from([Side.BID, Side.ASK]))
        energy = draw(st.integers(min_value=1, max_value=50))
        limit = draw(st.integers(min_value=1, max_value=12)) * 10
        out.append(order(i, side, energy, limit))
    return out


def _check_uniform(book, solution):
    """What the market checks, in Python: limits, fills, balance."""
    price = solution.price
    bought = sold = 0
    for o, q in solution.fills:
        assert 0 < q <= o.energy_wh
        if o.is_bid:
            assert o.limit_price >= price
            bought += q
        else:
            assert o.limit_price <= price
            sold += q
    assert bought == sold
    keys = [o.key for o, _ in solution.fills]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)


@settings(max_examples=300, deadline=None)
@given(books())
def test_pay_as_clear_trades_the_most_any_uniform_price_can(book):
    solution = solve_pay_as_clear(book)
    _check_uniform(book, solution)
    assert solution.volume_wh == best_uniform_volume(book)


@settings(max_examples=300, deadline=None)
@given(books())
def test_pay_as_clear_has_the_most_welfare_among_clearings_of_that_volume(book):
    solution = solve_pay_as_clear(book)
    assert solution.welfare == best_uniform_welfare(book, solution.volume_wh)


@settings(max_examples=150, deadline=None)
@given(books(max_orders=6))
def test_pay_as_bid_trades_the_most_any_set_of_matches_can(book):
    solution = solve_pay_as_bid(book)
    assert solution.volume_wh == best_matched_volume(book)
    matched: dict[int, int] = {}
    for b, a, q in solution.matches:
        bid, ask = solution.fills[b][0], solution.fills[a][0]
        assert bid.is_bid and not ask.is_bid and bid.limit_price >= ask.limit_price and q > 0
        matched[b] = matched.get(b, 0) + q
        matched[a] = matched.get(a, 0) + q
    assert all(matched[i] == q for i, (_, q) in enumerate(solution.fills))


@settings(max_examples=200, deadline=None)
@given(books(), st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=60))
def test_feeder_limits_hold_in_every_clearing(book, import_limit, export_limit):
    grid = Grid(
        {o.owner: AccountLimits(1 + i % 2, 40, 40) for i, o in enumerate(book)},
        {1: FeederLimits(import_limit, export_limit), 2: FeederLimits(10**9, 10**9)},
    )
    for solution in (solve_pay_as_clear(book, grid), solve_pay_as_bid(book, grid)):
        net = {1: 0, 2: 0}
        per_owner: dict[str, int] = {}
        for o, q in solution.fills:
            f = grid.account(o.owner).feeder
            net[f] += -q if o.is_bid else q
            per_owner[o.owner] = per_owner.get(o.owner, 0) + q
        assert -import_limit <= net[1] <= export_limit
        assert all(q <= 40 for q in per_owner.values())
        assert solution.volume_wh == sum(q for o, q in solution.fills if not o.is_bid)


def test_an_owner_on_both_sides_keeps_the_side_of_its_first_order():
    book = [
        Order(owner(0), SLOT, 1, Side.BID, 10, 100, EXPIRY),
        Order(owner(0), SLOT, 2, Side.ASK, 10, 10, EXPIRY),
        order(1, Side.ASK, 10, 50),
    ]
    solution = solve_pay_as_clear(book)
    assert [(o.owner, o.id) for o, _ in solution.fills] == [(owner(0), 1), (owner(1), 1)]


# -- gsy-e's pay-as-clear rule on the worked example of docs/auction.md ------------------------

#: bids (rate ct/kWh, energy kWh) and offers, as in docs/auction.md
EXAMPLE_BIDS = [(30, 1), (28, 2), (25, 2), (22, 3), (18, 2)]
EXAMPLE_OFFERS = [(15, 2), (20, 2), (24, 3), (27, 4)]


def test_gsy_rule_on_the_worked_example():
    # demand at each bid rate: 30→1, 28→3, 25→5, 22→8, 18→10; supply at each offer rate:
    # 15→2, 20→4, 24→7, 27→11. The first bid rate (ascending) with an offer rate at or
    # below it covering its demand: 18 needs 10 (15→2, no); 22 needs 8 (20→4, no);
    # 25 needs 5 (24→7, yes) → clearing rate 25, energy 5.
    assert gsy_clearing_point(EXAMPLE_BIDS, EXAMPLE_OFFERS) == (25, 5)


def test_the_solver_finds_gsy_es_price_on_the_worked_example():
    book = [order(i, Side.BID, e * 1_000, r * 10_000) for i, (r, e) in enumerate(EXAMPLE_BIDS)]
    book += [order(10 + i, Side.ASK, e * 1_000, r * 10_000) for i, (r, e) in enumerate(EXAMPLE_OFFERS)]
    solution = solve_pay_as_clear(book)
    assert solution.pricing is Pricing.PAY_AS_CLEAR
    assert solution.price == 250_000 and solution.volume_wh == 5_000
    # filled: the bids at 30, 28 and 25; the offers at 15, 20 and 1 kWh of the one at 24
    fills = {(o.side, o.limit_price): q for o, q in solution.fills}
    assert fills == {
        (Side.BID, 300_000): 1_000,
        (Side.BID, 280_000): 2_000,
        (Side.BID, 250_000): 2_000,
        (Side.ASK, 150_000): 2_000,
        (Side.ASK, 200_000): 2_000,
        (Side.ASK, 240_000): 1_000,
    }


def test_nothing_trades_when_every_bid_is_below_every_ask():
    book = [order(0, Side.BID, 10, 50), order(1, Side.ASK, 10, 60)]
    assert solve_pay_as_clear(book).empty and solve_pay_as_bid(book).empty
    assert gsy_clearing_point([(50, 10)], [(60, 10)]) is None
