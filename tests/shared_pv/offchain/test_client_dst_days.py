"""Transfers of whole local days through the client on both 2026 change days in Europe/Vienna:
92 slots on 2026-03-29, 100 on 2026-10-25 — every slot of the day changes, the neighbouring
days' slots do not, and the history read back names exactly those slots."""

from __future__ import annotations

import datetime as dt

import pytest

from offchain.shared_pv.client import PortionsTransferred

from tests.shared_pv.offchain.conftest import make_plant


@pytest.mark.parametrize(("day", "count"), [(dt.date(2026, 3, 29), 92), (dt.date(2026, 10, 25), 100)])
def test_a_whole_change_day_moves_exactly_its_slots(chain_client, chain, consortium, owners, owner_keys, day, count):
    plant = make_plant(chain_client, chain, consortium, owners, day - dt.timedelta(days=1))
    a, b, _ = owners
    slots = plant.clock.day_slots(day)
    assert len(slots) == count
    receipt = plant.transfer_day(b, day, 2_000, sender=owner_keys[0])
    [event] = plant.events_of(receipt)
    assert isinstance(event, PortionsTransferred) and event.slots == slots
    assert plant.portions(a, slots.start, slots.stop - 1) == [0] * count
    assert plant.portions(b, slots.start, slots.stop - 1) == [4_000] * count
    # the slots just before and after the day keep the default key
    assert plant.portions(a, slots.start - 1, slots.start - 1) == [2_000]
    assert plant.portions(a, slots.stop, slots.stop) == [2_000]
    # the local times of the day's first and last slot are midnight and 23:45
    assert plant.clock.local_time(slots.start).time() == dt.time(0, 0)
    assert plant.clock.local_time(slots.stop - 1).time() == dt.time(23, 45)


def test_the_repeated_hour_of_the_autumn_day_is_two_sets_of_slots(chain_client, chain, consortium, owners, owner_keys):
    day = dt.date(2026, 10, 25)
    plant = make_plant(chain_client, chain, consortium, owners, day - dt.timedelta(days=1))
    a, b, _ = owners
    slots = plant.clock.day_slots(day)
    two_am = [s for s in slots if plant.clock.local_time(s).hour == 2]
    assert len(two_am) == 8  # 02:00-03:00 happens twice
    first_pass = two_am[:4]
    plant.transfer(b, first_pass[0], first_pass[-1], 1_000, sender=owner_keys[0])
    assert plant.portions(a, two_am[0], two_am[-1]) == [1_000] * 4 + [2_000] * 4


def test_the_client_refuses_a_zone_whose_rule_differs_from_the_plants(chain_client, plant):
    from offchain.kernel.errors import ConfigError
    from offchain.shared_pv.client import PlantClient

    with pytest.raises(ConfigError, match="does not match"):
        PlantClient(chain_client, plant.address, zone="Europe/London")
