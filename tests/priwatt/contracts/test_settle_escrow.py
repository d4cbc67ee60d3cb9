"""The 2-of-3 escrow: the caller and one EIP-712 co-signature among buyer, seller and DSO."""

import pytest

from offchain.priwatt import eip712

from tests.priwatt.contracts.helpers import (
    BPS,
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


@pytest.fixture
def escrow(flow, seller, buyer):
    return flow.funded(seller, buyer)


def _held(market) -> int:
    return int(market.balance())


def test_with_no_dispute_buyer_and_seller_release_everything_to_the_seller(flow, market, escrow, seller, buyer):
    held = _held(market)
    tx = flow.settle(escrow, seller, buyer)  # the seller submits the buyer's co-signature
    ev = tx.events["EscrowSettled"]
    assert bytes(ev["tradeId"]) == flow.trade_id(escrow)
    assert (ev["toSeller"], ev["toBuyer"], ev["submitter"], ev["cosigner"]) == (PRICE, 0, seller, buyer)
    assert funds(market, seller) == (PRICE, 0)
    assert funds(market, buyer) == (DEPOSIT - PRICE, 0)
    assert flow.status(escrow.offer_id) is OfferStatus.SOLD
    assert _held(market) == held


def test_the_buyer_may_submit_with_the_sellers_co_signature(flow, market, escrow, seller, buyer):
    flow.settle(escrow, buyer, seller)
    assert funds(market, seller) == (PRICE, 0)


def test_on_dispute_the_dso_proposes_a_split_and_the_seller_co_signs_it(flow, market, escrow, seller, buyer, dso):
    tx = flow.settle(escrow, seller, dso, bps=7_000)
    assert (tx.events["EscrowSettled"]["toSeller"], tx.events["EscrowSettled"]["toBuyer"]) == (
        PRICE * 7 // 10,
        PRICE * 3 // 10,
    )
    assert funds(market, seller) == (PRICE * 7 // 10, 0)
    assert funds(market, buyer) == (DEPOSIT - PRICE * 7 // 10, 0)
    assert flow.status(escrow.offer_id) is OfferStatus.SOLD


def test_on_dispute_the_buyer_co_signs_and_the_dso_submits(flow, market, escrow, seller, buyer, dso):
    flow.settle(escrow, dso, buyer, bps=2_500)
    assert funds(market, seller) == (PRICE // 4, 0)
    assert funds(market, buyer) == (DEPOSIT - PRICE // 4, 0)


def test_a_split_of_nothing_refunds_the_buyer_and_closes_the_offer(flow, market, escrow, seller, buyer, dso):
    flow.settle(escrow, buyer, dso, bps=0)
    assert funds(market, seller) == (0, 0)
    assert funds(market, buyer) == (DEPOSIT, 0)
    assert flow.status(escrow.offer_id) is OfferStatus.REFUNDED


def test_a_single_party_cannot_release_with_its_own_signature(flow, escrow, seller, buyer):
    trade_id = flow.trade_id(escrow)
    with reverts("EscrowSameParty", trade_id, seller.address):
        flow.settle(escrow, seller, seller)
    with reverts("EscrowSameParty", trade_id, buyer.address):
        flow.settle(escrow, buyer, buyer, bps=0)


def test_the_dso_alone_cannot_release_not_even_with_a_second_dso_key(flow, escrow, dso, second_dso):
    trade_id = flow.trade_id(escrow)
    with reverts("EscrowSameParty", trade_id, dso.address):
        flow.settle(escrow, dso, dso, bps=5_000)
    with reverts("EscrowDsoOnly", trade_id, dso.address, second_dso.address):
        flow.settle(escrow, dso, second_dso, bps=5_000)


def test_a_stranger_can_neither_submit_nor_co_sign(flow, escrow, seller, buyer, stranger):
    trade_id = flow.trade_id(escrow)
    with reverts("EscrowNotParty", trade_id, stranger.address):
        flow.settle(escrow, stranger, buyer)
    from eth_account import Account

    outsider = Account.create()
    with reverts("EscrowNotParty", trade_id, outsider.address):
        flow.settle(escrow, seller, outsider.key)


def test_a_revoked_dso_no_longer_mediates(flow, market, escrow, seller, second_dso, governor):
    market.revokeRole(market.DSO_ROLE(), second_dso, {"from": governor})
    with reverts("EscrowNotParty", flow.trade_id(escrow), second_dso.address):
        flow.settle(escrow, seller, second_dso, bps=9_000)


def test_a_replayed_release_is_refused(flow, market, escrow, seller, buyer):
    deadline, sig = flow.settlement(buyer, escrow)
    market.settleEscrow(escrow.as_args(), BPS, deadline, sig, {"from": seller})
    with reverts("OfferWrongStatus", escrow.offer_id, OfferStatus.SOLD):
        market.settleEscrow(escrow.as_args(), BPS, deadline, sig, {"from": seller})
    assert funds(market, seller) == (PRICE, 0)


def test_a_co_signature_cannot_be_moved_to_another_split(flow, market, escrow, seller, buyer, dso, chain):
    """Reordering: the DSO's 30 % signature submitted as 100 %, the buyer's for another split."""
    deadline, sig = flow.settlement(dso, escrow, bps=3_000)
    trade_id = flow.trade_id(escrow)
    moved = recovered(eip712.settlement_digest(trade_id, BPS, deadline, chain.id, market.address), sig)
    with reverts("EscrowNotParty", trade_id, moved):
        market.settleEscrow(escrow.as_args(), BPS, deadline, sig, {"from": seller})
    later = deadline + 1
    moved = recovered(eip712.settlement_digest(trade_id, 3_000, later, chain.id, market.address), sig)
    with reverts("EscrowNotParty", trade_id, moved):
        market.settleEscrow(escrow.as_args(), 3_000, later, sig, {"from": seller})


def test_a_co_signature_of_another_escrow_is_refused(flow, market, seller, buyer, chain):
    first = flow.funded(seller, buyer)
    second = flow.funded(seller, buyer)
    deadline, sig = flow.settlement(buyer, first)
    second_id = flow.trade_id(second)
    moved = recovered(eip712.settlement_digest(second_id, BPS, deadline, chain.id, market.address), sig)
    with reverts("EscrowNotParty", second_id, moved):
        market.settleEscrow(second.as_args(), BPS, deadline, sig, {"from": seller})


def test_an_expired_co_signature_is_refused(flow, market, escrow, seller, buyer, chain):
    deadline, sig = flow.settlement(buyer, escrow, deadline=now(chain) + 30)
    advance(chain, 60)
    with reverts("EscrowSignatureExpired", flow.trade_id(escrow), deadline):
        market.settleEscrow(escrow.as_args(), BPS, deadline, sig, {"from": seller})


def test_a_split_above_one_hundred_percent_is_refused(flow, market, escrow, seller, dso):
    deadline, sig = flow.settlement(dso, escrow, bps=BPS + 1)
    with reverts("EscrowBadSplit", flow.trade_id(escrow), BPS + 1):
        market.settleEscrow(escrow.as_args(), BPS + 1, deadline, sig, {"from": seller})


def test_a_high_s_co_signature_is_refused(flow, market, escrow, seller, buyer):
    deadline, sig = flow.settlement(buyer, escrow)
    with reverts("EscrowMalformedSignature", flow.trade_id(escrow)):
        market.settleEscrow(escrow.as_args(), BPS, deadline, high_s(sig), {"from": seller})


def test_a_channel_is_not_settled_as_an_escrow(flow, market, seller, buyer):
    channel = flow.funded(seller, buyer, kind=TradeKind.CHANNEL)
    with reverts("OfferWrongStatus", channel.offer_id, OfferStatus.CHANNEL):
        flow.settle(channel, seller, buyer)


def test_an_escrow_refunded_after_its_time_lock_cannot_be_settled(flow, market, escrow, seller, buyer, chain):
    advance(chain, escrow.deadline - now(chain) + 1)
    market.refund(escrow.as_args(), {"from": buyer})
    with reverts("OfferWrongStatus", escrow.offer_id, OfferStatus.REFUNDED):
        flow.settle(escrow, seller, buyer)


def test_a_seller_holding_a_dso_key_cannot_release_with_another_dso_key(flow, market, buyer, dso, second_dso):
    """The DSO trading as a seller from one of its keys is still the DSO: it needs the buyer."""
    escrow = flow.funded(second_dso, buyer)
    trade_id = flow.trade_id(escrow)
    with reverts("EscrowDsoOnly", trade_id, second_dso.address, dso.address):
        flow.settle(escrow, second_dso, dso)
    with reverts("EscrowDsoOnly", trade_id, dso.address, second_dso.address):
        flow.settle(escrow, dso, second_dso)
    flow.settle(escrow, second_dso, buyer)  # with the buyer it is two parties
    assert flow.status(escrow.offer_id) is OfferStatus.SOLD


def test_a_buyer_holding_a_dso_key_cannot_take_its_money_back_with_another_dso_key(
    flow, market, seller, dso, second_dso
):
    market.deposit(10**18, {"from": second_dso, "value": 10**18})
    escrow = flow.funded(seller, second_dso)
    trade_id = flow.trade_id(escrow)
    with reverts("EscrowDsoOnly", trade_id, second_dso.address, dso.address):
        flow.settle(escrow, second_dso, dso, bps=0)
