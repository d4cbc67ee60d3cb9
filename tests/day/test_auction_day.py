"""The auction's part of the short day (3 households, 8 slots from 11:30): orders signed from
forecasts travel over the backbone, the operator's clearings are verified, settled with grid
fees and reconciled with the deliveries on chain."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.timeout(600)

UTILITY, FEED_IN = 0.30, 0.08


def _auction(short_day) -> dict:
    return short_day["results"]["meta"]["part_data"]["auction"]


def _ops(short_day) -> dict[str, int]:
    return {o["operation"]: o["n"] for o in short_day["results"]["gas"]["per_operation"] if o["mechanism"] == "auction"}


def test_the_auction_clears_settles_and_reconciles_midday_slots_on_its_own_market(short_day):
    data = _auction(short_day)
    assert data["clearings"] > 0, "the noon slots have PV surplus to sell and forecast needs to buy"
    assert data["settlements"] == data["reconciliations"] == data["clearings"]
    assert short_day["results"]["meta"]["deployed"]["AuctionMarketDay"] == data["market"]
    assert data["traded_wh"] == sum(s["volume_wh"] for s in data["slots"]) > 0


def test_each_cleared_slot_costs_one_clearing_one_settlement_and_one_deviation_settlement(short_day):
    data, ops = _auction(short_day), _ops(short_day)
    n = data["clearings"]
    assert ops["submitClearing"] == ops["settle"] == ops["settleDeviations"] == n
    assert "challengeClearing" not in ops
    for s in data["slots"]:
        assert set(s["gas"]) == {"settle", "settleDeviations"} and s["clearing_tx"].startswith("0x")


def test_every_order_travelled_over_the_backbone_and_was_signed_by_its_owner(short_day):
    data = _auction(short_day)
    assert data["orders"] == data["bids"] + data["asks"] == data["messages"] > 0
    assert data["bids"] > 0 and data["asks"] > 0
    assert data["rejected_orders"] == 0
    assert data["backbone_nodes"] == 3


def test_clearing_prices_are_uniform_per_slot_and_lie_between_feed_in_and_utility(short_day):
    data = _auction(short_day)
    prices = {int(k): v for k, v in data["clearing_prices"].items()}
    assert sorted(prices) == [s["index"] for s in data["slots"]]
    for s in data["slots"]:
        assert prices[s["index"]] == s["price_eur_kwh"]
        assert FEED_IN < s["price_eur_kwh"] < UTILITY


def test_deliveries_never_exceed_what_was_cleared_and_deviations_were_priced(short_day):
    data = _auction(short_day)
    for s in data["slots"]:
        assert 0 <= s["delivered_wh"] <= s["volume_wh"] and 0 <= s["taken_wh"] <= s["volume_wh"]
    dev = data["deviations"]
    mismatch = sum(2 * s["volume_wh"] - s["delivered_wh"] - s["taken_wh"] for s in data["slots"])
    assert dev["short_wh"] + dev["long_wh"] == mismatch
    if dev["long_wh"]:
        assert dev["credited_wei"] > 0
    if dev["short_wh"]:
        assert dev["charged_wei"] > 0


def test_money_is_conserved_households_pay_exactly_what_the_operator_received(short_day):
    results = short_day["results"]
    data = _auction(short_day)
    paid = sum(r["auction_net_wei"] for r in results["reconciliation"])
    assert paid == data["dso_received_wei"]
    fees = sum(int(v) for v in data["fees_wei"].values())
    assert fees > 0  # buyers paid grid fees on top of the energy
    raw = short_day["raw_net"]
    assert any(raw.get(h["name"], {}).get("auction", 0) != 0 for h in results["households"])


def test_the_auction_moves_no_more_energy_than_the_residual_and_keeps_every_slot_balanced(short_day):
    results = short_day["results"]
    for s in results["slots"]:
        assert s["load_wh"] - s["pv_wh"] == s["import_wh"] - s["export_wh"], s["time"]
    data = _auction(short_day)
    delivered = sum(s["delivered_wh"] for s in data["slots"])
    assert delivered > 0  # sellers really delivered into the pool
