"""A clearing run over one simulated day for the paper's 3-owner plant, checked by hand.

Plant: A 20 %, B 20 %, C 60 % (2,000 / 2,000 / 6,000 bp). Billed day: 2026-06-02, 96 slots.
Generation: 4,000 Wh in each of positions 48, 49, 50, 51 (12:00–13:00), 0 otherwise.
Consumption in every slot: A 500 Wh, B 200 Wh, C 1,000 Wh. Tariff: 0.30 EUR/kWh from
the grid, 0.08 EUR/kWh fed in.

Transfers, made on chain the day before (read back by the server from the events only):
  A gives B 1,000 bp of positions 48–49;   C gives A 3,000 bp of position 51.

Portions (bp)            A      B      C        allocated Wh of 4,000 (× bp / 10,000)
  positions 48, 49     1,000  3,000  6,000        A   400   B 1,200   C 2,400
  position 50          2,000  2,000  6,000        A   800   B   800   C 2,400
  position 51          5,000  2,000  3,000        A 2,000   B   800   C 1,200
                                                  (each row sums to 4,000 Wh)
grid = max(0, consumption − allocated), surplus = max(0, allocated − consumption):
  A: 48, 49 grid 100 + 100;  50 surplus 300;  51 surplus 1,500;  92 other slots grid 500 each
     grid 46,000 + 200 = 46,200 Wh;  surplus 1,800 Wh;  own PV 3,600 Wh
  B: 48, 49 surplus 1,000 + 1,000;  50, 51 surplus 600 + 600;  92 × 200 grid
     grid 18,400 Wh;  surplus 3,200 Wh;  own PV 4,000 Wh
  C: 48, 49, 50 surplus 1,400 × 3;  51 surplus 200;  92 × 1,000 grid
     grid 92,000 Wh;  surplus 4,400 Wh;  own PV 8,400 Wh
Money (EUR): grid kWh × 0.30 − fed-in kWh × 0.08
  A: 46.2 × 0.30 = 13.86;  1.8 × 0.08 = 0.144;  net 13.716
  B: 18.4 × 0.30 =  5.52;  3.2 × 0.08 = 0.256;  net  5.264
  C: 92.0 × 0.30 = 27.60;  4.4 × 0.08 = 0.352;  net 27.248
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from offchain.shared_pv.clearing import ClearingServer, Tariff
from offchain.shared_pv.errors import ClearingError

from tests.shared_pv.offchain.conftest import START_DAY, advance_past

DAY = START_DAY + dt.timedelta(days=1)
TARIFF = Tariff(grid_price_per_kwh=Decimal("0.30"), feed_in_price_per_kwh=Decimal("0.08"))
SUN = (48, 49, 50, 51)


def generation(position_of):
    return lambda slot: 4_000 if position_of(slot) in SUN else 0


@pytest.fixture
def billed(plant, owners, owner_keys, chain):
    a, b, c = owners
    slots = plant.clock.day_slots(DAY)
    assert len(slots) == 96
    plant.transfer(b, slots[48], slots[49], 1_000, sender=owner_keys[0])
    plant.transfer(a, slots[51], slots[51], 3_000, sender=owner_keys[2])
    advance_past(chain, plant, DAY)
    consumption = {a: [500] * 96, b: [200] * 96, c: [1_000] * 96}
    gen = generation(lambda slot: slot - slots.start)
    return ClearingServer(plant, TARIFF).bill(DAY, consumption, gen)


def test_the_days_portions_come_from_the_events_and_match_the_hand_calculation(billed, owners):
    a, b, c = owners
    start = billed.slots.start
    bp = {(x.slot - start, x.owner): x.portion_bp for x in billed.lines}
    assert [bp[48, o] for o in owners] == [1_000, 3_000, 6_000]
    assert [bp[49, o] for o in owners] == [1_000, 3_000, 6_000]
    assert [bp[50, o] for o in owners] == [2_000, 2_000, 6_000]
    assert [bp[51, o] for o in owners] == [5_000, 2_000, 3_000]
    assert [bp[0, o] for o in owners] == [2_000, 2_000, 6_000]  # slots without transfers keep the default key
    for position in range(96):
        assert sum(bp[position, o] for o in owners) == 10_000


def test_each_owners_energy_totals_are_the_hand_calculated_ones(billed, owners):
    a, b, c = owners
    t = billed.totals
    assert (t[a].grid_wh, t[a].surplus_wh, t[a].allocated_wh) == (46_200, 1_800, 3_600)
    assert (t[b].grid_wh, t[b].surplus_wh, t[b].allocated_wh) == (18_400, 3_200, 4_000)
    assert (t[c].grid_wh, t[c].surplus_wh, t[c].allocated_wh) == (92_000, 4_400, 8_400)
    assert sum(x.allocated_wh for x in t.values()) == 16_000  # all of the generation, no more


def test_each_owners_money_is_the_hand_calculated_amount(billed, owners):
    a, b, c = owners
    t = billed.totals
    assert (t[a].grid_cost, t[a].feed_in_credit, t[a].net) == (Decimal("13.86"), Decimal("0.144"), Decimal("13.716"))
    assert (t[b].grid_cost, t[b].feed_in_credit, t[b].net) == (Decimal("5.52"), Decimal("0.256"), Decimal("5.264"))
    assert (t[c].grid_cost, t[c].feed_in_credit, t[c].net) == (Decimal("27.6"), Decimal("0.352"), Decimal("27.248"))


def test_a_slots_line_is_the_hand_calculated_one(billed, owners):
    a = owners[0]
    [line] = [x for x in billed.lines if x.owner == a and x.position == 51]
    assert (line.portion_bp, line.allocated_wh, line.grid_wh, line.surplus_wh) == (5_000, 2_000, 0, 1_500)
    assert line.feed_in_credit == Decimal("0.12") and line.grid_cost == 0
    assert line.local_time.hour == 12 and line.local_time.minute == 45


def test_the_csv_has_a_row_per_slot_and_owner_and_the_totals(billed, owners):
    rows = list(csv.DictReader(io.StringIO(billed.to_csv())))
    assert len(rows) == 96 * 3 + 3
    totals = {r["owner"]: r for r in rows if r["slot"] == "TOTAL"}
    assert totals[owners[0]]["net_EUR"] == "13.7160"
    assert totals[owners[2]]["grid_wh"] == "92000"


def test_the_table_prints_every_owners_totals(billed):
    from rich.console import Console

    console = Console(record=True, width=200)
    console.print(billed.table())
    text = console.export_text()
    assert "13.7160" in text and "5.2640" in text and "27.2480" in text


def test_a_day_that_is_not_over_is_not_billed(plant, owners):
    consumption = {o: [0] * 96 for o in owners}
    with pytest.raises(ClearingError, match="not over yet"):
        ClearingServer(plant, TARIFF).bill(DAY, consumption, [0] * 96)


def test_a_run_of_the_days_slots_is_billed_alone_with_the_same_lines_and_a_range_outside_it_is_refused(
    plant, owners, owner_keys, chain
):
    from offchain.shared_pv.clearing import bill_day
    from offchain.shared_pv.errors import ClearingInputError

    slots = plant.clock.day_slots(DAY)
    plant.transfer(owners[1], slots[48], slots[49], 1_000, sender=owner_keys[0])
    advance_past(chain, plant, DAY)
    consumption = {o: (lambda s, wh=wh: wh) for o, wh in zip(owners, (500, 200, 1_000), strict=True)}
    gen = generation(lambda slot: slot - slots.start)
    whole = ClearingServer(plant, TARIFF).bill(DAY, consumption, gen)
    noon = range(slots[46], slots[54])
    part = ClearingServer(plant, TARIFF).bill(DAY, consumption, gen, slots=noon)

    def key(x):
        return (x.slot, x.owner, x.portion_bp, x.allocated_wh, x.net)

    assert part.slots == noon and [key(x) for x in part.lines] == [key(x) for x in whole.lines if x.slot in noon]
    assert sum(t.allocated_wh for t in part.totals.values()) == 4 * 4_000  # all four sunny slots lie in 46-53
    with pytest.raises(ClearingInputError, match="not a non-empty run"):
        bill_day(plant.history(), plant.clock, DAY, consumption, gen, TARIFF, slots=range(slots[90], slots[-1] + 5))
