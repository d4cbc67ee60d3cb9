"""PETra's part of the trading day, run by the agents on brownie's anvil."""

from __future__ import annotations

import random

from rich.console import Console

from offchain.kernel.mechanism import DemoContext
from offchain.petra.client import FeederFlow
from offchain.petra.demo import run


def test_the_demo_trades_splits_refuses_records_deliveries_and_pays_out(
    chain_rpc, keys, deployed, market, fiat, tmp_path
):
    console = Console(width=120, record=True)
    outcome = run(DemoContext(chain_rpc, keys, deployed, console, tmp_path, random.Random(7)))
    trades = outcome.data["trades"]
    assert len(trades) == 3
    # the consumer bought 3 kW from the cheaper ask across feeders, then 1 kW from the other ask
    assert [t.portion.power for _, t in trades[:2]] == [3_000, 1_000]
    assert all(len(t.offer_pieces) > 1 for _, t in trades[:2])  # both asks were split
    refusals = outcome.data["refusals"]
    assert any("capacity" in r and "1000 W over" in r for r in refusals)
    assert any("PetraFeederLimitExceeded" in r for r in refusals)
    # deliveries recorded: every matched asset; producer-2 delivered 70 %
    delivered = outcome.data["delivered"]
    assert len(delivered) == 6
    p2 = market.reputation(keys[2].address)
    assert p2.deliveries == 1 and p2.shortfalls == 1 and p2.delivered_mwh * 10 == p2.promised_mwh * 7
    # money: nothing frozen any more (the open bid was retired), the paid-out earnings burned
    for k in keys[1:5]:
        assert market.funds(k.address).frozen == 0
    assert fiat.redeemed() == outcome.data["paid_out"] > 0
    assert fiat.total_supply() == fiat.issued() - fiat.redeemed()
    # feeder 1 exported at most its 3 kW limit in every slot traded
    for _, t in trades:
        for slot in range(t.portion.first, t.portion.last + 1):
            assert market.feeder_flow(1, FeederFlow.EXPORT, slot) <= 3_000
    assert market.order_book() == {}
    text = console.export_text()
    assert "PETra trades" in text and "refused as it should" in text
