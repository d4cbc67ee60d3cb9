"""settleDeviations: once the slot is over the DSO reconciles each account's delivery
(its reading) with its trade at the imbalance price (200 per kWh here) and a 20 % penalty:
a short position (took more than it bought, or delivered less than it sold) pays the
price + 20 % on the missing energy, a long one is paid the price − 20 % on the surplus.
The DSO's account is the counterparty.

Hand-checked example (every account traded 2 kWh):

=========  ======  =========  ===========  ================================  =======
account    side    delivered  deviation    money                             balance
=========  ======  =========  ===========  ================================  =======
buyer      bought  2.5 kWh    0.5 short    0.5 × 200 × 1.2 = 120 charged     −120
buyer2     bought  1.5 kWh    0.5 long     0.5 × 200 × 0.8 =  80 credited    +80
seller     sold    1.5 kWh    0.5 short    120 charged                       −120
seller2    sold    2.6 kWh    0.6 long     0.6 × 200 × 0.8 =  96 credited    +96
=========  ======  =========  ===========  ================================  =======

The DSO receives 240 − 176 = 64 net.
"""

from __future__ import annotations

from offchain.auction.encoding import settlement_records

from tests.auction.contracts.helpers import (
    DEPOSIT,
    PARAMS,
    SLOT_SECONDS,
    advance_to,
    clearing,
    funds,
    records_of,
    reverts,
    set_next_time,
)


def _settled(market, operator, buyers, sellers, slot, chain, expiry, energy=2_000):
    orders = [(b.bid(energy, 200_000, slot=slot, expiry=expiry), energy) for b in buyers]
    orders += [(s.ask(energy, 100_000, slot=slot, expiry=expiry), energy) for s in sellers]
    c = clearing(slot, orders)
    market.submitClearing(slot, c.packed(), {"from": operator})
    advance_to(chain, slot * SLOT_SECONDS)
    market.settle(slot, records_of(c), {"from": operator})
    return c


def _readings(c, delivered: dict[str, int]) -> bytes:
    return b"".join(delivered[r.owner].to_bytes(4, "big") for r in settlement_records(c, PARAMS))


def test_deviations_are_settled_at_the_imbalance_price_with_the_penalty(
    market, dso, operator, buyer, buyer2, seller, seller2, slot, chain, expiry
):
    market.deposit(10**6, {"from": dso, "value": 10**6})
    c = _settled(market, operator, [buyer, buyer2], [seller, seller2], slot, chain, expiry)
    before = {a: funds(market, a)[0] for a in (buyer.address, buyer2.address, seller.address, seller2.address, dso)}
    advance_to(chain, (slot + 1) * SLOT_SECONDS)
    delivered = {buyer.address: 2_500, buyer2.address: 1_500, seller.address: 1_500, seller2.address: 2_600}
    tx = market.settleDeviations(slot, records_of(c), _readings(c, delivered), {"from": dso})
    after = {a: funds(market, a)[0] for a in before}
    assert after[buyer.address] - before[buyer.address] == -120
    assert after[buyer2.address] - before[buyer2.address] == 80
    assert after[seller.address] - before[seller.address] == -120
    assert after[seller2.address] - before[seller2.address] == 96
    assert after[dso] - before[dso] == 240 - 176
    e = tx.events["SlotReconciled"]
    assert (e["charged"], e["unpaid"], e["credited"]) == (240, 0, 176)
    by_account = {d["account"]: d for d in tx.events["DeviationSettled"]}
    assert by_account[buyer.address]["deliveredWh"] == 2_500 and by_account[buyer.address]["tradedWh"] == 2_000
    assert market.clearingOf(slot)[3] == 3


def test_an_exact_delivery_costs_nothing(market, dso, operator, buyer, seller, slot, chain, expiry):
    c = _settled(market, operator, [buyer], [seller], slot, chain, expiry)
    before = funds(market, buyer)[0], funds(market, seller)[0]
    advance_to(chain, (slot + 1) * SLOT_SECONDS)
    market.settleDeviations(
        slot, records_of(c), _readings(c, {buyer.address: 2_000, seller.address: 2_000}), {"from": dso}
    )
    assert (funds(market, buyer)[0], funds(market, seller)[0]) == before


def test_a_charge_beyond_the_free_balance_is_recorded_as_unpaid(
    market, dso, operator, make_trader, seller, slot, chain, expiry
):
    poor = make_trader(deposit=335)  # exactly what its 2 kWh cost with fees
    c = _settled(market, operator, [poor], [seller], slot, chain, expiry)
    assert funds(market, poor) == (0, 0)
    advance_to(chain, (slot + 1) * SLOT_SECONDS)
    tx = market.settleDeviations(
        slot, records_of(c), _readings(c, {poor.address: 3_000, seller.address: 2_000}), {"from": dso}
    )
    # short 1 kWh: owes 240, has nothing left
    d = next(e for e in tx.events["DeviationSettled"] if e["account"] == poor.address)
    assert (d["charged"], d["unpaid"], d["credited"]) == (0, 240, 0)


def test_deviations_wait_for_the_end_of_the_slot(market, dso, operator, buyer, seller, slot, chain, expiry):
    c = _settled(market, operator, [buyer], [seller], slot, chain, expiry)
    end = (slot + 1) * SLOT_SECONDS
    advance_to(chain, end - 2)
    set_next_time(end - 1)
    with reverts("AuctionSlotNotOver", slot, end, end - 1):
        market.settleDeviations(slot, records_of(c), _readings(c, {buyer.address: 1, seller.address: 1}), {"from": dso})


def test_only_the_dso_settles_deviations(market, operator, stranger, buyer, seller, slot, chain, expiry):
    c = _settled(market, operator, [buyer], [seller], slot, chain, expiry)
    advance_to(chain, (slot + 1) * SLOT_SECONDS)
    with reverts("AccessControlUnauthorizedAccount", stranger.address, market.DSO_ROLE()):
        market.settleDeviations(slot, records_of(c), b"\x00" * 8, {"from": stranger})


def test_one_reading_per_record_is_required(market, dso, operator, buyer, seller, slot, chain, expiry):
    c = _settled(market, operator, [buyer], [seller], slot, chain, expiry)
    advance_to(chain, (slot + 1) * SLOT_SECONDS)
    with reverts("AuctionMalformedReadings", 8, 4):
        market.settleDeviations(slot, records_of(c), b"\x00" * 4, {"from": dso})


def test_a_slot_is_reconciled_once_and_only_after_settlement(market, dso, operator, buyer, seller, slot, chain, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    market.submitClearing(slot, c.packed(), {"from": operator})
    advance_to(chain, (slot + 1) * SLOT_SECONDS)
    readings = _readings(c, {buyer.address: 1_000, seller.address: 1_000})
    with reverts("AuctionWrongStatus", slot, 1):
        market.settleDeviations(slot, records_of(c), readings, {"from": dso})
    market.settle(slot, records_of(c), {"from": operator})
    market.settleDeviations(slot, records_of(c), readings, {"from": dso})
    with reverts("AuctionWrongStatus", slot, 3):
        market.settleDeviations(slot, records_of(c), readings, {"from": dso})
    assert funds(market, buyer)[0] == DEPOSIT - 168
