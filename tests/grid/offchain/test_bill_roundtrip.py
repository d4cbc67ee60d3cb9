"""The whole path: events on anvil → bill built → CID → anchored → fetched → verified (and tampering)."""

import json

import pytest

from offchain.grid.bill import build_bill, canonical_json, make_bill, render_html, verify_bills
from offchain.grid.cid import cid_of, cid_to_digest
from offchain.grid.errors import BillIncompleteError, BillNotFoundError
from offchain.grid.queue import BillQueue
from offchain.grid.store import LocalBillStore

from tests.grid.helpers import LOC, LOCATION, client_for, cost_of


def test_a_purchasers_bill_goes_from_events_to_a_verified_anchor(grid, purchaser, delivered, tmp_path):
    client = client_for(grid)
    store = LocalBillStore(tmp_path / "store")
    doc, entry = make_bill(client, purchaser.address, store, BillQueue(tmp_path / "q"))
    assert entry.state == "anchored"
    assert doc["purchaser"] == purchaser.address
    assert [p["location"] for p in doc["purchases"]] == [LOCATION]
    assert doc["totals"] == {
        "purchased_wh": 4_000,
        "purchased_cost": cost_of(4_000),
        "delivered_wh": 4_000,
        "paid": cost_of(4_000),
        "cancelled_wh": 0,
        "refunded": 0,
    }
    assert doc["payment_asset"] == "0x" + "00" * 20  # ether
    assert len(doc["storage"]) == 1 and len(doc["transfers"]) == 1
    assert entry.cid == cid_of(canonical_json(doc))
    assert grid.billOf(purchaser, cid_to_digest(entry.cid))[1] > 0
    assert json.loads(store.get(entry.cid)) == doc
    [check] = verify_bills(client, store, purchaser.address)
    assert check.ok and check.cid == entry.cid


def test_the_same_events_always_give_the_same_bill_bytes(grid, purchaser, delivered):
    client = client_for(grid)
    assert canonical_json(build_bill(client, purchaser.address)) == canonical_json(
        build_bill(client, purchaser.address)
    )


def test_an_altered_bill_file_fails_verification(grid, purchaser, delivered, tmp_path):
    client = client_for(grid)
    store = LocalBillStore(tmp_path / "store")
    _, entry = make_bill(client, purchaser.address, store, BillQueue(tmp_path / "q"))
    block = store.block_path(entry.cid)
    block.write_bytes(block.read_bytes().replace(b'"delivered_wh":4000', b'"delivered_wh":9000'))
    [check] = verify_bills(client, store, purchaser.address)
    assert check.status == "tampered"
    assert entry.cid in check.detail


def test_a_bill_missing_from_the_store_is_reported(grid, purchaser, delivered, tmp_path):
    client = client_for(grid)
    _, entry = make_bill(client, purchaser.address, LocalBillStore(tmp_path / "a"), BillQueue(tmp_path / "q"))
    [check] = verify_bills(client, LocalBillStore(tmp_path / "empty"), purchaser.address)
    assert check.status == "missing"


def test_no_bill_is_built_without_a_transfer(grid, purchaser, record_storage, record_purchase):
    record_storage()
    record_purchase()
    with pytest.raises(BillIncompleteError, match="no transfer"):
        build_bill(client_for(grid), purchaser.address)


def test_verifying_a_purchaser_without_bills_is_an_error(grid, stranger, tmp_path):
    with pytest.raises(BillNotFoundError):
        verify_bills(client_for(grid), LocalBillStore(tmp_path), stranger.address)


def test_the_html_rendering_shows_what_was_paid(grid, purchaser, delivered):
    page = render_html(build_bill(client_for(grid), purchaser.address))
    assert f"<b>paid:</b> {cost_of(4_000)} " in page and purchaser.address in page


def test_a_cancelled_purchase_appears_in_the_bill_with_its_refund(
    chain, grid, operator, purchaser, record_storage, record_purchase, record_transfer
):
    record_storage()
    record_purchase(quantity=4_000)
    record_transfer(amount=1_000)
    grid.cancelPurchase(purchaser, LOC, 0, {"from": operator})
    doc = build_bill(client_for(grid), purchaser.address)
    [cancelled] = doc["cancellations"]
    assert (cancelled["undelivered_wh"], cancelled["refund"]) == (3_000, cost_of(4_000) - cost_of(1_000))
    assert doc["totals"]["paid"] + doc["totals"]["refunded"] == doc["totals"]["purchased_cost"]
