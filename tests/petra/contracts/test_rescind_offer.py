"""An offer's owner takes it back; a bid's escrow comes back."""

from tests.petra.contracts.helpers import DEPOSIT, HELD, MATCHED, PRODUCTION, asset, funds, reverts


def test_rescinding_an_ask_makes_the_asset_held_again(market, ask, producer):
    token = ask()
    tx = market.rescindOffer(token, {"from": producer})
    assert int(tx.events["OfferRescinded"]["id"]) == token and tx.events["OfferRescinded"]["escrow"] == 0
    assert asset(market, token)[2] == HELD and asset(market, token)[7] == 0


def test_rescinding_a_bid_unfreezes_its_escrow(market, bid, consumer):
    token = bid(power=3_000, price=40_000)
    assert funds(market, consumer)[1] == 120
    tx = market.rescindOffer(token, {"from": consumer})
    assert tx.events["OfferRescinded"]["escrow"] == 120
    assert funds(market, consumer) == (DEPOSIT, 0)


def test_a_stranger_cannot_rescind_an_offer(market, ask, producer, stranger):
    token = ask()
    with reverts("PetraNotOwner", token, stranger.address, producer.address):
        market.rescindOffer(token, {"from": stranger})


def test_an_asset_not_offered_cannot_be_rescinded(market, mint, producer, start):
    token = mint(1, producer, PRODUCTION, 2_000, start, start)
    with reverts("PetraNotOffered", token, HELD):
        market.rescindOffer(token, {"from": producer})


def test_an_accepted_offer_cannot_be_rescinded(market, ask, bid, producer, consumer, start):
    offer = ask()
    mine = bid()
    market.rescindOffer(mine, {"from": consumer})
    market.accept(offer, mine, (2_000, start, start + 3), 25_000, 0, {"from": consumer})
    with reverts("PetraNotOffered", offer, MATCHED):
        market.rescindOffer(offer, {"from": producer})
