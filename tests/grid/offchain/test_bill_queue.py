"""Bills that cannot be uploaded stay queued on disk and are anchored exactly once later."""

import socket

from offchain.grid.bill import make_bill
from offchain.grid.cid import cid_to_digest
from offchain.grid.queue import BillQueue, QueueState
from offchain.grid.store import IpfsBillStore, LocalBillStore

from tests.grid.helpers import client_for


def _dead_ipfs() -> IpfsBillStore:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return IpfsBillStore(f"/ip4/127.0.0.1/tcp/{port}/http", retries=2, backoff=0.0, timeout=2)


def test_an_unreachable_ipfs_node_leaves_the_bill_queued_and_unanchored(grid, purchaser, delivered, tmp_path):
    client = client_for(grid)
    queue = BillQueue(tmp_path / "queue")
    _, entry = make_bill(client, purchaser.address, _dead_ipfs(), queue)
    assert entry.state == QueueState.BUILT and "unreachable" in entry.last_error
    assert client.bill_anchored_at(purchaser.address, cid_to_digest(entry.cid)) is None
    assert [e.cid for e in BillQueue(tmp_path / "queue").pending()] == [entry.cid]  # survives a restart


def test_a_queued_bill_is_uploaded_and_anchored_on_retry(grid, purchaser, delivered, tmp_path):
    client = client_for(grid)
    queue = BillQueue(tmp_path / "queue")
    _, entry = make_bill(client, purchaser.address, _dead_ipfs(), queue)
    store = LocalBillStore(tmp_path / "store")
    [done] = queue.process(store, client, {purchaser.address.lower(): purchaser.address})
    assert done.state == QueueState.ANCHORED and done.tx_hash
    assert client.bill_anchored_at(purchaser.address, cid_to_digest(entry.cid)) is not None
    assert store.has(entry.cid)
    assert queue.pending() == []


def test_making_the_same_bill_again_never_anchors_it_twice(grid, purchaser, delivered, tmp_path):
    client = client_for(grid)
    store = LocalBillStore(tmp_path / "store")
    _, first = make_bill(client, purchaser.address, store, BillQueue(tmp_path / "q1"))
    # a second machine (fresh queue) that does not know the bill was anchored
    _, second = make_bill(client, purchaser.address, store, BillQueue(tmp_path / "q2"))
    assert first.cid == second.cid
    assert second.state == QueueState.ANCHORED and second.tx_hash == ""
    assert client.purchaser_counts(purchaser.address).bills == 1
