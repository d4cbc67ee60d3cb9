"""The embedded store computes exactly the CIDs a real IPFS node gives (vectors from js-ipfs)."""

import json
from pathlib import Path

import pytest

from offchain.grid.cid import MAX_LINKS, add_bytes, cid_of, cid_to_digest, digest_to_cid
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


def test_the_two_level_input_really_needs_two_levels_of_links():
    assert VECTORS["two_level"]["size"] > MAX_LINKS * 256 * 1024
    assert VECTORS["two_level"]["root_links"] == 2


def test_the_store_reassembles_a_multi_level_file_from_its_blocks(tmp_path):
    data = make_input("ten_mib")
    store = LocalBillStore(tmp_path)
    cid = store.put(data)
    assert cid == VECTORS["ten_mib"]["cid"]
    assert store.get(cid) == data
    assert len(list(store.blocks(cid))) == 41  # 40 leaves + root


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
