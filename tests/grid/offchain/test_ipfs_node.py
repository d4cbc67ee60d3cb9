"""Against a real IPFS node with the Kubo RPC API (js-ipfs, started and stopped here)."""

import json
from pathlib import Path

import pytest

from offchain.grid.cid import MAX_LINKS, add_bytes, cid_of
from offchain.grid.store import IpfsBillStore, LocalBillStore
from offchain.ipfs import JsIpfsNode

from tests.grid.offchain.cid_inputs import CASES, make_input

VECTORS = json.loads((Path(__file__).parent / "cid_vectors.json").read_text())["vectors"]


@pytest.fixture(scope="module")
def ipfs(tmp_path_factory):
    node = JsIpfsNode(tmp_path_factory.mktemp("ipfs") / "repo")
    api = node.start()
    try:
        yield IpfsBillStore(api, timeout=120)  # adding the 44 MiB vector takes a while on a busy machine
    finally:
        node.stop()


def node_links(ipfs: IpfsBillStore, cid: str) -> list[str]:
    """CIDs the node's own block ``cid`` links to (``object links``)."""
    return [link["Hash"] for link in ipfs.client.object.links(cid).get("Links") or []]


@pytest.mark.parametrize("name", list(CASES))
def test_the_node_the_embedded_builder_and_the_committed_vector_agree_on_the_cid(ipfs, name):
    data = make_input(name)
    assert ipfs.put(data) == cid_of(data) == VECTORS[name]["cid"]


def test_every_block_of_the_two_level_dag_is_the_block_the_node_built(ipfs):
    data = make_input("two_level")
    root = ipfs.put(data)
    shape = {}  # the node's DAG, walked link by link from the root it returned
    todo = [root]
    while todo:
        cid = todo.pop()
        shape[cid] = node_links(ipfs, cid)
        todo += shape[cid]
    ours = add_bytes(data)
    assert ours.cid == root
    assert set(shape) == {b.cid for b in ours.blocks}  # every block, leaves and intermediate nodes
    assert [len(shape[c]) for c in shape[root]] == [MAX_LINKS, 2]  # the root links two intermediate nodes
    assert all(ipfs.client.block.get(b.cid) == b.data for b in ours.blocks if b.cid in (root, *shape[root]))


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


def test_a_port_chosen_free_and_taken_before_the_start_is_a_retryable_error(tmp_path):
    """Seen in a 100-household day: the day's IPFS node chose its API port, another process
    took it, and the day ended with "choose another with --port" (a usage error) instead of
    starting again on fresh ports (the day retries on EADDRINUSE)."""
    import socket

    from offchain.ipfs import IpfsPortTakenError
    from offchain.kernel.errors import ConfigError

    chosen = JsIpfsNode(tmp_path / "repo")
    with socket.socket() as held:
        held.bind(("127.0.0.1", chosen.port))
        held.listen()
        with pytest.raises(IpfsPortTakenError, match="EADDRINUSE"):
            chosen.start(timeout=10)
        with pytest.raises(ConfigError, match="choose another with --port"):
            JsIpfsNode(tmp_path / "repo2", chosen.port).start(timeout=10)  # a port the caller asked for
