"""Privacy: receipts of many meters (some in group CoEs) link only through the CoE root."""

from __future__ import annotations

import dataclasses
import random

import pytest

from offchain.spb import GroupCoordinator, build_erc, privacy_report, request_coe

MARKET = "0x" + "42" * 20
SOLO, GROUPS, GROUP_SIZE, RECEIPTS = 6, 4, 4, 8


@pytest.fixture
def scenario(make_meter, verifiers):
    """6 meters with their own CoE and 4 groups of 4 meters sharing one; 8 receipts per meter."""
    rng = random.Random(7)
    meters, group_members = [], []
    for _ in range(SOLO):
        m = make_meter(pool=RECEIPTS)
        request_coe(m, m.pools[0].root, verifiers, rng=rng)
        meters.append(m)
    for _ in range(GROUPS):
        members = [make_meter() for _ in range(GROUP_SIZE)]
        coordinator, shares = GroupCoordinator(), []
        for m in members:
            shares.append(m.contribute_to_group(RECEIPTS))
            coordinator.add(shares[-1].leaf_hashes)
        tree = coordinator.finalize()
        for m, share in zip(members, shares, strict=True):
            m.join_group(share.pool_id, tree)
        coe = request_coe(members[0], tree.root, verifiers, rng=rng)
        for m in members[1:]:
            m.attach_coe(coe)
        meters += members
        group_members.append(members)
    # trades in random order: every meter signs RECEIPTS receipts
    turns = [m for m in meters for _ in range(RECEIPTS)]
    rng.shuffle(turns)
    receipts, owner_of = [], {}
    for t, m in enumerate(turns):
        erc = build_erc(
            m,
            rng.randbytes(32),
            rng.randrange(1, 10**6),
            rng.randrange(1, 10**4),
            31337,
            MARKET,
            timestamp=1_700_000_000 + 60 * t,
        )
        receipts.append(erc)
        owner_of[erc.signer] = m.address
    anonymity = {p.root: p.members for m in meters for p in m.pools}
    requester_of = {root: requester for v in verifiers for requester, root in v.transcript}
    return receipts, owner_of, anonymity, requester_of


def test_only_the_coe_root_links_receipts_of_one_meter(scenario):
    receipts, owner_of, anonymity, requester_of = scenario
    report = privacy_report(receipts, owner_of, anonymity, requester_of, seed=1)
    print(
        f"\nreceipts={report.receipts} meters={report.meters} roots={report.roots} "
        f"mean anonymity set={report.mean_anonymity_set:.2f}"
    )
    for name, trials, accuracy, chance in report.rows():
        print(f"  {name:<22} trials={trials:<4} accuracy={accuracy}  chance={chance}")
    assert report.meters == SOLO + GROUPS * GROUP_SIZE and report.roots == SOLO + GROUPS
    assert report.exact_links == []
    for result in report.results:
        assert result.accuracy <= result.chance + result.margin, result
    # the on-chain adversary gets exactly what the roots give: certainty on own pools, ~1/4 in groups
    assert report.result("chain/root").chance == pytest.approx(
        (SOLO * 1 + GROUPS * GROUP_SIZE * (RECEIPTS - 1) / (GROUP_SIZE * RECEIPTS - 1)) / (SOLO + GROUPS * GROUP_SIZE)
    )
    # a verifier-aware adversary names the requester: right for own pools, right 1 time in 4 in groups
    assert report.result("verifiers/requester").accuracy == pytest.approx(
        (SOLO + GROUPS * 1) / (SOLO + GROUPS * GROUP_SIZE)
    )
    assert report.result("verifiers/requester").chance == pytest.approx(report.result("verifiers/requester").accuracy)


def test_the_field_adversary_does_catch_a_field_that_links(scenario):
    """Negative control: if group members used consecutive leaf indices, the analysis must see it."""
    receipts, owner_of, anonymity, _ = scenario
    members = sorted({owner_of[r.signer] for r in receipts})
    block = {m: i * 1_000 for i, m in enumerate(members)}
    counters: dict[str, int] = {}
    leaky = []
    for r in receipts:
        m = owner_of[r.signer]
        counters[m] = counters.get(m, 0) + 1
        leaky.append(dataclasses.replace(r, leaf_index=block[m] + counters[m]))
    result = privacy_report(leaky, owner_of, anonymity, seed=1).result("field/leaf_index")
    assert result.accuracy > result.chance + result.margin
