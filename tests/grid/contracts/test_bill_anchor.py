from offchain.grid.cid import cid_of, cid_to_digest

from tests.grid.helpers import reverts

DIGEST = cid_to_digest(cid_of(b'{"bill": 1}\n'))


def test_a_purchaser_anchors_its_bill_after_storage_purchase_and_transfer(grid, purchaser, delivered):
    tx = grid.anchorBill(DIGEST, {"from": purchaser})
    assert tx.return_value == 1
    event = tx.events["BillAnchored"]
    assert (event["purchaser"], event["digest"], event["billCount"]) == (purchaser, "0x" + DIGEST.hex(), 1)
    owner, index, anchored_at = grid.billOf(DIGEST)
    assert (owner, index, anchored_at) == (purchaser, 0, tx.timestamp)
    assert grid.purchaserOf(purchaser)[2] == 1


def test_a_bill_is_refused_before_any_purchase(grid, purchaser, record_storage):
    record_storage()
    with reverts("GridBillWithoutPurchase", purchaser.address):
        grid.anchorBill(DIGEST, {"from": purchaser})


def test_a_bill_is_refused_before_any_transfer(grid, purchaser, record_storage, record_purchase):
    record_storage()
    record_purchase()
    with reverts("GridBillWithoutTransfer", purchaser.address):
        grid.anchorBill(DIGEST, {"from": purchaser})


def test_a_stranger_cannot_anchor_a_bill(grid, stranger, delivered):
    with reverts("GridBillWithoutPurchase", stranger.address):
        grid.anchorBill(DIGEST, {"from": stranger})


def test_the_same_bill_is_never_anchored_twice(grid, purchaser, delivered):
    grid.anchorBill(DIGEST, {"from": purchaser})
    with reverts("GridBillAlreadyAnchored", DIGEST, purchaser.address):
        grid.anchorBill(DIGEST, {"from": purchaser})


def test_a_zero_digest_is_refused(grid, purchaser, delivered):
    with reverts("GridZeroBillDigest"):
        grid.anchorBill(b"\0" * 32, {"from": purchaser})
