"""The seller takes an open (or lapsed) offer off the board for good."""

from tests.priwatt.contracts.helpers import OfferStatus, advance, now, reverts


def test_the_seller_withdraws_an_open_offer_for_good(flow, market, seller, buyer):
    offer, _ = flow.post(seller)
    tx = market.withdrawOffer(offer.as_args(), {"from": seller})
    assert bytes(tx.events["OfferWithdrawn"]["offerId"]) == offer.offer_id
    assert flow.status(offer.offer_id) is OfferStatus.WITHDRAWN
    with reverts("OfferWrongStatus", offer.offer_id, OfferStatus.WITHDRAWN):
        flow.lock(offer, seller, buyer)


def test_only_the_seller_withdraws(flow, market, seller, stranger):
    offer, _ = flow.post(seller)
    with reverts("OfferNotSeller", offer.offer_id, stranger.address):
        market.withdrawOffer(offer.as_args(), {"from": stranger})


def test_a_live_lock_cannot_be_withdrawn_from_under_the_buyer_but_a_lapsed_one_can(flow, market, seller, buyer, chain):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer, until=now(chain) + 60)
    with reverts("OfferLockedUntil", offer.offer_id, locked.deadline):
        market.withdrawOffer(locked.as_args(), {"from": seller})
    advance(chain, 120)
    market.withdrawOffer(locked.as_args(), {"from": seller})
    assert flow.status(offer.offer_id) is OfferStatus.WITHDRAWN


def test_a_funded_offer_cannot_be_withdrawn(flow, market, seller, buyer):
    record = flow.funded(seller, buyer)
    with reverts("OfferWrongStatus", record.offer_id, OfferStatus.ESCROW):
        market.withdrawOffer(record.as_args(), {"from": seller})
