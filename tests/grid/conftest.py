"""Fixtures of the grid tests: role-named accounts, a GridEvents with one registered location,
its sensor and delivery device, and factories for the paper's events."""

from __future__ import annotations

import pytest

from offchain.grid.client import label32

from tests.grid.helpers import AVAILABLE, CAPACITY, LOC, OTHER_LOCATION, RATE, START


@pytest.fixture(autouse=True)
def isolation(fn_isolation):
    pass


@pytest.fixture(scope="module")
def operator(accounts):
    return accounts[0]


@pytest.fixture(scope="module")
def sensor(accounts):
    return accounts[1]


@pytest.fixture(scope="module")
def device(accounts):
    return accounts[2]


@pytest.fixture(scope="module")
def purchaser(accounts):
    return accounts[3]


@pytest.fixture(scope="module")
def stranger(accounts):
    return accounts[4]


@pytest.fixture(scope="module")
def other_sensor(accounts):
    return accounts[5]


@pytest.fixture(scope="module")
def grid(GridEvents, operator, sensor, device, other_sensor):
    """GridEvents with `north-feeder` (sensor + device) and `east-feeder` (other_sensor)."""
    g = GridEvents.deploy(operator, {"from": operator})
    g.registerLocation(LOC, {"from": operator})
    g.registerLocation(label32(OTHER_LOCATION), {"from": operator})
    g.registerDevice(sensor, LOC, {"from": operator})
    g.registerDevice(device, LOC, {"from": operator})
    g.registerDevice(other_sensor, label32(OTHER_LOCATION), {"from": operator})
    return g


@pytest.fixture
def record_storage(grid, sensor):
    def make(capacity=CAPACITY, available=AVAILABLE, rate=RATE, by=sensor):
        return grid.recordStorage(capacity, available, rate, {"from": by})

    return make


@pytest.fixture
def record_purchase(grid, purchaser):
    def make(quantity=4_000, by=purchaser, location=LOC):
        return grid.recordPurchase(location, quantity, {"from": by})

    return make


@pytest.fixture
def record_transfer(grid, device, purchaser):
    def make(amount=4_000, purchase_id=0, start=START, end=START + 3_600, to=purchaser, by=device, name="meter-1"):
        return grid.recordTransfer(to, purchase_id, label32(name), amount, start, end, {"from": by})

    return make


@pytest.fixture
def delivered(record_storage, record_purchase, record_transfer):
    """Storage, purchase and transfer recorded for the purchaser: a bill may be anchored."""
    record_storage()
    record_purchase()
    record_transfer()
