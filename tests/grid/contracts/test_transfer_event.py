"""Transfer events: only a delivery device of the purchase's location records them, and each
pays its share of the purchase's frozen cost to the operator's payee."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.grid.client import label32

from tests.grid.helpers import DEPOSIT, LOC, RATE, START, cost_of, reverts


def test_a_device_records_a_transfer_and_pays_the_delivered_share(
    grid, operator, device, purchaser, record_storage, record_purchase, record_transfer
):
    record_storage()
    record_purchase(quantity=4_000)
    paid_before = int(grid.fundsOf(operator)[0])
    tx = record_transfer(amount=2_500, name="inverter-7")
    assert tx.return_value == 1
    event = tx.events["TransferRecorded"]
    assert (event["purchaser"], event["device"]) == (purchaser, device)
    assert event["deviceName"] == "0x" + label32("inverter-7").hex()
    assert (event["amountWh"], event["start"], event["end"]) == (2_500, START, START + 3_600)
    assert event["cost"] == cost_of(2_500)
    assert grid.purchaseOf(LOC, purchaser, 0)[1] == 2_500
    assert int(grid.fundsOf(operator)[0]) == paid_before + cost_of(2_500)
    assert tuple(grid.fundsOf(purchaser)) == (DEPOSIT - cost_of(2_500), cost_of(4_000) - cost_of(2_500))
    assert record_transfer(amount=1_500).return_value == 2
    assert [int(x) for x in grid.purchaserOf(purchaser)] == [1, 2, 0]
    assert tuple(grid.fundsOf(purchaser)) == (DEPOSIT - cost_of(4_000), 0)


@pytest.mark.parametrize("rate", [1, 3, 999, RATE])
def test_partial_deliveries_pay_exactly_the_cost_in_total(
    grid, operator, purchaser, record_storage, record_purchase, record_transfer, rate
):
    grid.setRate(LOC, rate, {"from": operator})
    record_storage()
    record_purchase(quantity=1_001)
    paid = sum(record_transfer(amount=a).events["TransferRecorded"]["cost"] for a in (1, 333, 7, 660))
    assert paid == cost_of(1_001, rate)
    assert grid.fundsOf(purchaser)[1] == 0


def test_the_payee_is_the_operators_choice(grid, operator, stranger, record_storage, record_purchase, record_transfer):
    grid.setPayee(stranger, {"from": operator})
    record_storage()
    record_purchase(quantity=4_000)
    before = int(grid.fundsOf(stranger)[0])
    record_transfer(amount=4_000)
    assert int(grid.fundsOf(stranger)[0]) == before + cost_of(4_000)
    with reverts("GridZeroPayee"):
        grid.setPayee("0x" + "00" * 20, {"from": operator})


def test_a_transfer_cannot_deliver_more_than_what_is_left(record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase(quantity=4_000)
    record_transfer(amount=3_000)
    with reverts("GridTransferExceedsPurchase", 1_001, 1_000):
        record_transfer(amount=1_001)


def test_a_transfer_must_end_after_it_starts(record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase()
    with reverts("GridTransferEndsBeforeStart", START, START):
        record_transfer(end=START)


def test_a_zero_transfer_is_refused(record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase()
    with reverts("GridZeroQuantity"):
        record_transfer(amount=0)


def test_a_stranger_cannot_record_a_transfer(stranger, record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase()
    with reverts("GridDeviceNotRegistered", stranger.address):
        record_transfer(by=stranger)


def test_a_storage_sensor_cannot_record_a_transfer(sensor, record_storage, record_purchase, record_transfer):
    """Roles: the sensor that reports storage cannot also claim deliveries (and payments)."""
    record_storage()
    record_purchase()
    with reverts("GridDeviceNotRegistered", sensor.address):
        record_transfer(by=sensor)


def test_a_device_of_another_location_cannot_deliver_the_purchase(
    other_device, purchaser, record_storage, record_purchase, record_transfer
):
    record_storage()
    record_purchase()
    with reverts("GridUnknownPurchase", purchaser.address, 0, label32("east-feeder")):
        record_transfer(by=other_device)


def test_a_transfer_for_an_unknown_purchase_is_refused(purchaser, record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase()
    with reverts("GridUnknownPurchase", purchaser.address, 1, LOC):
        record_transfer(purchase_id=1)


def test_the_delivered_shares_add_up_to_the_cost_for_any_rate_and_split(grid):
    """paid(d) = ⌈d × rate / 1000⌉ on chain (`costOf`) for any rate and quantity; the shares
    of any split into deliveries are non-negative and add up to the purchase's cost."""

    @settings(max_examples=100, deadline=None)
    @given(
        rate=st.integers(min_value=1, max_value=2**64 - 1),
        quantity=st.integers(min_value=1, max_value=2**48 - 1),
        cuts=st.lists(st.floats(min_value=0, max_value=1), max_size=5),
    )
    def check(rate, quantity, cuts):
        points = sorted({0, quantity, *(int(c * quantity) for c in cuts)})
        paid = [int(grid.costOf(p, rate)) for p in points]
        assert paid == [cost_of(p, rate) for p in points]
        shares = [b - a for a, b in zip(paid, paid[1:], strict=False)]
        assert all(s >= 0 for s in shares)
        assert sum(shares) == int(grid.costOf(quantity, rate))

    check()
