from __future__ import annotations

import json

from offchain.routing.bench import main, packets_per_message
from offchain.routing.simulate import SimulatedNetwork


def test_arb_needs_at_most_four_packets_per_message_while_flooding_needs_one_per_node():
    result = packets_per_message([100, 1000], backbones=8, negotiations=10)
    for n in (100, 1000):
        row = result[str(n)]
        assert row["arb"] <= 4 and row["arb_with_receipts"] <= 6
        assert row["flooding"] >= n
        assert row["messages"] >= 10
    assert result["1000"]["flooding_over_arb"] > 200


def test_the_simulation_routes_with_the_backbone_tables_decisions():
    net = SimulatedNetwork(50, 4, seed=3)
    a, b = net.keys[0], net.keys[1]
    data, receipts = net.route(a, b)
    same_node = net.table.owner_of(a) == net.table.owner_of(b)
    assert data == (2 if same_node else 3)
    assert receipts == (1 if same_node else 2)
    assert net.flood(a, b) == 1 + 3 + 49


def test_the_bench_prints_one_json_object_with_packets_and_throughput(capsys):
    assert main(["--json", "--sizes", "100", "--negotiations", "5", "--messages", "300", "--window", "100"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result["packets_per_message"]["100"]) >= {"arb", "flooding"}
    assert result["messages_per_second"] > 0
    assert result["throughput"]["backbone_hops"] == 2 and result["throughput"]["messages"] == 300
