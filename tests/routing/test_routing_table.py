from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offchain.routing import BackboneInfo, RoutingTable


def infos(n: int) -> list[BackboneInfo]:
    return [BackboneInfo(i, "127.0.0.1", 7000 + i, bytes([i + 1]) * 64) for i in range(n)]


def test_initial_table_splits_the_routing_bytes_evenly_among_backbone_nodes():
    table = RoutingTable.initial(infos(4))
    assert table.x == 1
    assert table.ranges() == [(0, 63, 0), (64, 127, 1), (128, 191, 2), (192, 255, 3)]
    assert table.owner_of(bytes([0x41]) + bytes(63)) == 1
    assert table.routing_bytes(bytes([0xAB, 0xCD]) + bytes(62)) == b"\xab"


def test_rebalance_grows_x_and_evens_out_the_load_of_an_overloaded_node():
    table = RoutingTable.initial(infos(4))
    # all traffic goes to keys starting with 0x00..0x0f: node 0 carries everything
    load = {(p << 24) | (q << 16): 10 for p in range(16) for q in range(0, 256, 16)}
    before = {}
    for prefix, count in load.items():
        owner = table.owner_of(prefix.to_bytes(4, "big"))
        before[owner] = before.get(owner, 0) + count
    assert before == {0: sum(load.values())}
    new = table.rebalanced(load)
    assert new.x == 2 and new.version == table.version + 1
    after: dict[int, int] = {}
    for prefix, count in load.items():
        owner = new.owner_of(prefix.to_bytes(4, "big"))
        after[owner] = after.get(owner, 0) + count
    assert set(after) == {0, 1, 2, 3}
    assert max(after.values()) <= 1.1 * sum(load.values()) / 4


def test_rebalance_without_load_still_gives_every_node_a_range():
    new = RoutingTable.initial(infos(3)).rebalanced({})
    assert new.x == 2 and sorted(set(new.owners)) == [0, 1, 2]


def test_removing_a_dead_node_hands_its_ranges_to_a_live_neighbour():
    table = RoutingTable.initial(infos(4))
    new = table.without([1])
    assert 1 not in new.owners and 1 not in new.node_ids
    assert new.owner_of(bytes([0x50]) + bytes(63)) == 0
    assert new.version == table.version + 1
    assert table.without([1]).digest == new.digest  # every survivor computes the same table


def test_a_newer_table_supersedes_an_older_one_and_ties_break_by_digest():
    a = RoutingTable.initial(infos(2))
    b = a.rebalanced({1: 5})
    assert b.supersedes(a) and not a.supersedes(b)
    c = a.without([1])
    assert b.supersedes(c) != c.supersedes(b)


def test_a_table_survives_its_wire_form():
    table = RoutingTable.initial(infos(5)).rebalanced({123456: 7, 99999999: 3})
    assert RoutingTable.from_dict(table.to_dict()) == table


def test_malformed_tables_are_refused():
    with pytest.raises(ValueError):
        RoutingTable(1, (0, 300), (0, 1), tuple(infos(2)))
    with pytest.raises(ValueError):
        RoutingTable(1, (5,), (0,), tuple(infos(1)))
    with pytest.raises(ValueError):
        RoutingTable(1, (0,), (9,), tuple(infos(1)))


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 9),
    load=st.dictionaries(st.integers(0, 2**32 - 1), st.integers(1, 1000), max_size=40),
    dead=st.sets(st.integers(0, 8), max_size=3),
    key=st.binary(min_size=64, max_size=64),
)
def test_every_key_maps_to_exactly_one_live_node_after_rebalances_and_failures(n, load, dead, key):
    table = RoutingTable.initial(infos(n)).rebalanced(load)
    alive = set(range(n)) - dead
    if alive:
        table = table.without(dead)
        assert table.owner_of(key) in alive
        assert sorted(set(table.owners)) == sorted(alive)


def test_a_rebalance_from_sparse_load_still_shares_out_the_unused_routing_bytes():
    table = RoutingTable.initial(infos(4)).rebalanced({0x12 << 24: 50, 0xC3 << 24: 50})
    widths = {owner: hi - lo + 1 for lo, hi, owner in table.ranges()}
    assert max(widths.values()) < 256**2 / 2
    assert table.owner_of(bytes([0x12, 0]) + bytes(62)) != table.owner_of(bytes([0xC3, 0]) + bytes(62))
