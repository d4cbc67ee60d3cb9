"""Group CoEs: one tree over several meters' key pools, each meter knowing only its own leaves."""

from __future__ import annotations

import pytest

from offchain.kernel.crypto import address_of_private_key
from offchain.spb import CoEError, GroupCoordinator, Meter, MeterError, StandardMerkleTree, build_erc, request_coe
from offchain.spb.merkle import COE_LEAF

MARKET = "0x" + "42" * 20


@pytest.fixture
def make_group(make_meter, verifiers):
    """Factory: ``n`` meters contributing ``keys`` keys each to one group CoE; returns (meters, tree, coe)."""

    def make(n: int, keys: int):
        meters = [make_meter() for _ in range(n)]
        coordinator = GroupCoordinator()
        shares = []
        for m in meters:
            share = m.contribute_to_group(keys)
            coordinator.add(share.leaf_hashes)
            shares.append(share)
        tree = coordinator.finalize()
        for m, share in zip(meters, shares, strict=True):
            m.join_group(share.pool_id, tree)
        coe = request_coe(meters[0], tree.root, verifiers)
        for m in meters[1:]:
            m.attach_coe(coe)
        return meters, tree, coe

    return make


def test_the_group_root_is_the_standard_tree_of_all_members_leaves(make_group):
    meters, tree, _ = make_group(3, 5)
    values = [
        [str(i), address_of_private_key(k)]
        for m in meters
        for i, k in zip(m.pools[0].indices, m.pools[0].keys, strict=True)
    ]
    assert StandardMerkleTree.of(values, COE_LEAF).root == tree.root
    assert tree.leaves == 15 and tree.members == 3


def test_every_member_reports_the_anonymity_set_and_signs_verifiable_receipts(make_group):
    meters, tree, _ = make_group(4, 3)
    for n, m in enumerate(meters):
        pool = m.pool(tree.root)
        assert pool.members == 4 and pool.is_group
        erc = build_erc(m, n.to_bytes(32, "big"), 7, 70, 31337, MARKET)
        assert erc.coe_root == tree.root and erc.verify_proof() and erc.recover() == erc.signer


def test_a_member_holds_only_its_own_keys_and_proofs(make_group, passphrase):
    meters, tree, _ = make_group(3, 4)
    reopened = [Meter.open(m.path, passphrase) for m in meters]
    for m in reopened:
        pool = m.pools[0]
        assert pool.tree is None and len(pool.proofs) == len(pool.keys) == 4
    own_keys = [set(m.pools[0].keys) for m in reopened]
    assert not own_keys[0] & own_keys[1] and not own_keys[1] & own_keys[2]


def test_group_leaf_indices_do_not_reveal_the_member(make_group):
    meters, tree, _ = make_group(3, 40)
    owner = {index: k for k, m in enumerate(meters) for index in m.pools[0].indices}
    assert len(owner) == 3 * 40 == tree.leaves
    # random 64-bit indices: every member's indices spread over the whole range ...
    for m in meters:
        assert min(m.pools[0].indices) < 2**62 and max(m.pools[0].indices) > 3 * 2**62
    # ... and interleave: walking the indices in order, the member changes at about 80 of the
    # 119 steps (2/3 of them, sd ~5); one block per member would give 2, two blocks each 5
    order = [owner[i] for i in sorted(owner)]
    changes = sum(a != b for a, b in zip(order, order[1:], strict=False))
    assert changes >= 55, order


def test_a_tree_missing_a_members_leaves_is_refused(make_meter):
    a, b, c = make_meter(), make_meter(), make_meter()
    coordinator = GroupCoordinator()
    share_a, share_b, share_c = a.contribute_to_group(2), b.contribute_to_group(2), c.contribute_to_group(2)
    coordinator.add(share_a.leaf_hashes)
    coordinator.add(share_b.leaf_hashes)
    tree = coordinator.finalize()
    with pytest.raises(MeterError, match="lacks one of this meter's leaves"):
        c.join_group(share_c.pool_id, tree)


def test_duplicate_contributions_and_lone_groups_are_refused(make_meter):
    a = make_meter()
    coordinator = GroupCoordinator()
    share = a.contribute_to_group(2)
    coordinator.add(share.leaf_hashes)
    with pytest.raises(CoEError, match="duplicate"):
        coordinator.add(share.leaf_hashes)
    with pytest.raises(CoEError, match="at least 2 members"):
        coordinator.finalize()
