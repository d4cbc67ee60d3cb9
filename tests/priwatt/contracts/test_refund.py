"""The time-locked refund: after the lock the buyer takes back whatever was not paid."""

import pytest

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


@pytest.mark.parametrize("kind", [TradeKind.ESCROW, TradeKind.CHANNEL])
def test_after_the_time_lock_the_buyer_takes_everything_back(flow, market, seller, buyer, chain, kind):
    record = flow.funded(seller, buyer, kind=kind)
    advance(chain, record.deadline - now(chain) + 1)
    tx = market.refund(record.as_args(), {"from": buyer})
    ev = tx.events["TradeRefunded"]
    assert bytes(ev["tradeId"]) == flow.trade_id(record) and ev["amount"] == PRICE
    assert funds(market, buyer) == (DEPOSIT, 0)
    assert flow.status(record.offer_id) is OfferStatus.REFUNDED


@pytest.mark.parametrize("kind", [TradeKind.ESCROW, TradeKind.CHANNEL])
def test_refund_before_the_lock_ends_is_refused(flow, market, seller, buyer, chain, kind):
    record = flow.funded(seller, buyer, kind=kind)
    with reverts("TradeNotExpired", flow.trade_id(record), record.deadline):
        market.refund(record.as_args(), {"from": buyer})
    advance(chain, record.deadline - now(chain) - 5)
    with reverts("TradeNotExpired", flow.trade_id(record), record.deadline):
        market.refund(record.as_args(), {"from": buyer})
    assert funds(market, buyer) == (DEPOSIT, PRICE)


def test_only_the_buyer_reclaims(flow, market, seller, buyer, stranger, chain):
    record = flow.funded(seller, buyer)
    advance(chain, DAY + 1)
    for who in (seller, stranger):
        with reverts("TradeNotBuyer", record.offer_id, who.address, buyer.address):
            market.refund(record.as_args(), {"from": who})


def test_a_refund_happens_once(flow, market, seller, buyer, chain):
    record = flow.funded(seller, buyer)
    advance(chain, DAY + 1)
    market.refund(record.as_args(), {"from": buyer})
    with reverts("OfferWrongStatus", record.offer_id, OfferStatus.REFUNDED):
        market.refund(record.as_args(), {"from": buyer})
    assert funds(market, buyer) == (DEPOSIT, 0)


def test_a_settled_escrow_cannot_be_refunded(flow, market, seller, buyer, chain):
    record = flow.funded(seller, buyer)
    flow.settle(record, seller, buyer)
    advance(chain, DAY + 1)
    with reverts("OfferWrongStatus", record.offer_id, OfferStatus.SOLD):
        market.refund(record.as_args(), {"from": buyer})


def test_if_the_dso_disappears_during_a_dispute_the_buyer_reclaims_after_the_time_lock(
    flow, market, seller, buyer, dso, second_dso, governor, chain
):
    """Money is never stuck: the DSO keys are revoked (or simply silent) mid-dispute."""
    record = flow.funded(seller, buyer)
    for key in (dso, second_dso):
        market.revokeRole(market.DSO_ROLE(), key, {"from": governor})
    with reverts("EscrowNotParty", flow.trade_id(record), dso.address):
        flow.settle(record, seller, dso, bps=8_000)
    advance(chain, DAY + 1)
    market.refund(record.as_args(), {"from": buyer})
    assert funds(market, buyer) == (DEPOSIT, 0)
