"""The shared-PV part of the trading day runs end to end on brownie's anvil."""

from __future__ import annotations

import random

from rich.console import Console

from offchain.kernel.mechanism import DemoContext
from offchain.shared_pv.demo import run


def test_the_demo_part_bills_the_autumn_change_day_and_shows_the_refusal(chain_client, keys, tmp_path):
    console = Console(record=True, width=160)
    outcome = run(DemoContext(chain_client, keys, {}, console, tmp_path, random.Random(1)))
    assert "100 slots" in outcome.summary
    assert outcome.data["refusal"].startswith("SharesInsufficient")
    rows = {r["owner"]: r for r in outcome.data["owners"]}
    assert rows["A"]["own_pv_wh"] == "0"  # A gave its whole day away
    assert (tmp_path / "shared_pv" / "bill-2026-10-25.csv").exists()
