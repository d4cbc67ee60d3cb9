"""The micropayment channel: the seller closes with the buyer's latest cumulative state."""

import pytest
from eth_account import Account

from offchain.priwatt import eip712

from tests.priwatt.contracts.helpers import (
    DEPOSIT,
    PRICE,
    OfferStatus,
    TradeKind,
    advance,
    funds,
    high_s,
    now,
    recovered,
    reverts,
)

PER_KWH = PRICE // 10


@pytest.fixture
def channel(flow, seller, buyer):
    return flow.funded(seller, buyer, kind=TradeKind.CHANNEL)


def test_the_seller_closes_with_the_latest_state_and_the_buyer_gets_the_rest(flow, market, channel, seller, buyer):
    held = int(market.balance())
    states = [flow.state(buyer, channel, k * PER_KWH) for k in range(1, 8)]  # one per kWh delivered
    tx = market.closeChannel(channel.as_args(), 7 * PER_KWH, states[-1], {"from": seller})
    ev = tx.events["ChannelClosed"]
    assert bytes(ev["tradeId"]) == flow.trade_id(channel)
    assert (ev["paid"], ev["refunded"]) == (7 * PER_KWH, 3 * PER_KWH)
    assert funds(market, seller) == (7 * PER_KWH, 0)
    assert funds(market, buyer) == (DEPOSIT - 7 * PER_KWH, 0)
    assert flow.status(channel.offer_id) is OfferStatus.SOLD
    assert int(market.balance()) == held


def test_an_old_state_cannot_close_after_a_newer_one_closed(flow, market, channel, seller, buyer):
    old, new = flow.state(buyer, channel, 2 * PER_KWH), flow.state(buyer, channel, 5 * PER_KWH)
    market.closeChannel(channel.as_args(), 5 * PER_KWH, new, {"from": seller})
    with reverts("OfferWrongStatus", channel.offer_id, OfferStatus.SOLD):
        market.closeChannel(channel.as_args(), 2 * PER_KWH, old, {"from": seller})
    assert funds(market, seller) == (5 * PER_KWH, 0)


def test_the_buyer_cannot_close_with_an_old_state_of_its_own(flow, market, channel, buyer):
    old = flow.state(buyer, channel, PER_KWH)  # the buyer holds every state it ever signed
    with reverts("ChannelNotSeller", flow.trade_id(channel), buyer.address):
        market.closeChannel(channel.as_args(), PER_KWH, old, {"from": buyer})


def test_a_stranger_cannot_close(flow, market, channel, buyer, stranger):
    state = flow.state(buyer, channel, PER_KWH)
    with reverts("ChannelNotSeller", flow.trade_id(channel), stranger.address):
        market.closeChannel(channel.as_args(), PER_KWH, state, {"from": stranger})


def test_a_channel_never_pays_more_than_the_buyer_locked(flow, market, channel, seller, buyer):
    state = flow.state(buyer, channel, PRICE + 1)
    with reverts("ChannelOverdrawn", flow.trade_id(channel), PRICE + 1, PRICE):
        market.closeChannel(channel.as_args(), PRICE + 1, state, {"from": seller})


def test_a_state_the_buyer_did_not_sign_is_refused(flow, market, channel, seller, chain):
    forger = Account.create()
    state = flow.state(forger.key, channel, PER_KWH)
    with reverts("ChannelInvalidSignature", flow.trade_id(channel), forger.address):
        market.closeChannel(channel.as_args(), PER_KWH, state, {"from": seller})
    own = flow.state(seller, channel, PRICE)  # the seller signing its own payment
    with reverts("ChannelInvalidSignature", flow.trade_id(channel), seller.address):
        market.closeChannel(channel.as_args(), PRICE, own, {"from": seller})


def test_a_state_cannot_be_raised_after_signing(flow, market, channel, seller, buyer, chain):
    state = flow.state(buyer, channel, PER_KWH)
    trade_id = flow.trade_id(channel)
    moved = recovered(eip712.channel_state_digest(trade_id, 9 * PER_KWH, chain.id, market.address), state)
    with reverts("ChannelInvalidSignature", trade_id, moved):
        market.closeChannel(channel.as_args(), 9 * PER_KWH, state, {"from": seller})


def test_a_state_of_another_channel_is_refused(flow, market, channel, seller, buyer, chain):
    other = flow.funded(seller, buyer, kind=TradeKind.CHANNEL)
    state = flow.state(buyer, other, PER_KWH)
    trade_id = flow.trade_id(channel)
    moved = recovered(eip712.channel_state_digest(trade_id, PER_KWH, chain.id, market.address), state)
    with reverts("ChannelInvalidSignature", trade_id, moved):
        market.closeChannel(channel.as_args(), PER_KWH, state, {"from": seller})


def test_a_high_s_state_is_refused(flow, market, channel, seller, buyer):
    with reverts("ChannelMalformedSignature", flow.trade_id(channel)):
        market.closeChannel(channel.as_args(), PER_KWH, high_s(flow.state(buyer, channel, PER_KWH)), {"from": seller})


def test_close_after_refund_is_refused(flow, market, channel, seller, buyer, chain):
    state = flow.state(buyer, channel, 3 * PER_KWH)
    advance(chain, channel.deadline - now(chain) + 1)
    market.refund(channel.as_args(), {"from": buyer})
    with reverts("OfferWrongStatus", channel.offer_id, OfferStatus.REFUNDED):
        market.closeChannel(channel.as_args(), 3 * PER_KWH, state, {"from": seller})
    assert funds(market, buyer) == (DEPOSIT, 0)


def test_the_seller_may_still_close_after_the_time_lock_until_the_buyer_refunds(
    flow, market, channel, seller, buyer, chain
):
    advance(chain, channel.deadline - now(chain) + 1)
    market.closeChannel(channel.as_args(), 4 * PER_KWH, flow.state(buyer, channel, 4 * PER_KWH), {"from": seller})
    with reverts("OfferWrongStatus", channel.offer_id, OfferStatus.SOLD):
        market.refund(channel.as_args(), {"from": buyer})


def test_an_escrow_is_not_closed_as_a_channel(flow, market, seller, buyer):
    escrow = flow.funded(seller, buyer)
    with reverts("OfferWrongStatus", escrow.offer_id, OfferStatus.ESCROW):
        market.closeChannel(escrow.as_args(), PER_KWH, flow.state(buyer, escrow, PER_KWH), {"from": seller})


def test_a_close_that_pays_nothing_refunds_the_buyer_and_sells_nothing(flow, market, channel, seller, buyer):
    before = funds(market, buyer)
    market.closeChannel(channel.as_args(), 0, flow.state(buyer, channel, 0), {"from": seller})
    assert flow.status(channel.offer_id) is OfferStatus.REFUNDED
    assert funds(market, buyer) == (before[0], before[1] - channel.amount)
