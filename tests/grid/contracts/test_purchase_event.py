"""Purchase events: a purchase reserves storage and freezes its cost, so reserving is never free."""

from tests.grid.helpers import AVAILABLE, DEPOSIT, LOC, RATE, cost_of, pin_next_block_time, reverts


def test_a_purchase_reserves_storage_and_freezes_its_cost(grid, purchaser, record_storage, record_purchase, deadline):
    record_storage()
    due = deadline()
    tx = record_purchase(quantity=4_000, deliver_by=due)
    assert tx.return_value == 1
    event = tx.events["PurchaseRecorded"]
    assert event["purchaser"] == purchaser
    assert event["purchaseId"] == 0
    assert event["quantityWh"] == 4_000
    assert event["cost"] == cost_of(4_000) == 600_000
    assert (event["date"], event["deliverBy"]) == (tx.timestamp, due)
    assert grid.locationOf(LOC)[1] == AVAILABLE - 4_000
    assert [int(x) for x in grid.purchaseOf(LOC, purchaser, 0)] == [4_000, 0, RATE, tx.timestamp, due, 0]
    assert tuple(grid.fundsOf(purchaser)) == (DEPOSIT, cost_of(4_000))
    assert record_purchase(quantity=1).return_value == 2


def test_the_cost_rounds_up_to_a_whole_unit(grid, operator, record_storage, record_purchase):
    grid.setRate(LOC, 3, {"from": operator})
    record_storage()
    assert record_purchase(quantity=1).events["PurchaseRecorded"]["cost"] == 1  # 0.003 -> 1
    assert record_purchase(quantity=1_000).events["PurchaseRecorded"]["cost"] == 3
    assert grid.costOf(1_001, 3) == 4


def test_reserving_all_storage_costs_its_full_price(grid, stranger, record_storage, record_purchase):
    """The free-reservation attack: anyone could drain a location's storage for nothing."""
    record_storage(available=10_000_000)
    price = cost_of(10_000_000)
    assert price > 0
    grid.withdraw(DEPOSIT - price + 1, {"from": stranger})  # one unit short of the price
    with reverts("FundsInsufficient", stranger.address, price - 1, price):
        record_purchase(quantity=10_000_000, by=stranger)
    assert grid.locationOf(LOC)[1] == 10_000_000


def test_a_purchaser_without_a_deposit_reserves_nothing(grid, accounts, record_storage, record_purchase):
    nobody = accounts[7]
    record_storage()
    with reverts("FundsInsufficient", nobody.address, 0, cost_of(1)):
        record_purchase(quantity=1, by=nobody)


def test_a_purchase_before_any_storage_record_or_rate_is_refused(GridEvents, operator, sensor, record_purchase):
    with reverts("GridNotForSale", LOC, 0, RATE):
        record_purchase()


def test_a_purchase_at_a_location_without_a_rate_is_refused(grid, other_sensor, purchaser, deadline):
    from offchain.grid.client import label32

    east = label32("east-feeder")
    grid.recordStorage(1_000, 1_000, {"from": other_sensor})
    with reverts("GridNotForSale", east, 1, 0):
        grid.recordPurchase(east, 10, deadline(), {"from": purchaser})


def test_a_purchase_above_the_available_storage_is_refused(record_storage, record_purchase):
    record_storage(available=5_000)
    record_purchase(quantity=3_000)
    with reverts("GridPurchaseExceedsStorage", 2_001, 2_000):
        record_purchase(quantity=2_001)


def test_a_zero_or_oversized_purchase_is_refused(record_storage, record_purchase):
    record_storage()
    with reverts("GridZeroQuantity"):
        record_purchase(quantity=0)
    with reverts("GridQuantityTooLarge", 2**48):
        record_purchase(quantity=2**48)


def test_the_delivery_deadline_must_lie_after_now_and_within_thirty_days(chain, record_storage, record_purchase):
    record_storage()
    month = 30 * 86_400
    for offset in (0, -5, month + 1):
        t = chain[-1].timestamp + 10
        pin_next_block_time(t)
        with reverts("GridDeliveryDeadlineInvalid", t + offset, t, t + month):
            record_purchase(deliver_by=t + offset)
    t = chain[-1].timestamp + 10
    pin_next_block_time(t)
    assert record_purchase(deliver_by=t + month).events["PurchaseRecorded"]["deliverBy"] == t + month


def test_the_cost_uses_the_rate_at_the_time_of_purchase(grid, operator, purchaser, record_storage, record_purchase):
    record_storage()
    grid.setRate(LOC, 100, {"from": operator})
    grid.setRate(LOC, 250, {"from": operator})
    assert record_purchase(quantity=8).events["PurchaseRecorded"]["cost"] == 2  # 8 Wh x 250 / 1000
    grid.setRate(LOC, 10**6, {"from": operator})
    assert grid.purchaseOf(LOC, purchaser, 0)[2] == 250
