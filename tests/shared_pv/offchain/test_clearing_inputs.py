"""The clearing server's inputs and its reconstruction of portions from events (no chain)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from offchain.common import SlotClock, SlotConfig
from offchain.shared_pv.clearing import (
    Tariff,
    bill_day,
    portions_from_events,
    read_consumption_csv,
    read_generation_csv,
)
from offchain.shared_pv.client import OwnerAdmitted, OwnerRevoked, PortionsTransferred
from offchain.shared_pv.errors import ClearingError, ClearingInputError

A, B, C, D = "0xA", "0xB", "0xC", "0xD"
W = (0, 0, "0x")  # block, log index, tx hash: irrelevant here
KEY = [OwnerAdmitted(*W, A, 2_000), OwnerAdmitted(*W, B, 2_000), OwnerAdmitted(*W, C, 6_000)]
TARIFF = Tariff(Decimal("0.30"), Decimal("0.08"))


def test_slots_without_events_keep_the_default_key():
    got = portions_from_events(KEY, range(10, 12))
    assert got == {10: {A: 2_000, B: 2_000, C: 6_000}, 11: {A: 2_000, B: 2_000, C: 6_000}}


def test_transfers_apply_in_log_order_including_received_portions():
    events = [
        *KEY,
        PortionsTransferred(*W, C, A, 5, 20, 6_000),
        PortionsTransferred(*W, A, B, 10, 10, 8_000),  # more than A's default: it received 6,000
    ]
    got = portions_from_events(events, range(9, 12))
    assert got[9] == {A: 8_000, B: 2_000, C: 0}
    assert got[10] == {A: 0, B: 10_000, C: 0}


def test_a_revocation_moves_portions_from_its_effective_slot_on_only():
    events = [
        *KEY,
        OwnerAdmitted(*W, D, 0),
        PortionsTransferred(*W, C, A, 0, 100, 1_000),
        OwnerRevoked(*W, A, D, 50, 2_000),
    ]
    got = portions_from_events(events, range(49, 51))
    assert got[49] == {A: 3_000, B: 2_000, C: 5_000}
    assert got[50] == {B: 2_000, C: 5_000, D: 3_000}


def test_a_history_that_overspends_is_refused():
    with pytest.raises(ClearingError, match="negative portion"):
        portions_from_events([*KEY, PortionsTransferred(*W, A, B, 0, 0, 2_001)], range(0, 1))


def test_a_history_whose_key_is_not_whole_is_refused():
    with pytest.raises(ClearingError, match="sum to 4000"):
        portions_from_events(KEY[:2], range(0, 1))


def test_a_transfer_by_a_non_member_is_refused():
    with pytest.raises(ClearingError, match="non-members"):
        portions_from_events([*KEY, PortionsTransferred(*W, D, A, 0, 0, 1)], range(0, 1))


def test_csv_series_by_slot_and_by_position(tmp_path):
    (tmp_path / "gen.csv").write_text("position,generation_wh\n0,10\n1,20\n")
    (tmp_path / "cons.csv").write_text(f"slot,{A},{B}\n100,1,2\n101,3,4\n")
    gen = read_generation_csv(tmp_path / "gen.csv")
    cons = read_consumption_csv(tmp_path / "cons.csv")
    assert gen[1] == "20" and cons[B][101] == "4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("when,generation_wh\n0,1\n", "first column"),
        ("slot,generation_wh\n", "at least one data row"),
        ("slot,generation_wh\n0,1,2\n", "3 fields"),
        ("slot,generation_wh\n0,1\n0,2\n", "appears twice"),
        ("slot,generation_wh\nx,1\n", "not an integer"),
    ],
)
def test_malformed_csv_files_are_refused_with_the_reason(tmp_path, text, message):
    (tmp_path / "g.csv").write_text(text)
    with pytest.raises(ClearingInputError, match=message):
        read_generation_csv(tmp_path / "g.csv")


def test_a_missing_or_negative_meter_value_is_refused():
    clock = SlotClock(SlotConfig())
    day = dt.date(2026, 6, 2)
    with pytest.raises(ClearingInputError, match="no value for slot"):
        bill_day(KEY, clock, day, {A: [0] * 96, B: [0] * 96, C: [0] * 95}, [0] * 96, TARIFF)
    with pytest.raises(ClearingInputError, match="must be a finite number >= 0"):
        bill_day(KEY, clock, day, {A: [-1] * 96, B: [0] * 96, C: [0] * 96}, [0] * 96, TARIFF)


def test_an_owner_holding_portions_without_consumption_is_refused():
    with pytest.raises(ClearingInputError, match="no consumption series"):
        bill_day(KEY, SlotClock(SlotConfig()), dt.date(2026, 6, 2), {A: [0] * 96}, [0] * 96, TARIFF)


def test_the_autumn_change_day_is_billed_over_its_100_slots_with_local_prices(tmp_path):
    tariff_file = tmp_path / "t.json"
    tariff_file.write_text(
        json.dumps(
            {
                "grid_price_per_kwh": "0.30",
                "feed_in_price_per_kwh": "0.08",
                "periods": [{"start": "02:00", "end": "03:00", "grid_price_per_kwh": "0.10"}],
            }
        )
    )
    tariff = Tariff.load(tariff_file)
    clock = SlotClock(SlotConfig())
    bill = bill_day(
        KEY, clock, dt.date(2026, 10, 25), {A: [1_000] * 100, B: [0] * 100, C: [0] * 100}, [0] * 100, tariff
    )
    assert len(bill.slots) == 100 and len(bill.lines) == 300
    # 02:00–03:00 happens twice on that day: 8 slots at 0.10, 92 at 0.30 → A pays 0.8 + 27.6
    assert bill.totals[A].grid_cost == Decimal("28.4")


def test_a_tariff_without_prices_is_refused(tmp_path):
    (tmp_path / "t.json").write_text("{}")
    with pytest.raises(ClearingInputError, match="malformed tariff"):
        Tariff.load(tmp_path / "t.json")
