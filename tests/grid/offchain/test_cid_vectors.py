"""The embedded store computes exactly the CIDs a real IPFS node gives (vectors from js-ipfs)."""

import json
from pathlib import Path

import pytest

from offchain.grid._pb import decode_node
from offchain.grid.cid import (
    CHUNK_SIZE,
    MAX_LINKS,
    add_bytes,
    cid_of,
    cid_to_digest,
    digest_to_cid,
    multihash_to_cid,
)
from offchain.grid.store import LocalBillStore

from tests.grid.offchain.cid_inputs import CASES, make_input

VECTORS = json.loads((Path(__file__).parent / "cid_vectors.json").read_text())["vectors"]


@pytest.mark.parametrize("name", list(CASES))
def test_the_cid_equals_the_one_the_ipfs_node_gave(name):
    data = make_input(name)
    assert len(data) == VECTORS[name]["size"]
    assert cid_of(data) == VECTORS[name]["cid"]


def test_hello_gives_the_known_kubo_cid():
    assert cid_of(b"hello\n") == "QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN"


def dag_shape(blocks) -> tuple[str, dict[str, list[str]]]:
    """(root CID, CID -> CIDs it links to) of a DAG given as blocks, decoded from their bytes."""
    links = {b.cid: [multihash_to_cid(mh) for mh, _ in decode_node(b.data)[1]] for b in blocks}
    return blocks[-1].cid, links


def test_the_two_level_input_really_needs_two_levels_of_links():
    data = make_input("two_level")
    dag = add_bytes(data)
    assert dag.cid == VECTORS["two_level"]["cid"] and dag.size == len(data)
    root, links = dag_shape(dag.blocks)
    leaves = -(-len(data) // CHUNK_SIZE)
    assert leaves == 176 > MAX_LINKS  # one node cannot link every leaf
    # the root links intermediate nodes (174 leaves, then the other 2), which link the leaves
    assert [len(links[c]) for c in links[root]] == [MAX_LINKS, leaves - MAX_LINKS]
    assert all(links[leaf] == [] for c in links[root] for leaf in links[c])
    assert len(links) == 1 + 2 + leaves
    assert len(links[root]) == VECTORS["two_level"]["root_links"]


def test_the_store_reassembles_a_multi_level_file_from_its_blocks(tmp_path):
    data = make_input("two_level")
    store = LocalBillStore(tmp_path)
    cid = store.put(data)
    assert cid == VECTORS["two_level"]["cid"]
    assert store.get(cid) == data
    assert len(list(store.blocks(cid))) == 1 + 2 + 176  # root, 2 intermediate nodes, leaves


def test_a_file_path_and_a_stream_give_the_same_cid_as_bytes(tmp_path):
    data = make_input("chunk_plus_one")
    path = tmp_path / "f.bin"
    path.write_bytes(data)
    with open(path, "rb") as f:
        assert cid_of(path) == cid_of(f) == cid_of(data) == add_bytes(data).cid


def test_digest_and_cid_convert_both_ways():
    cid = cid_of(b"hello\n")
    assert digest_to_cid(cid_to_digest(cid)) == cid
    assert len(cid_to_digest(cid)) == 32
