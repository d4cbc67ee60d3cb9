"""Fixtures for the shared-PV contract tests: the consortium, three co-owners with the paper's
default key (A 20 %, B 20 %, C 60 %), a newcomer, a stranger, and a plant whose slot clock
starts two days before the spring DST change (so 2026-03-29 lies in the future)."""

from __future__ import annotations

import datetime as dt

import pytest

from offchain.common import SlotClock

from tests.shared_pv.contracts.helpers import KEY, SPRING_DAY, clock_starting


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def consortium(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def owner_a(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def owner_b(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def owner_c(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def newcomer(accounts):
    """Not a member until the consortium admits it."""
    return accounts[4]


@pytest.fixture(scope="module")
def stranger(accounts):
    """Never a member."""
    return accounts[5]


@pytest.fixture(scope="module")
def clock(chain):
    """Market time starts at local midnight two days before the spring change day."""
    return clock_starting(chain, SPRING_DAY - dt.timedelta(days=2))


@pytest.fixture(scope="module")
def days(clock):
    """The plant's calendar: ``days.day_slots(date)`` and friends."""
    return SlotClock(clock)


@pytest.fixture(scope="module")
def plant(SharedPvPlant, consortium, owner_a, owner_b, owner_c, clock):
    return SharedPvPlant.deploy(
        consortium, clock.as_args(), [owner_a, owner_b, owner_c], list(KEY), {"from": consortium}
    )


@pytest.fixture(scope="module")
def tomorrow(days, clock):
    """The slots of the day after the plant's first day (96 slots, all in the future)."""
    return days.day_slots(SPRING_DAY - dt.timedelta(days=1))
