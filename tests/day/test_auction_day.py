"""The auction's part of the short day (3 households, 8 slots from 11:30): orders signed from
forecasts travel over the backbone, the operator's clearings are verified, settled with grid
fees and reconciled with the deliveries on chain."""

from __future__ import annotations

import pytest

from offchain.auction.deploy import deploy

from tests.day.helpers import own_day

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
    assert short_day["results"]["meta"]["deployed"]["AuctionMarket"] == data["market"]  # anvil: the deployed market
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


# -- the part on its own: a slot in which needs are still left when the auction's turn comes --------


def test_when_needs_are_left_buyers_take_energy_locally_and_deviations_are_settled_both_ways(tmp_path):
    """A night slot with only a forecast error to buy sends nothing. Then one seller (forecasts 400 Wh to spare, really has 300) and two buyers (forecast 200 and
    150 Wh, really need 250 and 100): 350 Wh clear; the seller delivers 300 (short 50: charged),
    the first buyer takes its 200, the second only 100 (long 50: credited); the money in the
    part's outcome equals what the events and the raw logs show."""
    from offchain.auction.day import AuctionDayPart, payments_from_events
    from offchain.kernel.mechanism import HouseholdSlot, SlotState

    from tests.day.rawlogs import auction as raw

    with own_day(tmp_path, 1, deploy) as (chain, deployed, ctx, keys, now):
        part = AuctionDayPart()
        part.setup(ctx)
        assert part.backbone is not None
        cluster = part.backbone.cluster
        assert cluster is not None and sorted(cluster.alive()) == [0, 1, 2]  # three backbone processes
        try:
            # a night slot whose needs an earlier part covered: H01 used 100 Wh more than it forecast and
            # H02 50 less; neither turns that into an ask, so only a bid is left: nothing can match, nothing is sent
            night = [HouseholdSlot(100, 0, 100, 0), HouseholdSlot(300, 0, 200, 0), HouseholdSlot(50, 0, 100, 0)]
            block = chain.w3.eth.block_number
            assert part.on_slot(ctx, SlotState(0, 0, now, "02:00", night, [0, 0, 0])).flows == []
            assert chain.w3.eth.block_number == block and part.orders == part.clearings == 0
            # (load, pv, forecast load, forecast pv): the residual is the actual net (no earlier part moved anything)
            rows = [HouseholdSlot(100, 400, 100, 500), HouseholdSlot(250, 0, 200, 0), HouseholdSlot(100, 0, 150, 0)]
            state = SlotState(1, 1, now, "12:00", rows, [r.net_wh for r in rows])
            actions = part.on_slot(ctx, state)
        finally:
            outcome = part.finish(ctx)
        assert cluster.alive() == [] and part.backbone is None  # finish stopped them
        assert part.messages == part.orders == 3 and part.rejected == 0  # the slot's orders went over the backbone
        flows = sorted((f.seller, f.buyer, f.energy_wh, f.kind) for f in actions.flows)
        assert flows == [(0, 1, 200, "local"), (0, 2, 100, "local")]
        price = part.slots[0]["price_eur_kwh"]
        assert 0.08 < price < 0.30 and part.slots[0]["volume_wh"] == 350
        wei_per_mwh = part.slots[0]["price_wei_per_mwh"]
        assert all(f.amount_wei == f.energy_wh * wei_per_mwh // 10**6 for f in actions.flows)
        dev = outcome.data["deviations"]
        assert (dev["short_wh"], dev["long_wh"]) == (50, 50)
        assert dev["charged_wei"] > 0 and dev["credited_wei"] > 0 and dev["unpaid_wei"] == 0
        paid = dict(outcome.payments_wei)
        assert paid[0] < 0 < paid[1] and paid[2] > 0
        assert sum(paid.values()) == outcome.data["dso_received_wei"] > 0
        owner_of = {keys[("auction-trader", h)].address.lower(): h for h in range(3)}
        assert payments_from_events(chain, deployed, owner_of) == paid
        names = {a: f"H{h:02d}" for a, h in owner_of.items()}
        assert raw.net(chain, deployed, names) == {f"H{h:02d}": v for h, v in paid.items()}


def test_a_clearing_mined_after_its_deadline_is_recorded_as_missed_and_the_day_goes_on(tmp_path):
    """On a slow chain the operator's clearing can be mined after the slot's submission deadline:
    the market refuses it (AuctionSubmissionClosed), the part records the slot as missed, moves no
    energy and pays nothing, and the next slot clears normally."""
    from offchain.auction.day import AuctionDayPart, payments_from_events
    from offchain.kernel.mechanism import HouseholdSlot, SlotState

    with own_day(tmp_path, 2, deploy) as (chain, deployed, ctx, keys, now):
        part = AuctionDayPart()
        part.setup(ctx)
        market = part.market
        real_submit = market.submit_clearing

        def late_submit(clearing, *, sender):
            # the block that carries the clearing comes at the deadline: the chain refuses it
            deadline = market.submission_deadline(clearing.slot)
            chain.w3.provider.make_request("evm_setNextBlockTimestamp", [deadline])
            return real_submit(clearing, sender=sender)

        rows = [HouseholdSlot(100, 400, 100, 500), HouseholdSlot(250, 0, 200, 0), HouseholdSlot(100, 0, 150, 0)]
        try:
            market.submit_clearing = late_submit
            late = part.on_slot(ctx, SlotState(0, 0, now, "12:00", rows, [r.net_wh for r in rows]))
            market.submit_clearing = real_submit
            assert late.flows == [] and part.clearings == 0
            (missed,) = part.missed_clearings
            assert missed["mined_at"] >= missed["deadline"] and "missed its deadline" in late.notes[0]
            assert market.clearing(missed["slot"]).status.name == "NONE"  # nothing cleared on chain
            later = int(chain.w3.eth.get_block("latest")["timestamp"])
            on_time = part.on_slot(ctx, SlotState(1, 1, later, "12:15", rows, [r.net_wh for r in rows]))
            assert part.clearings == 1 and on_time.flows  # the next slot clears and delivers
        finally:
            market.submit_clearing = real_submit
            outcome = part.finish(ctx)
        assert outcome.data["missed_clearings"] == part.missed_clearings
        owner_of = {keys[("auction-trader", h)].address.lower(): h for h in range(3)}
        assert payments_from_events(chain, deployed, owner_of) == dict(outcome.payments_wei)
