"""Accepting all or part of an offer: money for energy, splits by time and power, leftovers back."""

import pytest

from tests.petra.contracts.helpers import (
    ANY,
    CONSUMPTION,
    DEPOSIT,
    EXPORT,
    HELD,
    IMPORT,
    INTERNAL,
    MATCHED,
    OFFERED,
    PRODUCTION,
    asset,
    cost,
    decode,
    funds,
    hints,
    pieces,
    reverts,
)


@pytest.fixture
def need(mint, consumer, start):
    """The consumer's held consumption asset: 3 kW for 6 slots from `start`."""
    return mint(2, consumer, CONSUMPTION, 3_000, start, start + 5)


def test_an_exact_match_moves_the_money_and_matches_both_assets_under_their_ids(
    market, mint, ask, producer, consumer, start
):
    offer = ask(power=2_000)
    mine = mint(2, consumer, CONSUMPTION, 2_000, start, start + 3)
    tx = market.accept(offer, mine, (2_000, start, start + 3), 25_000, 0, {"from": consumer})
    paid = cost(2_000, 4, 25_000)
    assert paid == 50 and tx.return_value == paid
    ev = tx.events["OfferAccepted"]
    assert (int(ev["offerId"]), int(ev["assetId"]), ev["power"], ev["first"], ev["last"], ev["cost"]) == (
        offer,
        mine,
        2_000,
        start,
        start + 3,
        paid,
    )
    assert "TransferBatch" not in tx.events and "TransferSingle" not in tx.events  # nothing split
    assert funds(market, consumer) == (DEPOSIT - paid, 0)
    assert funds(market, producer) == (DEPOSIT + paid, 0)
    assert asset(market, offer) == (producer.address, PRODUCTION, MATCHED, 1, 2_000, start, start + 3, 25_000)
    assert asset(market, mine) == (consumer.address, CONSUMPTION, MATCHED, 1, 2_000, start, start + 3, 25_000)
    for slot in range(start, start + 4):
        assert market.feederFlow(1, INTERNAL, slot) == 2_000


def test_a_partial_accept_splits_both_assets_by_time_and_power_and_returns_the_leftovers(
    market, ask, need, producer, consumer, start
):
    offer = ask(power=2_500, first=start, last=start + 7)  # 2.5 kW, 8 slots
    # the consumer takes 1.5 kW in slots start+2..start+4
    tx = market.accept(offer, need, (1_500, start + 2, start + 4), 25_000, 0, {"from": consumer})
    seller = pieces(tx, producer)
    buyer = pieces(tx, consumer)
    shape = lambda ids: [(decode(i).power, decode(i).first, decode(i).last) for i in ids]  # noqa: E731
    assert shape(seller) == [
        (1_500, start + 2, start + 4),
        (2_500, start, start + 1),
        (2_500, start + 5, start + 7),
        (1_000, start + 2, start + 4),
    ]
    assert shape(buyer) == [
        (1_500, start + 2, start + 4),
        (3_000, start, start + 1),
        (3_000, start + 5, start + 5),
        (1_500, start + 2, start + 4),
    ]
    assert decode(seller[0]).position == decode(offer).position and decode(buyer[0]).position == decode(need).position
    assert [asset(market, i)[2] for i in seller] == [MATCHED, HELD, HELD, HELD]
    assert [asset(market, i)[0] for i in seller] == [producer.address] * 4
    assert [asset(market, i)[0] for i in buyer] == [consumer.address] * 4
    assert market.balanceOf(producer, offer) == 0 and market.balanceOf(consumer, need) == 0  # old ids burned
    burned = {int(e["id"]) for e in tx.events["TransferSingle"] if int(e["to"], 16) == 0}
    assert burned == {offer, need}
    assert funds(market, consumer)[0] == DEPOSIT - cost(1_500, 3, 25_000)


def test_every_slot_keeps_its_power_after_a_split(market, ask, need, producer, consumer, start):
    offer = ask(power=2_500, first=start, last=start + 7)
    tx = market.accept(offer, need, (1_500, start + 2, start + 4), 25_000, 0, {"from": consumer})
    for owner, original in ((producer, (2_500, start, start + 7)), (consumer, (3_000, start, start + 5))):
        cells = {}
        for i in pieces(tx, owner):
            c = decode(i)
            for s in range(c.first, c.last + 1):
                cells[s] = cells.get(s, 0) + c.power
        power, first, last = original
        assert cells == {s: power for s in range(first, last + 1)}


