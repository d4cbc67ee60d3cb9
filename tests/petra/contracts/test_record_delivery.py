"""After the interval the DSO records what each matched asset's holder delivered: reputation."""

import pytest

from tests.petra.contracts.helpers import ANY, CONSUMPTION, DSO_ROLE, HELD, MATCHED, NONE, advance_slots, reverts


@pytest.fixture
def traded(market, ask, mint, consumer, start):
    """(sold production id, bought consumption id): 2 kW for 4 slots = 2 kWh = 2,000,000 mWh."""
    offer = ask(power=2_000)
    mine = mint(2, consumer, CONSUMPTION, 2_000, start, start + 3)
    market.accept(offer, mine, (2_000, start, start + 3), 25_000, 0, {"from": consumer})
    return offer, mine


def test_a_full_delivery_builds_the_sellers_reputation_and_retires_the_asset(market, dso, traded, producer, chain):
    sold, _ = traded
    advance_slots(chain, 9)
    tx = market.recordDelivery(sold, 2_000_000, {"from": dso})
    ev = tx.events["DeliveryRecorded"]
    assert (ev["holder"], ev["promisedMWh"], ev["deliveredMWh"]) == (producer, 2_000_000, 2_000_000)
    assert tuple(market.reputationOf(producer)) == (2_000_000, 2_000_000, 1, 0)
    assert market.balanceOf(producer, sold) == 0
    assert market.idAt(sold & (2**40 - 1)) == 0


def test_a_shortfall_counts_and_over_delivery_is_capped_at_the_promise(market, dso, traded, producer, consumer, chain):
    sold, bought = traded
    advance_slots(chain, 9)
    market.recordDelivery(sold, 1_500_000, {"from": dso})
    market.recordDelivery(bought, 9_000_000, {"from": dso})
    assert tuple(market.reputationOf(producer)) == (2_000_000, 1_500_000, 1, 1)
    assert tuple(market.reputationOf(consumer)) == (2_000_000, 2_000_000, 1, 0)


def test_delivery_cannot_be_recorded_before_the_interval_ends(market, dso, traded, chain, start):
    sold, _ = traded
    with reverts("PetraIntervalNotOver", sold, start + 3, ANY):
        market.recordDelivery(sold, 1, {"from": dso})


def test_delivery_is_recorded_only_for_matched_assets_and_only_once(market, dso, mint, traded, producer, start, chain):
    held = mint(1, producer, 0, 1_000, start, start)
    sold, _ = traded
    advance_slots(chain, 9)
    with reverts("PetraNotMatched", held, HELD):
        market.recordDelivery(held, 1, {"from": dso})
    market.recordDelivery(sold, 1, {"from": dso})
    with reverts("PetraUnknownAsset", sold):
        market.recordDelivery(sold, 1, {"from": dso})
    assert NONE == 3 and MATCHED == 2


def test_only_the_dso_records_delivery(market, traded, producer, chain):
    sold, _ = traded
    advance_slots(chain, 9)
    with reverts("AccessControlUnauthorizedAccount", producer.address, DSO_ROLE):
        market.recordDelivery(sold, 2_000_000, {"from": producer})
