"""Escrow trades run by the agents: released by buyer and seller, or disputed and settled
by the DSO's split from its meter reading."""

from __future__ import annotations

import pytest

from offchain.priwatt.agents import TradeState
from offchain.priwatt.eip712 import BPS, OfferStatus
from offchain.priwatt.errors import ClaimRefusedError
from offchain.priwatt.scenario import escrow_trade

MILLI = 10**15


def test_a_full_delivery_is_released_to_the_seller_by_buyer_and_seller(community, run):
    out = run(escrow_trade(community, 0, 0, energy_wh=3_000, ask_price=3 * MILLI))
    assert not out.disputed and out.seller_bps == BPS
    assert out.to_buyer == 0 and out.to_seller > 0
    assert community.client.status(out.offer_id) is OfferStatus.SOLD
    assert community.buyers[0].trade_state(out.offer_id) is TradeState.SOLD


def test_a_short_delivery_goes_to_the_dso_whose_split_follows_its_meter(community, run):
    out = run(escrow_trade(community, 1, 1, energy_wh=4_000, ask_price=4 * MILLI, loss_wh=1_000))
    assert out.disputed
    assert out.seller_bps == 7_500  # 3,000 of 4,000 Wh arrived
    assert out.to_seller + out.to_buyer > 0
    assert out.to_seller * BPS == (out.to_seller + out.to_buyer) * 7_500
    assert community.client.status(out.offer_id) is OfferStatus.SOLD


def test_the_dso_attests_only_energy_its_meter_measured_and_only_once(community, run):
    meter = community.sellers[0].meter
    first, last = community.sunny_slots(meter, 1_000)
    measured = sum(community.production[meter][s] for s in range(first, last + 1))
    seller = "0x" + "11" * 20
    community.dso.attest(meter, seller, measured, first, last)
    with pytest.raises(ClaimRefusedError):
        community.dso.attest(meter, seller, 1, first, last)  # already attested in full