def test_leftovers_reuse_freed_positions_that_are_hinted(market, mint, ask, need, producer, consumer, start, chain):
    spare = [mint(1, producer, PRODUCTION, 100, start - 3, start - 3) for _ in range(2)]
    chain.sleep(900 * 2)
    chain.mine()
    # cannot retire yet (start-3 may still be ahead); retire after the slot passed
    chain.sleep(900 * 2)
    chain.mine()
    market.retire(spare, {"from": consumer})
    freed = [decode(i).position for i in spare]
    offer = ask(power=2_500, first=start + 1, last=start + 3)
    tx = market.accept(offer, need, (2_500, start + 2, start + 3), 25_000, hints(*freed), {"from": consumer})
    used = {decode(i).position for i in pieces(tx, producer)[1:] + pieces(tx, consumer)[1:]}
    assert set(freed) <= used


def test_a_producer_accepts_a_consumers_bid_and_the_unused_escrow_is_refunded(
    market, mint, bid, producer, consumer, start
):
    offer = bid(power=3_000, first=start, last=start + 3, price=40_000)
    escrow = cost(3_000, 4, 40_000)
    assert funds(market, consumer) == (DEPOSIT, escrow)
    mine = mint(1, producer, PRODUCTION, 2_000, start + 1, start + 2)
    tx = market.accept(offer, mine, (2_000, start + 1, start + 2), 40_000, 0, {"from": producer})
    paid = cost(2_000, 2, 40_000)
    assert tx.return_value == paid
    assert funds(market, consumer) == (DEPOSIT - paid, 0)  # the rest of the escrow is free again
    assert funds(market, producer) == (DEPOSIT + paid, 0)
    leftovers = pieces(tx, consumer)[1:]
    assert leftovers and all(asset(market, i)[2] == HELD for i in leftovers)


def test_a_cross_feeder_trade_counts_as_export_and_import(market, ask, mint, remote, producer, start):
    offer = ask(power=2_000)
    theirs = mint(3, remote, CONSUMPTION, 2_000, start, start + 3)
    market.accept(offer, theirs, (2_000, start, start + 3), 25_000, 0, {"from": remote})
    assert market.feederFlow(1, EXPORT, start) == 2_000
    assert market.feederFlow(2, IMPORT, start) == 2_000
    assert market.feederFlow(1, INTERNAL, start) == 0


def test_a_trade_beyond_the_feeders_internal_limit_is_refused_naming_the_slot_and_the_excess(
    market, dso, ask, mint, consumer, start
):
    market.setFeeder(1, 3_000, 8_000, {"from": dso})
    first = ask(power=2_000)
    market.accept(
        first,
        mint(2, consumer, CONSUMPTION, 2_000, start, start + 3),
        (2_000, start, start + 3),
        25_000,
        0,
        {"from": consumer},
    )
    second = ask(power=2_000, first=start + 3, last=start + 5)
    mine = mint(2, consumer, CONSUMPTION, 2_000, start + 3, start + 5)
    with reverts("PetraFeederLimitExceeded", 1, INTERNAL, start + 3, 3_000, 4_000):
        market.accept(second, mine, (2_000, start + 3, start + 5), 25_000, 0, {"from": consumer})
    market.accept(second, mine, (1_000, start + 3, start + 5), 25_000, 0, {"from": consumer})  # 3 kW fits


def test_a_trade_beyond_the_import_export_limit_is_refused(market, dso, ask, mint, remote, start):
    market.setFeeder(2, 20_000, 1_500, {"from": dso})
    offer = ask(power=2_000)
    theirs = mint(3, remote, CONSUMPTION, 2_000, start, start + 3)
    with reverts("PetraFeederLimitExceeded", 2, IMPORT, start, 1_500, 2_000):
        market.accept(offer, theirs, (2_000, start, start + 3), 25_000, 0, {"from": remote})
    market.setFeeder(1, 20_000, 1_000, {"from": dso})
    with reverts("PetraFeederLimitExceeded", 1, EXPORT, start, 1_000, 1_500):
        market.accept(offer, theirs, (1_500, start, start + 3), 25_000, 0, {"from": remote})


def test_accepting_more_power_than_offered_is_refused(market, ask, need, consumer, start):
    offer = ask(power=2_000)
    with reverts("PetraPortionExceedsPower", offer, 2_500, 2_000):
        market.accept(offer, need, (2_500, start, start + 3), 25_000, 0, {"from": consumer})


def test_accepting_more_power_than_the_acceptor_holds_is_refused(market, ask, need, consumer, start):
    offer = ask(power=5_000)
    with reverts("PetraPortionExceedsPower", need, 4_000, 3_000):
        market.accept(offer, need, (4_000, start, start + 3), 25_000, 0, {"from": consumer})


