"""PriWatt's part of the short day (3 households, 8 slots from 11:30): a micropayment channel
for a long delivery and escrow trades from the board, one disputed, all on chain."""

from __future__ import annotations

from collections import Counter

import pytest

pytestmark = pytest.mark.timeout(600)


def _part(short_day) -> dict:
    return short_day["results"]["meta"]["part_data"]["priwatt"]


def _ops(short_day) -> dict[str, int]:
    return {o["operation"]: o["n"] for o in short_day["results"]["gas"]["per_operation"] if o["mechanism"] == "priwatt"}


def test_the_channel_carries_a_long_delivery_over_several_slots_with_one_open_and_one_close(short_day):
    ch = _part(short_day)["channel"]
    assert ch, "the noon slots should open a channel"
    assert len(ch["slots"]) >= 3 and ch["states"] == len(ch["slots"])  # one signed state per slot delivered
    assert all(a < b for a, b in zip(ch["slots"], ch["slots"][1:], strict=False))
    assert ch["delivered_wh"] > 0 and ch["paid_wei"] == ch["delivered_wh"] * ch["wei_per_wh"]
    assert ch["paid_wei"] + ch["refunded_wei"] == ch["deposit_wei"]
    assert ch["close_tx"].startswith("0x")
    ops = _ops(short_day)
    escrows = len(_part(short_day)["escrows"])
    # one open (and its post, lock) for the whole delivery, one close; the rest is the escrows'
    assert ops["closeChannel"] == 1
    assert ops["openTrade"] == ops["lockOffer"] == ops["postOffer"] == escrows + 1


def test_escrow_trades_from_the_board_include_one_dispute_settled_by_the_dsos_split(short_day):
    escrows = _part(short_day)["escrows"]
    disputed = [e for e in escrows if e["disputed"]]
    assert len(disputed) == 1, escrows
    d = disputed[0]
    assert 0 < d["seller_bps"] < 10_000 and d["delivered_wh"] < d["energy_wh"]
    assert d["seller_bps"] == d["delivered_wh"] * 10_000 // d["energy_wh"]  # the DSO's split is what arrived
    assert d["to_seller_wei"] == (d["to_seller_wei"] + d["to_buyer_wei"]) * d["seller_bps"] // 10_000
    assert d["to_buyer_wei"] > 0  # the buyer got the rest back
    for e in escrows:
        assert e["tx"].startswith("0x") and e["seller"] != e["buyer"]
        if not e["disputed"]:
            assert e["seller_bps"] == 10_000 and e["to_buyer_wei"] == 0 and e["delivered_wh"] == e["energy_wh"]
    assert _ops(short_day)["settleEscrow"] == len(escrows)


def test_priwatt_money_read_from_raw_logs_is_what_the_channel_and_escrows_paid(short_day):
    part = _part(short_day)
    names = {h["index"]: h["name"] for h in short_day["results"]["households"]}
    expected: Counter = Counter()
    ch = part["channel"]
    expected[names[ch["buyer"]]] += ch["paid_wei"]
    expected[names[ch["seller"]]] -= ch["paid_wei"]
    for e in part["escrows"]:
        expected[names[e["buyer"]]] += e["to_seller_wei"]
        expected[names[e["seller"]]] -= e["to_seller_wei"]
    raw = {h: row.get("priwatt", 0) for h, row in short_day["raw_net"].items()}
    assert any(raw.values()), "PriWatt moved no money on chain"
    assert {h: v for h, v in raw.items() if v} == {h: v for h, v in expected.items() if v}
    assert sum(raw.values()) == 0  # what buyers paid, sellers received


def test_every_priwatt_trade_used_fresh_addresses_noted_for_the_observer(short_day):
    rows = [r for r in short_day["results"]["observer"]["addresses_per_household"] if r["mechanism"] == "priwatt"]
    part = _part(short_day)
    trades = len(part["escrows"]) + 1
    assert len(rows) == 2 * trades  # a seller and a buyer address per trade
    assert len({r["address"].lower() for r in rows}) == len(rows)


def test_priwatt_negotiations_and_states_travelled_over_the_backbone(short_day):
    part = _part(short_day)
    assert part["backbone_nodes"] == 2 and not part["failures"]
    # per trade at least a claim request and its claim and the negotiation's offers; per slot of the
    # channel a delivery note and a signed state
    assert part["messages"] >= 4 * (len(part["escrows"]) + 1) + 2 * part["channel"]["states"]
    assert "PriWatt: 1 channel" in short_day["results"]["meta"]["summaries"]["priwatt"]
