"""submitClearing: a slot's first clearing is verified, the buyers' payments frozen.

Every way a clearing can be wrong is refused with its own error: a bid paid below the
price, an ask filled beyond what it offered, Σ bought ≠ Σ sold, an expired or unsigned
order, an order used twice, a broken feeder limit — and the slot's timing rules.
"""

from __future__ import annotations

from eth_account import Account

from offchain.auction.encoding import settlement_records, unpack_records
from offchain.auction.orders import Pricing, Side
from offchain.kernel.crypto import keccak256

from tests.auction.contracts.helpers import (
    ANY,
    CAP,
    CHALLENGE_WINDOW,
    FEEDER,
    PARAMS,
    PRICE,
    SLOT_SECONDS,
    advance_to,
    clearing,
    funds,
    now,
    records_of,
    reverts,
    set_next_time,
)


def test_a_valid_clearing_freezes_each_buyers_cost_plus_fees(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(2_000, 160_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 140_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 2_000), (ask, 2_000)])
    tx = market.submitClearing(slot, c.packed(), {"from": operator})
    # 2 kWh at 150 per kWh = 300; fees: 10 per kWh = 20, plus 5 % of 300 = 15
    assert funds(market, buyer) == (10**9, 335)
    assert funds(market, seller) == (10**9, 0)
    event = tx.events["ClearingSubmitted"]
    records = unpack_records(bytes(event["records"]))
    assert [(r.owner, r.side, r.energy_wh, r.amount, r.fee) for r in sorted(records, key=lambda r: r.side)] == [
        (buyer.address, Side.BID, 2_000, 300, 35),
        (seller.address, Side.ASK, 2_000, 300, 0),
    ]
    assert records == settlement_records(c, PARAMS)
    assert bytes(event["recordsHash"]) == keccak256(records_of(c)) == bytes(market.clearingOf(slot)[0])
    status = market.clearingOf(slot)
    assert tuple(int(v) for v in status[1:4]) == (2_000, 2_000 * (160_000 - 140_000), 1)
    assert event["volumeWh"] == 2_000 and event["price"] == PRICE and event["submitter"] == operator


def test_orders_of_one_owner_add_up_and_partial_fills_are_allowed(
    market, operator, buyer, seller, seller2, slot, expiry
):
    asks = [seller.ask(1_000, 100_000, slot=slot, expiry=expiry), seller.ask(1_000, 120_000, slot=slot, expiry=expiry)]
    other = seller2.ask(5_000, 150_000, slot=slot, expiry=expiry)
    bid = buyer.bid(4_000, 200_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(asks[0], 1_000), (asks[1], 1_000), (other, 1_500), (bid, 3_500)])
    tx = market.submitClearing(slot, c.packed(), {"from": operator})
    records = unpack_records(bytes(tx.events["ClearingSubmitted"]["records"]))
    assert {r.owner: r.energy_wh for r in records} == {
        seller.address: 2_000,
        seller2.address: 1_500,
        buyer.address: 3_500,
    }


