from offchain.grid.client import label32

from tests.grid.helpers import LOC, RATE, START, reverts


def test_a_device_records_a_transfer_with_its_total_cost(
    grid, device, purchaser, record_storage, record_purchase, record_transfer
):
    record_storage()
    record_purchase(quantity=4_000)
    tx = record_transfer(amount=2_500, name="inverter-7")
    assert tx.return_value == 1
    event = tx.events["TransferRecorded"]
    assert (event["purchaser"], event["device"]) == (purchaser, device)
    assert event["deviceName"] == "0x" + label32("inverter-7").hex()
    assert (event["amountWh"], event["start"], event["end"]) == (2_500, START, START + 3_600)
    assert event["totalCostMicro"] == RATE * 2_500
    assert grid.purchaseOf(LOC, purchaser, 0)[1] == 2_500
    assert record_transfer(amount=1_500).return_value == 2
    assert [int(x) for x in grid.purchaserOf(purchaser)] == [1, 2, 0]


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


def test_a_stranger_cannot_record_a_transfer(stranger, record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase()
    with reverts("GridDeviceNotRegistered", stranger.address):
        record_transfer(by=stranger)


def test_a_device_of_another_location_cannot_deliver_the_purchase(
    other_sensor, purchaser, record_storage, record_purchase, record_transfer
):
    record_storage()
    record_purchase()
    with reverts("GridUnknownPurchase", purchaser.address, 0, label32("east-feeder")):
        record_transfer(by=other_sensor)


def test_a_transfer_for_an_unknown_purchase_is_refused(purchaser, record_storage, record_purchase, record_transfer):
    record_storage()
    record_purchase()
    with reverts("GridUnknownPurchase", purchaser.address, 1, LOC):
        record_transfer(purchase_id=1)
