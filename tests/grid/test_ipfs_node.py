"""Against a real IPFS node with the Kubo RPC API (js-ipfs, started and stopped here)."""

import pytest
from cid_inputs import make_input

from offchain.grid.cid import cid_of
from offchain.grid.store import IpfsBillStore, LocalBillStore
from offchain.ipfs import JsIpfsNode


@pytest.fixture(scope="module")
def ipfs(tmp_path_factory):
    node = JsIpfsNode(tmp_path_factory.mktemp("ipfs") / "repo")
    api = node.start()
    try:
        yield IpfsBillStore(api)
    finally:
        node.stop()


@pytest.mark.parametrize("name", ["empty", "hello", "chunk_plus_one", "ten_mib"])
def test_the_node_and_the_embedded_store_agree_on_the_cid(ipfs, name):
    data = make_input(name)
    assert ipfs.put(data) == cid_of(data)


def test_a_bill_uploaded_through_ipfshttpclient_is_read_back_and_pinned(ipfs):
    bill = b'{"purchaser":"0xabc","amount_due_micro":975000000}\n'
    cid = ipfs.put(bill)
    assert ipfs.get(cid) == bill
    ipfs.pin(cid)
    assert cid in ipfs.pins()


def test_a_car_exported_by_the_local_store_imports_into_the_node_under_the_same_cids(ipfs, tmp_path):
    store = LocalBillStore(tmp_path / "store")
    data = make_input("chunk_plus_one")[:-7] + b"car-only"  # content the node has never seen
    cid = store.put(data)
    assert not ipfs.has(cid)
    store.export_car(tmp_path / "bills.car")
    ipfs.import_car(tmp_path / "bills.car")
    assert ipfs.get(cid) == data