def test_a_bid_paid_below_the_price_is_refused(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, PRICE - 1, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionBidBelowPrice", buyer.address, bid.order.id, PRICE - 1, PRICE):
        market.submitClearing(slot, clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_ask_above_the_price_is_refused(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, PRICE + 1, slot=slot, expiry=expiry)
    with reverts("AuctionAskAbovePrice", seller.address, ask.order.id, PRICE + 1, PRICE):
        market.submitClearing(slot, clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_selling_more_than_an_ask_offered_is_refused(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(3_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionOverfilled", seller.address, ask.order.id, 2_001, 2_000):
        market.submitClearing(slot, clearing(slot, [(bid, 2_001), (ask, 2_001)]).packed(), {"from": operator})


def test_bought_and_sold_energy_must_be_equal(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(3_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(3_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionUnbalanced", 2_000, 1_999):
        market.submitClearing(slot, clearing(slot, [(bid, 2_000), (ask, 1_999)]).packed(), {"from": operator})


def test_an_expired_order_is_refused(market, operator, buyer, seller, slot, chain, expiry):
    t = now(chain) + 10
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=t - 1)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    advance_to(chain, t - 1)
    set_next_time(t)
    with reverts("AuctionOrderExpired", buyer.address, bid.order.id, t - 1, t):
        market.submitClearing(slot, clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_order_not_signed_by_its_owner_is_refused(market, operator, buyer, seller, slot, expiry):
    forger = Account.create()
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    forged = buyer.sign(bid.order, key=forger.key.hex())
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    order_id = market.hashOrder(bid.order.as_args())
    with reverts("AuctionInvalidSignature", order_id, forger.address, buyer.address):
        market.submitClearing(slot, clearing(slot, [(forged, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_order_signed_for_another_slot_does_not_verify(market, operator, buyer, seller, slot, expiry):
    signed_for_next = buyer.bid(1_000, 200_000, slot=slot + 1, expiry=expiry)
    moved = type(signed_for_next)(
        type(signed_for_next.order)(**{**signed_for_next.order.__dict__, "slot": slot}), signed_for_next.signature
    )
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    order_id = market.hashOrder(moved.order.as_args())
    with reverts("AuctionInvalidSignature", order_id, ANY, buyer.address):
        market.submitClearing(slot, clearing(slot, [(moved, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_a_high_s_signature_is_refused_as_malformed(market, operator, buyer, seller, slot, expiry):
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    sig = bid.signature
    s = int.from_bytes(sig[32:64], "big")
    flipped = sig[:32] + (n - s).to_bytes(32, "big") + bytes([55 - sig[64]])  # 27 <-> 28
    malleated = type(bid)(bid.order, flipped)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionMalformedSignature", market.hashOrder(bid.order.as_args())):
        market.submitClearing(slot, clearing(slot, [(malleated, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_order_used_twice_is_refused(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    twice = clearing(slot, [(bid, 1_000), (bid, 1_000), (ask, 2_000)])
    with reverts("AuctionOrderRepeated", buyer.address, bid.order.id):
        market.submitClearing(slot, twice.packed(), {"from": operator})


def test_orders_out_of_ascending_order_are_refused(market, operator, buyer, seller, slot, expiry):
    first, second = (buyer.bid(1_000, 200_000, slot=slot, expiry=expiry) for _ in range(2))
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    fills = sorted([(first, 1_000), (second, 1_000), (ask, 2_000)], key=lambda f: f[0].order.key)
    i = fills.index((first, 1_000))
    fills[i], fills[i + 1] = fills[i + 1], fills[i]  # the buyer's id 2 before its id 1
    with reverts("AuctionOrderOutOfOrder", buyer.address, first.order.id):
        market.submitClearing(slot, clearing(slot, fills, keep_order=True).packed(), {"from": operator})


def test_a_broken_feeder_export_limit_is_refused(market, dso, operator, make_trader, slot, expiry):
    market.setFeeder(2, 10**9, 1_500, {"from": dso})  # feeder 2 may export 1.5 kWh net
    buyer, seller = make_trader(), make_trader()
    market.setAccount(seller.address, 2, CAP, CAP, {"from": dso})
    bid = buyer.bid(2_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionFeederExportExceeded", 2, 2_000, 1_500):
        market.submitClearing(slot, clearing(slot, [(bid, 2_000), (ask, 2_000)]).packed(), {"from": operator})
    market.submitClearing(slot, clearing(slot, [(bid, 1_500), (ask, 1_500)]).packed(), {"from": operator})


def test_a_broken_feeder_import_limit_is_refused(market, dso, operator, make_trader, slot, expiry):
    market.setFeeder(3, 1_000, 10**9, {"from": dso})
    buyer, seller = make_trader(), make_trader()
    market.setAccount(buyer.address, 3, CAP, CAP, {"from": dso})
    bid = buyer.bid(2_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionFeederImportExceeded", 3, 2_000, 1_000):
        market.submitClearing(slot, clearing(slot, [(bid, 2_000), (ask, 2_000)]).packed(), {"from": operator})


def test_trades_inside_one_feeder_need_no_export_or_import(market, dso, operator, make_trader, slot, expiry):
    market.setFeeder(4, 0, 0, {"from": dso})  # an islanded feeder: nothing in or out
    buyer, seller = make_trader(), make_trader()
    for t in (buyer, seller):
        market.setAccount(t.address, 4, CAP, CAP, {"from": dso})
    bid = buyer.bid(2_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(2_000, 100_000, slot=slot, expiry=expiry)
    market.submitClearing(slot, clearing(slot, [(bid, 2_000), (ask, 2_000)]).packed(), {"from": operator})
    assert market.clearingOf(slot)[1] == 2_000


def test_an_account_may_not_sell_beyond_its_registered_capacity(market, dso, operator, buyer, seller, slot, expiry):
    market.setAccount(seller.address, FEEDER, CAP, 1_200, {"from": dso})
    asks = [seller.ask(1_000, 100_000, slot=slot, expiry=expiry) for _ in range(2)]
    bid = buyer.bid(2_000, 200_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(asks[0], 1_000), (asks[1], 1_000), (bid, 2_000)])
    with reverts("AuctionCapacityExceeded", seller.address, 2_000, 1_200):
        market.submitClearing(slot, c.packed(), {"from": operator})


def test_an_unregistered_account_cannot_trade(market, operator, make_trader, seller, slot, expiry):
    outsider = make_trader(register=False)
    bid = outsider.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionUnknownAccount", outsider.address):
        market.submitClearing(slot, clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_account_cannot_buy_and_sell_in_one_slot(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    own_ask = buyer.ask(1_000, 100_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    other_bid = seller.bid(1_000, 200_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (own_ask, 1_000), (ask, 1_000), (other_bid, 1_000)])
    first = min((buyer, seller), key=lambda t: int(t.address, 16))
    with reverts("AuctionBothSides", first.address):
        market.submitClearing(slot, c.packed(), {"from": operator})


def test_a_listed_order_must_be_filled(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionZeroFill", buyer.address, bid.order.id):
        market.submitClearing(slot, clearing(slot, [(bid, 0), (ask, 1_000)]).packed(), {"from": operator})


def test_a_buyer_who_cannot_pay_makes_the_clearing_fail(market, operator, make_trader, seller, slot, expiry):
    poor = make_trader(deposit=100)
    bid = poor.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    # 1 kWh at 150 = 150, fees 10 + 8 (5 % of 150, rounded up)
    with reverts("FundsInsufficient", poor.address, 100, 168):
        market.submitClearing(slot, clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_empty_clearing_is_refused(market, operator, slot):
    with reverts("AuctionEmptyClearing", slot):
        market.submitClearing(slot, clearing(slot, []).packed(), {"from": operator})


def test_the_clearing_must_use_the_slots_pricing_rule(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)], pricing=Pricing.PAY_AS_BID, matches=[(0, 1, 1_000)])
    with reverts("AuctionPricingMismatch", 0, 1):
        market.submitClearing(slot, c.packed(), {"from": operator})


def test_a_truncated_clearing_is_refused(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    packed = clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed()
    with reverts("AuctionMalformedClearing", 11 + 111):
        market.submitClearing(slot, packed[:-1], {"from": operator})
    with reverts("AuctionMalformedClearing", 11 + 2 * 111):
        market.submitClearing(slot, packed + b"\x00", {"from": operator})


def test_the_first_clearing_must_leave_the_whole_challenge_window(market, operator, buyer, seller, slot, chain, expiry):
    gate = slot * SLOT_SECONDS
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed()
    advance_to(chain, gate - CHALLENGE_WINDOW - 1)
    set_next_time(gate - CHALLENGE_WINDOW)
    with reverts("AuctionSubmissionClosed", slot, gate - CHALLENGE_WINDOW, gate - CHALLENGE_WINDOW):
        market.submitClearing(slot, c, {"from": operator})


def test_a_first_clearing_just_before_its_deadline_is_accepted(market, operator, buyer, seller, slot, chain, expiry):
    gate = slot * SLOT_SECONDS
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)]).packed()
    advance_to(chain, gate - CHALLENGE_WINDOW - 2)
    set_next_time(gate - CHALLENGE_WINDOW - 1)
    market.submitClearing(slot, c, {"from": operator})


def test_a_slot_too_far_ahead_is_refused(market, operator, chain):
    current = now(chain) // SLOT_SECONDS
    far = current + 97
    with reverts("AuctionSlotTooFarAhead", far, ANY):
        market.submitClearing(far, b"", {"from": operator})


def test_a_cleared_slot_takes_only_challenges(market, operator, buyer, seller, slot, expiry):
    bid = buyer.bid(1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, 1_000), (ask, 1_000)])
    market.submitClearing(slot, c.packed(), {"from": operator})
    with reverts("AuctionWrongStatus", slot, 1):
        market.submitClearing(slot, c.packed(), {"from": operator})
