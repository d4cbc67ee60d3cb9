"""The 15-minute slot clock: the contract against zoneinfo (via the Python twin), DST change
days in both directions, compressed days, and the refusals of a bad configuration."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from offchain.common import DstRule, SlotClock, SlotConfig
from offchain.kernel.errors import ConfigError

from tests.common.ledger_harness import reverts

VIENNA = SlotConfig(zone="Europe/Vienna")


def ints(values) -> tuple[int, ...]:
    """A brownie ReturnValue as plain ints."""
    return tuple(int(v) for v in values)


ZONES = ["Europe/Vienna", "Europe/London", "Europe/Helsinki", "UTC", "Asia/Tokyo"]
SPRING_2026 = dt.date(2026, 3, 29)  # Europe: 02:00 CET -> 03:00 CEST
AUTUMN_2026 = dt.date(2026, 10, 25)  # Europe: 03:00 CEST -> 02:00 CET


@pytest.fixture(scope="module")
def clocks(SlotClockHarness, accounts):
    return {z: SlotClockHarness.deploy(SlotConfig(zone=z).as_args(), {"from": accounts[0]}) for z in ZONES}


@pytest.fixture(scope="module")
def vienna(clocks):
    return clocks["Europe/Vienna"]


def test_an_ordinary_day_has_96_slots(vienna):
    py = SlotClock(VIENNA)
    day = py.day_number(dt.date(2026, 6, 1))
    first, count = vienna.daySlots(day)
    assert count == 96
    assert range(first, first + count) == py.day_slots(day)


def test_the_spring_change_day_has_92_slots_and_numbering_runs_through_it(vienna):
    py = SlotClock(VIENNA)
    day = py.day_number(SPRING_2026)
    first, count = vienna.daySlots(day)
    assert count == 92
    nxt, _ = vienna.daySlots(day + 1)
    assert nxt == first + 92  # no slot skipped or repeated
    # 01:45 CET is slot 7 of the day, the next quarter hour is 03:00 CEST: slot 8
    before = int(dt.datetime(2026, 3, 29, 1, 45, tzinfo=py._tz).timestamp()) // 900
    after = int(dt.datetime(2026, 3, 29, 3, 0, tzinfo=py._tz).timestamp()) // 900
    assert after == before + 1
    assert ints(vienna.dayOf(before)) == (day, 7)
    assert ints(vienna.dayOf(after)) == (day, 8)
    assert ints(vienna.dayOf(first + 91)) == (day, 91)
    assert ints(vienna.dayOf(first + 92)) == (day + 1, 0)


def test_the_autumn_change_day_has_100_slots_and_the_repeated_hour_gets_its_own_slots(vienna):
    py = SlotClock(VIENNA)
    day = py.day_number(AUTUMN_2026)
    first, count = vienna.daySlots(day)
    assert count == 100
    nxt, _ = vienna.daySlots(day + 1)
    assert nxt == first + 100
    # 02:15 happens twice: first in CEST (slot 9), then in CET (slot 13)
    cest = dt.datetime(2026, 10, 25, 2, 15, tzinfo=py._tz, fold=0)
    cet = dt.datetime(2026, 10, 25, 2, 15, tzinfo=py._tz, fold=1)
    s1, s2 = int(cest.timestamp()) // 900, int(cet.timestamp()) // 900
    assert s2 == s1 + 4
    assert ints(vienna.dayOf(s1)) == (day, 9)
    assert ints(vienna.dayOf(s2)) == (day, 13)
    assert py.local_time(s2).fold == 1


@pytest.mark.parametrize("zone", ZONES)
def test_the_contract_agrees_with_zoneinfo_on_every_day(clocks, zone):
    py = SlotClock(SlotConfig(zone=zone))
    clock = clocks[zone]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(t=st.integers(min_value=946_684_800, max_value=4_102_444_800))  # 2000 .. 2100
    def check(t):
        slot = t // 900
        day, pos = py.day_of(slot)
        assert ints(clock.dayOf(slot)) == (day, pos)
        first, count = clock.daySlots(day)
        assert range(first, first + count) == py.day_slots(day)
        assert clock.slotAt(t) == py.slot_at(t) == slot

    check()


@pytest.mark.parametrize("year", [2024, 2026, 2030, 2037, 2099])
def test_change_days_of_several_years_agree_with_zoneinfo(vienna, year):
    py = SlotClock(VIENNA)
    counts = {}
    for month in (3, 10):
        last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        sunday = last - dt.timedelta(days=(last.weekday() + 1) % 7)
        day = py.day_number(sunday)
        first, count = vienna.daySlots(day)
        assert range(first, first + count) == py.day_slots(day)
        counts[month] = count
    assert counts == {3: 92, 10: 100}


def test_a_compressed_day_maps_each_slot_to_a_few_chain_seconds(SlotClockHarness, accounts, chain):
    genesis = chain[-1].timestamp + 10
    config = SlotConfig.compressed("Europe/Vienna", genesis, SPRING_2026, slot_seconds=6)
    clock = SlotClockHarness.deploy(config.as_args(), {"from": accounts[0]})
    py = SlotClock(config)
    day = py.day_number(SPRING_2026)
    first, count = clock.daySlots(day)
    assert (first, count) == (config.epoch // 900, 92)
    assert clock.slotAt(genesis) == first
    assert clock.slotAt(genesis + 5) == first
    assert clock.slotAt(genesis + 6) == first + 1
    assert clock.slotStart(first + 91) == genesis + 91 * 6 == py.slot_start(first + 91)
    chain.sleep(genesis + 6 * 50 - chain[-1].timestamp)
    chain.mine()
    assert clock.currentSlot() == first + 50 == py.slot_at(chain[-1].timestamp)
    assert ints(clock.dayOf(first + 50)) == (day, 50)
    assert tuple(clock.slotConfig()) == config.as_args()


def test_before_genesis_and_before_the_epoch_are_refused(SlotClockHarness, accounts, chain):
    genesis = chain[-1].timestamp + 1000
    config = SlotConfig.compressed("Europe/Vienna", genesis, SPRING_2026, slot_seconds=6)
    clock = SlotClockHarness.deploy(config.as_args(), {"from": accounts[0]})
    with reverts("SlotBeforeGenesis", genesis - 1, genesis):
        clock.slotAt(genesis - 1)
    with reverts("SlotBeforeGenesis", chain[-1].timestamp, genesis):
        clock.currentSlot()
    epoch_slot = config.epoch // 900
    with reverts("SlotBeforeEpoch", epoch_slot - 1, epoch_slot):
        clock.slotStart(epoch_slot - 1)
    with reverts("SlotDayOutOfRange", 0):
        clock.daySlots(0)


@pytest.mark.parametrize(
    "args",
    [
        (0, 0, 0, 60, 1),  # no chain seconds per slot
        (0, 901, 900, 60, 1),  # epoch off the quarter hour
        (0, 0, 900, 50, 0),  # offset not whole quarter hours
        (0, 0, 900, 900, 0),  # offset beyond +14 h
        (0, 0, 900, -60, 1),  # EU rule with a negative offset
        (0, 0, 900, 240, 1),  # EU rule beyond +3 h
    ],
)
def test_a_bad_configuration_is_refused_at_deploy(SlotClockHarness, accounts, args):
    with reverts("SlotInvalidConfig", args[2], args[1], args[3]):
        SlotClockHarness.deploy(args, {"from": accounts[0]})


def test_zones_outside_the_supported_rules_are_refused_off_chain():
    with pytest.raises(ConfigError, match="does not follow the EU daylight-saving rule"):
        SlotConfig(zone="America/New_York")
    with pytest.raises(ConfigError, match="unknown time zone"):
        SlotConfig(zone="Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="quarter hour"):
        SlotConfig(epoch=901)
    assert SlotConfig(zone="Asia/Tokyo").rule() == (540, DstRule.NONE)
    assert SlotConfig(zone="Europe/Helsinki").rule() == (120, DstRule.EU)
