"""postOrder / cancelOrder: an owner that cannot sign (a contract, a wallet without
EIP-712) posts its order on chain; a clearing then lists it with the posted flag and no
signature. Cancelling withdraws it from any later clearing."""

from __future__ import annotations

from offchain.auction.orders import Order, Side, SignedOrder

from tests.auction.contracts.helpers import SLOT_SECONDS, advance_to, clearing, funds, reverts, set_next_time


def _posted(order: Order) -> SignedOrder:
    return SignedOrder(order, None)


def test_a_posted_order_clears_without_a_signature(market, operator, buyer, seller, slot, expiry):
    bid = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    tx = market.postOrder(bid.as_args(), {"from": buyer.account})
    order_id = market.hashOrder(bid.as_args())
    assert tx.events["OrderPosted"]["orderId"] == order_id and market.isPosted(order_id)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    market.submitClearing(slot, clearing(slot, [(_posted(bid), 1_000), (ask, 1_000)]).packed(), {"from": operator})
    assert funds(market, buyer)[1] == 168


def test_a_cancelled_order_cannot_be_cleared(market, operator, buyer, seller, slot, expiry):
    bid = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    market.postOrder(bid.as_args(), {"from": buyer.account})
    market.cancelOrder(bid.as_args(), {"from": buyer.account})
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionOrderNotPosted", market.hashOrder(bid.as_args())):
        market.submitClearing(slot, clearing(slot, [(_posted(bid), 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_an_order_claimed_as_posted_but_never_posted_is_refused(market, operator, buyer, seller, slot, expiry):
    bid = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(1_000, 100_000, slot=slot, expiry=expiry)
    with reverts("AuctionOrderNotPosted", market.hashOrder(bid.as_args())):
        market.submitClearing(slot, clearing(slot, [(_posted(bid), 1_000), (ask, 1_000)]).packed(), {"from": operator})


def test_only_the_owner_posts_or_cancels(market, stranger, buyer, slot, expiry):
    bid = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    with reverts("AuctionNotOwner", stranger.address, buyer.address):
        market.postOrder(bid.as_args(), {"from": stranger})
    market.postOrder(bid.as_args(), {"from": buyer.account})
    with reverts("AuctionNotOwner", stranger.address, buyer.address):
        market.cancelOrder(bid.as_args(), {"from": stranger})


def test_an_order_is_posted_once(market, buyer, slot, expiry):
    bid = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    market.postOrder(bid.as_args(), {"from": buyer.account})
    with reverts("AuctionOrderAlreadyPosted", market.hashOrder(bid.as_args())):
        market.postOrder(bid.as_args(), {"from": buyer.account})


def test_an_empty_or_expired_order_or_one_after_the_gate_is_refused(market, buyer, slot, chain, expiry):
    empty = buyer.order(Side.BID, 0, 200_000, slot=slot, expiry=expiry)
    with reverts("AuctionZeroEnergy", market.hashOrder(empty.as_args())):
        market.postOrder(empty.as_args(), {"from": buyer.account})
    t = chain[-1].timestamp + 10
    stale = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=t - 1)
    advance_to(chain, t - 1)
    set_next_time(t)
    with reverts("AuctionOrderExpired", buyer.address, stale.id, t - 1, t):
        market.postOrder(stale.as_args(), {"from": buyer.account})
    gate = slot * SLOT_SECONDS
    late = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    advance_to(chain, gate - 1)
    set_next_time(gate)
    with reverts("AuctionSlotClosed", slot, gate, gate):
        market.postOrder(late.as_args(), {"from": buyer.account})


def test_cancelling_an_order_that_is_not_posted_is_refused(market, buyer, slot, expiry):
    bid = buyer.order(Side.BID, 1_000, 200_000, slot=slot, expiry=expiry)
    with reverts("AuctionOrderNotPosted", market.hashOrder(bid.as_args())):
        market.cancelOrder(bid.as_args(), {"from": buyer.account})
