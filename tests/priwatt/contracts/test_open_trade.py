"""The locked buyer funds the trade: its money is frozen and the time lock starts."""

from offchain.priwatt import eip712

from tests.priwatt.contracts.helpers import (
    DAY,
    DEPOSIT,
    PRICE,
    OfferStatus,
    TradeKind,
    advance,
    funds,
    now,
    reverts,
)


def test_the_buyer_funds_an_escrow_its_money_is_frozen_and_the_time_lock_starts(flow, market, seller, buyer, chain):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer)
    record, tx = flow.open(locked, buyer, nonce=3)
    ev = tx.events["TradeOpened"]
    assert bytes(ev["offerId"]) == offer.offer_id and ev["buyer"] == buyer
    assert (ev["amount"], ev["nonce"], ev["kind"]) == (PRICE, 3, TradeKind.ESCROW)
    assert ev["deadline"] == tx.timestamp + DAY == record.deadline
    assert bytes(ev["tradeId"]) == eip712.trade_id(record, chain.id, market.address)
    assert bytes(market.tradeId(record.as_args())) == bytes(ev["tradeId"])
    assert funds(market, buyer) == (DEPOSIT, PRICE)
    assert market.isNonceUsed(buyer, 3)
    assert flow.status(offer.offer_id) is OfferStatus.ESCROW
    with reverts("FundsInsufficient", buyer.address, DEPOSIT - PRICE, DEPOSIT - PRICE + 1):
        market.withdraw(DEPOSIT - PRICE + 1, {"from": buyer})


def test_a_channel_lock_opens_a_channel(flow, seller, buyer):
    record = flow.funded(seller, buyer, kind=TradeKind.CHANNEL)
    assert flow.status(record.offer_id) is OfferStatus.CHANNEL


def test_only_the_buyer_the_lock_names_may_fund_it(flow, seller, buyer, stranger):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer)
    with reverts("TradeNotBuyer", offer.offer_id, stranger.address, buyer.address):
        flow.open(locked, stranger, nonce=0)
    with reverts("TradeNotBuyer", offer.offer_id, seller.address, buyer.address):
        flow.open(locked, seller, nonce=0)


def test_a_lapsed_lock_cannot_be_funded(flow, seller, buyer, chain):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer, until=now(chain) + 60)
    advance(chain, 120)
    with reverts("TradeLockExpired", offer.offer_id, locked.deadline):
        flow.open(locked, buyer)


def test_an_open_offer_must_be_locked_before_it_is_funded(flow, seller, buyer):
    offer, _ = flow.post(seller)
    with reverts("OfferWrongStatus", offer.offer_id, OfferStatus.OPEN):
        flow.open(offer, buyer)


def test_the_buyer_needs_the_amount_in_its_free_balance(flow, market, seller, buyer):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer, amount=DEPOSIT + 1)
    with reverts("FundsInsufficient", buyer.address, DEPOSIT, DEPOSIT + 1):
        flow.open(locked, buyer)


def test_a_used_nonce_is_refused(flow, seller, buyer):
    flow.funded(seller, buyer)  # uses nonce 0
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer)
    with reverts("FundsNonceUsed", buyer.address, 0):
        flow.open(locked, buyer, nonce=0)


def test_a_funded_trade_cannot_be_funded_twice(flow, seller, buyer):
    offer, _ = flow.post(seller)
    locked, _ = flow.lock(offer, seller, buyer)
    record, _ = flow.open(locked, buyer)
    with reverts("OfferRecordMismatch", offer.offer_id):
        flow.open(locked, buyer)
    with reverts("OfferWrongStatus", offer.offer_id, OfferStatus.ESCROW):
        flow.open(record, buyer)
