"""The money in the day's report reconciles with the chain, household by household."""

from __future__ import annotations

import json

import pytest

from offchain.app.registry import mechanisms

pytestmark = pytest.mark.timeout(600)


def test_each_households_net_payment_recomputed_from_events_matches_results_json(short_day):
    results = json.loads((short_day["out"] / "results.json").read_text())
    raw = short_day["raw_net"]
    assert results["meta"]["part_data"]["spb"]["settled"] > 0, "the noon slots should see SPB trades"
    by_name = {r["household"]: r for r in results["reconciliation"]}
    for h in results["households"]:
        mine = raw.get(h["name"], {})
        assert mine.get("net", 0) == h["net_onchain_wei"], h["name"]
        for name in results["meta"]["mechanisms_in_day"]:  # and mechanism by mechanism
            assert mine.get(name, 0) == by_name[h["name"]][f"{name}_net_wei"], (h["name"], name)
        # and the bill is that on-chain net plus the off-chain utility energy minus the feed-in credit
        assert h["bill_wei"] == h["net_onchain_wei"] + h["utility_offchain_wei"] - h["feed_in_credit_wei"]
    assert all(r["match"] for r in results["reconciliation"])


def test_energy_balances_in_every_slot_and_bills_are_anchored_and_verified(short_day):
    results = short_day["results"]
    for s in results["slots"]:
        # what the community needs beyond its PV comes from the grid; what it has beyond its load goes out
        assert s["load_wh"] - s["pv_wh"] == s["import_wh"] - s["export_wh"], s["time"]
    drew = {h["index"] for h in results["households"] if h["grid_paid_onchain_wei"] > 0}
    assert {b["household"] for b in results["bills"]} == drew  # a bill for every household the grid delivered to
    for bill in results["bills"]:
        assert bill["cid"].startswith("Qm") and bill["anchored"] and bill["verified"]
        assert bill["anchor_tx"].startswith("0x")
    assert results["meta"]["mechanisms_in_day"] == [m.name for m in mechanisms() if m.day]
    ops = {(o["mechanism"], o["operation"]) for o in results["gas"]["per_operation"]}
    assert ("spb", "settleBatchPacked") in ops and ("grid", "transfer event") in ops
