"""Owners offer held assets: production assets as asks, consumption assets as bids with escrow."""

from tests.petra.contracts.helpers import (
    ANY,
    CONSUMPTION,
    DEPOSIT,
    OFFERED,
    PRODUCTION,
    advance_slots,
    asset,
    cost,
    funds,
    reverts,
)


def test_an_ask_enters_the_order_book_without_escrow(market, mint, producer, start):
    token = mint(1, producer, PRODUCTION, 2_000, start, start + 3)
    tx = market.postOffer(token, 30_000, {"from": producer})
    ev = tx.events["OfferPosted"]
    assert (int(ev["id"]), ev["owner"], ev["price"], ev["escrow"]) == (token, producer, 30_000, 0)
    assert asset(market, token)[2:] == (OFFERED, 1, 2_000, start, start + 3, 30_000)
    assert funds(market, producer) == (DEPOSIT, 0)


def test_a_bid_freezes_its_whole_cost(market, mint, consumer, start):
    token = mint(2, consumer, CONSUMPTION, 3_000, start, start + 7)
    tx = market.postOffer(token, 40_000, {"from": consumer})
    escrow = cost(3_000, 8, 40_000)
    assert escrow == 240 and tx.events["OfferPosted"]["escrow"] == escrow
    assert funds(market, consumer) == (DEPOSIT, escrow)


def test_a_bid_beyond_the_free_balance_is_refused(market, mint, consumer, start):
    token = mint(2, consumer, CONSUMPTION, 10_000, start, start + 99)
    price = 2**29 - 1
    escrow = cost(10_000, 100, price)
    with reverts("FundsInsufficient", consumer.address, DEPOSIT, escrow):
        market.postOffer(token, price, {"from": consumer})


def test_only_the_owner_offers_an_asset(market, mint, producer, stranger, start):
    token = mint(1, producer, PRODUCTION, 2_000, start, start)
    with reverts("PetraNotOwner", token, stranger.address, producer.address):
        market.postOffer(token, 1, {"from": stranger})


def test_an_asset_already_offered_cannot_be_offered_again(market, ask, producer):
    token = ask()
    with reverts("PetraAssetNotHeld", token, OFFERED):
        market.postOffer(token, 1, {"from": producer})


def test_a_price_beyond_29_bits_is_refused(market, mint, producer, start):
    token = mint(1, producer, PRODUCTION, 2_000, start, start)
    with reverts("PetraPriceOutOfRange", 2**29, 2**29 - 1):
        market.postOffer(token, 2**29, {"from": producer})


def test_an_asset_whose_interval_has_passed_cannot_be_offered(market, mint, producer, start, chain):
    token = mint(1, producer, PRODUCTION, 2_000, start, start)
    advance_slots(chain, 6)
    with reverts("PetraSlotNotInFuture", start, ANY):
        market.postOffer(token, 1, {"from": producer})


def test_an_unknown_or_forged_id_is_refused(market, mint, producer, start):
    token = mint(1, producer, PRODUCTION, 2_000, start, start)
    forged = token + (1 << 72)  # same position, 16.7 MW more power in the id
    with reverts("PetraUnknownAsset", forged):
        market.postOffer(forged, 1, {"from": producer})
