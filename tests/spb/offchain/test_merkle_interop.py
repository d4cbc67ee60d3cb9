"""The Python StandardMerkleTree gives the JS library's roots, proofs and dumps."""

from __future__ import annotations

import pytest
from eth_account import Account

from offchain.spb.merkle import ADDRESS_LEAF, COE_LEAF, MerkleError, StandardMerkleTree, leaf_hash

SIZES = [1, 2, 3, 4, 5, 7, 13, 100, 1024]


def _addresses(n: int) -> list[str]:
    return [Account.create().address for _ in range(n)]


def _hex_proofs(tree: StandardMerkleTree) -> list[list[str]]:
    return [["0x" + p.hex() for p in proof] for proof in tree.all_proofs()]


@pytest.mark.parametrize("size", SIZES)
def test_coe_leaf_tree_matches_the_js_library(size, js_tree):
    values = [[str(i), a] for i, a in enumerate(_addresses(size))]
    reference = js_tree(list(COE_LEAF), values)
    tree = StandardMerkleTree.of(values, COE_LEAF)
    assert tree.root_hex == reference["root"]
    assert _hex_proofs(tree) == reference["proofs"]
    assert tree.dump() == reference["dump"]


@pytest.mark.parametrize("size", [1, 2, 3, 9, 1024])
def test_address_leaf_tree_matches_the_js_library(size, js_tree):
    values = [[a] for a in _addresses(size)]
    reference = js_tree(list(ADDRESS_LEAF), values)
    tree = StandardMerkleTree.of(values, ADDRESS_LEAF)
    assert tree.root_hex == reference["root"]
    assert _hex_proofs(tree) == reference["proofs"]


def test_large_and_sparse_leaf_indices_match_the_js_library(js_tree):
    values = [[str(2**64 - 1 - i * 7919), a] for i, a in enumerate(_addresses(11))]
    assert StandardMerkleTree.of(values, COE_LEAF).root_hex == js_tree(list(COE_LEAF), values)["root"]


def test_a_dump_of_the_js_library_loads_and_proves_every_value(js_tree):
    values = [[str(i), a] for i, a in enumerate(_addresses(37))]
    tree = StandardMerkleTree.load(js_tree(list(COE_LEAF), values)["dump"])
    for i, value in enumerate(values):
        assert tree.get_proof(value) == tree.get_proof(i)
        assert StandardMerkleTree.verify(tree.root, COE_LEAF, value, tree.get_proof(i))


def test_a_proof_does_not_verify_another_leaf():
    values = [[str(i), a] for i, a in enumerate(_addresses(8))]
    tree = StandardMerkleTree.of(values, COE_LEAF)
    assert not StandardMerkleTree.verify(tree.root, COE_LEAF, values[1], tree.get_proof(0))
    assert not StandardMerkleTree.verify(tree.root, COE_LEAF, [str(99), values[0][1]], tree.get_proof(0))


def test_a_tampered_dump_is_refused():
    tree = StandardMerkleTree.of([[a] for a in _addresses(5)], ADDRESS_LEAF)
    dump = tree.dump()
    dump["tree"][2] = "0x" + "00" * 32
    with pytest.raises(MerkleError, match="invalid|expected value"):
        StandardMerkleTree.load(dump)


def test_fast_leaf_encoders_equal_eth_abi_encoding():
    from eth_abi import encode

    from offchain.kernel.crypto import keccak256

    address = Account.create().address
    assert leaf_hash(COE_LEAF, [12345, address]) == keccak256(
        keccak256(encode(["uint256", "address"], [12345, address]))
    )
    assert leaf_hash(ADDRESS_LEAF, [address]) == keccak256(keccak256(encode(["address"], [address])))


def test_an_empty_tree_and_bad_leaves_are_refused():
    with pytest.raises(MerkleError):
        StandardMerkleTree.of([], ADDRESS_LEAF)
    with pytest.raises(MerkleError, match="not an address"):
        StandardMerkleTree.of([["0x1234"]], ADDRESS_LEAF)
    with pytest.raises(MerkleError, match="uint256"):
        StandardMerkleTree.of([[-1, Account.create().address]], COE_LEAF)
