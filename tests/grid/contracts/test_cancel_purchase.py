"""Cancelling a purchase: undelivered energy returns to storage and its cost to the purchaser —
by the purchaser only after the deadline, by the operator at any time, by nobody else."""

from tests.grid.helpers import AVAILABLE, DEPOSIT, LOC, cost_of, reverts


def test_the_purchaser_cancels_after_the_deadline_and_gets_the_undelivered_cost_back(
    chain, grid, purchaser, record_storage, record_purchase, record_transfer, deadline
):
    record_storage()
    record_purchase(quantity=4_000, deliver_by=deadline(600))
    record_transfer(amount=1_000)
    with reverts("GridCancelNotAllowed", purchaser.address, grid.purchaseOf(LOC, purchaser, 0)[4]):
        grid.cancelPurchase(purchaser, LOC, 0, {"from": purchaser})
    chain.sleep(601)
    tx = grid.cancelPurchase(purchaser, LOC, 0, {"from": purchaser})
    refund = cost_of(4_000) - cost_of(1_000)
    assert dict(tx.events["PurchaseCancelled"]) == {
        "purchaser": purchaser,
        "location": "0x" + LOC.hex(),
        "purchaseId": 0,
        "undeliveredWh": 3_000,
        "refund": refund,
    }
    assert tuple(grid.fundsOf(purchaser)) == (DEPOSIT - cost_of(1_000), 0)
    assert grid.locationOf(LOC)[1] == AVAILABLE - 1_000
    assert grid.purchaseOf(LOC, purchaser, 0)[5]  # closed


def test_a_cancelled_purchase_is_neither_delivered_nor_cancelled_again(
    grid, operator, purchaser, record_storage, record_purchase, record_transfer
):
    record_storage()
    record_purchase(quantity=4_000)
    grid.cancelPurchase(purchaser, LOC, 0, {"from": operator})
    with reverts("GridPurchaseClosed", purchaser.address, 0):
        record_transfer(amount=1)
    with reverts("GridPurchaseClosed", purchaser.address, 0):
        grid.cancelPurchase(purchaser, LOC, 0, {"from": operator})
    assert tuple(grid.fundsOf(purchaser)) == (DEPOSIT, 0)


def test_the_operator_may_cancel_any_time_a_stranger_never(
    chain, grid, operator, stranger, purchaser, record_storage, record_purchase
):
    record_storage()
    record_purchase(quantity=4_000)
    due = grid.purchaseOf(LOC, purchaser, 0)[4]
    with reverts("GridCancelNotAllowed", stranger.address, due):
        grid.cancelPurchase(purchaser, LOC, 0, {"from": stranger})
    chain.sleep(7_200)
    with reverts("GridCancelNotAllowed", stranger.address, due):
        grid.cancelPurchase(purchaser, LOC, 0, {"from": stranger})
    grid.cancelPurchase(purchaser, LOC, 0, {"from": operator})
    assert tuple(grid.fundsOf(purchaser)) == (DEPOSIT, 0)


def test_returned_storage_never_exceeds_the_capacity(
    grid, sensor, operator, purchaser, record_storage, record_purchase
):
    record_storage(capacity=10_000, available=10_000)
    record_purchase(quantity=6_000)
    record_storage(capacity=10_000, available=9_000)  # the sensor measured a refill meanwhile
    grid.cancelPurchase(purchaser, LOC, 0, {"from": operator})
    assert grid.locationOf(LOC)[1] == 10_000


def test_an_unknown_purchase_cannot_be_cancelled(grid, operator, purchaser):
    with reverts("GridUnknownPurchase", purchaser.address, 3, LOC):
        grid.cancelPurchase(purchaser, LOC, 3, {"from": operator})
