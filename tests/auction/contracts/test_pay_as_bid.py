"""Pay-as-bid clearings (gsy-e's two-sided pay-as-bid): the clearing lists bid-ask matches;
each match needs bid limit >= ask limit and trades at the bid's limit; every order's
matches add up to its fill. The DSO switches the rule with notice."""

from __future__ import annotations

from offchain.auction.encoding import MarketParams
from offchain.auction.orders import Pricing

from tests.auction.contracts.helpers import (
    NOTICE_SLOTS,
    PARAMS,
    SLOT_SECONDS,
    advance_to,
    clearing,
    funds,
    records_of,
    reverts,
)

PAB = MarketParams(**{**PARAMS.__dict__, "pricing": Pricing.PAY_AS_BID})


def _pab_slot(market, dso, chain) -> int:
    from_slot = market.scheduleParams(PAB.as_args(), {"from": dso}).events["ParamsScheduled"]["fromSlot"]
    assert from_slot == chain[-1].timestamp // SLOT_SECONDS + NOTICE_SLOTS
    return int(from_slot) + 1


def _indexed(c, signed):
    return [i for i, f in enumerate(c.fills) if f.order == signed][0]


def test_each_match_trades_at_its_bids_limit(market, dso, operator, buyer, buyer2, seller, chain, expiry):
    slot = _pab_slot(market, dso, chain)
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    bid2 = buyer2.bid(1_000, 170_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    fills = [(bid, 1_000), (bid2, 1_000), (ask, 2_000)]
    probe = clearing(slot, fills, pricing=Pricing.PAY_AS_BID)
    b, b2, a = (_indexed(probe, o) for o in (bid, bid2, ask))
    c = clearing(slot, fills, pricing=Pricing.PAY_AS_BID, matches=[(b, a, 1_000), (b2, a, 1_000)])
    market.submitClearing(slot, c.packed(), {"from": operator})
    assert funds(market, buyer)[1] == 200 + 10 + 10  # 1 kWh at 200, fees 10 + 5 %
    assert funds(market, buyer2)[1] == 170 + 10 + 9  # 1 kWh at 170, fees 10 + ceil(8.5)
    advance_to(chain, slot * SLOT_SECONDS)
    before = funds(market, seller)[0]
    market.settle(slot, records_of(c, PAB), {"from": operator})
    assert funds(market, seller)[0] - before == 370


def test_a_match_whose_bid_is_below_its_ask_is_refused(market, dso, operator, buyer, seller, chain, expiry):
    slot = _pab_slot(market, dso, chain)
    bid = buyer.bid(1_000, 90_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    probe = clearing(slot, [(bid, 1_000), (ask, 1_000)], pricing=Pricing.PAY_AS_BID)
    b, a = _indexed(probe, bid), _indexed(probe, ask)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)], pricing=Pricing.PAY_AS_BID, matches=[(b, a, 1_000)])
    with reverts("AuctionBidBelowAsk", b, a, 90_000, 100_000):
        market.submitClearing(slot, c.packed(), {"from": operator})


def test_matches_must_add_up_to_each_fill(market, dso, operator, buyer, seller, chain, expiry):
    slot = _pab_slot(market, dso, chain)
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    probe = clearing(slot, [(bid, 1_000), (ask, 1_000)], pricing=Pricing.PAY_AS_BID)
    b, a = _indexed(probe, bid), _indexed(probe, ask)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)], pricing=Pricing.PAY_AS_BID, matches=[(b, a, 600)])
    with reverts("AuctionMatchedFillMismatch", min(a, b), 1_000, 600):
        market.submitClearing(slot, c.packed(), {"from": operator})


def test_a_match_must_pair_a_bid_with_an_ask(market, dso, operator, buyer, buyer2, seller, chain, expiry):
    slot = _pab_slot(market, dso, chain)
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    bid2 = buyer2.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    fills = [(bid, 1_000), (bid2, 1_000), (ask, 2_000)]
    probe = clearing(slot, fills, pricing=Pricing.PAY_AS_BID)
    b, b2 = _indexed(probe, bid), _indexed(probe, bid2)
    c = clearing(slot, fills, pricing=Pricing.PAY_AS_BID, matches=[(b, b2, 1_000)])
    with reverts("AuctionMatchSides", b, b2):
        market.submitClearing(slot, c.packed(), {"from": operator})


def test_a_clearing_under_the_wrong_rule_is_refused(market, dso, operator, buyer, seller, chain, expiry):
    slot = _pab_slot(market, dso, chain)
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    with reverts("AuctionPricingMismatch", 1, 0):
        market.submitClearing(slot, c.packed(), {"from": operator})
