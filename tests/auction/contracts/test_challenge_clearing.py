"""challengeClearing: until the slot's gate anyone replaces the standing clearing with a
better one — more energy traded, or as much with more welfare (Σ bid limit × fill −
Σ ask limit × fill); a tie keeps the standing clearing. The standing buyers' payments are
released and the new buyers' frozen in the same transaction."""

from __future__ import annotations

from offchain.kernel.crypto import keccak256

from tests.auction.contracts.helpers import (
    CHALLENGE_WINDOW,
    SLOT_SECONDS,
    advance_to,
    clearing,
    funds,
    records_of,
    reverts,
    set_next_time,
)


def _book(buyer, buyer2, seller, slot, expiry):
    bid = buyer.bid(2_000, 200_000, slot=slot, expiry=expiry)
    bid2 = buyer2.bid(1_000, 180_000, slot=slot, expiry=expiry)
    ask = seller.ask(3_000, 100_000, slot=slot, expiry=expiry)
    return bid, bid2, ask


def test_a_clearing_trading_more_replaces_the_standing_one(
    market, operator, challenger, buyer, buyer2, seller, slot, expiry
):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    small = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    market.submitClearing(slot, small.packed(), {"from": operator})
    assert funds(market, buyer)[1] == 150 + 10 + 8  # 1 kWh: 150, fees 10 + ceil(7.5)
    better = clearing(slot, [(bid, 2_000), (bid2, 1_000), (ask, 3_000)])
    tx = market.challengeClearing(slot, records_of(small), better.packed(), {"from": challenger})
    assert funds(market, buyer)[1] == 300 + 20 + 15
    assert funds(market, buyer2)[1] == 150 + 10 + 8
    assert bytes(tx.events["ClearingReplaced"]["previousHash"]) == keccak256(records_of(small))
    assert bytes(tx.events["ClearingReplaced"]["recordsHash"]) == keccak256(records_of(better))
    assert tx.events["ClearingSubmitted"]["submitter"] == challenger
    assert market.clearingOf(slot)[1] == 3_000


def test_as_much_energy_with_more_welfare_replaces_the_standing_one(
    market, operator, challenger, buyer, buyer2, seller, slot, expiry
):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    worse = clearing(slot, [(bid2, 1_000), (ask, 1_000)])  # welfare 1,000 × (180,000 − 100,000)
    market.submitClearing(slot, worse.packed(), {"from": operator})
    better = clearing(slot, [(bid, 1_000), (ask, 1_000)])  # welfare 1,000 × (200,000 − 100,000)
    market.challengeClearing(slot, records_of(worse), better.packed(), {"from": challenger})
    assert funds(market, buyer2)[1] == 0  # released
    assert funds(market, buyer)[1] == 168
    assert market.clearingOf(slot)[2] == 1_000 * 100_000


def test_a_tie_keeps_the_standing_clearing(market, operator, challenger, buyer, buyer2, seller, slot, expiry):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    market.submitClearing(slot, c.packed(), {"from": operator})
    same = clearing(slot, [(bid, 1_000), (ask, 1_000)], price=160_000)  # another price, same score
    with reverts("AuctionNotBetter", 1_000, 100_000_000, 1_000, 100_000_000):
        market.challengeClearing(slot, records_of(c), same.packed(), {"from": challenger})
    assert funds(market, buyer)[1] == 168  # unchanged


def test_a_clearing_trading_less_is_refused(market, operator, challenger, buyer, buyer2, seller, slot, expiry):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    big = clearing(slot, [(bid, 2_000), (ask, 2_000)])
    market.submitClearing(slot, big.packed(), {"from": operator})
    small = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    with reverts("AuctionNotBetter", 1_000, 100_000_000, 2_000, 200_000_000):
        market.challengeClearing(slot, records_of(big), small.packed(), {"from": challenger})


def test_a_challenge_must_name_the_standing_records(market, operator, challenger, buyer, buyer2, seller, slot, expiry):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    tx = market.submitClearing(slot, c.packed(), {"from": operator})
    standing = tx.events["ClearingSubmitted"]["recordsHash"]
    better = clearing(slot, [(bid, 2_000), (ask, 2_000)])
    fake = records_of(better)
    with reverts("AuctionRecordsMismatch", slot, bytes(standing), keccak256(fake)):
        market.challengeClearing(slot, fake, better.packed(), {"from": challenger})


def test_a_challenge_after_the_gate_is_refused(
    market, operator, challenger, buyer, buyer2, seller, slot, chain, expiry
):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    market.submitClearing(slot, c.packed(), {"from": operator})
    gate = slot * SLOT_SECONDS
    advance_to(chain, gate - 1)
    set_next_time(gate)
    better = clearing(slot, [(bid, 2_000), (ask, 2_000)])
    with reverts("AuctionSlotClosed", slot, gate, gate):
        market.challengeClearing(slot, records_of(c), better.packed(), {"from": challenger})


def test_a_challenge_inside_the_window_is_accepted_up_to_the_gate(
    market, operator, challenger, buyer, buyer2, seller, slot, chain, expiry
):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    advance_to(chain, slot * SLOT_SECONDS - CHALLENGE_WINDOW - 2)
    market.submitClearing(slot, c.packed(), {"from": operator})
    advance_to(chain, slot * SLOT_SECONDS - 2)
    better = clearing(slot, [(bid, 2_000), (ask, 2_000)])
    market.challengeClearing(slot, records_of(c), better.packed(), {"from": challenger})
    assert market.clearingOf(slot)[1] == 2_000


def test_a_slot_without_a_clearing_cannot_be_challenged(market, challenger, buyer, buyer2, seller, slot, expiry):
    bid, bid2, ask = _book(buyer, buyer2, seller, slot, expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    with reverts("AuctionWrongStatus", slot, 0):
        market.challengeClearing(slot, b"", c.packed(), {"from": challenger})


def test_a_better_clearing_whose_buyer_cannot_pay_is_refused_and_the_standing_one_stays(
    market, operator, challenger, make_trader, buyer, seller, slot, expiry
):
    poor = make_trader(deposit=100)
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    poor_bid = poor.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    market.submitClearing(slot, c.packed(), {"from": operator})
    better = clearing(slot, [(bid, 1_000), (poor_bid, 1_000), (ask, 2_000)])
    with reverts("FundsInsufficient", poor.address, 100, 168):
        market.challengeClearing(slot, records_of(c), better.packed(), {"from": challenger})
    assert funds(market, buyer)[1] == 168
