from tests.grid.helpers import AVAILABLE, LOC, RATE, reverts


def test_a_purchase_reserves_storage_and_the_contract_computes_the_cost(
    grid, purchaser, record_storage, record_purchase
):
    record_storage()
    tx = record_purchase(quantity=4_000)
    assert tx.return_value == 1
    event = tx.events["PurchaseRecorded"]
    assert event["purchaser"] == purchaser
    assert event["purchaseId"] == 0
    assert event["quantityWh"] == 4_000
    assert event["costMicro"] == RATE * 4_000
    assert event["date"] == tx.timestamp
    assert grid.locationOf(LOC)[1] == AVAILABLE - 4_000
    assert [int(x) for x in grid.purchaseOf(LOC, purchaser, 0)] == [4_000, 0, RATE, tx.timestamp]
    assert record_purchase(quantity=1).return_value == 2


def test_a_purchase_before_any_storage_record_is_refused(record_purchase):
    with reverts("GridNoStorageRecord", LOC):
        record_purchase()


def test_a_purchase_above_the_available_storage_is_refused(record_storage, record_purchase):
    record_storage(available=5_000)
    record_purchase(quantity=3_000)
    with reverts("GridPurchaseExceedsStorage", 2_001, 2_000):
        record_purchase(quantity=2_001)


def test_a_zero_purchase_is_refused(record_storage, record_purchase):
    record_storage()
    with reverts("GridZeroQuantity"):
        record_purchase(quantity=0)


def test_the_cost_uses_the_rate_of_the_latest_storage_record(record_storage, record_purchase):
    record_storage(rate=100)
    record_storage(rate=250)
    assert record_purchase(quantity=8).events["PurchaseRecorded"]["costMicro"] == 2_000
