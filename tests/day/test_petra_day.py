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


# -- the part on its own: the market's clock passes the hour's first slot while a round trades ---------


@pytest.mark.parametrize("when", ["before_the_estimate", "in_the_mined_block"])
def test_a_round_whose_hour_begins_on_chain_while_it_trades_ends_and_the_next_slot_trades(tmp_path, monkeypatch, when):
    """A slow machine: the chain reaches the hour's first market slot between the round's choice
    of slots and its first mint, which the market refuses: before sending (PetraSlotNotInFuture
    decoded from the estimate) or in the block that mines it (a reverted receipt carries no
    reason; seen on the PoA devnet). The round ends with nothing half-traded and the day goes
    on; the next slot trades the residual from the market's next slot, and the money in the
    part's outcome is what the events show."""
    from offchain.kernel.mechanism import HouseholdSlot, SlotState
    from offchain.petra.client import PetraClient
    from offchain.petra.day import PetraDayPart, payments_from_events
    from offchain.petra.deploy import deploy

    from tests.day.helpers import own_day

    real_mint = PetraClient.mint
    refused: list[int] = []

    def mint_after_the_hour_began(self, prosumer, to, kind, power, first, last, **kw):
        if not refused:  # the first mint: the chain's clock reaches `first` now, or in the mint's block
            self.chain.w3.provider.make_request("evm_setNextBlockTimestamp", [self.slot_start(first)])
            if when == "before_the_estimate":
                self.chain.w3.provider.make_request("evm_mine", [])
                assert self.current_slot() == first
            refused.append(first)
        return real_mint(self, prosumer, to, kind, power, first, last, **kw)

    monkeypatch.setattr(PetraClient, "mint", mint_after_the_hour_began)
    with own_day(tmp_path, 8, deploy) as (chain, deployed, ctx, keys, now):
        part = PetraDayPart()
        part.setup(ctx)
        # H00 has 1,000 Wh to spare, H02 needs 600 (both on feeder 1: no exchange limit)
        rows = [HouseholdSlot(100, 1100, 100, 1100), HouseholdSlot(0, 0, 0, 0), HouseholdSlot(600, 0, 600, 0)]
        part.on_slot(ctx, SlotState(0, 0, now, "12:00", rows, [r.net_wh for r in rows]))
        assert refused == [part.base + 1]
        assert part.cut_short == 1 and part.trades == [] and part.mints == 0 and part.rounds == 0

        part.on_slot(ctx, SlotState(1, 1, now + 900, "12:15", rows, [r.net_wh for r in rows]))
        assert len(part.trades) == 1 and part.mints == 2 and part.rounds == 1
        trade = part.trades[0]
        assert (trade.seller, trade.buyer, trade.wh) == (0, 2, 600)
        outcome = part.finish(ctx)

        assert outcome.data["rounds_cut_short"] == 1 and outcome.data["trades"] == 1
        paid = dict(outcome.payments_wei)
        assert paid[2] == -paid[0] == trade.cost_cents * CENT_WEI > 0
        owner_of = {k.address.lower(): h for (role, h), k in keys.items() if role == "petra-prosumer"}
        assert payments_from_events(chain, deployed, owner_of) == {0: paid[0], 2: paid[2]}
