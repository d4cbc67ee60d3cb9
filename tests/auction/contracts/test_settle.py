"""settle: from the slot's gate anyone pays its standing clearing — each buyer's frozen
payment (energy + fees) leaves its balance, each seller is credited, the DSO's account
receives the fees and the rounding (buyers round up, sellers down)."""

from __future__ import annotations

from offchain.kernel.crypto import keccak256

from tests.auction.contracts.helpers import (
    DEPOSIT,
    SLOT_SECONDS,
    advance_to,
    clearing,
    funds,
    records_of,
    reverts,
    set_next_time,
)


def _cleared(market, operator, buyer, seller, slot, expiry, energy=2_000, price=150_000):
    bid = buyer.bid(energy, 200_000, slot=slot, expiry=expiry)
    ask = seller.ask(energy, 100_000, slot=slot, expiry=expiry)
    c = clearing(slot, [(bid, energy), (ask, energy)], price)
    market.submitClearing(slot, c.packed(), {"from": operator})
    return c


def test_settling_pays_sellers_and_the_dso_from_the_frozen_payments(
    market, dso, operator, stranger, buyer, seller, slot, chain, expiry
):
    c = _cleared(market, operator, buyer, seller, slot, expiry)
    dso_before = funds(market, dso)[0]
    advance_to(chain, slot * SLOT_SECONDS)
    tx = market.settle(slot, records_of(c), {"from": stranger})
    # 2 kWh at 150 per kWh = 300; fees 20 + 15
    assert funds(market, buyer) == (DEPOSIT - 335, 0)
    assert funds(market, seller) == (DEPOSIT + 300, 0)
    assert funds(market, dso)[0] == dso_before + 35
    e = tx.events["SlotSettled"]
    assert (e["paidByBuyers"], e["paidToSellers"], e["fees"], e["rounding"]) == (300, 300, 35, 0)
    assert market.clearingOf(slot)[3] == 2


def test_rounding_goes_to_the_dso_and_never_creates_money(market, dso, operator, buyer, seller, slot, chain, expiry):
    # 3 Wh at 150,001 per MWh = 0.450003: the buyer pays 1, the seller receives 0; fees
    # ceil(0.03) + ceil(5 % of 1) = 2
    c = _cleared(market, operator, buyer, seller, slot, expiry, energy=3, price=150_001)
    dso_before = funds(market, dso)[0]
    advance_to(chain, slot * SLOT_SECONDS)
    tx = market.settle(slot, records_of(c), {"from": operator})
    assert funds(market, buyer)[0] == DEPOSIT - 3
    assert funds(market, seller)[0] == DEPOSIT
    assert funds(market, dso)[0] == dso_before + 3
    assert tx.events["SlotSettled"]["rounding"] == 1


def test_settling_before_the_gate_is_refused(market, operator, buyer, seller, slot, chain, expiry):
    c = _cleared(market, operator, buyer, seller, slot, expiry)
    gate = slot * SLOT_SECONDS
    advance_to(chain, gate - 2)
    set_next_time(gate - 1)
    with reverts("AuctionSettleTooEarly", slot, gate, gate - 1):
        market.settle(slot, records_of(c), {"from": operator})


def test_settling_with_records_that_are_not_the_standing_ones_is_refused(
    market, operator, buyer, seller, slot, chain, expiry
):
    c = _cleared(market, operator, buyer, seller, slot, expiry)
    advance_to(chain, slot * SLOT_SECONDS)
    forged = bytearray(records_of(c))
    forged[-1] ^= 1
    with reverts("AuctionRecordsMismatch", slot, keccak256(records_of(c)), keccak256(bytes(forged))):
        market.settle(slot, bytes(forged), {"from": operator})


def test_a_slot_is_settled_once(market, operator, buyer, seller, slot, chain, expiry):
    c = _cleared(market, operator, buyer, seller, slot, expiry)
    advance_to(chain, slot * SLOT_SECONDS)
    market.settle(slot, records_of(c), {"from": operator})
    with reverts("AuctionWrongStatus", slot, 2):
        market.settle(slot, records_of(c), {"from": operator})


def test_a_slot_without_a_clearing_cannot_be_settled(market, operator, slot, chain):
    advance_to(chain, slot * SLOT_SECONDS)
    with reverts("AuctionWrongStatus", slot, 0):
        market.settle(slot, b"", {"from": operator})


def test_a_buyers_frozen_payment_cannot_be_withdrawn_before_settlement(market, operator, buyer, seller, slot, expiry):
    _cleared(market, operator, buyer, seller, slot, expiry)
    with reverts("FundsInsufficient", buyer.address, DEPOSIT - 335, DEPOSIT):
        market.withdraw(DEPOSIT, {"from": buyer.account})
    market.withdraw(DEPOSIT - 335, {"from": buyer.account})
    assert funds(market, buyer) == (335, 335)
