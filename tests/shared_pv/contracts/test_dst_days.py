"""The DST change days of Europe/Vienna through the plant: 92 slots on 2026-03-29, 100 on
2026-10-25; whole-day transfers cover exactly those slots and nothing of the neighbours."""

import datetime as dt

import pytest

from offchain.common import SlotClock

from tests.shared_pv.contracts.helpers import AUTUMN_DAY, KEY, SPRING_DAY, clock_starting, portions


@pytest.fixture(scope="module")
def autumn_clock(chain):
    return clock_starting(chain, AUTUMN_DAY - dt.timedelta(days=2))


@pytest.fixture(scope="module")
def autumn_plant(SharedPvPlant, consortium, owner_a, owner_b, owner_c, autumn_clock):
    return SharedPvPlant.deploy(
        consortium, autumn_clock.as_args(), [owner_a, owner_b, owner_c], list(KEY), {"from": consortium}
    )


def test_a_whole_spring_change_day_is_92_slots(plant, days, owner_a, owner_b):
    slots = days.day_slots(SPRING_DAY)
    assert len(slots) == 92
    assert tuple(plant.daySlots(days.day_number(SPRING_DAY))) == (slots.start, 92)
    plant.movePortions(owner_b, slots[0], slots[-1], 2_000, {"from": owner_a})
    assert portions(plant, owner_a, slots[0] - 1, slots[-1] + 1) == [2_000] + [0] * 92 + [2_000]
    # 01:45 CET and 03:00 CEST are consecutive slots, both moved
    before = int(dt.datetime(2026, 3, 29, 1, 45, tzinfo=days.config.tz()).timestamp()) // 900
    assert before + 1 in slots and plant.portionOf(owner_b, before + 1) == 4_000


def test_a_whole_autumn_change_day_is_100_slots_and_the_repeated_hour_is_two_slots(
    autumn_plant, autumn_clock, owner_a, owner_b
):
    days = SlotClock(autumn_clock)
    slots = days.day_slots(AUTUMN_DAY)
    assert len(slots) == 100
    assert tuple(autumn_plant.daySlots(days.day_number(AUTUMN_DAY))) == (slots.start, 100)
    autumn_plant.movePortions(owner_b, slots[0], slots[-1], 1_000, {"from": owner_a})
    assert portions(autumn_plant, owner_a, slots[0] - 1, slots[-1] + 1) == [2_000] + [1_000] * 100 + [2_000]
    # 02:15 happens twice: in summer time (slot 9 of the day) and in winter time (slot 13)
    tz = days.config.tz()
    cest = int(dt.datetime(2026, 10, 25, 2, 15, tzinfo=tz, fold=0).timestamp()) // 900
    cet = int(dt.datetime(2026, 10, 25, 2, 15, tzinfo=tz, fold=1).timestamp()) // 900
    assert (cest - slots.start, cet - slots.start) == (9, 13)
    autumn_plant.movePortions(owner_b, cet, cet, 1_000, {"from": owner_a})  # only the second 02:15
    assert autumn_plant.portionOf(owner_a, cest) == 1_000 and autumn_plant.portionOf(owner_a, cet) == 0


def test_the_hour_that_does_not_exist_in_spring_has_no_slots(days):
    slots = days.day_slots(SPRING_DAY)
    local_hours = {days.local_time(s).hour for s in slots}
    assert 2 not in local_hours and len(local_hours) == 23
