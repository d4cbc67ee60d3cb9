"""The seller's ownership lock: an offer reserved for one buyer cannot be sold twice."""

from dataclasses import replace

from tests.priwatt.contracts.helpers import (
    ANY,
    DAY,
    HOUR,
    PRICE,
    OfferStatus,
    TradeKind,
    advance,
    now,
    reverts,
)


def test_the_seller_locks_its_offer_for_one_buyer(flow, seller, buyer):
    offer, _ = flow.post(seller)
    locked, tx = flow.lock(offer, seller, buyer, kind=TradeKind.CHANNEL)
    ev = tx.events["OfferLocked"]
    assert bytes(ev["offerId"]) == offer.offer_id and ev["buyer"] == buyer
    assert (ev["amount"], ev["lockedUntil"], ev["duration"], ev["kind"]) == (
        PRICE,
        locked.deadline,
        DAY,
        TradeKind.CHANNEL,
    )
    assert flow.status(offer.offer_id) is OfferStatus.LOCKED


def test_locked_energy_cannot_be_sold_to_a_second_buyer(flow, market, seller, buyer, other_buyer):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer)
    with reverts("OfferLockedUntil", offer.offer_id, locked.deadline):
        flow.lock(locked, seller, other_buyer)
    # nor with the record from before the lock
    with reverts("OfferRecordMismatch", offer.offer_id):
        flow.lock(offer, seller, other_buyer)
    # and the other buyer cannot fund the lock that names someone else
    with reverts("TradeNotBuyer", offer.offer_id, other_buyer.address, buyer.address):
        flow.open(locked, other_buyer)


def test_a_lapsed_lock_can_be_given_to_another_buyer_and_the_first_can_no_longer_fund(
    flow, seller, buyer, other_buyer, chain
):
    offer, _ = flow.post(seller)
    first, _ = flow.lock(offer, seller, buyer, until=now(flow.chain) + 60)
    advance(chain, 120)
    second, _ = flow.lock(first, seller, other_buyer)
    with reverts("OfferRecordMismatch", offer.offer_id):
        flow.open(first, buyer)
    flow.open(second, other_buyer)
    assert flow.status(offer.offer_id) is OfferStatus.ESCROW


def test_only_the_seller_locks_its_offer(flow, seller, buyer, stranger):
    offer, _ = flow.post(seller)
    with reverts("OfferNotSeller", offer.offer_id, buyer.address):
        flow.lock(offer, buyer, buyer)
    with reverts("OfferNotSeller", offer.offer_id, stranger.address):
        flow.lock(offer, stranger, buyer)


def test_a_forged_record_is_refused(flow, seller, buyer):
    offer, _ = flow.post(seller)
    with reverts("OfferRecordMismatch", offer.offer_id):
        flow.lock(replace(offer, offer_expiry=offer.offer_expiry + 10 * DAY), seller, buyer)


def test_an_unknown_offer_cannot_be_locked(flow, seller, buyer):
    offer, _ = flow.post(seller)
    with reverts("OfferUnknown", b"\x42" * 32):
        flow.lock(replace(offer, offer_id=b"\x42" * 32), seller, buyer)


def test_an_expired_offer_cannot_be_locked(flow, seller, buyer, chain):
    offer, _ = flow.post(seller, flow.claim(seller, ttl=HOUR))
    advance(chain, HOUR + 1)
    with reverts("OfferExpired", offer.offer_id, offer.offer_expiry):
        flow.lock(offer, seller, buyer, until=now(chain) + 60)


def test_the_buyer_must_be_someone_other_than_the_seller(flow, seller):
    offer, _ = flow.post(seller)
    with reverts("OfferBadBuyer", offer.offer_id, seller.address):
        flow.lock(offer, seller, seller)
    with reverts("OfferBadBuyer", offer.offer_id, "0x" + "00" * 20):
        flow.lock(offer, seller, "0x" + "00" * 20)


def test_a_lock_must_name_an_amount(flow, seller, buyer):
    offer, _ = flow.post(seller)
    with reverts("OfferZeroAmount", offer.offer_id):
        flow.lock(offer, seller, buyer, amount=0)


def test_a_lock_ends_in_the_future_within_a_day_and_the_offer_expiry(flow, market, seller, buyer, chain):
    offer, _ = flow.post(seller, flow.claim(seller, ttl=3 * DAY))
    # the upper bound is the block's time + MAX_LOCK (a day): ANY stands for that block time
    t = now(chain)
    with reverts("OfferBadLock", offer.offer_id, t - 1, ANY):
        flow.lock(offer, seller, buyer, until=t - 1)
    t = now(chain)
    with reverts("OfferBadLock", offer.offer_id, t + 2 * DAY, ANY):
        flow.lock(offer, seller, buyer, until=t + 2 * DAY)
    assert market.MAX_LOCK() == DAY
    short, _ = flow.post(seller, flow.claim(seller, ttl=HOUR))
    with reverts("OfferBadLock", short.offer_id, short.offer_expiry + 1, short.offer_expiry):
        flow.lock(short, seller, buyer, until=short.offer_expiry + 1)


def test_the_time_lock_is_between_a_minute_and_thirty_days(flow, seller, buyer):
    offer, _ = flow.post(seller)
    with reverts("OfferBadDuration", offer.offer_id, 59):
        flow.lock(offer, seller, buyer, duration=59)
    with reverts("OfferBadDuration", offer.offer_id, 30 * DAY + 1):
        flow.lock(offer, seller, buyer, duration=30 * DAY + 1)


def test_a_funded_offer_cannot_be_locked_again(flow, seller, buyer, other_buyer):
    record = flow.funded(seller, buyer)
    with reverts("OfferWrongStatus", record.offer_id, OfferStatus.ESCROW):
        flow.lock(record, seller, other_buyer)


def test_a_sold_offer_is_off_the_board_and_cannot_be_sold_again(flow, seller, buyer, other_buyer):
    record = flow.funded(seller, buyer)
    flow.settle(record, seller, buyer)
    assert flow.status(record.offer_id) is OfferStatus.SOLD
    with reverts("OfferWrongStatus", record.offer_id, OfferStatus.SOLD):
        flow.lock(record, seller, other_buyer)
