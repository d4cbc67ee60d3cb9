"""A micropayment channel run by the agents: per kWh the buyer signs, the seller delivers
only while states arrive, and closes with the latest one."""

from __future__ import annotations

from offchain.priwatt.agents import TradeState
from offchain.priwatt.board import BoardQuery
from offchain.priwatt.eip712 import OfferStatus
from offchain.priwatt.scenario import channel_trade

MILLI = 10**15


def test_the_buyer_pays_per_kwh_and_the_seller_closes_with_the_latest_state(community, run):
    out = run(channel_trade(community, 0, 0, kwh=4, ask_price=4 * MILLI))
    assert (out.kwh_delivered, out.kwh_paid, out.stopped) == (4, 4, False)
    assert out.refunded == 0 and out.paid > 0  # everything locked was paid: 4 of 4 kWh
    assert community.client.status(out.offer_id) is OfferStatus.SOLD
    seller = community.sellers[0]
    assert community.client.funds(seller.identity(out.offer_id).address).balance == out.paid
    assert seller.trade_state(out.offer_id) is TradeState.SOLD


def test_when_the_buyer_stops_signing_the_seller_stops_delivering_and_is_paid_for_what_was_signed(community, run):
    out = run(channel_trade(community, 0, 1, kwh=5, ask_price=5 * MILLI, stop_after_kwh=2))
    assert out.stopped
    assert out.kwh_paid == 2
    assert out.kwh_delivered == 3  # the third kWh went out unpaid, then the seller stopped
    per_kwh = (out.paid + out.refunded) // 5
    assert (out.paid, out.refunded) == (2 * per_kwh, 3 * per_kwh)
    buyer = community.buyers[1]
    me = buyer.identity(out.offer_id)
    funds = community.client.funds(me.address)
    # the buyer's fresh address deposited the asking price; only the signed kWh left it
    assert funds.frozen == 0 and funds.balance == 5 * MILLI - out.paid
    assert community.sellers[0].trade_state(out.offer_id) is TradeState.SOLD


def test_a_sold_offer_leaves_the_board(community, run):
    out = run(channel_trade(community, 1, 0, kwh=2, ask_price=2 * MILLI))
    on_sale = {o.offer_id for o in community.buyers[0].find(BoardQuery())}
    history = {o.offer_id for o in community.buyers[0].find(BoardQuery(include_closed=True))}
    assert out.offer_id not in on_sale and out.offer_id in history