def test_a_portion_outside_the_offers_interval_is_refused(market, ask, need, consumer, start):
    offer = ask(first=start + 1, last=start + 3)
    with reverts("PetraPortionOutsideInterval", offer, start, start + 2, start + 1, start + 3):
        market.accept(offer, need, (1_000, start, start + 2), 25_000, 0, {"from": consumer})


def test_a_portion_outside_the_acceptors_interval_is_refused(market, ask, need, consumer, start):
    offer = ask(first=start + 4, last=start + 7)
    with reverts("PetraPortionOutsideInterval", need, start + 4, start + 7, start, start + 5):
        market.accept(offer, need, (1_000, start + 4, start + 7), 25_000, 0, {"from": consumer})


def test_an_empty_portion_is_refused(market, ask, need, consumer, start):
    offer = ask()
    with reverts("PetraBadInterval", 0, start, start):
        market.accept(offer, need, (0, start, start), 25_000, 0, {"from": consumer})
    with reverts("PetraBadInterval", 1_000, start + 2, start + 1):
        market.accept(offer, need, (1_000, start + 2, start + 1), 25_000, 0, {"from": consumer})


def test_accepting_a_rescinded_offer_is_refused(market, ask, need, producer, consumer, start):
    offer = ask()
    market.rescindOffer(offer, {"from": producer})
    with reverts("PetraNotOffered", offer, HELD):
        market.accept(offer, need, (1_000, start, start + 1), 25_000, 0, {"from": consumer})


def test_accepting_an_accepted_offer_again_is_refused_no_asset_is_sold_twice(market, ask, need, mint, consumer, start):
    offer = ask(power=1_000, first=start, last=start)
    market.accept(offer, need, (1_000, start, start), 25_000, 0, {"from": consumer})
    other = mint(2, consumer, CONSUMPTION, 1_000, start, start)
    with reverts("PetraNotOffered", offer, MATCHED):
        market.accept(offer, other, (1_000, start, start), 25_000, 0, {"from": consumer})


def test_an_offer_cannot_be_accepted_with_an_asset_of_the_same_kind(market, ask, mint, producer, remote, start):
    offer = ask()
    mine = mint(3, remote, PRODUCTION, 2_000, start, start + 3)
    with reverts("PetraSameKind", offer, mine):
        market.accept(offer, mine, (1_000, start, start), 25_000, 0, {"from": remote})


def test_only_the_owner_of_the_provided_asset_accepts_with_it(market, ask, need, consumer, stranger, start):
    offer = ask()
    with reverts("PetraNotOwner", need, stranger.address, consumer.address):
        market.accept(offer, need, (1_000, start, start), 25_000, 0, {"from": stranger})


def test_an_offered_asset_cannot_be_used_to_accept_another_offer(market, ask, bid, consumer, start):
    offer = ask()
    mine = bid()
    with reverts("PetraAssetNotHeld", mine, OFFERED):
        market.accept(offer, mine, (1_000, start, start), 25_000, 0, {"from": consumer})


def test_a_price_above_the_buyers_limit_is_refused(market, ask, need, consumer, start):
    offer = ask(price=30_000)
    with reverts("PetraPriceAboveLimit", offer, 30_000, 29_999):
        market.accept(offer, need, (1_000, start, start), 29_999, 0, {"from": consumer})


def test_a_price_below_the_sellers_limit_is_refused(market, bid, mint, producer, start):
    offer = bid(price=20_000)
    mine = mint(1, producer, PRODUCTION, 2_000, start, start + 3)
    with reverts("PetraPriceBelowLimit", offer, 20_000, 20_001):
        market.accept(offer, mine, (1_000, start, start), 20_001, 0, {"from": producer})


def test_a_buyer_without_the_money_is_refused(market, ask, need, consumer, start):
    offer = ask(power=2_000, price=2**29 - 1)
    price = cost(2_000, 4, 2**29 - 1)
    market.withdraw(DEPOSIT - 100, {"from": consumer})
    with reverts("FundsInsufficient", consumer.address, 100, price):
        market.accept(offer, need, (2_000, start, start + 3), 2**29 - 1, 0, {"from": consumer})


def test_a_trade_with_oneself_is_refused(market, ask, mint, producer, start):
    offer = ask()
    mine = mint(2, producer, CONSUMPTION, 2_000, start, start + 3)
    with reverts("PetraSelfTrade", producer.address):
        market.accept(offer, mine, (1_000, start, start), 25_000, 0, {"from": producer})


def test_a_portion_that_has_started_cannot_be_traded(market, ask, need, consumer, start, chain):
    offer = ask()
    chain.sleep(900 * 5)
    chain.mine()
    with reverts("PetraSlotNotInFuture", start, ANY):
        market.accept(offer, need, (1_000, start, start + 3), 25_000, 0, {"from": consumer})
