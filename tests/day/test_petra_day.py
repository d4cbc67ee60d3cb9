"""PETra's part of the short day really traded on chain, within the DSO's feeder limits."""

from __future__ import annotations

import pytest

from offchain.petra.day import CENT_WEI, EXCHANGE_LIMIT_W

pytestmark = pytest.mark.timeout(600)


def _petra(short_day) -> dict:
    return short_day["results"]["meta"]["part_data"]["petra"]


def _ops(short_day) -> dict[str, int]:
    return {o["operation"]: o["n"] for o in short_day["results"]["gas"]["per_operation"] if o["mechanism"] == "petra"}


def test_the_dso_minted_assets_that_sellers_posted_and_buyers_accepted_on_chain(short_day):
    petra, ops = _petra(short_day), _ops(short_day)
    assert petra["trades"] > 0, "the noon hours should leave a residual worth a PETra trade"
    assert ops["mint"] == petra["mints"] == 2 * petra["trades"]  # a production and a consumption asset per trade
    assert ops["postOffer"] == ops["accept"] == petra["trades"]
    for t in petra["trade_list"]:
        assert t["seller"] != t["buyer"] and t["cost_cents"] > 0 and t["tx"].startswith("0x")
        assert 0 <= t["slots"][1] - t["slots"][0] <= 3  # the hour ahead (or what is left of the day)


def test_a_feeder_limit_capped_a_trade_and_the_chain_refused_the_whole_portion(short_day):
    petra = _petra(short_day)
    assert petra["capped"], "one pair across the two feeders should want more than the exchange limit"
    for c in petra["capped"]:
        assert petra["feeders"][str(c["seller"])] != petra["feeders"][str(c["buyer"])]
        assert c["got_w"] < c["wanted_w"] and c["got_w"] <= EXCHANGE_LIMIT_W
    assert any("PetraFeederLimitExceeded" in r for r in petra["refusals"])


def test_every_petra_payment_is_an_accepted_cost_and_the_money_is_conserved(short_day):
    results, petra = short_day["results"], _petra(short_day)
    paid = {
        h["index"]: r["petra_net_wei"] for h, r in zip(results["households"], results["reconciliation"], strict=True)
    }
    assert sum(paid.values()) == 0  # what buyers paid, sellers received
    assert sum(v for v in paid.values() if v > 0) == petra["cost_cents"] * CENT_WEI > 0
    raw = short_day["raw_net"]
    for h in results["households"]:
        assert raw.get(h["name"], {}).get("petra", 0) == paid[h["index"]]


def test_petra_moves_no_more_than_it_traded_and_records_the_sellers_deliveries(short_day):
    results, petra = short_day["results"], _petra(short_day)
    assert 0 < petra["delivered_wh"] <= petra["traded_wh"]
    assert petra["deliveries_recorded"] > 0
    assert any(r["promised_mwh"] > 0 for r in petra["reputation"].values())
    ops = _ops(short_day)
    assert ops["recordDelivery"] == petra["deliveries_recorded"]
    for t in petra["trade_list"]:  # the trading accounts are listed with their households
        assert results["households"][t["seller"]]["addresses"] and results["households"][t["buyer"]]["addresses"]
